import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NamedArticles } from '../../functions/cli/named-articles.ts';
import { UsageError } from '../../functions/cli/usage.ts';
import { FsStore } from '../../functions/stores/fs-store.ts';
import { type Store, StoreError } from '../../functions/stores/store.ts';
import { articleText, tempDir, writeContent } from '../helpers/content.ts';

// The content folder as `wirefeed check FILE...` sees it, on real files in a temporary folder.

const GOOD = articleText({ title: 'Good news', date: '2025-03-14' });

/** A content folder with two articles and a lead image, and a drafts folder beside it. */
async function folders() {
  const dir = await tempDir();
  const content = await writeContent(path.join(dir, 'content'), { 'good-news.md': GOOD, 'other.md': GOOD });
  await mkdir(path.join(content, 'media'));
  await writeFile(path.join(content, 'media', 'harbour.jpg'), 'not really a JPEG');
  await mkdir(path.join(dir, 'drafts'));
  return { dir, content, drafts: path.join(dir, 'drafts') };
}

const open = (content: string, files: string[]) => NamedArticles.open(new FsStore(content), content, files);

describe('opening the named files', () => {
  it("keeps the key of a file in the content's articles/, nested or not, and names a file from elsewhere articles/<its name>", async () => {
    // Prepare
    const { content, drafts } = await folders();
    await mkdir(path.join(content, 'articles', '2025'));
    const nested = path.join(content, 'articles', '2025', 'Ärger & "Streit" <b>.md');
    const draft = path.join(drafts, 'new story.md');
    for (const file of [nested, draft]) await writeFile(file, GOOD);

    // Act
    const view = await open(content, [nested, draft, path.join(content, 'articles', 'good-news.md')]);

    // Assess
    expect((await view.list('articles/')).map((info) => info.key)).toEqual(['articles/2025/Ärger & "Streit" <b>.md', 'articles/good-news.md', 'articles/new story.md']);
    expect(view.label('articles/new story.md')).toBe(draft);
    expect(view.describe('articles/2025/Ärger & "Streit" <b>.md')).toBe(nested);
    expect(view.describe('site.yaml')).toBe(path.join(content, 'site.yaml'));
    expect(view.label('site.yaml')).toBeUndefined();
  });

  it.each([
    ['a file that is not Markdown', 'notes.txt', 'is not an article (an article is a .md file whose name does not start with a dot)'],
    ['a dot-file', '.hidden.md', 'is not an article (an article is a .md file whose name does not start with a dot)'],
    ['a file that does not exist', 'missing.md', 'is not a file'],
  ])('refuses %s with a usage error naming it', async (_what, name, problem) => {
    // Prepare
    const { content, drafts } = await folders();
    const file = path.join(drafts, name);
    if (name !== 'missing.md') await writeFile(file, GOOD);

    // Act
    const opening = open(content, [file]);

    // Assess
    await expect(opening).rejects.toThrow(UsageError);
    await expect(opening).rejects.toThrow(`check: ${file} ${problem}`);
  });

  it('refuses a folder named like an article', async () => {
    // Prepare
    const { content, drafts } = await folders();
    const folder = path.join(drafts, 'folder.md');
    await mkdir(folder);

    // Act / Assess
    await expect(open(content, [folder])).rejects.toThrow(`check: ${folder} is not a file`);
  });

  it('refuses two files that would be one key, naming both, and takes one file named twice once', async () => {
    // Prepare
    const { content, drafts } = await folders();
    const inside = path.join(content, 'articles', 'good-news.md');
    const outside = path.join(drafts, 'good-news.md');
    await writeFile(outside, GOOD);

    // Act
    const clash = await open(content, [inside, outside]).catch((err: unknown) => err);
    const twice = await open(content, [inside, path.join(content, 'articles', '.', 'good-news.md')]);

    // Assess
    expect(clash).toEqual(new UsageError(`check: ${inside} and ${outside} would both be articles/good-news.md; check them one at a time`));
    expect((await twice.list('articles/')).map((info) => info.key)).toEqual(['articles/good-news.md']);
  });
});

describe('what check sees', () => {
  it('of the articles only the named files, and the rest of the content folder as it is', async () => {
    // Prepare
    const { content } = await folders();
    const named = path.join(content, 'articles', 'good-news.md');

    // Act
    const view = await open(content, [named]);

    // Assess
    expect(await view.list('')).toEqual([
      { key: 'articles/good-news.md', etag: `"${Buffer.byteLength(GOOD)}"`, size: Buffer.byteLength(GOOD) },
      expect.objectContaining({ key: 'media/harbour.jpg', size: 17 }),
      expect.objectContaining({ key: 'site.yaml' }),
    ]);
    expect(await view.get('articles/other.md')).toBeUndefined();
    expect(await view.head('articles/other.md')).toBeUndefined();
    expect(await view.head('articles/good-news.md')).toEqual({ key: 'articles/good-news.md', etag: `"${Buffer.byteLength(GOOD)}"`, size: Buffer.byteLength(GOOD) });
    expect(await view.head('media/harbour.jpg')).toEqual(expect.objectContaining({ key: 'media/harbour.jpg', size: 17 }));
    expect(Buffer.from((await view.get('site.yaml'))!.body).toString()).toBe(await readFile(path.join(content, 'site.yaml'), 'utf8'));
  });

  it("reads a named file's bytes, and answers TooLarge for one over maxBytes", async () => {
    // Prepare
    const { content, drafts } = await folders();
    const file = path.join(drafts, 'long.md');
    await writeFile(file, `${GOOD}${'More. '.repeat(100)}`);
    const view = await open(content, [file]);

    // Act
    const whole = await view.get('articles/long.md');
    const bounded = await view.get('articles/long.md', { maxBytes: 100 });

    // Assess
    expect(Buffer.from(whole!.body).toString()).toBe(await readFile(file, 'utf8'));
    expect(whole?.etag).toBe(`"${whole?.body.byteLength}"`);
    expect(bounded).toEqual({ tooLarge: true, size: Buffer.byteLength(GOOD) + 600 });
  });

  it('fails the read of a named file that vanished or became a folder since, naming the file', async () => {
    // Prepare
    const { content, drafts } = await folders();
    const [gone, folder] = [path.join(drafts, 'gone.md'), path.join(drafts, 'folder.md')];
    for (const file of [gone, folder]) await writeFile(file, GOOD);
    const view = await open(content, [gone, folder]);
    await rm(gone);
    await rm(folder);
    await mkdir(folder);

    // Act
    const vanished = await view.get('articles/gone.md').catch((err: unknown) => err);
    const replaced = await view.get('articles/folder.md').catch((err: unknown) => err);

    // Assess
    expect(vanished).toBeInstanceOf(StoreError);
    expect(vanished).toMatchObject({ message: `${gone}: could not be read`, cause: expect.objectContaining({ code: 'ENOENT' }) });
    expect(replaced).toMatchObject({ message: `${folder}: could not be read: it is no longer a file` });
  });

  it('never writes or deletes anything', async () => {
    // Prepare
    const { content } = await folders();
    const named = path.join(content, 'articles', 'good-news.md');
    const site = path.join(content, 'site.yaml');
    const before = await readFile(site, 'utf8');
    const view: Store = await open(content, [named]);

    // Act
    const put = await view.put('site.yaml', 'title: Overwritten\n', { contentType: 'application/yaml' }).catch((err: unknown) => err);
    const removal = await view.delete('articles/good-news.md').catch((err: unknown) => err);

    // Assess
    expect(put).toBeInstanceOf(StoreError);
    expect(put).toHaveProperty('message', `${site}: is not written: check never writes to the content folder`);
    expect(removal).toHaveProperty('message', `${named}: is not deleted: check never writes to the content folder`);
    expect([await readFile(site, 'utf8'), await readFile(named, 'utf8')]).toEqual([before, GOOD]);
  });
});
