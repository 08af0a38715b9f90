import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../functions/cli/main.ts';
import { articleText, captureIo, listFiles, readText, SITE_SETTINGS, tempDir, writeContent } from '../helpers/content.ts';
import { asArray, nodeText, parseAtom, parseJsonFeed, parseRss, parseXmlStrict } from '../helpers/feeds.ts';

// A 1x1 PNG: real image bytes, so the type comes from the file and not from its name.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

async function site(articles: Record<string, string>, settings: Record<string, unknown> = {}, now = new Date('2026-11-25T12:00:00Z')) {
  const dir = await tempDir();
  const content = await writeContent(path.join(dir, 'content'), articles, { ...SITE_SETTINGS, ...settings });
  const out = path.join(dir, 'dist');
  const build = async (at = now) => {
    const io = captureIo(at);
    const code = await main(['build', '--content', content, '--out', out], io);
    expect(io.stderr).toEqual([]);
    return code;
  };
  expect(await build()).toBe(0);
  return { content, out, build, text: (...p: string[]) => readText(out, ...p) };
}

const story = (title: string, date: string, extra: Record<string, unknown> = {}, body = `${title}: the story.\n`) => articleText({ title, date, ...extra }, body);

/** Every <url> of every sitemap the index lists, in order. */
async function sitemapUrls(s: { text(key: string): Promise<string> }): Promise<{ loc: string; lastmod?: string }[]> {
  const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const index = list(parseXmlStrict(await s.text('sitemap.xml')).sitemapindex.sitemap as { loc: string } | { loc: string }[]);
  const urls: { loc: string; lastmod?: string }[] = [];
  for (const { loc } of index) urls.push(...list(parseXmlStrict(await s.text(new URL(loc).pathname.slice(1))).urlset.url as { loc: string; lastmod?: string } | undefined));
  return urls;
}

describe('per-tag feeds', () => {
  it('gives every tag its own three feeds and page, named for the tag', async () => {
    const s = await site({
      'vote.md': story('Vote', '2025-03-14', { tags: ['Politics', "Côte d'Ivoire"] }),
      'storm.md': story('Storm', '2025-03-15', { tags: ['Weather'] }),
    });
    const rss = parseRss(await s.text('tags/politics/rss.xml'));
    expect(nodeText(rss.xml.rss.channel.title)).toBe('Test Wire: Politics');
    expect(rss.feed.items.map((i) => i.title)).toEqual(['Vote']);
    expect(parseAtom(await s.text('tags/cote-d-ivoire/atom.xml')).feed.items.map((i) => i.title)).toEqual(['Vote']);
    const json = parseJsonFeed(await s.text('tags/weather/feed.json'));
    expect(json.feed_url).toBe('https://news.test/tags/weather/feed.json');
    expect(json.items.map((i) => i.title)).toEqual(['Storm']);
    const page = await s.text('tags/politics/index.html');
    expect(page).toContain('<h1>Politics</h1>');
    expect(page).toContain('href="https://news.test/tags/politics/rss.xml"');
    expect(await s.text('articles/vote/index.html')).toContain('href="https://news.test/tags/politics/"');
  });

  it("removes a tag's feeds and page when its last article goes", async () => {
    const s = await site({ 'vote.md': story('Vote', '2025-03-14', { tags: ['Politics'] }), 'storm.md': story('Storm', '2025-03-15') });
    await rm(path.join(s.content, 'articles/vote.md'));
    expect(await s.build()).toBe(0);
    expect((await listFiles(s.out)).filter((f) => f.startsWith('tags/'))).toEqual([]);
  });

  it('gives two long tags that agree in their first 80 characters a feed each, and an article carrying both is in both', async () => {
    // Prepare: 94-character tags whose slugs agree in the 80 characters wirefeed used to keep
    const first = 'Inquiry into the procurement of emergency medical equipment in the winter crisis: first report';
    const final = 'Inquiry into the procurement of emergency medical equipment in the winter crisis: final report';
    // Act
    const s = await site({
      'inquiry.md': story('Inquiry', '2025-03-14', { tags: [first, final] }),
      'hearing.md': story('Hearing', '2025-03-15', { tags: [final] }),
    });
    // Assess: two folders, each with its own feeds, titled for its tag
    const folders = [...new Set((await listFiles(s.out)).filter((f) => f.startsWith('tags/')).map((f) => f.split('/')[1] as string))];
    expect(folders).toHaveLength(2);
    const byTag = new Map<string, string>();
    for (const folder of folders) {
      expect(folder.length).toBeLessThanOrEqual(80);
      const rss = parseRss(await s.text('tags', folder, 'rss.xml'));
      byTag.set(nodeText(rss.xml.rss.channel.title) ?? '', folder);
      expect(parseAtom(await s.text('tags', folder, 'atom.xml')).feed.items.length).toBe(rss.feed.items.length);
      expect(parseJsonFeed(await s.text('tags', folder, 'feed.json')).items.length).toBe(rss.feed.items.length);
    }
    expect([...byTag.keys()].sort()).toEqual([`Test Wire: ${final}`, `Test Wire: ${first}`]);
    const firstFolder = byTag.get(`Test Wire: ${first}`) as string;
    const finalFolder = byTag.get(`Test Wire: ${final}`) as string;
    expect(parseRss(await s.text('tags', firstFolder, 'rss.xml')).feed.items.map((i) => i.title)).toEqual(['Inquiry']);
    expect(parseRss(await s.text('tags', finalFolder, 'rss.xml')).feed.items.map((i) => i.title)).toEqual(['Hearing', 'Inquiry']);
    const page = await s.text('articles/inquiry/index.html');
    expect(page).toContain(`<a href="https://news.test/tags/${firstFolder}/">${first}</a>`);
    expect(page).toContain(`<a href="https://news.test/tags/${finalFolder}/">${final}</a>`);
  });
});

describe('article slugs from long file names', () => {
  it('refuses a second file whose long name makes the same slug, naming both files, and keeps the first', async () => {
    // Prepare: two names whose slugs agree in their first 120 characters (the cut) and differ after it
    const stem = 'Long report on the harbour fire '.repeat(4);
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { [`${stem}day one.md`]: story('Day one', '2025-03-14') });
    const out = path.join(dir, 'dist');
    expect(await main(['build', '--content', content, '--out', out], captureIo())).toBe(0);
    await writeFile(path.join(content, 'articles', `${stem}day two.md`), story('Day two', '2025-03-15'));
    const io = captureIo();
    // Act: the second file arrives in an incremental build, then a full rebuild
    const code = await main(['build', '--content', content, '--out', out], io);
    const full = captureIo();
    const fullCode = await main(['build', '--full', '--content', content, '--out', out], full);
    // Assess
    const slug = `${'long-report-on-the-harbour-fire-'.repeat(4)}day`.slice(0, 120);
    const refusal = `${path.join(content, 'articles', `${stem}day two.md`)}: slug "${slug}" is already used by articles/${stem}day one.md; set a different slug: in the front matter`;
    expect([code, fullCode]).toEqual([1, 1]);
    expect(io.stderr).toEqual([refusal]);
    expect(full.stderr).toEqual([refusal]);
    expect(parseRss(await readText(out, 'rss.xml')).feed.items.map((i) => i.title)).toEqual(['Day one']);
  });
});

describe('full history (RFC 5005 archives and JSON Feed next_url)', () => {
  const five = Object.fromEntries([1, 2, 3, 4, 5].map((d) => [`day-${d}.md`, story(`Day ${d}`, `2025-03-0${d}`)]));

  it('keeps the main feeds to the newest N and links back through complete archive pages', async () => {
    const s = await site(five, { feed_size: 2 });
    const main = parseAtom(await s.text('atom.xml')).xml.feed;
    expect(main.entry.map((e: { title: unknown }) => nodeText(e.title))).toEqual(['Day 5', 'Day 4']);
    const rel = (feed: { link: Record<string, string>[] }, r: string) => feed.link.find((l) => l['@_rel'] === r)?.['@_href'];
    expect(rel(main, 'prev-archive')).toBe('https://news.test/archive/2/atom.xml');
    const two = parseAtom(await s.text('archive/2/atom.xml')).xml.feed;
    expect(two['fh:archive']).toBeDefined();
    expect(two.entry.map((e: { title: unknown }) => nodeText(e.title))).toEqual(['Day 4', 'Day 3']);
    expect(rel(two, 'prev-archive')).toBe('https://news.test/archive/1/atom.xml');
    expect(rel(two, 'current')).toBe('https://news.test/atom.xml');
    const rssTwo = parseRss(await s.text('archive/2/rss.xml')).xml.rss.channel;
    expect(rssTwo['fh:archive']).toBeDefined();
    expect(
      asArray(rssTwo['atom:link'])
        .map((l: Record<string, string>) => l['@_rel'])
        .sort(),
    ).toEqual(['current', 'prev-archive', 'self']);
  });

  it('gives an article that is in no feed any more its whole story on its page', async () => {
    const s = await site(five, { feed_size: 2 });
    expect(await s.text('articles/day-1/index.html')).toContain('<p>Day 1: the story.</p>');
    await writeFile(path.join(s.content, 'articles/day-2.md'), story('Day 2', '2025-03-02', {}, 'Day 2, corrected.\n'));
    expect(await s.build()).toBe(0);
    expect(await s.text('articles/day-2/index.html')).toContain('<p>Day 2, corrected.</p>');
  });

  it('lets an app walk next_url from feed.json through every article', async () => {
    const s = await site(five, { feed_size: 2 });
    const seen: string[] = [];
    let url: string | undefined = 'https://news.test/feed.json';
    while (url) {
      const doc = parseJsonFeed(await s.text(new URL(url).pathname.slice(1)));
      seen.push(...doc.items.map((i) => i.title ?? ''));
      url = doc.next_url;
    }
    expect([...new Set(seen)].sort()).toEqual(['Day 1', 'Day 2', 'Day 3', 'Day 4', 'Day 5']);
  });

  it('never rewrites a full archive page when new articles arrive', async () => {
    const s = await site(five, { feed_size: 2 });
    const before = await readFile(path.join(s.out, 'archive/1/rss.xml'));
    await writeFile(path.join(s.content, 'articles/day-6.md'), story('Day 6', '2025-03-06'));
    await writeFile(path.join(s.content, 'articles/day-7.md'), story('Day 7', '2025-03-07'));
    expect(await s.build()).toBe(0);
    expect(await readFile(path.join(s.out, 'archive/1/rss.xml'))).toEqual(before);
    expect(parseRss(await s.text('archive/3/rss.xml')).feed.items.map((i) => i.title)).toEqual(['Day 6', 'Day 5']);
  });
});

describe('embargo and expiry to the minute', () => {
  it('hides a story everywhere until its minute, and takes it down everywhere when it expires', async () => {
    const s = await site(
      { 'scoop.md': story('Scoop', '2026-11-25T12:05:00Z', { tags: ['Exclusive'], expires: '2026-11-25T13:00:00Z' }), 'old.md': story('Old', '2025-01-01') },
      {},
      new Date('2026-11-25T12:04:59Z'),
    );
    const everywhere = async () => ({
      feed: parseJsonFeed(await s.text('feed.json')).items.map((i) => i.title),
      files: (await listFiles(s.out)).filter((f) => f.includes('scoop') || f.includes('exclusive')),
      sitemap: (await sitemapUrls(s)).some((u) => u.loc.includes('/articles/scoop/')),
    });
    expect(await everywhere()).toEqual({ feed: ['Old'], files: [], sitemap: false });
    await s.build(new Date('2026-11-25T12:05:00Z'));
    expect(await everywhere()).toEqual({
      feed: ['Scoop', 'Old'],
      files: ['articles/scoop/index.html', 'tags/exclusive/atom.xml', 'tags/exclusive/feed.html', 'tags/exclusive/feed.json', 'tags/exclusive/index.html', 'tags/exclusive/rss.xml'],
      sitemap: true,
    });
    await s.build(new Date('2026-11-25T13:00:00Z'));
    expect(await everywhere()).toEqual({ feed: ['Old'], files: [], sitemap: false });
  });
});

describe('corrections', () => {
  it('move date_modified and Atom updated, never the first publication or the order, and show the note', async () => {
    const s = await site({
      'first.md': story('First', '2025-03-01', { updated: '2025-03-20T10:00:00Z', correction: "An earlier version misspelt the minister's name." }),
      'second.md': story('Second', '2025-03-10'),
    });
    const json = parseJsonFeed(await s.text('feed.json'));
    expect(json.items.map((i) => i.title)).toEqual(['Second', 'First']);
    expect(json.items[1]).toMatchObject({ date_published: '2025-03-01T00:00:00Z', date_modified: '2025-03-20T10:00:00Z' });
    expect(json.items[1]?.content_html).toContain('misspelt the minister');
    const entry = parseAtom(await s.text('atom.xml')).xml.feed.entry[1];
    expect([nodeText(entry.published), nodeText(entry.updated)]).toEqual(['2025-03-01T00:00:00Z', '2025-03-20T10:00:00Z']);
    expect(nodeText(parseRss(await s.text('rss.xml')).xml.rss.channel.item[1].pubDate)).toBe('Sat, 01 Mar 2025 00:00:00 GMT');
    const page = await s.text('articles/first/index.html');
    expect(page).toContain('An earlier version misspelt the minister&#39;s name.');
    expect(page).toMatch(/Updated <time datetime="2025-03-20T10:00:00Z">/);
  });
});

describe('media', () => {
  it('publishes a lead image from media/ with its real type and size in every format', async () => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), {
      'photo-story.md': story('Photo', '2025-03-14', { image: { url: '/media/harbour', alt: 'The harbour at dawn' } }),
    });
    await mkdir(path.join(content, 'media'));
    await writeFile(path.join(content, 'media/harbour'), PNG); // no extension: the type comes from the bytes
    expect(await main(['build', '--content', content, '--out', path.join(dir, 'dist')], captureIo())).toBe(0);
    const out = path.join(dir, 'dist');
    expect(await readFile(path.join(out, 'media/harbour'))).toEqual(PNG);
    const url = 'https://news.test/media/harbour';
    const item = parseRss(await readText(out, 'rss.xml')).xml.rss.channel.item[0];
    expect(item.enclosure).toMatchObject({ '@_url': url, '@_type': 'image/png', '@_length': String(PNG.length) });
    expect(item['media:content']).toMatchObject({ '@_url': url, '@_type': 'image/png', '@_fileSize': String(PNG.length) });
    const link = parseAtom(await readText(out, 'atom.xml')).xml.feed.entry[0].link.find((l: Record<string, string>) => l['@_rel'] === 'enclosure');
    expect(link).toMatchObject({ '@_href': url, '@_type': 'image/png', '@_length': String(PNG.length) });
    const json = parseJsonFeed(await readText(out, 'feed.json')).items[0];
    expect(json?.image).toBe(url);
    expect(json?.attachments).toEqual([{ url, mime_type: 'image/png', size_in_bytes: PNG.length, title: 'The harbour at dawn' }]);
  });

  it('gives an outside image an enclosure only when the front matter declares its type and length', async () => {
    const s = await site({
      'declared.md': story('Declared', '2025-03-14', { image: { url: 'https://img.example/a.jpg', alt: 'A', type: 'image/jpeg', length: 12345 } }),
      'unknown.md': story('Unknown', '2025-03-13', { image: { url: 'https://img.example/b.jpg', alt: 'B' } }),
    });
    const items = parseRss(await s.text('rss.xml')).xml.rss.channel.item;
    expect(items[0].enclosure).toMatchObject({ '@_type': 'image/jpeg', '@_length': '12345' });
    expect(items[1].enclosure).toBeUndefined();
    expect(parseJsonFeed(await s.text('feed.json')).items[1]?.attachments).toBeUndefined();
  });
});

describe('feed identity, push and discovery', () => {
  it('carries the hub, icon, favicon and logo from site.yaml in all three formats', async () => {
    const s = await site({ 'a.md': story('A', '2025-03-14') }, { websub_hub: 'https://hub.example/', icon: '/icon.png', favicon: '/favicon.ico', logo: 'https://cdn.example/logo.png' });
    const rss = parseRss(await s.text('rss.xml')).xml.rss.channel;
    expect(asArray(rss['atom:link']).find((l: Record<string, string>) => l['@_rel'] === 'hub')['@_href']).toBe('https://hub.example/');
    expect(nodeText(rss.image.url)).toBe('https://cdn.example/logo.png');
    const atom = parseAtom(await s.text('atom.xml')).xml.feed;
    expect(atom.link.find((l: Record<string, string>) => l['@_rel'] === 'hub')['@_href']).toBe('https://hub.example/');
    expect([nodeText(atom.icon), nodeText(atom.logo)]).toEqual(['https://news.test/favicon.ico', 'https://cdn.example/logo.png']);
    const json = parseJsonFeed(await s.text('feed.json'));
    expect(json.hubs).toEqual([{ type: 'WebSub', url: 'https://hub.example/' }]);
    expect([json.icon, json.favicon]).toEqual(['https://news.test/icon.png', 'https://news.test/favicon.ico']);
  });

  it('publishes a sitemap index whose shards list every public page, articles with lastmod, and a robots.txt pointing at it', async () => {
    const s = await site({ 'a.md': story('A', '2025-03-14', { updated: '2025-03-15', tags: ['T'] }), 'd.md': story('D', '2025-03-14', { draft: true }) });
    const index = parseXmlStrict(await s.text('sitemap.xml')).sitemapindex.sitemap as { loc: string }[];
    expect(index.map((m) => m.loc)).toEqual(['https://news.test/sitemap-1.xml', 'https://news.test/sitemap-tags-1.xml']);
    expect((await sitemapUrls(s)).map((u) => [u.loc, u.lastmod])).toEqual([
      ['https://news.test/', undefined],
      ['https://news.test/articles/a/', '2025-03-15T00:00:00Z'],
      ['https://news.test/tags/t/', undefined],
    ]);
    expect(await s.text('robots.txt')).toContain('Sitemap: https://news.test/sitemap.xml');
  });

  it('sends no stylesheet with RSS or Atom (browsers are dropping XSLT) and publishes no feed.xsl', async () => {
    const s = await site({ 'a.md': story('A', '2025-03-14') });
    for (const feed of ['rss.xml', 'atom.xml']) expect(await s.text(feed)).not.toContain('xml-stylesheet');
    expect(await listFiles(s.out)).not.toContain('feed.xsl');
  });
});
