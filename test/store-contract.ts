import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PreconditionFailedError, type Store } from '../functions/stores/store.ts';

/**
 * What "a Store" means, as one suite every adapter runs (test/fs-store.test.ts, test/s3-store.test.ts).
 * `open` gives a fresh, empty store for each test; `close` releases it.
 *
 * Conditional writes are checked one at a time here: FsStore does not claim atomicity between
 * concurrent writers (the local build has one), so racing writers are tested per adapter.
 */
export interface OpenedStore {
  store: Store;
  close(): Promise<void>;
}

const TEXT = 'text/plain; charset=utf-8';
const BINARY = 'application/octet-stream';

export function storeContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`${name} behaves as a Store`, () => {
    let opened: OpenedStore;
    let store: Store;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });

    afterEach(async () => {
      await opened.close();
    });

    it('answers undefined from get and head for a key that was never written', async () => {
      // Prepare: an empty store.
      // Act
      const got = await store.get('posts/missing.md');
      const headed = await store.head('posts/missing.md');
      // Assess
      expect(got).toBeUndefined();
      expect(headed).toBeUndefined();
    });

    it('gives back binary bytes exactly as they were put, every byte value included', async () => {
      // Prepare
      const bytes = new Uint8Array([...Array.from({ length: 256 }, (_, i) => i), ...randomBytes(4096)]);
      // Act
      await store.put('media/blob.bin', bytes, { contentType: BINARY });
      const got = await store.get('media/blob.bin');
      // Assess
      expect(got).toBeDefined();
      expect(Buffer.from(got!.body).equals(Buffer.from(bytes))).toBe(true);
    });

    it('stores text as UTF-8, so non-ASCII text comes back as the same bytes and the same string', async () => {
      // Prepare
      const text = 'Grüße aus Köln — 日本語のニュース 🎉\n';
      // Act
      await store.put('posts/unicode.md', text, { contentType: 'text/markdown; charset=utf-8' });
      const got = await store.get('posts/unicode.md');
      // Assess
      expect(Buffer.from(got!.body).equals(Buffer.from(text, 'utf8'))).toBe(true);
      expect(new TextDecoder().decode(got!.body)).toBe(text);
    });

    it('keeps an empty object as zero bytes, not as a missing key', async () => {
      // Prepare / Act
      await store.put('empty.txt', '', { contentType: TEXT });
      const got = await store.get('empty.txt');
      const headed = await store.head('empty.txt');
      // Assess
      expect(got?.body.byteLength).toBe(0);
      expect(headed?.size).toBe(0);
    });

    it('returns from put the same quoted etag that get and head then report, with the size', async () => {
      // Prepare
      const body = 'first version';
      // Act
      const { etag } = await store.put('feed.xml', body, { contentType: 'application/rss+xml; charset=utf-8' });
      const got = await store.get('feed.xml');
      const headed = await store.head('feed.xml');
      // Assess
      expect(etag).toMatch(/^".+"$/);
      expect(got?.etag).toBe(etag);
      expect(headed).toMatchObject({ key: 'feed.xml', etag, size: Buffer.byteLength(body) });
    });

    it('changes the etag when the content changes', async () => {
      // Prepare
      const first = await store.put('feed.xml', 'one', { contentType: TEXT });
      // Act
      const second = await store.put('feed.xml', 'two', { contentType: TEXT });
      // Assess
      expect(second.etag).not.toBe(first.etag);
      expect((await store.head('feed.xml'))?.etag).toBe(second.etag);
    });

    it('lists every key under a prefix, sorted, with etags and sizes, and nothing outside the prefix', async () => {
      // Prepare: written out of order, with neighbours that share the prefix's letters but not its folder.
      const puts = {
        'posts/b.md': 'bb',
        'posts/a.md': 'a',
        'posts/sub/c.md': 'ccc',
        'postscript.md': 'x',
        'other/d.md': 'dddd',
      };
      const etags = new Map<string, string>();
      for (const [key, body] of Object.entries(puts)) etags.set(key, (await store.put(key, body, { contentType: TEXT })).etag);
      // Act
      const listed = await store.list('posts/');
      const everything = await store.list('');
      const nothing = await store.list('drafts/');
      // Assess
      expect(listed.map(({ key, etag, size }) => ({ key, etag, size }))).toEqual([
        { key: 'posts/a.md', etag: etags.get('posts/a.md'), size: 1 },
        { key: 'posts/b.md', etag: etags.get('posts/b.md'), size: 2 },
        { key: 'posts/sub/c.md', etag: etags.get('posts/sub/c.md'), size: 3 },
      ]);
      expect(everything.map((info) => info.key)).toEqual(['other/d.md', 'posts/a.md', 'posts/b.md', 'posts/sub/c.md', 'postscript.md']);
      expect(nothing).toEqual([]);
    });

    it('lists all of more than one page of keys (1,050, past S3’s 1,000 per page), in order', async () => {
      // Prepare
      const keys = Array.from({ length: 1050 }, (_, i) => `many/item-${String(i).padStart(4, '0')}.txt`);
      for (let i = 0; i < keys.length; i += 100) {
        await Promise.all(keys.slice(i, i + 100).map((key) => store.put(key, key, { contentType: TEXT })));
      }
      await store.put('not-many.txt', 'outside the prefix', { contentType: TEXT });
      // Act
      const listed = await store.list('many/');
      // Assess
      expect(listed).toHaveLength(1050);
      expect(listed.map((info) => info.key)).toEqual(keys);
      expect(listed.every((info) => info.size === Buffer.byteLength(info.key))).toBe(true);
    });

    it('deletes an object, and deleting a key that does not exist is not an error', async () => {
      // Prepare
      await store.put('posts/old.md', 'gone soon', { contentType: TEXT });
      // Act
      await store.delete('posts/old.md');
      const deletedAgain = store.delete('posts/old.md');
      const neverExisted = store.delete('posts/never.md');
      // Assess
      await expect(deletedAgain).resolves.toBeUndefined();
      await expect(neverExisted).resolves.toBeUndefined();
      expect(await store.get('posts/old.md')).toBeUndefined();
      expect(await store.head('posts/old.md')).toBeUndefined();
      expect(await store.list('posts/')).toEqual([]);
    });

    it("creates a new key with ifNoneMatch '*'", async () => {
      // Prepare: an empty store.
      // Act
      const { etag } = await store.put('locks/build.lock', 'mine', { contentType: TEXT, ifNoneMatch: '*' });
      // Assess
      const got = await store.get('locks/build.lock');
      expect(new TextDecoder().decode(got!.body)).toBe('mine');
      expect(got!.etag).toBe(etag);
    });

    it("refuses ifNoneMatch '*' on an existing key with PreconditionFailedError and keeps the object", async () => {
      // Prepare
      await store.put('locks/build.lock', 'first', { contentType: TEXT });
      // Act
      const attempt = store.put('locks/build.lock', 'second', { contentType: TEXT, ifNoneMatch: '*' });
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(PreconditionFailedError);
      await expect(attempt).rejects.toMatchObject({ key: 'locks/build.lock' });
      expect(new TextDecoder().decode((await store.get('locks/build.lock'))!.body)).toBe('first');
    });

    it('replaces an object with ifMatch when the etag is the current one', async () => {
      // Prepare
      const { etag } = await store.put('state.json', '{"v":1}', { contentType: 'application/json' });
      // Act
      const replaced = await store.put('state.json', '{"v":2}', { contentType: 'application/json', ifMatch: etag });
      // Assess
      const got = await store.get('state.json');
      expect(new TextDecoder().decode(got!.body)).toBe('{"v":2}');
      expect(got!.etag).toBe(replaced.etag);
    });

    it('refuses ifMatch with a stale etag with PreconditionFailedError and keeps the newer object', async () => {
      // Prepare: someone else wrote after we read.
      const stale = await store.put('state.json', '{"v":1}', { contentType: 'application/json' });
      await store.put('state.json', '{"v":2, "by":"someone else"}', { contentType: 'application/json' });
      // Act
      const attempt = store.put('state.json', '{"v":2, "by":"us"}', { contentType: 'application/json', ifMatch: stale.etag });
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(PreconditionFailedError);
      expect(new TextDecoder().decode((await store.get('state.json'))!.body)).toBe('{"v":2, "by":"someone else"}');
    });

    it('refuses ifMatch on a key deleted since it was read with PreconditionFailedError', async () => {
      // Prepare
      const { etag } = await store.put('state.json', '{"v":1}', { contentType: 'application/json' });
      await store.delete('state.json');
      // Act
      const attempt = store.put('state.json', '{"v":2}', { contentType: 'application/json', ifMatch: etag });
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(PreconditionFailedError);
      expect(await store.get('state.json')).toBeUndefined();
    });

    it('round-trips keys with spaces, non-ASCII letters and +, = and , through put, get, head and list', async () => {
      // Prepare
      const keys = ['odd/with space.md', 'odd/Grüße-日本語.md', 'odd/c++ a=b,c.md'];
      // Act
      for (const key of keys) await store.put(key, `body of ${key}`, { contentType: TEXT });
      // Assess
      for (const key of keys) {
        expect(new TextDecoder().decode((await store.get(key))!.body)).toBe(`body of ${key}`);
        expect((await store.head(key))?.key).toBe(key);
      }
      expect((await store.list('odd/')).map((info) => info.key)).toEqual([...keys].sort());
    });

    it('describes a key by a location that names the key', async () => {
      // Prepare / Act
      const location = store.describe('posts/2024/hello.md');
      // Assess
      expect(location).toContain('posts/2024/hello.md');
    });
  });
}
