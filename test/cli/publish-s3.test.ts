import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../functions/cli/main.ts';
import { parseS3Url } from '../../functions/cli/publish-s3.ts';
import { UsageError } from '../../functions/cli/usage.ts';
import { STATE } from '../../functions/core/state/state.ts';
import { S3Store } from '../../functions/stores/s3-store.ts';
import { articleText, captureIo, NOW, SITE_SETTINGS } from '../helpers/content.ts';
import { parseJsonFeed } from '../helpers/feeds.ts';
import { useS3Environment } from '../helpers/s3-env.ts';
import { type S3TestServer, startS3Server } from '../helpers/s3-server.ts';
import { uniqueBucket } from '../helpers/s3-site.ts';

// The `wirefeed publish` shell: its arguments, and where it reads and writes, on a real S3-compatible server
// reached through the environment, as in production. Whole publishes are told in test/e2e/handler.test.ts.

describe('s3:// locations', () => {
  it.each([
    ['s3://news-content', { bucket: 'news-content', prefix: '' }],
    ['s3://news-content/', { bucket: 'news-content', prefix: '' }],
    ['s3://news-content/desk', { bucket: 'news-content', prefix: 'desk/' }],
    ['s3://news-content/desk/', { bucket: 'news-content', prefix: 'desk/' }],
    ['s3://news.content-2/desk/2026 é', { bucket: 'news.content-2', prefix: 'desk/2026 é/' }],
  ])('reads %s as a bucket and a prefix ending in /', (value, location) => {
    // Act / Assess
    expect(parseS3Url(value, '--content')).toEqual(location);
  });

  it.each([
    ['a local folder', 'content/'],
    ['another scheme', 'https://news-content.s3.amazonaws.com/'],
    ['capitals', 's3://News-Content'],
    ['an underscore', 's3://news_content'],
    ['two characters', 's3://ab'],
    ['a leading hyphen', 's3://-news'],
    ['nothing', ''],
    ['quotes and a newline', 's3://"news"\ncontent'],
  ])('refuses %s with a usage error naming the flag and the value', (_what, value) => {
    // Act
    const parse = () => parseS3Url(value, '--site');

    // Assess
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(`--site must look like s3://BUCKET or s3://BUCKET/PREFIX (got "${value}")`);
  });
});

describe('wirefeed publish', () => {
  let server: S3TestServer;

  beforeAll(async () => {
    server = await startS3Server();
  });

  afterAll(async () => {
    await server?.stop();
  });

  useS3Environment(() => server);

  it.each([
    ['a --content that is not an s3:// URL', ['--content', 'content/', '--site', 's3://wirefeed-site']],
    ['an invalid bucket name', ['--content', 's3://Not_A_Bucket', '--site', 's3://wirefeed-site']],
    ['no --site', ['--content', 's3://wirefeed-content']],
    ['an unknown option', ['--content', 's3://wirefeed-content', '--site', 's3://wirefeed-site', '--fast']],
  ])('exits 2 with the usage for %s', async (_name, args) => {
    // Prepare
    const io = captureIo(NOW);
    server.resetCounts();

    // Act
    const code = await main(['publish', ...args], io);

    // Assess
    expect(code).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/^wirefeed: /);
    expect(io.stderr.join('\n')).toContain('Usage:');
    expect(io.stdout).toEqual([]);
    expect(server.counts()).toEqual({ get: 0, put: 0, delete: 0, head: 0, list: 0, other: 0 });
  });

  it.each([
    ['--state in the site folder', ['--content', 's3://news-content', '--site', 's3://news-site/www/', '--state', 's3://news-site/www/private']],
    ['--state the site itself', ['--content', 's3://news-content', '--site', 's3://news-site', '--state', 's3://news-site']],
    ['--state in a site at the root of its bucket', ['--content', 's3://news-content', '--site', 's3://news-site', '--state', 's3://news-site/.wirefeed/']],
    ["the default state, when the content's folder is inside the site", ['--content', 's3://news/content', '--site', 's3://news']],
  ])('refuses %s: exit 2, the reason, and not one request', async (_what, args) => {
    // Prepare
    const io = captureIo(NOW);
    server.resetCounts();

    // Act
    const code = await main(['publish', ...args], io);

    // Assess
    expect(code).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/^wirefeed: --state must not be inside --site: the state holds drafts and embargoed stories, and the site is public\n\nUsage: wirefeed publish /);
    expect(io.stdout).toEqual([]);
    expect(server.counts()).toEqual({ get: 0, put: 0, delete: 0, head: 0, list: 0, other: 0 });
  });

  it("reads the content under its prefix and writes the site under its own, with the state in the content's .wirefeed/, in one bucket", async () => {
    // Prepare: one bucket, the content under desk/, the site under www/; a neighbour article outside desk/
    const bucket = uniqueBucket('news');
    await server.createBucket(bucket);
    const put = (key: string, body: string) => server.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    await put('desk/site.yaml', stringify(SITE_SETTINGS));
    await put('desk/articles/budget-vote.md', articleText({ title: 'Budget vote tonight', date: '2026-11-20' }));
    await put('articles/not-ours.md', articleText({ title: 'Not ours', date: '2026-11-20' }));
    const io = captureIo(NOW);

    // Act
    const code = await main(['publish', '--content', `s3://${bucket}/desk`, '--site', `s3://${bucket}/www`], io);

    // Assess
    expect(code).toBe(0);
    expect(io.stdout).toEqual([expect.stringMatching(new RegExp(`^1 article published, 0 rejected, 1 page rendered, \\d+ files written into s3://${bucket}/www in \\d+ ms$`))]);
    const keys = (await new S3Store(server.client, bucket).list('')).map((info) => info.key);
    expect(keys.filter((key) => !key.startsWith('desk/') && !key.startsWith('www/'))).toEqual(['articles/not-ours.md']);
    expect(keys).toContain('www/articles/budget-vote/index.html');
    expect(keys).toContain(`desk/.wirefeed/${STATE.head}`);
    const feed = parseJsonFeed(Buffer.from((await new S3Store(server.client, bucket, 'www/').get('feed.json'))!.body).toString());
    expect(feed.items.map((i) => i.title)).toEqual(['Budget vote tonight']);
  });

  it('keeps the state where --state says, and links to SITE_URL', async () => {
    // Prepare
    const [content, site, state] = [uniqueBucket('content'), uniqueBucket('site'), uniqueBucket('state')];
    for (const bucket of [content, site, state]) await server.createBucket(bucket);
    await server.client.send(new PutObjectCommand({ Bucket: content, Key: 'site.yaml', Body: stringify(SITE_SETTINGS) }));
    await server.client.send(new PutObjectCommand({ Bucket: content, Key: 'articles/budget-vote.md', Body: articleText({ title: 'Budget vote tonight', date: '2026-11-20' }) }));
    const io = captureIo(NOW, { SITE_URL: 'https://cdn.news.test/' });

    // Act
    const code = await main(['publish', '--content', `s3://${content}`, '--site', `s3://${site}`, '--state', `s3://${state}/wirefeed`], io);

    // Assess
    expect(code).toBe(0);
    expect(await new S3Store(server.client, state, 'wirefeed/').get(STATE.head)).toBeDefined();
    expect((await new S3Store(server.client, content).list('')).map((info) => info.key)).toEqual(['articles/budget-vote.md', 'site.yaml']);
    const feed = parseJsonFeed(Buffer.from((await new S3Store(server.client, site).get('feed.json'))!.body).toString());
    expect(feed.items.map((i) => i.url)).toEqual(['https://cdn.news.test/articles/budget-vote/']);
  });
});
