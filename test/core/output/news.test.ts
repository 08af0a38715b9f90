// The Google News sitemap (/sitemap-news.xml): the last two days' articles, at most 1,000, with publication
// name and language, publication date and title; kept current by every publish and by the minute tick.
// Parsed back with saxes, namespace-aware, so every element is checked in Google's namespace.
import { SaxesParser } from 'saxes';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE } from '../../../functions/core/state/state.ts';
import { createHandler } from '../../../functions/lambda/handler.ts';
import { ask } from '../../../functions/publish/protocol/requests.ts';
import { CountingStore, memorySite } from '../../helpers/engine.ts';
import { type S3TestServer, startS3Server } from '../../helpers/s3-server.ts';
import { newS3Site, s3Notification } from '../../helpers/s3-site.ts';

const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
const NEWS_NS = 'http://www.google.com/schemas/sitemap-news/0.9';

interface NewsUrl {
  loc: string;
  name: string;
  language: string;
  date: string;
  title: string;
}

/** Every <url> of a news sitemap, read by element namespace and local name; throws on anything foreign. */
function parseNewsSitemap(xml: string): NewsUrl[] {
  const parser = new SaxesParser({ xmlns: true });
  const urls: NewsUrl[] = [];
  const path: string[] = [];
  let text = '';
  let current: Partial<NewsUrl> = {};
  parser.on('opentag', (tag) => {
    const ns = tag.uri;
    if (ns !== SITEMAP_NS && ns !== NEWS_NS) throw new Error(`element ${tag.name} in namespace ${ns}`);
    path.push(`${ns === NEWS_NS ? 'news:' : ''}${tag.local}`);
    text = '';
    if (tag.local === 'url' && ns === SITEMAP_NS) current = {};
  });
  parser.on('text', (t) => (text += t));
  parser.on('closetag', () => {
    const at = path.join('/');
    const field = {
      'urlset/url/loc': 'loc',
      'urlset/url/news:news/news:publication/news:name': 'name',
      'urlset/url/news:news/news:publication/news:language': 'language',
      'urlset/url/news:news/news:publication_date': 'date',
      'urlset/url/news:news/news:title': 'title',
    }[at] as keyof NewsUrl | undefined;
    if (field) current[field] = text;
    if (at === 'urlset/url') urls.push(current as NewsUrl);
    path.pop();
  });
  parser.write(xml).close();
  for (const u of urls) for (const f of ['loc', 'name', 'language', 'date', 'title'] as const) if (u[f] === undefined) throw new Error(`a <url> has no ${f}`);
  return urls;
}

const NOW = new Date('2026-11-25T12:00:00Z');
const hoursAgo = (h: number, from = NOW) => new Date(from.getTime() - h * 3_600_000).toISOString().replace('.000Z', 'Z');

describe('the Google News sitemap', () => {
  it('lists the articles of the last two days, newest first, as Google reads them, and robots.txt points at it', async () => {
    // Prepare: inside the window, just outside it, long ago; a title that needs escaping
    const s = await memorySite({ feed_size: 2 });
    await s.article('fresh.md', { title: 'Harbour <reopens> & "ships" return', date: hoursAgo(1) });
    await s.article('yesterday.md', { title: 'Council votes', date: hoursAgo(30) });
    await s.article('almost.md', { title: 'Almost two days', date: hoursAgo(47.9) });
    await s.article('too-old.md', { title: 'Three days ago', date: hoursAgo(49) });
    await s.article('archive.md', { title: 'Last year', date: '2025-11-25' });
    await s.article('embargoed.md', { title: 'Tomorrow', date: hoursAgo(-24) });
    await s.article('draft.md', { title: 'Draft', date: hoursAgo(2), draft: true });

    // Act
    await s.publish({ now: NOW });

    // Assess
    const urls = parseNewsSitemap((await s.text('sitemap-news.xml')) ?? '');
    expect(urls).toEqual([
      { loc: 'https://news.test/articles/fresh/', name: 'Test Wire', language: 'en', date: hoursAgo(1), title: 'Harbour <reopens> & "ships" return' },
      { loc: 'https://news.test/articles/yesterday/', name: 'Test Wire', language: 'en', date: hoursAgo(30), title: 'Council votes' },
      { loc: 'https://news.test/articles/almost/', name: 'Test Wire', language: 'en', date: hoursAgo(47.9), title: 'Almost two days' },
    ]);
    expect(await s.text('robots.txt')).toContain('Sitemap: https://news.test/sitemap-news.xml\n');
  });

  it('holds at most 1,000 articles, the newest, also past the main feed and as new ones arrive', async () => {
    // Prepare: 1,005 articles in the last two days, feeds of 10 (the window reaches far past the main feed)
    const s = await memorySite({ feed_size: 10 });
    for (let i = 0; i < 1005; i++) await s.article(`story-${i}.md`, { title: `Story ${i}`, date: hoursAgo(40 - i * 0.025) });
    await s.publish({ now: NOW });
    const before = parseNewsSitemap((await s.text('sitemap-news.xml')) ?? '');

    // Act: one more, published on its own (the incremental engine, not a rebuild)
    const state = new CountingStore(s.state);
    await s.article('latest.md', { title: 'Latest', date: hoursAgo(0.5) });
    const report = await (await import('../../../functions/publish/publish.ts')).publish({ content: s.content, site: s.site, state }, { now: NOW, request: ask.keys(['articles/latest.md']) });
    const after = parseNewsSitemap((await s.text('sitemap-news.xml')) ?? '');

    // Assess
    expect(before).toHaveLength(1000);
    expect(before[0]?.title).toBe('Story 1004');
    expect(before.at(-1)?.title).toBe('Story 5');
    expect(report.written).toContain('sitemap-news.xml');
    expect(after).toHaveLength(1000);
    expect(after.map((u) => u.title).slice(0, 2)).toEqual(['Latest', 'Story 1004']);
    expect(after.at(-1)?.title).toBe('Story 6');
    // No record beyond the main feed's ten (the new one among them) was read: the titles of the 990 others
    // in the window come from the news index, so the publish never reads the archive.
    expect([...state.keys.read].filter((k) => k.startsWith(STATE.records)).length).toBeLessThanOrEqual(10);
  }, 120_000);

  it('takes a new title when an article in it is corrected, and drops it when it is taken down', async () => {
    const s = await memorySite();
    await s.article('a.md', { title: 'First title', date: hoursAgo(3) });
    await s.article('b.md', { title: 'Other', date: hoursAgo(4) });
    await s.publish({ now: NOW });
    await s.article('a.md', { title: 'Corrected title', date: hoursAgo(3) });
    await s.publish({ now: NOW, request: ask.keys(['articles/a.md']) });
    expect(parseNewsSitemap((await s.text('sitemap-news.xml')) ?? '').map((u) => u.title)).toEqual(['Corrected title', 'Other']);
    await s.article('a.md', { title: 'Corrected title', date: hoursAgo(3), draft: true });
    await s.publish({ now: NOW, request: ask.keys(['articles/a.md']) });
    expect(parseNewsSitemap((await s.text('sitemap-news.xml')) ?? '').map((u) => u.title)).toEqual(['Other']);
  });
});

describe('the Google News sitemap on S3, kept current by the minute schedule', () => {
  let server: S3TestServer;
  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('drops an article on the first tick after it is two days old, and a tick with nothing to drop writes nothing', async () => {
    // Prepare: two stories, 47 and 10 hours old, published by an S3 event
    const s = await newS3Site(server);
    const clock = { now: NOW };
    const handle = createHandler({ s3: server.client, contentBucket: s.contentBucket, siteBucket: s.siteBucket, siteUrl: 'https://news.test/', now: () => clock.now, log: () => {} });
    const keys = [await s.putArticle('older.md', { title: 'Older', date: hoursAgo(47) }), await s.putArticle('newer.md', { title: 'Newer', date: hoursAgo(10) })];
    await handle(s3Notification(s.contentBucket, keys));
    const titles = async () => parseNewsSitemap((await s.read('sitemap-news.xml')) ?? '').map((u) => u.title);
    expect(await titles()).toEqual(['Newer', 'Older']);

    // Act: a tick 59 minutes on (still inside two days), then one at 61 minutes
    clock.now = new Date(NOW.getTime() + 59 * 60_000);
    const quiet = await handle({ wirefeed: 'tick' });
    const stillThere = await titles();
    clock.now = new Date(NOW.getTime() + 61 * 60_000);
    const aged = await handle({ wirefeed: 'tick' });

    // Assess
    expect(quiet.report?.written).toEqual([]);
    expect(stillThere).toEqual(['Newer', 'Older']);
    expect(aged.report?.written).toEqual(['sitemap-news.xml']);
    expect(await titles()).toEqual(['Newer']);
    // The article itself stays published: only the news sitemap forgets it.
    expect(await s.read('articles/older/index.html')).toContain('Older');
    expect(await s.read('sitemap-1.xml')).toContain('https://news.test/articles/older/');
  });
});
