import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../functions/cli/main.ts';
import { articleText, captureIo, listFiles, NOW, readText, SITE_SETTINGS, seedContent, tempDir, writeContent } from '../helpers/content.ts';
import { parseAtom, parseJsonFeed, parseRss } from '../helpers/feeds.ts';

const good = articleText({ title: 'Good news', date: '2025-03-14' }, 'All is well.\n');

async function build(contentDir: string, outDir: string, io = captureIo()) {
  const code = await main(['build', '--content', contentDir, '--out', outDir], io);
  return { code, io };
}
const titles = async (outDir: string) => parseJsonFeed(await readText(outDir, 'feed.json')).items.map((i) => i.title);

describe('wirefeed build', () => {
  it('publishes every article, prints one summary line and exits 0', async () => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'good-news.md': good });
    const { code, io } = await build(content, path.join(dir, 'dist'));
    expect(code).toBe(0);
    expect(io.stdout).toHaveLength(1);
    expect(io.stdout[0]).toMatch(/^1 article published, 0 rejected, .* in \d+ ms$/);
    expect(io.stderr).toEqual([]);
    expect(await listFiles(path.join(dir, 'dist'))).toEqual(
      ['404.html', 'articles/good-news/index.html', 'atom.xml', 'feed.html', 'feed.json', 'index.html', 'robots.txt', 'rss.xml', 'sitemap-1.xml', 'sitemap-news.xml', 'sitemap.xml'].sort(),
    );
  });

  it('publishes the good articles and names each rejected one as FILE: PROBLEM, exiting 1', async () => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), {
      'good-news.md': good,
      'bad-date.md': articleText({ title: 'Bad', date: 'next Tuesday' }),
      'broken.md': '---\ntitle: [unclosed\n---\nBody\n',
    });
    const { code, io } = await build(content, path.join(dir, 'dist'));
    expect(code).toBe(1);
    expect(io.stderr).toEqual([
      expect.stringMatching(new RegExp(`^${path.join(content, 'articles/bad-date.md')}: "date" must be a date .*\\(got "next Tuesday"\\)$`)),
      expect.stringMatching(new RegExp(`^${path.join(content, 'articles/broken.md')}: front matter is not valid YAML`)),
    ]);
    expect(io.stdout[0]).toMatch(/^1 article published, 2 rejected/);
    expect(await titles(path.join(dir, 'dist'))).toEqual(['Good news']);
  });

  it('refuses two articles with one slug, naming both files', async () => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), {
      'a-story.md': articleText({ title: 'A', date: '2025-03-14', slug: 'story' }),
      'b-story.md': articleText({ title: 'B', date: '2025-03-15', slug: 'story' }),
    });
    const { code, io } = await build(content, path.join(dir, 'dist'));
    expect(code).toBe(1);
    expect(io.stderr).toEqual([`${path.join(content, 'articles/b-story.md')}: slug "story" is already used by articles/a-story.md; set a different slug: in the front matter`]);
    expect(await titles(path.join(dir, 'dist'))).toEqual(['A']);
  });

  it('exits 2 and writes nothing when site.yaml is wrong', async () => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'good-news.md': good }, { ...SITE_SETTINGS, url: 'not a url', feed_size: 0 });
    const { code, io } = await build(content, path.join(dir, 'dist'));
    expect(code).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/site.yaml: "url" must be an absolute http\(s\) URL .*"feed_size"/s);
    expect(io.stderr.join('\n')).toMatch(/Nothing was written/);
    expect(await listFiles(path.join(dir, 'dist'))).toEqual([]);
  });

  it('exits 2 and writes nothing when site.yaml is missing', async () => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'good-news.md': good });
    await rm(path.join(content, 'site.yaml'));
    const { code, io } = await build(content, path.join(dir, 'dist'));
    expect(code).toBe(2);
    expect(io.stderr[0]).toMatch(/^site.yaml: is missing/);
    expect(await listFiles(path.join(dir, 'dist'))).toEqual([]);
  });

  it.each([[['build', '--nope']], [['frobnicate']], [['build', 'extra']], [[]]])('exits 2 with the usage for %j', async (argv) => {
    const io = captureIo();
    expect(await main(argv, io)).toBe(2);
    expect([...io.stderr, ...io.stdout].join('\n')).toMatch(/Usage:/);
  });

  it('gives byte-identical output when the same content is built again later', async () => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), {
      'good-news.md': good,
      'older.md': articleText({ title: 'Older', date: '2025-03-01T08:00:00Z', updated: '2025-03-02T09:00:00Z' }),
    });
    await build(content, path.join(dir, 'one'), captureIo(NOW));
    await build(content, path.join(dir, 'two'), captureIo(new Date('2027-06-01T00:00:00Z')));
    for (const file of ['rss.xml', 'atom.xml', 'feed.json', 'index.html', 'articles/good-news/index.html']) {
      expect(await readFile(path.join(dir, 'two', file))).toEqual(await readFile(path.join(dir, 'one', file)));
    }
  });

  it("rewrites nothing when nothing changed, so the local server's ETags stay put", async () => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'good-news.md': good });
    const out = path.join(dir, 'dist');
    await build(content, out);
    const before = (await stat(path.join(out, 'rss.xml'))).mtimeMs;
    const { io } = await build(content, out);
    expect(io.stdout[0]).toMatch(/0 pages rendered, 0 files written/);
    expect((await stat(path.join(out, 'rss.xml'))).mtimeMs).toBe(before);
  });

  it('keeps the last good version of a published article when a broken edit arrives', async () => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'good-news.md': good });
    const out = path.join(dir, 'dist');
    await build(content, out);
    await writeFile(path.join(content, 'articles/good-news.md'), '---\ntitle: Good news\ndate: yesterday\n---\nOops\n');
    const { code, io } = await build(content, out);
    expect(code).toBe(1);
    expect(io.stderr[0]).toMatch(/good-news.md: "date"/);
    expect(await titles(out)).toEqual(['Good news']);
    expect(await readText(out, 'articles/good-news/index.html')).toContain('All is well.');
  });

  it('takes a deleted article and a new draft out of every feed and deletes their pages', async () => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), {
      'good-news.md': good,
      'gone.md': articleText({ title: 'Gone soon', date: '2025-03-10' }),
      'pulled.md': articleText({ title: 'Pulled', date: '2025-03-11' }),
    });
    const out = path.join(dir, 'dist');
    await build(content, out);
    await rm(path.join(content, 'articles/gone.md'));
    await writeFile(path.join(content, 'articles/pulled.md'), articleText({ title: 'Pulled', date: '2025-03-11', draft: true }));
    expect((await build(content, out)).code).toBe(0);
    expect(await titles(out)).toEqual(['Good news']);
    expect(parseRss(await readText(out, 'rss.xml')).feed.items.map((i) => i.title)).toEqual(['Good news']);
    expect(parseAtom(await readText(out, 'atom.xml')).feed.items.map((i) => i.title)).toEqual(['Good news']);
    const files = await listFiles(out);
    expect(files).not.toContain('articles/gone/index.html');
    expect(files).not.toContain('articles/pulled/index.html');
  });

  it('leaves no empty folder behind for a deleted article and its only tag, and keeps the rest', async () => {
    // Prepare
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), {
      'good-news.md': articleText({ title: 'Good news', date: '2025-03-14', tags: ['Economy'] }),
      'gone.md': articleText({ title: 'Gone soon', date: '2025-03-10', tags: ['Harbour'] }),
    });
    const out = path.join(dir, 'dist');
    expect((await build(content, out)).code).toBe(0);
    const before = await listFiles(out);
    expect(before).toEqual(expect.arrayContaining(['articles/gone/index.html', 'tags/harbour/index.html']));

    // Act
    await rm(path.join(content, 'articles/gone.md'));
    const { code } = await build(content, out);

    // Assess
    expect(code).toBe(0);
    const folders = (await readdir(out, { recursive: true, withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => path.relative(out, path.join(e.parentPath, e.name)));
    expect(folders.filter((f) => f.includes('gone') || f.includes('harbour'))).toEqual([]);
    expect(await listFiles(out)).toEqual(before.filter((f) => !f.startsWith('articles/gone/') && !f.startsWith('tags/harbour/')));
    expect(await titles(out)).toEqual(['Good news']);
  });

  it('publishes an article dated in the future only once its time has come', async () => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), {
      'good-news.md': good,
      'embargoed.md': articleText({ title: 'Embargoed', date: '2026-11-25T12:30:00Z' }),
    });
    const out = path.join(dir, 'dist');
    await build(content, out, captureIo(new Date('2026-11-25T12:29:00Z')));
    expect(await titles(out)).toEqual(['Good news']);
    expect(await listFiles(out)).not.toContain('articles/embargoed/index.html');
    await build(content, out, captureIo(new Date('2026-11-25T12:30:00Z')));
    expect(await titles(out)).toEqual(['Embargoed', 'Good news']);
    expect(await listFiles(out)).toContain('articles/embargoed/index.html');
  });

  it('never writes outside --out (and its private state beside the content), whatever the article says', async () => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), {
      'good-news.md': good,
      'escape.md': articleText({ title: 'Escape', date: '2025-03-14', slug: '../../escape' }),
    });
    const { code, io } = await build(content, path.join(dir, 'out', 'dist'));
    expect(code).toBe(1);
    expect(io.stderr[0]).toMatch(/escape.md: "slug" may hold only/);
    expect((await listFiles(dir)).filter((f) => !f.startsWith('content/') && !f.startsWith('out/dist/') && !f.startsWith('.wirefeed/state/'))).toEqual([]);
  });

  it('keeps the publisher state, with its drafts and embargoed headlines, out of the build folder', async () => {
    // Prepare: a draft and an embargoed story beside a public one.
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), {
      'good-news.md': good,
      'notes.md': articleText({ title: 'Secret draft headline', date: '2025-03-01', draft: true }),
      'budget.md': articleText({ title: 'Embargoed budget headline', date: '2099-12-24T06:00:00Z' }),
    });
    // Act
    await build(content, path.join(dir, 'dist'));
    // Assess: nothing under dist/ names either, and no dot-folder of state is there.
    const files = await listFiles(path.join(dir, 'dist'));
    expect(files.filter((f) => f.startsWith('.'))).toEqual([]);
    for (const file of files) {
      const text = await readText(dir, 'dist', file);
      expect(text, file).not.toContain('Secret draft headline');
      expect(text, file).not.toContain('Embargoed budget headline');
    }
    expect(await listFiles(path.join(dir, '.wirefeed', 'state'))).not.toEqual([]);
  });

  it('uses SITE_URL over site.yaml for every link', async () => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'good-news.md': good });
    await build(content, path.join(dir, 'dist'), captureIo(NOW, { SITE_URL: 'https://cdn.example.net/news' }));
    const json = parseJsonFeed(await readText(dir, 'dist', 'feed.json'));
    expect(json.feed_url).toBe('https://cdn.example.net/news/feed.json');
    expect(json.items[0]?.url).toBe('https://cdn.example.net/news/articles/good-news/');
  });
});

describe('wirefeed check', () => {
  it('validates like build, names the problems, and writes nothing', async () => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), {
      'good-news.md': good,
      'bad.md': articleText({ date: '2025-03-14' }),
    });
    const before = await listFiles(dir);
    const io = captureIo();
    expect(await main(['check', '--content', content], io)).toBe(1);
    expect(io.stderr).toEqual([expect.stringMatching(/articles\/bad.md: "title"/)]);
    expect(await listFiles(dir)).toEqual(before);
  });

  it('exits 0 for the seed content (site.yaml and the wire report)', async () => {
    const content = await seedContent(path.join(await tempDir(), 'content'));
    const io = captureIo();
    expect(await main(['check', '--content', content], io)).toBe(0);
    expect(io.stdout[0]).toMatch(/^1 article would be published, 0 rejected; nothing written/);
  });
});

describe('wirefeed build on a large archive (worker threads)', () => {
  it('renders every article on the worker threads and still names each rejected one', async () => {
    const dir = await tempDir();
    const articles: Record<string, string> = {};
    for (let i = 1; i <= 320; i++)
      articles[`story-${i}.md`] = articleText({ title: `Story ${i}`, date: `2025-03-14T${String(i % 24).padStart(2, '0')}:00:00Z`, tags: [`T${i % 3}`] }, `Paragraph *${i}*.\n`);
    articles['broken.md'] = articleText({ title: 'Broken', date: 'soon' });
    const content = await writeContent(path.join(dir, 'content'), articles);
    const { code, io } = await build(content, path.join(dir, 'dist'));
    expect(code).toBe(1);
    expect(io.stderr).toEqual([expect.stringMatching(/articles\/broken.md: "date" must be a date/)]);
    expect(io.stdout[0]).toMatch(/^320 articles published, 1 rejected, 320 pages rendered/);
    const page = await readText(dir, 'dist', 'articles', 'story-17', 'index.html');
    expect(page).toContain('<p>Paragraph <em>17</em>.</p>');
  });
});

describe('wirefeed --help, -h and --version', () => {
  it.each(['build', 'check', 'serve', 'publish'])("`wirefeed %s --help` and `-h` print that command's usage and exit 0", async (command) => {
    for (const flag of ['--help', '-h']) {
      // Act: publish's required flags are missing, and help still wins
      const io = captureIo();
      const code = await main([command, flag], io);

      // Assess
      expect(code).toBe(0);
      expect(io.stderr).toEqual([]);
      expect(io.stdout.join('\n')).toMatch(new RegExp(`^Usage: wirefeed ${command} `));
      expect(io.stdout.join('\n')).toContain('-h, --help');
    }
  });

  it('`wirefeed --help` lists every command, --json, and every exit status', async () => {
    const io = captureIo();
    expect(await main(['--help'], io)).toBe(0);
    const text = io.stdout.join('\n');
    for (const word of ['wirefeed build', 'wirefeed check', 'wirefeed serve', 'wirefeed publish', '--json', '--version', 'FILE...']) expect(text).toContain(word);
    for (const status of ['0', '1', '2', '3']) expect(text).toMatch(new RegExp(`^  ${status}  `, 'm'));
  });

  it("`wirefeed --version` prints package.json's version", async () => {
    const io = captureIo();
    expect(await main(['--version'], io)).toBe(0);
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(io.stdout).toEqual([pkg.version]);
  });

  it('a wrong flag shows the usage of the command it was given to', async () => {
    const io = captureIo();
    expect(await main(['check', '--out', 'dist'], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/^wirefeed: .*--out.*\n\nUsage: wirefeed check /s);
  });
});

describe('wirefeed check FILE...', () => {
  it("checks only the named files, with the content folder's site.yaml, and names them as given", async () => {
    // Prepare: a broken article in the folder that is not named, and a new one outside it
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'good-news.md': good, 'broken.md': '---\ntitle: [unclosed\n---\n' });
    const elsewhere = path.join(dir, 'drafts', 'new-story.md');
    await writeContent(path.join(dir, 'drafts'), {});
    await writeFile(elsewhere, articleText({ title: 'New', date: 'Thursday' }));
    const io = captureIo();

    // Act
    const code = await main(['check', '--content', content, path.join(content, 'articles', 'good-news.md'), elsewhere], io);

    // Assess
    expect(code).toBe(1);
    expect(io.stderr).toEqual([expect.stringMatching(new RegExp(`^${elsewhere}: "date" must be a date`))]);
    expect(io.stdout).toEqual([expect.stringMatching(/^1 article would be published, 1 rejected; nothing written/)]);
  });

  it('exits 0 when every named file is good, whatever the rest of the folder holds', async () => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'good-news.md': good, 'broken.md': '---\ntitle: [unclosed\n---\n' });
    const io = captureIo();
    expect(await main(['check', '--content', content, path.join(content, 'articles', 'good-news.md')], io)).toBe(0);
    expect(io.stderr).toEqual([]);
  });

  it('exits 2 when site.yaml is wrong, as build does', async () => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'good-news.md': good }, { ...SITE_SETTINGS, url: 'not a url' });
    const io = captureIo();
    expect(await main(['check', '--content', content, path.join(content, 'articles', 'good-news.md')], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/site.yaml: "url"/);
  });

  it.each([
    ['a file that does not exist', 'articles/missing.md', /missing\.md is not a file/],
    ['a file that is not an article', 'site.yaml', /site\.yaml is not an article/],
  ])('exits 2 for %s, naming it', async (_what, file, message) => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'good-news.md': good });
    const io = captureIo();
    expect(await main(['check', '--content', content, path.join(content, file)], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(message);
  });
});

describe('drafts and embargoed articles', () => {
  const waiting = {
    'good-news.md': good,
    'notes.md': articleText({ title: 'Notes', date: '2025-03-01', draft: true }),
    'budget.md': articleText({ title: 'Budget', date: '2026-12-24T06:00:00Z' }),
    'new-year.md': articleText({ title: 'New year', date: '2027-01-01' }),
  };

  it('build and check say how many wait, and when the next one goes live', async () => {
    // Prepare
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), waiting);
    const built = captureIo();
    const checked = captureIo();

    // Act
    expect(await main(['build', '--content', content, '--out', path.join(dir, 'dist')], built)).toBe(0);
    expect(await main(['check', '--content', content], checked)).toBe(0);

    // Assess
    const line = `1 draft, 2 embargoed (next goes live 2026-12-24T06:00:00Z: ${path.join(content, 'articles/budget.md')})`;
    expect(built.stdout).toEqual([expect.stringMatching(/^1 article published/), line]);
    expect(checked.stdout).toEqual([expect.stringMatching(/^1 article would be published/), line]);
  });

  it('names the next embargo once the first has lifted, and says nothing once none wait', async () => {
    // Prepare
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), waiting);
    const out = path.join(dir, 'dist');
    await main(['build', '--content', content, '--out', out], captureIo());
    const later = captureIo(new Date('2026-12-24T06:00:00Z'));
    const done = captureIo(new Date('2027-01-01T00:00:00Z'));

    // Act
    await main(['build', '--content', content, '--out', out], later);
    await rm(path.join(content, 'articles/notes.md'));
    await main(['build', '--content', content, '--out', out], done);

    // Assess
    expect(later.stdout[1]).toBe(`1 draft, 1 embargoed (next goes live 2027-01-01T00:00:00Z: ${path.join(content, 'articles/new-year.md')})`);
    expect(done.stdout).toEqual([expect.stringMatching(/^3 articles published/)]);
  });
});

describe('--json', () => {
  it('build --json prints one JSON object instead of the lines, with the rejected articles only in it', async () => {
    // Prepare
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), {
      'good-news.md': good,
      'bad-date.md': articleText({ title: 'Bad', date: 'next Tuesday' }),
      'notes.md': articleText({ title: 'Notes', date: '2025-03-01', draft: true }),
      'budget.md': articleText({ title: 'Budget', date: '2026-12-24T06:00:00Z' }),
    });
    const io = captureIo();

    // Act
    const code = await main(['build', '--content', content, '--out', path.join(dir, 'dist'), '--json'], io);

    // Assess
    expect(code).toBe(1);
    expect(io.stderr).toEqual([]);
    expect(io.stdout).toHaveLength(1);
    expect(JSON.parse(io.stdout[0] as string)).toEqual({
      exit: 1,
      published: 1,
      rendered: 3, // the draft and the embargoed article are rendered too, ready for their time
      rejected: [{ file: path.join(content, 'articles/bad-date.md'), problem: expect.stringMatching(/^"date" must be a date .*\(got "next Tuesday"\)$/) }],
      drafts: [path.join(content, 'articles/notes.md')],
      embargoed: [{ file: path.join(content, 'articles/budget.md'), goes_live: '2026-12-24T06:00:00Z' }],
      written: 11,
      deleted: 0,
      ms: expect.any(Number),
    });
  });

  it('check --json counts nothing written', async () => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'good-news.md': good });
    const io = captureIo();
    expect(await main(['check', '--content', content, '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout[0] as string)).toMatchObject({ exit: 0, published: 1, rejected: [], drafts: [], embargoed: [], written: 0, deleted: 0 });
  });

  it('a site.yaml error is the object\'s "error", exit 2, and nothing on stderr', async () => {
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'good-news.md': good }, { ...SITE_SETTINGS, url: 'not a url' });
    const io = captureIo();
    expect(await main(['build', '--content', content, '--out', path.join(dir, 'dist'), '--json'], io)).toBe(2);
    expect(io.stderr).toEqual([]);
    expect(JSON.parse(io.stdout[0] as string)).toEqual({
      exit: 2,
      error: { file: path.join(content, 'site.yaml'), problem: expect.stringContaining('"url" must be an absolute http(s) URL') },
      ms: expect.any(Number),
    });
    expect(await listFiles(path.join(dir, 'dist'))).toEqual([]);
  });
});
