import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsStore } from '../../functions/stores/fs-store.ts';
import { StoreError } from '../../functions/stores/store.ts';
import { storeContract } from '../contracts/store-contract.ts';

storeContract('FsStore', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'wirefeed-fs-store-'));
  return {
    store: new FsStore(root),
    close: () => rm(root, { recursive: true, force: true }),
  };
});

describe('FsStore keeps every key inside its folder', () => {
  let parent: string;
  let store: FsStore;

  beforeEach(async () => {
    parent = await mkdtemp(path.join(os.tmpdir(), 'wirefeed-fs-escape-'));
    store = new FsStore(path.join(parent, 'site'));
  });

  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it.each([
    ['a key that climbs out with ../', '../escape.txt'],
    ['a key that climbs out from a subfolder', 'posts/../../escape.txt'],
    ['a key with backslashes', '..\\escape.txt'],
  ])('refuses %s with a StoreError and writes nothing outside the folder', async (_what, key) => {
    // Prepare: `parent` holds only the (not yet created) store folder.
    // Act
    const put = store.put(key, 'should never land', { contentType: 'text/plain; charset=utf-8' });
    // Assess
    await expect(put).rejects.toBeInstanceOf(StoreError);
    expect(await readdir(parent, { recursive: true })).toEqual([]);
  });

  it('refuses an absolute key naming a file outside the folder, without creating it', async () => {
    // Prepare
    const outside = path.join(parent, 'outside.txt');
    // Act
    const put = store.put(outside, 'should never land', { contentType: 'text/plain; charset=utf-8' });
    // Assess
    await expect(put).rejects.toBeInstanceOf(StoreError);
    expect(await readdir(parent)).toEqual([]);
  });

  it('refuses to read or delete a file outside the folder, which stays as it was', async () => {
    // Prepare: a file next to the store folder that a careless key could reach.
    await writeFile(path.join(parent, 'secret.txt'), 'not for the store');
    // Act
    const read = store.get('../secret.txt');
    const removal = store.delete('../secret.txt');
    // Assess
    await expect(read).rejects.toBeInstanceOf(StoreError);
    await expect(removal).rejects.toBeInstanceOf(StoreError);
    expect(await readFile(path.join(parent, 'secret.txt'), 'utf8')).toBe('not for the store');
  });
});

describe('FsStore leaves no empty folder behind, as a bucket has none', () => {
  let root: string;
  const TEXT = { contentType: 'text/plain; charset=utf-8' };
  const folders = async () =>
    (await readdir(root, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
      .sort();

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'wirefeed-fs-prune-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('removes the folders a delete empties, up to its root and never the root, and keeps those that still hold a file', async () => {
    // Prepare
    const store = new FsStore(root);
    await store.put('articles/gone/index.html', 'gone', TEXT);
    await store.put('articles/kept/index.html', 'kept', TEXT);
    await store.put('tags/harbour/2025/index.html', 'tag', TEXT);

    // Act
    await store.delete('articles/gone/index.html');
    await store.delete('tags/harbour/2025/index.html');

    // Assess
    expect(await folders()).toEqual(['articles', 'articles/kept']);
    expect((await stat(root)).isDirectory()).toBe(true);
    expect(Buffer.from((await store.get('articles/kept/index.html'))!.body).toString()).toBe('kept');
  });

  it('writes into a folder another store on the same root removed since this one made it', async () => {
    // Prepare: `writer` has made (and remembers) articles/a/; `other` (another process) deletes its only file
    const writer = new FsStore(root);
    const other = new FsStore(root);
    await writer.put('articles/a/first.html', 'first', TEXT);
    await other.delete('articles/a/first.html');
    expect(await folders()).toEqual([]);

    // Act
    const plain = await writer.put('articles/a/second.html', 'second', TEXT).then(
      () => 'written',
      (err: unknown) => String(err),
    );
    await other.delete('articles/a/second.html');
    const conditional = await writer.put('articles/a/third.html', 'third', { ...TEXT, ifNoneMatch: '*' }).then(
      () => 'written',
      (err: unknown) => String(err),
    );

    // Assess
    expect([plain, conditional]).toEqual(['written', 'written']);
    expect(Buffer.from((await other.get('articles/a/third.html'))!.body).toString()).toBe('third');
  });

  it('lists every file of the folders it keeps while other folders are emptied and removed during the walk', async () => {
    // Prepare: 300 folders of one file each, beside a folder that stays
    const store = new FsStore(root);
    const gone = Array.from({ length: 300 }, (_, i) => `tags/t${i}/a/index.html`);
    for (const key of gone) await store.put(key, 'x', TEXT);
    await store.put('tags/kept/index.html', 'kept', TEXT);

    // Act: list (both ways) while the deletes remove the folders under the walk
    const [full, cheap] = await Promise.all([store.list('tags/'), store.list('tags/', { keysOnly: true }), ...gone.map((key) => store.delete(key))]);

    // Assess
    expect(full.map((info) => info.key)).toContain('tags/kept/index.html');
    expect(cheap.map((info) => info.key)).toContain('tags/kept/index.html');
  });

  it('lets writes and deletes race in one folder: every write lands, those of stores making the folder as it goes included', async () => {
    // Prepare: each round, one store deletes the folder's last file while four new stores (as other
    // processes would, knowing no folder yet) write into it; then each deletes its own file
    const failures: string[] = [];

    // Act
    for (let i = 0; i < 150; i++) {
      const deleter = new FsStore(root);
      await deleter.put(`seen/a/${i}-old`, 'old', TEXT);
      const writers = Array.from({ length: 4 }, () => new FsStore(root));
      await Promise.all([
        deleter.delete(`seen/a/${i}-old`),
        ...writers.map((w, j) => w.put(`seen/a/${i}-new-${j}`, 'new', TEXT).catch((err: unknown) => failures.push(`${String(err)} (${String((err as Error).cause)})`))),
      ]);
      await Promise.all(writers.map((w, j) => w.delete(`seen/a/${i}-new-${j}`)));
    }
    const store = new FsStore(root);
    await store.put('seen/a/last', 'last', TEXT);

    // Assess
    expect(failures).toEqual([]);
    expect((await store.list('seen/')).map((info) => info.key)).toEqual(['seen/a/last']);
  });
});

describe('FsStore lists what a folder holds', () => {
  it('follows symbolic links, to a file and into a folder, and stats what they point at; keys alone list no link', async () => {
    // Prepare: a content folder whose articles/ holds a file, a link to a file and a link to a folder
    const root = await mkdtemp(path.join(os.tmpdir(), 'wirefeed-fs-links-'));
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'wirefeed-fs-shared-'));
    await mkdir(path.join(root, 'articles'), { recursive: true });
    await writeFile(path.join(root, 'articles', 'a.md'), 'a');
    await writeFile(path.join(elsewhere, 'b.md'), 'bb');
    await mkdir(path.join(elsewhere, 'desk'));
    await writeFile(path.join(elsewhere, 'desk', 'c.md'), 'ccc');
    await symlink(path.join(elsewhere, 'b.md'), path.join(root, 'articles', 'b.md'));
    await symlink(path.join(elsewhere, 'desk'), path.join(root, 'articles', 'desk'));
    const store = new FsStore(root);
    // Act
    const listed = await store.list('articles/');
    // Assess
    expect(listed.map((i) => [i.key, i.size])).toEqual([
      ['articles/a.md', 1],
      ['articles/b.md', 2],
      ['articles/desk/c.md', 3],
    ]);
    expect((await store.list('articles/', { keysOnly: true })).map((i) => i.key)).toEqual(['articles/a.md']);
  });
});

describe('FsStore between processes', () => {
  it("lets exactly one of several processes racing ifNoneMatch '*' create each key, as two local builds taking the lease would", async () => {
    // Prepare: four processes start at the same moment and race to create the same 300 keys in the same order.
    const root = await mkdtemp(path.join(os.tmpdir(), 'wirefeed-fs-race-'));
    const storeModule = new URL('../../functions/stores/fs-store.ts', import.meta.url).href;
    const at = Date.now() + 2000;
    const script = `
      const { FsStore } = await import(${JSON.stringify(storeModule)});
      const store = new FsStore(${JSON.stringify(root)});
      await new Promise((r) => setTimeout(r, ${at} - Date.now()));
      let won = 0;
      for (let i = 0; i < 300; i++) {
        try { await store.put('state/lease-' + i + '.json', String(process.pid), { contentType: 'application/json', ifNoneMatch: '*' }); won++; }
        catch (err) { if (err.name !== 'PreconditionFailedError') throw err; }
      }
      console.log(won);`;
    // Act
    const outputs = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<string>((resolve, reject) => {
            const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
            let out = '';
            child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
            child.on('error', reject);
            child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`child exited ${code}`))));
          }),
      ),
    );
    // Assess: every key created exactly once, and no lock or temporary file left behind.
    expect(outputs.reduce((sum, won) => sum + Number(won), 0)).toBe(300);
    expect((await readdir(path.join(root, 'state'))).filter((name) => !/^lease-\d+\.json$/.test(name))).toEqual([]);
    await rm(root, { recursive: true, force: true });
  }, 30_000);
});

describe('FsStore reads and writes a file of any size', () => {
  let root: string;
  let store: FsStore;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'wirefeed-fs-sizes-'));
    store = new FsStore(root);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  // Up to 256 KiB a file is read and written with the synchronous calls, past it in turns: both sides of the line.
  it.each([0, 1, 256 * 1024, 256 * 1024 + 1, 3 * 1024 * 1024])('gives back %i bytes as written, with the ETag a head gives, and measures them against a bound', async (size) => {
    // Prepare
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 131) % 251;
    // Act
    const { etag } = await store.put('media/blob.bin', bytes, { contentType: 'application/octet-stream' });
    const read = await store.get('media/blob.bin', {});
    const bounded = await store.get('media/blob.bin', { maxBytes: Math.max(0, size - 1) });
    // Assess
    expect(read && 'body' in read ? Buffer.from(read.body).equals(bytes) : read).toBe(true);
    expect(read && 'etag' in read ? read.etag : undefined).toBe(etag);
    expect((await store.head('media/blob.bin'))?.etag).toBe(etag);
    expect(bounded).toEqual(size === 0 ? expect.objectContaining({ etag }) : { tooLarge: true, size }); // a bound of 0 lets an empty file through
  });

  it('reads a named pipe under a key as no file, at once, rather than waiting for a writer', async () => {
    // Prepare: a FIFO nobody writes to (a file the listing leaves out, reached by its key alone).
    await new Promise<void>((resolve, reject) => spawn('mkfifo', [path.join(root, 'pipe.md')]).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`mkfifo exited ${code}`)))));
    // Act
    const read = await store.get('pipe.md');
    // Assess
    expect(read).toBeUndefined();
    expect(await store.head('pipe.md')).toBeUndefined();
  });
});
