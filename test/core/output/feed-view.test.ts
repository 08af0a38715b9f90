// The feeds' browser views: every feed folder (the site's, each tag's, each archive page's) carries a
// pre-rendered feed.html, and the local server answers a person's navigation to RSS or Atom with it while
// feed readers keep getting the feed. The edge's copy of the rule is checked in test/infra-edge.test.ts.
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../functions/cli/main.ts';
import { type LocalServer, startServer } from '../../../functions/cli/serve.ts';
import { RECONCILE_EVERY_MS } from '../../../functions/publish/protocol/repair.ts';
import { articleText, captureIo, listFiles, NOW, SITE_SETTINGS, tempDir, writeContent } from '../../helpers/content.ts';
import { parseAtom } from '../../helpers/feeds.ts';
import { NAVIGATIONS, READERS } from '../../helpers/requests.ts';

const story = (title: string, date: string, tags: string[] = []) => articleText({ title, date, tags, summary: `${title}: the summary.` });

let dir: string;
let out: string;
let server: LocalServer;

beforeAll(async () => {
  // Prepare: four stories, feeds of two, so the history has a complete archive page; titles a browser must escape.
  dir = await tempDir();
  const content = await writeContent(
    path.join(dir, 'content'),
    {
      'one.md': story('Harbour <reopens> & ships return', '2026-11-20T08:00:00Z', ['Port & Sea']),
      'two.md': story('Council "votes" on budget', '2026-11-21T08:00:00Z'),
      'three.md': story('Storm warning', '2026-11-22T08:00:00Z', ['Port & Sea']),
      'four.md': story('Ferry timetable', '2026-11-23T08:00:00Z'),
    },
    { ...SITE_SETTINGS, feed_size: 2 },
  );
  out = path.join(dir, 'dist');
  expect(await main(['build', '--content', content, '--out', out], captureIo())).toBe(0);
  server = await startServer({ dir: out, port: 0 });
});
afterAll(() => server?.close());

function get(p: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(p, server.url), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject).end();
  });
}

/** The request headers a response says it varies on, lowercase. */
const varies = (headers: http.IncomingHttpHeaders) => (headers.vary ?? '').split(',').map((h) => h.trim().toLowerCase());

/** The item titles a view lists, as a person reads them (entities decoded). */
const viewTitles = (html: string) =>
  [...html.matchAll(/<li><h2><a href="[^"]*">([^<]*)<\/a><\/h2>/g)].map((m) =>
    (m[1] as string).replace(/&(#\d+|lt|gt|quot|amp);/g, (_e, name: string) =>
      name.startsWith('#') ? String.fromCodePoint(Number(name.slice(1))) : (({ lt: '<', gt: '>', quot: '"', amp: '&' } as Record<string, string>)[name] as string),
    ),
  );

describe('the browser view of each feed, written by the build', () => {
  it("is in every feed folder: the site's, each tag's and each archive page's, and nowhere a stylesheet", async () => {
    const files = await listFiles(out);
    expect(files.filter((f) => f.endsWith('feed.html')).sort()).toEqual(['archive/1/feed.html', 'archive/2/feed.html', 'feed.html', 'tags/port-sea/feed.html']);
    expect(files).not.toContain('feed.xsl');
    for (const feed of ['rss.xml', 'atom.xml', 'tags/port-sea/rss.xml', 'archive/1/atom.xml']) expect(await readFile(path.join(out, feed), 'utf8')).not.toContain('<?xml-stylesheet');
  });

  it("lists the feed's own items, in its order, with their links and dates, and the addresses to copy", async () => {
    for (const folder of ['', 'tags/port-sea/', 'archive/1/']) {
      const html = await readFile(path.join(out, folder, 'feed.html'), 'utf8');
      // Atom's titles: RSS's are still double-escaped by `feed` (issue 12, another change).
      const atom = parseAtom(await readFile(path.join(out, folder, 'atom.xml'), 'utf8'));
      expect(viewTitles(html)).toEqual(atom.feed.items.map((i) => i.title));
      for (const item of atom.feed.items) {
        expect(html).toContain(`<a href="${item.url}">`);
        // The item's date, machine-readable, as its page shows it.
        expect(html).toContain(`<time datetime="${new Date(item.published as Date).toISOString().replace('.000Z', 'Z')}">`);
      }
      expect(html).toContain('This is a web feed.');
      expect(html).toContain('<meta name="robots" content="noindex">');
    }
    const main = await readFile(path.join(out, 'feed.html'), 'utf8');
    expect(viewTitles(main)).toEqual(['Ferry timetable', 'Storm warning']);
    expect(main).toContain('<code id="feed-url-rss">https://news.test/rss.xml</code>');
    expect(main).toContain('<code id="feed-url-atom">https://news.test/atom.xml</code>');
    expect(main).toContain('<code id="feed-url-json">https://news.test/feed.json</code>');
    const tag = await readFile(path.join(out, 'tags/port-sea/feed.html'), 'utf8');
    expect(tag).toContain('<h1>Test Wire: Port &#38; Sea</h1>');
    expect(tag).toContain('<title>Test Wire: Port &#38; Sea (web feed)</title>');
    expect(tag).toContain('<code id="feed-url-atom">https://news.test/tags/port-sea/atom.xml</code>');
    expect(viewTitles(tag)).toEqual(['Storm warning', 'Harbour <reopens> & ships return']);
    // An archive page is for backfilling readers: a person is given the feeds it belongs to.
    const archive = await readFile(path.join(out, 'archive/1/feed.html'), 'utf8');
    expect(archive).toContain('one page of the archive');
    expect(archive).toContain('<code id="feed-url-rss">https://news.test/rss.xml</code>');
    expect(viewTitles(archive)).toEqual(parseAtom(await readFile(path.join(out, 'archive/1/atom.xml'), 'utf8')).feed.items.map((i) => i.title));
  });

  it('follows its feed when an article is published, and the daily reconcile removes an old feed.xsl', async () => {
    // Prepare: a new story; a stylesheet left by an older wirefeed.
    const content = path.join(dir, 'content');
    await writeFile(path.join(content, 'articles', 'five.md'), story('Bridge opens', '2026-11-24T08:00:00Z', ['Port & Sea']));
    await writeFile(path.join(out, 'feed.xsl'), '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"/>');

    // Act: a build a day after the first (a local build reconciles the site once a day)
    expect(await main(['build', '--content', content, '--out', out], captureIo(new Date(NOW.getTime() + RECONCILE_EVERY_MS)))).toBe(0);

    // Assess
    expect(viewTitles(await readFile(path.join(out, 'feed.html'), 'utf8'))).toEqual(['Bridge opens', 'Ferry timetable']);
    expect(viewTitles(await readFile(path.join(out, 'tags/port-sea/feed.html'), 'utf8'))).toEqual(['Bridge opens', 'Storm warning']);
    expect(await listFiles(out)).not.toContain('feed.xsl');
  });
});

describe('the local server: a person opening a feed gets its view, a feed reader the feed', () => {
  const feeds = ['rss.xml', 'atom.xml', 'tags/port-sea/rss.xml', 'archive/1/atom.xml'];

  it.each(Object.entries(NAVIGATIONS))('%s navigating to a feed gets the HTML view of that feed', async (_who, headers) => {
    for (const feed of feeds) {
      const res = await get(feed, headers);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toBe(await readFile(path.join(out, feed.slice(0, feed.lastIndexOf('/') + 1), 'feed.html'), 'utf8'));
      expect(varies(res.headers)).toEqual(expect.arrayContaining(['sec-fetch-dest', 'sec-fetch-mode']));
    }
  });

  it.each(Object.entries(READERS))('%s gets the feed, byte for byte, with its own type', async (_who, headers) => {
    for (const feed of feeds) {
      const res = await get(feed, headers);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(feed.endsWith('rss.xml') ? 'application/rss+xml; charset=utf-8' : 'application/atom+xml; charset=utf-8');
      expect(res.body).toBe(await readFile(path.join(out, feed), 'utf8'));
      expect(varies(res.headers)).toEqual(expect.arrayContaining(['sec-fetch-dest', 'sec-fetch-mode']));
    }
  });

  it("keeps the two answers apart for caches: different ETags, and a reader revalidating gets the feed's 304", async () => {
    const feed = await get('rss.xml', READERS['a reader taking anything']);
    const view = await get('rss.xml', NAVIGATIONS.chromium);
    expect(feed.headers.etag).toBeDefined();
    expect(view.headers.etag).not.toBe(feed.headers.etag);
    // A reader presenting the view's ETag (a cache that mixed them up) gets the feed again, not a 304.
    const mixed = await get('rss.xml', { accept: '*/*', 'if-none-match': view.headers.etag as string });
    expect(mixed.status).toBe(200);
    expect(mixed.body).toContain('<rss');
    expect((await get('rss.xml', { accept: '*/*', 'if-none-match': feed.headers.etag as string })).status).toBe(304);
  });

  it('answers HEAD alike, and leaves JSON Feed and pages alone', async () => {
    expect((await get('atom.xml', NAVIGATIONS.firefox, 'HEAD')).headers['content-type']).toBe('text/html; charset=utf-8');
    expect((await get('feed.json', NAVIGATIONS.chromium)).headers['content-type']).toBe('application/feed+json; charset=utf-8');
    const front = await get('', NAVIGATIONS.chromium);
    expect(front.body).toContain('<h1>Test Wire</h1>');
    expect(varies(front.headers)).not.toContain('sec-fetch-dest');
    // A feed folder that does not exist is the 404 page for a person and a reader alike.
    expect((await get('tags/nothing/rss.xml', NAVIGATIONS.chromium)).status).toBe(404);
    expect((await get('tags/nothing/rss.xml', READERS['a reader taking anything'])).status).toBe(404);
  });
});
