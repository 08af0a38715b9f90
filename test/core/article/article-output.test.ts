import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../functions/cli/main.ts';
import { parseArticle } from '../../../functions/core/article/article.ts';
import { MAX_FEED_ITEM_BYTES, MAX_PAGE_BYTES, parsePublishable } from '../../../functions/core/article/article-output.ts';
import { FeedCheckError } from '../../../functions/core/errors.ts';
import { buildFeeds } from '../../../functions/core/output/feeds.ts';
import type { Parse } from '../../../functions/publish/context.ts';
import { publish } from '../../../functions/publish/publish.ts';
import { articleText, captureIo, listFiles, NOW, readText, tempDir, testSettings, writeContent } from '../../helpers/content.ts';
import { parseAtom, parseJsonFeed, parseRss } from '../../helpers/feeds.ts';
import { type S3TestServer, startS3Server } from '../../helpers/s3-server.ts';
import { inEveryFeed, newS3Site } from '../../helpers/s3-site.ts';

/**
 * One article's output is bounded and proven before it joins any feed: its page and its own one-item
 * RSS, Atom and JSON feeds are measured and parsed back at parse time, and a failure is that article's
 * rejection. A feed that still fails its parse-back when a group is built never stops the publish:
 * the previous good feed stays, and the failure is reported.
 */

let server: S3TestServer;
beforeAll(async () => {
  server = await startS3Server();
});
afterAll(async () => {
  await server?.stop();
});

async function build(files: Record<string, string>) {
  const dir = await tempDir();
  const content = await writeContent(path.join(dir, 'content'), files);
  const out = path.join(dir, 'dist');
  const io = captureIo();
  const code = await main(['build', '--content', content, '--out', out], io);
  return { code, io, out, file: (name: string) => path.join(content, 'articles', name) };
}

describe("the size of one article's output", () => {
  it('rejects, naming the file, an article whose page would pass the documented limit (1.1 MB of "<" is 4.4 MB of HTML)', async () => {
    // Prepare: well under the 2 MB input limit
    const huge = articleText({ title: 'Angle brackets', date: '2025-03-14' }, `${'<'.repeat(1_100_000)}\n`);

    // Act
    const run = await build({ 'huge.md': huge, 'good.md': articleText({ title: 'Good', date: '2025-03-14' }) });

    // Assess
    expect(run.code).toBe(1);
    expect(run.io.stderr).toEqual([`${run.file('huge.md')}: its page would be 4.2 MB; the limit is 4.0 MB: shorten the article or split it`]);
    expect(parseJsonFeed(await readText(run.out, 'feed.json')).items.map((i) => i.title)).toEqual(['Good']);
    expect((await listFiles(run.out)).filter((f) => f.startsWith('articles/'))).toEqual(['articles/good/index.html']);
  }, 60_000);

  it('rejects, naming the file, an article whose page fits but whose Atom item would not (Atom escapes the HTML once more)', async () => {
    // Prepare: 0.7 MB of "<": a 2.7 MB page, an Atom entry of twice that
    const big = articleText({ title: 'Angle brackets', date: '2025-03-14' }, `${'<'.repeat(700_000)}\n`);

    // Act
    const run = await build({ 'big.md': big, 'good.md': articleText({ title: 'Good', date: '2025-03-14' }) });

    // Assess
    expect(run.code).toBe(1);
    expect(run.io.stderr).toEqual([expect.stringMatching(new RegExp(`^${run.file('big.md')}: its Atom item would be \\d+\\.\\d MB; the limit is 4\\.0 MB: shorten the article or split it$`))]);
    const atom = parseAtom(await readText(run.out, 'atom.xml'));
    expect(atom.feed.items.map((i) => i.title)).toEqual(['Good']);
  }, 60_000);

  it('publishes what is under the limits, whatever it holds', () => {
    // Prepare + Act: 200 KB of "<" and "&"
    const article = parsePublishable('articles/fine.md', Buffer.from(articleText({ title: 'Fine', date: '2025-03-14' }, `${'<&'.repeat(100_000)}\n`)), testSettings());

    // Assess
    expect(Buffer.byteLength(article.html)).toBeLessThan(MAX_PAGE_BYTES);
    const feeds = buildFeeds([article], testSettings());
    for (const body of Object.values(feeds)) expect(Buffer.byteLength(body)).toBeLessThan(MAX_FEED_ITEM_BYTES);
    expect(parseJsonFeed(feeds['feed.json']).items).toHaveLength(1);
  });
});

describe('an article whose own feed item does not parse back', () => {
  // Values editors and CMSs really produce. Whatever the feed writers make of them, the contract holds:
  // an article is published exactly when its own one-item feeds parse back with independent parsers,
  // the others are named as FILE: PROBLEM, and the rest of the site is published.
  const hostile: Record<string, Record<string, unknown>> = {
    'cdn-image.md': { title: 'Image from a CDN', date: '2025-03-10', image: { url: 'https://cdn.example/photo.jpg?w=800&h=450', alt: 'A "harbour" <view>', type: 'image/jpeg', length: 1000 } },
    'markup-title.md': { title: 'Black & Decker <b>"bold"</b> ]]> done', date: '2025-03-11', summary: 'Less < more & "quotes" ]]>' },
    'odd-author.md': { title: 'Odd author', date: '2025-03-12', authors: [{ name: 'Ada & <Co>', url: 'https://example.org/?a=1&b=2', email: 'ada@example.org' }] },
    'odd-tags.md': { title: 'Odd tags', date: '2025-03-13', tags: ['R&D', '<script>', 'C#'] },
  };
  const independentlyValid = (fields: Record<string, unknown>): boolean => {
    const article = parseArticle('articles/x.md', Buffer.from(articleText(fields)), testSettings());
    const feeds = buildFeeds([article], testSettings());
    try {
      return parseRss(feeds['rss.xml']).feed.items.length === 1 && parseAtom(feeds['atom.xml']).feed.items.length === 1 && parseJsonFeed(feeds['feed.json']).items.length === 1;
    } catch {
      return false;
    }
  };

  it('is rejected by name at parse time, and every other article is published in feeds that parse back', async () => {
    // Prepare
    const expectedOut = Object.entries(hostile)
      .filter(([, fields]) => !independentlyValid(fields))
      .map(([name]) => name);
    const files = Object.fromEntries(Object.entries(hostile).map(([name, fields]) => [name, articleText(fields)]));

    // Act
    const run = await build({ ...files, 'good.md': articleText({ title: 'Good', date: '2025-03-14' }) });

    // Assess
    expect(run.code).toBe(expectedOut.length > 0 ? 1 : 0);
    expect(run.io.stderr).toEqual(
      expectedOut.map((name) => expect.stringMatching(new RegExp(`^${run.file(name)}: its (RSS|Atom|JSON Feed) item does not parse back \\(.+\\); the article is not published$`))),
    );
    const published = ['good.md', ...Object.keys(hostile)].filter((n) => !expectedOut.includes(n)).length;
    expect(parseRss(await readText(run.out, 'rss.xml')).feed.items).toHaveLength(published);
    expect(parseAtom(await readText(run.out, 'atom.xml')).feed.items).toHaveLength(published);
    expect(parseJsonFeed(await readText(run.out, 'feed.json')).items).toHaveLength(published);
    expect(parseJsonFeed(await readText(run.out, 'feed.json')).items[0]?.title).toBe('Good');
  });
});

describe('a site feed that fails its parse-back when it is built', () => {
  it('never stops the publish: the previous good feed stays, the failure is reported, and the next good publish replaces it', async () => {
    // Prepare: one published article; then one whose state value breaks the JSON feed (an empty id, which
    // the per-article check would have refused: this parse skips it, standing for any fault found only
    // when the whole feed is built)
    const s = await newS3Site(server);
    const stores = { content: s.content, site: s.site, state: s.state };
    await s.putArticle('first.md', { title: 'First', date: '2025-03-13' });
    await publish(stores, { now: NOW });
    const faulty = await s.putArticle('second.md', { title: 'Second', date: '2025-03-14' });
    const parse: Parse = async (file, bytes, settings) => (file === faulty ? { ...parseArticle(file, bytes, settings), id: '' } : parsePublishable(file, bytes, settings));

    // Act
    const broken = await publish(stores, { now: NOW, parse });
    const feedsMeanwhile = await s.feedTitles();
    const [frontMeanwhile, viewMeanwhile] = await Promise.all([s.read('index.html'), s.read('feed.html')]);
    await s.putArticle('second.md', { title: 'Second, fixed', date: '2025-03-14' });
    const fixed = await publish(stores, { now: NOW });

    // Assess
    // A feed kept back is reported apart from rejected articles: it is a bug, not the newsroom's input.
    const problems = broken.feedFailures.map((e) => `${e.file}: ${e.problem}`);
    expect(problems).toEqual(['feed.json: the generated feed is invalid (an item has no id); the previous one was kept']);
    expect(broken.feedFailures[0]).toBeInstanceOf(FeedCheckError);
    expect(broken.rejected).toEqual([]);
    expect(feedsMeanwhile).toEqual(inEveryFeed(['First']));
    // The group's pages stay with its feeds: the front page and the feed view do not list what the feeds do not.
    for (const page of [frontMeanwhile, viewMeanwhile]) {
      expect(page).toContain('First');
      expect(page).not.toContain('Second');
    }
    expect(fixed.rejected).toEqual([]);
    expect(fixed.feedFailures).toEqual([]);
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Second, fixed', 'First']));
  });
});
