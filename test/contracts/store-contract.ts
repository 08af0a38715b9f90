import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTooLarge, PreconditionFailedError, type Store } from '../../functions/stores/store.ts';

/**
 * What "a Store" means, as one suite every adapter runs (test/fs-store.test.ts, test/s3-store.test.ts).
 * `open` gives a fresh, empty store for each test; `close` releases it.
 *
 * Conditional writes and deletes are checked one at a time and racing: every store must let exactly one
 * of several concurrent conditional writers win, as S3 does (the publisher's lease depends on it).
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

    it('reads an object up to maxBytes whole, and answers one past it with its size instead of its bytes', async () => {
      // Prepare
      await store.put('articles/at-limit.md', 'x'.repeat(1000), { contentType: TEXT });
      await store.put('articles/over-limit.md', 'x'.repeat(1001), { contentType: TEXT });
      // Act
      const atLimit = await store.get('articles/at-limit.md', { maxBytes: 1000 });
      const overLimit = await store.get('articles/over-limit.md', { maxBytes: 1000 });
      const missing = await store.get('articles/missing.md', { maxBytes: 1000 });
      const empty = await store.put('articles/empty.md', '', { contentType: TEXT }).then(() => store.get('articles/empty.md', { maxBytes: 1000 }));
      // Assess
      const text = (object: typeof atLimit) => (object && !isTooLarge(object) ? Buffer.from(object.body).toString() : object);
      expect(text(atLimit)).toBe('x'.repeat(1000));
      expect(isTooLarge(atLimit) ? undefined : atLimit?.etag).toBe((await store.head('articles/at-limit.md'))?.etag);
      expect(overLimit).toEqual({ tooLarge: true, size: 1001 });
      expect(missing).toBeUndefined();
      expect(text(empty)).toBe('');
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

    it('walks a long listing a page at a time: startAfter and limit give each page, in key order, skipping none', async () => {
      // Prepare: keys whose UTF-16 order differs from S3's byte order (an emoji sorts after a private-use letter)
      const keys = ['walk/a.md', 'walk/b.md', 'walk/c\u{E000}.md', 'walk/c\u{1F600}.md', 'walk/d.md', 'walk/e.md'];
      for (const key of keys) await store.put(key, key, { contentType: TEXT });
      // Act: pages of two, each after the last key of the one before
      const pages: string[][] = [];
      for (let after: string | undefined; ; ) {
        const page = (await store.list('walk/', { ...(after === undefined ? {} : { startAfter: after }), limit: 2 })).map((i) => i.key);
        if (page.length === 0) break;
        pages.push(page);
        after = page[page.length - 1];
      }
      // Assess
      expect(pages).toEqual([
        ['walk/a.md', 'walk/b.md'],
        ['walk/c\u{E000}.md', 'walk/c\u{1F600}.md'],
        ['walk/d.md', 'walk/e.md'],
      ]);
      expect((await store.list('walk/', { keysOnly: true, startAfter: 'walk/d.md' })).map((i) => i.key)).toEqual(['walk/e.md']);
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

    it('lists the same keys with keysOnly, the cheap listing for callers that need no ETag', async () => {
      for (const key of ['seen/a.1', 'seen/b.2', 'seen/sub/c.3', 'other/d']) await store.put(key, '', { contentType: TEXT });
      const full = (await store.list('seen/')).map((i) => i.key);
      const cheap = (await store.list('seen/', { keysOnly: true })).map((i) => i.key);
      expect(cheap).toEqual(full);
      expect(cheap).toEqual(['seen/a.1', 'seen/b.2', 'seen/sub/c.3']);
    });

    it('deletes with ifMatch only while the etag is the current one, and refuses a missing key', async () => {
      // Prepare
      const { etag: first } = await store.put('state/lease.json', 'one', { contentType: TEXT });
      const { etag: second } = await store.put('state/lease.json', 'two', { contentType: TEXT });
      // Act and Assess: a stale etag deletes nothing.
      await expect(store.delete('state/lease.json', { ifMatch: first })).rejects.toBeInstanceOf(PreconditionFailedError);
      expect(Buffer.from((await store.get('state/lease.json'))!.body).toString()).toBe('two');
      await store.delete('state/lease.json', { ifMatch: second });
      expect(await store.get('state/lease.json')).toBeUndefined();
      await expect(store.delete('state/lease.json', { ifMatch: second })).rejects.toBeInstanceOf(PreconditionFailedError);
    });

    it("lets exactly one of many racing ifNoneMatch '*' writers create a key", async () => {
      // Act: twelve writers at once, as overlapping publishes taking a lease would.
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => store.put('state/lease.json', `writer ${i}`, { contentType: TEXT, ifNoneMatch: '*' })));
      // Assess
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof PreconditionFailedError)).toBe(true);
    });

    it('lets exactly one of many racing ifMatch writers replace the version they all read', async () => {
      const { etag } = await store.put('state/head.json', 'generation 1', { contentType: TEXT });
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => store.put('state/head.json', `generation 2 by ${i}`, { contentType: TEXT, ifMatch: etag })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('writes nothing once the signal has fired', async () => {
      const controller = new AbortController();
      controller.abort(new Error('lease lost'));
      await expect(store.put('late.txt', 'late', { contentType: TEXT, signal: controller.signal })).rejects.toThrow();
      await expect(store.delete('late.txt', { signal: controller.signal })).rejects.toThrow();
      expect(await store.get('late.txt')).toBeUndefined();
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
