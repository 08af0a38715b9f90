import { mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../functions/cli/main.ts';
import { articleText, captureIo, listFiles, readText, SITE_SETTINGS, tempDir, writeContent } from '../helpers/content.ts';
import { asArray, nodeText, parseAtom, parseJsonFeed, parseRss, type XmlObject } from '../helpers/feeds.ts';

/**
 * Articles as a newsroom's editors and CMS really write them: any file name, copied front matter, odd
 * image keys, huge bodies. Each is driven through `wirefeed build` / `check` on a temporary content
 * folder; what is asserted is what a user sees: the exit status, the `FILE: PROBLEM` lines, the site.
 */

async function build(content: string, out: string, ...flags: string[]) {
  const io = captureIo();
  const code = await main(['build', '--content', content, '--out', out, ...flags], io);
  return { code, io };
}
async function check(content: string) {
  const io = captureIo();
  const code = await main(['check', '--content', content], io);
  return { code, io };
}
const jsonItems = async (out: string, folder = '') => parseJsonFeed(await readText(out, folder, 'feed.json')).items;
const titles = async (out: string, folder = '') => (await jsonItems(out, folder)).map((i) => i.title);

async function site(files: Record<string, string | Uint8Array>) {
  const dir = await tempDir();
  const content = await writeContent(path.join(dir, 'content'), files);
  return { dir, content, out: path.join(dir, 'dist'), file: (name: string) => path.join(content, 'articles', name) };
}

describe('file names a newsroom uses', () => {
  it('publishes `Budget vote 2025.md` and `ärticle with spaces.md` at slugs made from their names', async () => {
    // Prepare
    const s = await site({
      'Budget vote 2025.md': articleText({ title: 'Budget vote', date: '2025-03-14' }),
      'ärticle with spaces.md': articleText({ title: 'Spaces', date: '2025-03-15' }),
      'harbour-fire.md': articleText({ title: 'Fire', date: '2025-03-16' }),
    });

    // Act
    const { code, io } = await build(s.content, s.out);

    // Assess
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    const files = await listFiles(s.out);
    expect(files).toEqual(expect.arrayContaining(['articles/budget-vote-2025/index.html', 'articles/article-with-spaces/index.html', 'articles/harbour-fire/index.html']));
    expect((await jsonItems(s.out)).map((i) => i.url)).toEqual([
      'https://news.test/articles/harbour-fire/',
      'https://news.test/articles/article-with-spaces/',
      'https://news.test/articles/budget-vote-2025/',
    ]);
  });

  it('rejects the second of two files that reduce to one slug, naming both; the published one keeps its URL, through a full rebuild too', async () => {
    // Prepare: budget-vote.md is published first; then "Budget Vote.md" (which sorts before it) arrives
    const s = await site({ 'budget-vote.md': articleText({ title: 'The original', date: '2025-03-14' }) });
    expect((await build(s.content, s.out)).code).toBe(0);
    await writeFile(s.file('Budget Vote.md'), articleText({ title: 'The copy', date: '2025-03-15' }));

    // Act
    const incremental = await build(s.content, s.out);
    const full = await build(s.content, s.out, '--full');
    const checked = await check(s.content);

    // Assess
    const line = `${s.file('Budget Vote.md')}: slug "budget-vote" is already used by articles/budget-vote.md; set a different slug: in the front matter`;
    for (const run of [incremental, full]) {
      expect(run.code).toBe(1);
      expect(run.io.stderr).toEqual([line]);
    }
    expect(await titles(s.out)).toEqual(['The original']);
    expect(await readText(s.out, 'articles/budget-vote/index.html')).toContain('The original');
    // check starts from no state: the first by key is the one it keeps, the other is named
    expect(checked.code).toBe(1);
    expect(checked.io.stderr).toEqual([`${s.file('budget-vote.md')}: slug "budget-vote" is already used by articles/Budget Vote.md; set a different slug: in the front matter`]);
  });

  it('refuses a file name no slug can be made from, naming the file, and publishes the rest', async () => {
    // Prepare
    const s = await site({ '東京.md': articleText({ title: 'Tokyo', date: '2025-03-14' }), 'good.md': articleText({ title: 'Good', date: '2025-03-14' }) });

    // Act
    const { code, io } = await build(s.content, s.out);

    // Assess
    expect(code).toBe(1);
    expect(io.stderr).toEqual([expect.stringMatching(new RegExp(`^${s.file('東京.md')}: no slug can be made from the file name "東京".*set slug:`))]);
    expect(await titles(s.out)).toEqual(['Good']);
  });
});

describe('duplicate ids', () => {
  it('rejects an article whose front matter was copied with its id, naming both files; the first stays published', async () => {
    // Prepare
    const id = 'urn:uuid:6f1c2f4e-0b7a-4d2e-9a53-1e2f3a4b5c6d';
    const s = await site({
      'budget-vote.md': articleText({ title: 'Budget vote', date: '2025-03-14', id }),
      'harbour-fire.md': articleText({ title: 'Harbour fire', date: '2025-03-15', id }),
      'other.md': articleText({ title: 'Other', date: '2025-03-13' }),
    });

    // Act
    const { code, io } = await build(s.content, s.out);

    // Assess
    expect(code).toBe(1);
    expect(io.stderr).toEqual([
      `${s.file('harbour-fire.md')}: id "${id}" is already used by articles/budget-vote.md (copied front matter, or two files of one name?); give this article an id of its own, or remove the line`,
    ]);
    expect(await titles(s.out)).toEqual(['Budget vote', 'Other']);
    expect((await listFiles(s.out)).filter((f) => f.startsWith('articles/'))).toEqual(['articles/budget-vote/index.html', 'articles/other/index.html']);
    const rss = parseRss(await readText(s.out, 'rss.xml'));
    const atom = parseAtom(await readText(s.out, 'atom.xml'));
    expect(rss.feed.items.map((i) => i.title)).toEqual(['Budget vote', 'Other']);
    expect(atom.feed.items.map((i) => i.title)).toEqual(['Budget vote', 'Other']);
  });

  it('keeps the published article when a later one copies its id, through later builds and a full rebuild', async () => {
    // Prepare: "a-copy.md" sorts first but arrives second
    const id = 'tag:news.test,2025-03-14:budget';
    const s = await site({ 'budget-vote.md': articleText({ title: 'The original', date: '2025-03-14', id }) });
    await build(s.content, s.out);
    await writeFile(s.file('a-copy.md'), articleText({ title: 'The copy', date: '2025-03-16', id }));

    // Act
    const runs = [await build(s.content, s.out), await build(s.content, s.out), await build(s.content, s.out, '--full')];

    // Assess
    for (const run of runs) {
      expect(run.code).toBe(1);
      expect(run.io.stderr).toEqual([expect.stringMatching(new RegExp(`^${s.file('a-copy.md')}: id "${id}" is already used by articles/budget-vote.md`))]);
    }
    expect(await titles(s.out)).toEqual(['The original']);
  });

  it('rejects a same-named file in another folder (same default id), naming both, and frees the id when the first is deleted', async () => {
    // Prepare: two folders, one file name, one day: one default id
    const s = await site({});
    await mkdir(s.file('2025'), { recursive: true });
    await mkdir(s.file('archive'), { recursive: true });
    await writeFile(s.file('2025/vote.md'), articleText({ title: 'Vote (2025 folder)', date: '2025-03-14', slug: 'vote-2025' }));
    await writeFile(s.file('archive/vote.md'), articleText({ title: 'Vote (archive folder)', date: '2025-03-14', slug: 'vote-archive' }));

    // Act
    const first = await build(s.content, s.out);
    await rm(s.file('2025/vote.md'));
    const second = await build(s.content, s.out);

    // Assess
    expect(first.code).toBe(1);
    expect(first.io.stderr).toEqual([expect.stringMatching(new RegExp(`^${s.file('archive/vote.md')}: id "tag:news.test,2025-03-14:vote" is already used by articles/2025/vote.md`))]);
    expect(second.io.stderr).toEqual([]);
    expect(second.code).toBe(0);
    expect(await titles(s.out)).toEqual(['Vote (archive folder)']);
  });
});

describe('huge files', () => {
  /** A file of `size` bytes that takes no disk and no time to make: all of it a hole (a sparse file). */
  const sparse = async (file: string, size: number) => {
    await writeFile(file, '');
    await truncate(file, size);
  };
  const HUGE = 2 * 1024 ** 3 + 1; // 2 GiB and one byte: past what one read, or one Buffer, can hold
  const tooLarge = (file: string) => `${file}: is ${HUGE} bytes; the limit is ${2 * 1024 * 1024}`;

  it('rejects an article file over 2 GiB by name, without reading it, and publishes the others: build, a full rebuild and check', async () => {
    // Prepare
    const s = await site({ 'good.md': articleText({ title: 'Good', date: '2025-03-14' }) });
    await sparse(s.file('huge.md'), HUGE);

    // Act
    const built = await build(s.content, s.out);
    const rebuilt = await build(s.content, s.out, '--full');
    const checked = await check(s.content);

    // Assess
    for (const run of [built, rebuilt, checked]) {
      expect(run.io.stderr).toEqual([tooLarge(s.file('huge.md'))]);
      expect(run.code).toBe(1);
    }
    expect(await titles(s.out)).toEqual(['Good']);
    expect((await listFiles(s.out)).filter((f) => f.startsWith('articles/'))).toEqual(['articles/good/index.html']);
  });

  it('rejects a named file over 2 GiB in `check FILE...` by name, and checks the other named file', async () => {
    // Prepare
    const s = await site({ 'good.md': articleText({ title: 'Good', date: '2025-03-14' }) });
    await sparse(s.file('huge.md'), HUGE);
    const io = captureIo();

    // Act
    const code = await main(['check', '--content', s.content, s.file('huge.md'), s.file('good.md')], io);

    // Assess
    expect(io.stderr).toEqual([tooLarge(s.file('huge.md'))]);
    expect(io.stdout).toEqual([expect.stringMatching(/^1 article would be published, 1 rejected; nothing written/)]);
    expect(code).toBe(1);
  });
});

describe('lead image keys', () => {
  it.each([
    ['a backslash', '/media/a%5Cb.jpg', 'media/a\\\\b.jpg'],
    ['a NUL byte', '/media/a%00b.jpg', 'media/a\\u0000b.jpg'],
    ['a newline', '/media/a%0Ab.jpg', 'media/a\\nb.jpg'],
    ['a dot-file', '/media/.hidden.jpg', 'media/.hidden.jpg'],
    ['a colon', '/media/c:%5Cwin.jpg', 'media/c:\\\\win.jpg'],
  ])('with %s is a rejection naming the file, never a crash; the other articles are published', async (_name, url, key) => {
    // Prepare
    const s = await site({
      'bad-image.md': articleText({ title: 'Bad image', date: '2025-03-14', image: { url, alt: 'x' } }),
      'good.md': articleText({ title: 'Good', date: '2025-03-14' }),
    });

    // Act
    const { code, io } = await build(s.content, s.out);

    // Assess
    expect(code).toBe(1);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(
      new RegExp(`^${s.file('bad-image.md')}: "image.url" \\(https://news.test/media/.*\\) names "${key.replace(/[.\\]/g, (c) => `\\${c}`)}", which is not a usable media file name`),
    );
    expect(await titles(s.out)).toEqual(['Good']);
  });

  it.each([
    ['a parent folder', '/media/..%2F..%2Fsite.yaml'],
    ['an empty segment (an absolute path)', '/media//etc/passwd'],
  ])('naming %s is a rejection naming the file', async (_name, url) => {
    // Prepare
    const s = await site({ 'bad-image.md': articleText({ title: 'Bad image', date: '2025-03-14', image: { url, alt: 'x' } }), 'good.md': articleText({ title: 'Good', date: '2025-03-14' }) });

    // Act
    const { code, io } = await build(s.content, s.out);

    // Assess
    expect(code).toBe(1);
    expect(io.stderr).toEqual([expect.stringMatching(new RegExp(`^${s.file('bad-image.md')}: "image.url" .* does not name a file in media/`))]);
    expect(await titles(s.out)).toEqual(['Good']);
    expect((await listFiles(s.out)).filter((f) => f.startsWith('media/') || f.includes('site.yaml'))).toEqual([]);
  });
});

describe('tags that reduce to one slug', () => {
  const feedOf = async (out: string, slug: string) => parseJsonFeed(await readText(out, 'tags', slug, 'feed.json'));

  it('gives C#, C++ and C three tags, each with its own title and only its own articles', async () => {
    // Prepare
    const s = await site({
      'csharp.md': articleText({ title: 'C# 14 ships', date: '2025-03-14', tags: ['C#'] }),
      'cpp.md': articleText({ title: 'C++26 is out', date: '2025-03-15', tags: ['C++'] }),
      'c.md': articleText({ title: 'C23 compilers', date: '2025-03-16', tags: ['C'] }),
    });

    // Act
    const { code, io } = await build(s.content, s.out);

    // Assess
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    for (const [slug, tag, title] of [
      ['c-sharp', 'C#', 'C# 14 ships'],
      ['c-plus-plus', 'C++', 'C++26 is out'],
      ['c', 'C', 'C23 compilers'],
    ] as const) {
      const feed = await feedOf(s.out, slug);
      expect(feed.title).toContain(tag);
      if (slug === 'c') expect(feed.title).not.toMatch(/[#+]/);
      expect(feed.items.map((i) => i.title)).toEqual([title]);
      expect(parseRss(await readText(s.out, 'tags', slug, 'rss.xml')).feed.items.map((i) => i.title)).toEqual([title]);
    }
  });

  it('keeps the slugs of plain tags as they always were', async () => {
    // Prepare
    const s = await site({
      'a.md': articleText({ title: 'A', date: '2025-03-14', tags: ['Politics', "Côte d'Ivoire", 'Science & Tech', 'World Cup 2026', 'Women’s sport', "St. Patrick's Day", 'U.S. Open'] }),
    });

    // Act
    await build(s.content, s.out);

    // Assess
    const folders = (await listFiles(s.out)).filter((f) => f.startsWith('tags/') && f.endsWith('/feed.json'));
    expect(folders).toEqual([
      'tags/cote-d-ivoire/feed.json',
      'tags/politics/feed.json',
      'tags/science-tech/feed.json',
      'tags/st-patrick-s-day/feed.json',
      'tags/u-s-open/feed.json',
      'tags/women-s-sport/feed.json',
      'tags/world-cup-2026/feed.json',
    ]);
  });

  it('makes spellings of one tag (case, accents) one tag with one title, and build and check say so without rejecting', async () => {
    // Prepare: "Élection" twice, "election" once, "ELECTION" once
    const s = await site({
      'a.md': articleText({ title: 'First round', date: '2025-03-10', tags: ['Élection'] }),
      'b.md': articleText({ title: 'Second round', date: '2025-03-11', tags: ['election'] }),
      'c.md': articleText({ title: 'Results', date: '2025-03-12', tags: ['Élection', 'Politics'] }),
      'd.md': articleText({ title: 'Turnout', date: '2025-03-13', tags: ['ELECTION'] }),
    });
    const notice = (file: string, spelling: string) =>
      `${s.file(file)}: notice: tag "${spelling}" is shown as "Élection", the same tag (tags/election/): spell it so everywhere to silence this notice`;

    // Act
    const built = await build(s.content, s.out);
    const checked = await check(s.content);
    const rebuilt = await build(s.content, s.out, '--full');

    // Assess
    for (const run of [built, checked, rebuilt]) {
      expect(run.code).toBe(0);
      expect(run.io.stderr).toEqual([notice('b.md', 'election'), notice('d.md', 'ELECTION')]);
    }
    const feed = await feedOf(s.out, 'election');
    expect(feed.title).toContain('Élection');
    expect(feed.items.map((i) => i.title)).toEqual(['Turnout', 'Results', 'Second round', 'First round']);
    expect((await listFiles(s.out)).filter((f) => f.startsWith('tags/') && f.endsWith('/feed.json'))).toEqual(['tags/election/feed.json', 'tags/politics/feed.json']);
  });

  it('keeps one title through incremental publishes, whichever spelling the newest article uses, and agrees with a full rebuild', async () => {
    // Prepare
    const s = await site({
      'a.md': articleText({ title: 'First round', date: '2025-03-10', tags: ['Élection'] }),
      'b.md': articleText({ title: 'Second round', date: '2025-03-11', tags: ['Élection'] }),
    });
    await build(s.content, s.out);

    // Act: a newer article spells it the other way
    await writeFile(s.file('c.md'), articleText({ title: 'Results', date: '2025-03-12', tags: ['election'] }));
    const incremental = await build(s.content, s.out);
    const titleAfterIncremental = (await feedOf(s.out, 'election')).title;
    await build(s.content, s.out, '--full');
    const titleAfterRebuild = (await feedOf(s.out, 'election')).title;

    // Assess
    expect(incremental.code).toBe(0);
    expect(incremental.io.stderr).toEqual([expect.stringMatching(/c\.md: notice: tag "election" is shown as "Élection"/)]);
    expect(titleAfterIncremental).toContain('Élection');
    expect(titleAfterRebuild).toBe(titleAfterIncremental);
    expect((await feedOf(s.out, 'election')).items.map((i) => i.title)).toEqual(['Results', 'Second round', 'First round']);
  });

  /** Every feed document's categories (RSS category, Atom category term, JSON Feed tags), by site key. */
  async function categoriesOf(out: string): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>();
    for (const key of await listFiles(out)) {
      const text = key.endsWith('rss.xml') || key.endsWith('atom.xml') || key.endsWith('feed.json') ? await readText(out, key) : undefined;
      if (text === undefined) continue;
      if (key.endsWith('rss.xml'))
        found.set(
          key,
          asArray(parseRss(text).xml.rss.channel.item).flatMap((i: XmlObject) => asArray(i.category).map((c) => nodeText(c) ?? '')),
        );
      else if (key.endsWith('atom.xml'))
        found.set(
          key,
          asArray(parseAtom(text).xml.feed.entry).flatMap((e: XmlObject) => asArray(e.category).map((c: XmlObject) => String(c['@_term']))),
        );
      else
        found.set(
          key,
          parseJsonFeed(text).items.flatMap((i) => i.tags ?? []),
        );
    }
    return found;
  }
  const spelt = (categories: Map<string, string[]>, folded: string) => new Set([...categories.values()].flat().filter((c) => c.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase() === folded));

  it("gives every feed's items the one title the tag's page shows, whichever spelling each article uses", async () => {
    // Prepare: "Politics" twice, "politics" once; feed_size 2, so there are archive documents as well
    const s = await site({
      'a.md': articleText({ title: 'First reading', date: '2025-03-10', tags: ['Politics'] }),
      'b.md': articleText({ title: 'Second reading', date: '2025-03-11', tags: ['politics', 'Economy'] }),
      'c.md': articleText({ title: 'Final vote', date: '2025-03-12', tags: ['Politics'] }),
      'd.md': articleText({ title: 'Markets react', date: '2025-03-13', tags: ['Economy'] }),
      'e.md': articleText({ title: 'Analysis', date: '2025-03-14', tags: ['politics'] }),
      'f.md': articleText({ title: 'Recap', date: '2025-03-15', tags: ['Politics'] }),
    });
    await writeFile(path.join(s.content, 'site.yaml'), stringify({ ...SITE_SETTINGS, feed_size: 2 }));

    // Act
    const { code } = await build(s.content, s.out);

    // Assess
    expect(code).toBe(0);
    const page = await readText(s.out, 'tags', 'politics', 'index.html');
    expect(page).toContain('<h1>Politics</h1>');
    const categories = await categoriesOf(s.out);
    expect([...categories.keys()]).toEqual(expect.arrayContaining(['archive/1/rss.xml', 'atom.xml', 'feed.json', 'rss.xml', 'tags/economy/atom.xml', 'tags/politics/feed.json']));
    expect(spelt(categories, 'politics')).toEqual(new Set(['Politics']));
    for (const format of ['rss.xml', 'atom.xml', 'feed.json']) expect(categories.get(`tags/economy/${format}`)).toEqual(['Economy', 'Politics', 'Economy']);
  });

  it("moves every feed to a tag's new title when most of its articles come to spell it another way, as a full rebuild would", async () => {
    // Prepare: "Politics" is the title, two to one; feed_size 2, so the site's feeds show c and d only
    const s = await site({
      'a.md': articleText({ title: 'First reading', date: '2025-03-10', tags: ['Politics'] }),
      'b.md': articleText({ title: 'Second reading', date: '2025-03-11', tags: ['Politics', 'Economy'] }),
      'c.md': articleText({ title: 'Final vote', date: '2025-03-12', tags: ['politics'] }),
      'd.md': articleText({ title: 'Markets react', date: '2025-03-13', tags: ['Economy'] }),
    });
    await writeFile(path.join(s.content, 'site.yaml'), stringify({ ...SITE_SETTINGS, feed_size: 2 }));
    expect((await build(s.content, s.out)).code).toBe(0);
    expect(spelt(await categoriesOf(s.out), 'politics')).toEqual(new Set(['Politics']));

    // Act: the oldest story, in no feed of the site's but the archive, is corrected to "politics"
    await writeFile(s.file('a.md'), articleText({ title: 'First reading', date: '2025-03-10', tags: ['politics'] }));
    const incremental = await build(s.content, s.out);
    const feeds = async () => new Map(await Promise.all((await listFiles(s.out)).filter((k) => /(rss\.xml|atom\.xml|feed\.json)$/.test(k)).map(async (k) => [k, await readText(s.out, k)] as const)));
    const afterIncremental = await feeds();
    const categories = await categoriesOf(s.out);
    await build(s.content, s.out, '--full');

    // Assess: "politics" now has two of three: the site's feeds (c), the archive pages and Economy's feeds (b) say so
    expect(incremental.code).toBe(0);
    expect(await readText(s.out, 'tags', 'politics', 'index.html')).toContain('<h1>politics</h1>');
    expect(spelt(categories, 'politics')).toEqual(new Set(['politics']));
    for (const key of ['rss.xml', 'archive/1/atom.xml', 'archive/2/feed.json', 'tags/economy/rss.xml']) expect(categories.get(key)).toContain('politics');
    expect(afterIncremental).toEqual(await feeds());
  });
});
