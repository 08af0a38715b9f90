import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsStore } from '../functions/stores/fs-store.ts';
import { StoreError } from '../functions/stores/store.ts';
import { storeContract } from './store-contract.ts';

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

describe('FsStore between processes', () => {
  it("lets exactly one of several processes racing ifNoneMatch '*' create each key, as two local builds taking the lease would", async () => {
    // Prepare: four processes start at the same moment and race to create the same 300 keys in the same order.
    const root = await mkdtemp(path.join(os.tmpdir(), 'wirefeed-fs-race-'));
    const storeModule = new URL('../functions/stores/fs-store.ts', import.meta.url).href;
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
      Array.from({ length: 4 }, () =>
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
