import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../functions/cli/main.ts';
import { parseS3Url } from '../../functions/cli/publish-s3.ts';
import { UsageError } from '../../functions/cli/usage.ts';
import { STATE_PREFIX_IN_CONTENT } from '../../functions/core/keys.ts';
import { type FanItem, STATE } from '../../functions/core/state/state.ts';
import { createHandler } from '../../functions/lambda/handler.ts';
import { type FanOutInput, stateMachineFanOut } from '../../functions/lambda/state-machine.ts';
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

describe('wirefeed publish --full --distributed', () => {
  let server: S3TestServer;
  let stepFunctions: http.Server;
  /** Executions started, by name, in order: the stand-in plays each name once, as Step Functions runs one execution per name. */
  const started: { name: string; input: FanOutInput }[] = [];
  let play: (input: FanOutInput) => Promise<void> = async () => {};

  beforeAll(async () => {
    server = await startS3Server();
    // Step Functions has no local server: a stand-in on 127.0.0.1 answers StartExecution as the API reference shows
    // (the real SDK client reaches it through AWS_ENDPOINT_URL_SFN), and plays the execution as the state machine would.
    stepFunctions = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const target = req.headers['x-amz-target'];
        const request = JSON.parse(body || '{}') as { name?: string; input?: string };
        if (target !== 'AWSStepFunctions.StartExecution' || !request.name) {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ __type: 'InvalidArn', message: `not played: ${target}` }));
          return;
        }
        const first = !started.some((s) => s.name === request.name);
        if (first) started.push({ name: request.name, input: JSON.parse(request.input ?? '{}') });
        res
          .writeHead(200, { 'content-type': 'application/x-amz-json-1.0' })
          .end(JSON.stringify({ executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:${request.name}`, startDate: 1_800_000_000 }));
        if (first) void play(JSON.parse(request.input ?? '{}'));
      });
    });
    await new Promise<void>((resolve) => stepFunctions.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await server?.stop();
    await new Promise((resolve) => stepFunctions?.close(resolve));
  });

  useS3Environment(() => server, ['AWS_ENDPOINT_URL_SFN']);

  const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:WirefeedRebuild';

  it.each([
    ['without --full', ['--distributed'], { REBUILD_STATE_MACHINE: MACHINE }, '--distributed goes with --full'],
    ['without REBUILD_STATE_MACHINE', ['--full', '--distributed'], {}, '--distributed needs REBUILD_STATE_MACHINE'],
    ['without --state', ['--full', '--distributed'], { REBUILD_STATE_MACHINE: MACHINE, SITE_URL: 'https://news.test/' }, '--distributed needs --state'],
    ['without SITE_URL', ['--full', '--distributed', '--state', 's3://news-state'], { REBUILD_STATE_MACHINE: MACHINE }, '--distributed needs --state'],
  ])('exits 2 %s, saying why, and makes no request', async (_what, flags, env, why) => {
    // Prepare
    const io = captureIo(NOW, env);
    server.resetCounts();
    // Act
    const code = await main(['publish', '--content', 's3://news-content', '--site', 's3://news-site', ...flags], io);
    // Assess
    expect(code).toBe(2);
    expect(io.stderr.join('\n')).toContain(`wirefeed: ${why}`);
    expect(server.counts()).toEqual({ get: 0, put: 0, delete: 0, head: 0, list: 0, other: 0 });
  });

  it('starts the state machine for the render and records steps, waits for them saying how far they got, and exits 0 with the whole archive published', async () => {
    // Prepare: twelve stories (one batch of the command's 256 files); the executions played by the publisher's own handler
    process.env.AWS_ENDPOINT_URL_SFN = `http://127.0.0.1:${(stepFunctions.address() as AddressInfo).port}`;
    const content = uniqueBucket('content');
    const site = uniqueBucket('site');
    await server.createBucket(content);
    await server.createBucket(site);
    const put = (key: string, body: string) => server.client.send(new PutObjectCommand({ Bucket: content, Key: key, Body: body }));
    await put('site.yaml', stringify(SITE_SETTINGS));
    for (let i = 1; i <= 12; i++) await put(`articles/story-${i}.md`, articleText({ title: `Story ${i}`, date: `2026-11-${String(i).padStart(2, '0')}` }));
    const state = { bucket: content, prefix: STATE_PREFIX_IN_CONTENT };
    const handle = createHandler({
      s3: server.client,
      contentBucket: content,
      siteBucket: site,
      now: () => NOW,
      rebuildBatch: 2,
      log: () => undefined,
      fanOut: stateMachineFanOut(MACHINE, state, { minFiles: 1 }),
    });
    play = async (input) => {
      const items = JSON.parse(Buffer.from((await new S3Store(server.client, input.bucket).get(input.key))?.body ?? '[]').toString('utf8')) as FanItem[];
      const children: FanItem[][] = [];
      for (let at = 0; at < items.length; at += 2) children.push(items.slice(at, at + 2));
      await Promise.all(children.map((Items) => handle({ BatchInput: { wirefeed: input.phase, run: input.run }, Items })));
      await server.client.send(new PutObjectCommand({ Bucket: input.bucket, Key: input.ended, Body: JSON.stringify({ failed: false }) }));
      await handle({ wirefeed: 'fanned', run: input.run, phase: input.phase, failed: false });
    };
    const io = captureIo(NOW, { REBUILD_STATE_MACHINE: MACHINE, SITE_URL: SITE_SETTINGS.url, WIREFEED_POLL_SECONDS: '0.05', WIREFEED_LEASE_SECONDS: '30' });
    // Act
    const code = await main(['publish', '--content', `s3://${content}`, '--site', `s3://${site}`, '--state', `s3://${content}/${STATE_PREFIX_IN_CONTENT}`, '--full', '--distributed'], io);
    // Assess: one execution per step, named by the run; progress lines while they ran; the archive published
    const run = started[0]?.name as string;
    expect(started.map((s) => [s.name, s.input.phase])).toEqual([
      [run, 'render'],
      [`${run}-records`, 'records'],
    ]);
    expect(code).toBe(0);
    for (const line of io.stderr)
      expect(line).toMatch(
        new RegExp(
          `^rebuild ${run}: (render step on the state machine, \\d+ of 1 batches rendered|records step on the state machine, \\d+ of 1 batches written|\\w+ step, \\d+ of \\d+ batches done)$`,
        ),
      );
    expect(io.stdout[0]).toMatch(/^12 articles published, 0 rejected/);
    expect(parseJsonFeed(Buffer.from((await new S3Store(server.client, site).get('feed.json'))?.body ?? '').toString('utf8')).items).toHaveLength(12);
  });
});
