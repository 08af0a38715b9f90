import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../functions/cli/main.ts';
import { FEED_BYTES } from '../../../functions/core/output/feed-budget.ts';
import { articleText, captureIo, listFiles, readText, SITE_SETTINGS, tempDir, writeContent } from '../../helpers/content.ts';
import { asArray, nodeText, parseAtom, parseJsonFeed, parseRss, textOf } from '../../helpers/feeds.ts';
import { longArticle } from '../../helpers/long-articles.ts';

/**
 * Thirty long articles, each near the 2 MB input limit and within every per-article output limit, made
 * 54-60 MB feed documents and a publish that needed well over a gigabyte. Every feed document now stays
 * within its byte budget: the newest items carry the whole story, the older ones their summary and a link.
 */

const FEED_SIZE = 10;
const LONG = Array.from({ length: 30 }, (_, i) => longArticle(i, { title: `Long read ${i}`, date: `2025-03-${String(i + 1).padStart(2, '0')}T09:00:00Z`, tags: ['Long reads'] }));
const isFeed = (key: string) => /(^|\/)(rss\.xml|atom\.xml|feed\.json)$/.test(key);

async function build(content: string, out: string, ...flags: string[]) {
  // A lease longer than any build here: thirty 2 MB articles take long on a loaded machine, and this test is
  // about the feeds' bytes, not the lease (test/publish/protocol/lease.test.ts is).
  const io = captureIo(undefined, { WIREFEED_LEASE_SECONDS: '3600' });
  const code = await main(['build', '--content', content, '--out', out, ...flags], io);
  return { code, io };
}

async function feedsIn(out: string): Promise<Map<string, string>> {
  const keys = (await listFiles(out)).filter(isFeed);
  return new Map(await Promise.all(keys.map(async (key) => [key, await readText(out, key)] as const)));
}

/** Each item of a feed document as a reader gets it: its title, its link, and the HTML it shows. */
function itemsOf(key: string, body: string): { title: string; url: string; html: string }[] {
  if (key.endsWith('rss.xml')) {
    return asArray(parseRss(body).xml.rss.channel.item).map((i) => ({ title: nodeText(i.title) ?? '', url: nodeText(asArray(i.link)[0]) ?? '', html: nodeText(i['content:encoded']) ?? '' }));
  }
  if (key.endsWith('atom.xml')) {
    return asArray(parseAtom(body).xml.feed.entry).map((e) => ({
      title: nodeText(e.title) ?? '',
      url: asArray(e.link).find((l: Record<string, string>) => l['@_rel'] === 'alternate')?.['@_href'] ?? '',
      html: nodeText(e.content) ?? '',
    }));
  }
  return parseJsonFeed(body).items.map((i) => ({ title: i.title ?? '', url: i.url ?? '', html: i.content_html ?? '' }));
}

describe('feeds of thirty articles near the 2 MB limit', () => {
  let dir: string;
  let content: string;
  let out: string;
  let feeds: Map<string, string>;
  let items: Map<string, ReturnType<typeof itemsOf>>;

  beforeAll(async () => {
    // Prepare
    dir = await tempDir();
    content = await writeContent(path.join(dir, 'content'), Object.fromEntries(LONG.map((a, i) => [`long-${i}.md`, a.text])), { ...SITE_SETTINGS, feed_size: FEED_SIZE });
    out = path.join(dir, 'dist');
    // Act
    const { code, io } = await build(content, out);
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    feeds = await feedsIn(out);
    items = new Map([...feeds].map(([key, body]) => [key, itemsOf(key, body)]));
  }, 300_000);

  it("keeps every feed document, the site's, the tag's and each archive page, in all three formats, within the byte budget", () => {
    // Assess
    const folders = ['', 'tags/long-reads/', 'archive/1/', 'archive/2/', 'archive/3/'];
    expect([...feeds.keys()].sort()).toEqual(folders.flatMap((f) => ['atom.xml', 'feed.json', 'rss.xml'].map((name) => `${f}${name}`)).sort());
    for (const [key, body] of feeds) expect(Buffer.byteLength(body), key).toBeLessThanOrEqual(FEED_BYTES);
    expect(FEED_BYTES).toBe(4 * 1024 * 1024); // README ("Full content") states it
  });

  it('still lists feed_size items in every document, as independent parsers read them back', () => {
    // Assess
    for (const [key, list] of items) expect(list.length, key).toBe(FEED_SIZE);
    const newest = Array.from({ length: FEED_SIZE }, (_, k) => `Long read ${29 - k}`);
    for (const key of ['rss.xml', 'atom.xml', 'feed.json', 'tags/long-reads/feed.json']) expect(items.get(key)?.map((i) => i.title)).toEqual(newest);
  });

  it('gives the newest items their whole story and each older one its summary and a link to read the full article', () => {
    // Assess
    for (const [key, list] of items) {
      const whole = list.map((item) => {
        const i = Number(item.title.replace('Long read ', ''));
        return item.html.includes((LONG[i] as { lastMarker: string }).lastMarker);
      });
      const full = whole.indexOf(false);
      expect(full, `${key}: the newest item is whole`).toBeGreaterThanOrEqual(1);
      expect(whole.slice(full), `${key}: whole stories only before the first summary`).not.toContain(true);
      for (const item of list.slice(full)) {
        const i = Number(item.title.replace('Long read ', ''));
        expect(textOf(item.html), key).toContain(`Long read ${i}: the council's budget, in full. Read the full article`);
        expect(item.html, key).toContain(`<a href="${item.url}">Read the full article</a>`);
        expect(item.html, key).not.toContain(`A${i}-P1 `);
        expect(item.url).toBe(`https://news.test/articles/long-${i}/`);
      }
    }
  });

  it('writes the same bytes for every feed whether an incremental publish or a full rebuild made them', async () => {
    // Prepare: a short story comes in; the site's and the tag's feeds are rebuilt incrementally
    await writeFile(path.join(content, 'articles', 'short.md'), articleText({ title: 'Short news', date: '2025-04-01T09:00:00Z', tags: ['Long reads'] }));
    expect((await build(content, out)).code).toBe(0);
    const incremental = await feedsIn(out);

    // Act
    expect((await build(content, out, '--full')).code).toBe(0);
    const rebuilt = await feedsIn(out);

    // Assess
    expect(itemsOf('feed.json', incremental.get('feed.json') ?? '')[0]?.title).toBe('Short news');
    for (const [key, body] of incremental) expect(Buffer.byteLength(body), key).toBeLessThanOrEqual(FEED_BYTES);
    expect([...incremental.keys()].sort()).toEqual([...rebuilt.keys()].sort());
    for (const [key, body] of incremental) expect(body === rebuilt.get(key), key).toBe(true);
  }, 300_000);
});
