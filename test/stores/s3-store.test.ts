import { createHash } from 'node:crypto';
import http from 'node:http';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3Store } from '../../functions/stores/s3-store.ts';
import { PreconditionFailedError, StoreError } from '../../functions/stores/store.ts';
import { storeContract } from '../contracts/store-contract.ts';
import { injectFaults } from '../helpers/faults.ts';
import { type S3TestServer, startS3Server } from '../helpers/s3-server.ts';

/**
 * S3Store against a real S3-compatible server (s3rver behind the conditional-write proxy of
 * test/helpers/s3-server.ts) over HTTP on 127.0.0.1. The only fakes are the faults injected
 * client-side (test/helpers/faults.ts), which no real server produces on demand.
 */

let server: S3TestServer;
let buckets = 0;

/** A fresh bucket per test: s3rver keeps everything in the server's temporary folder. */
async function newBucket(): Promise<string> {
  const bucket = `wirefeed-test-${++buckets}`;
  await server.createBucket(bucket);
  return bucket;
}

beforeAll(async () => {
  server = await startS3Server();
});

afterAll(async () => {
  await server?.stop();
});

storeContract('S3Store on a bucket', async () => ({
  store: new S3Store(server.client, await newBucket()),
  close: async () => {},
}));

storeContract('S3Store on a prefix of a bucket (s3://BUCKET/content/)', async () => {
  const bucket = await newBucket();
  // A neighbour outside the prefix that the store must never see.
  await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'outside/posts/a.md', Body: Buffer.from('x') }));
  return { store: new S3Store(server.client, bucket, 'content/'), close: async () => {} };
});

describe('S3Store', () => {
  let bucket: string;

  beforeEach(async () => {
    bucket = await newBucket();
  });

  it('sees only the keys under its prefix, relative to it, and writes under it', async () => {
    // Prepare
    const raw = new S3Store(server.client, bucket);
    await raw.put('content/posts/a.md', 'a', { contentType: 'text/markdown; charset=utf-8' });
    await raw.put('contentious.md', 'not in the folder', { contentType: 'text/markdown; charset=utf-8' });
    await raw.put('site/index.html', '<p>', { contentType: 'text/html; charset=utf-8' });
    const content = new S3Store(server.client, bucket, 'content');
    // Act
    const listed = await content.list('');
    const got = await content.get('posts/a.md');
    await content.put('posts/b.md', 'b', { contentType: 'text/markdown; charset=utf-8' });
    // Assess
    expect(listed.map((info) => info.key)).toEqual(['posts/a.md']);
    expect(new TextDecoder().decode(got!.body)).toBe('a');
    expect(await content.get('contentious.md')).toBeUndefined();
    expect((await raw.list('')).map((info) => info.key)).toEqual(['content/posts/a.md', 'content/posts/b.md', 'contentious.md', 'site/index.html']);
  });

  it('describes keys as s3:// URLs that include the prefix', () => {
    // Prepare
    const withPrefix = new S3Store(server.client, 'news-content', 'content');
    const withoutPrefix = new S3Store(server.client, 'news-site');
    // Act / Assess
    expect(withPrefix.describe('posts/a.md')).toBe('s3://news-content/content/posts/a.md');
    expect(withoutPrefix.describe('feed.xml')).toBe('s3://news-site/feed.xml');
  });

  it('stores the Content-Type and Cache-Control given to put, as a raw HeadObject shows', async () => {
    // Prepare
    const store = new S3Store(server.client, bucket);
    // Act
    await store.put('feed.xml', '<rss/>', { contentType: 'application/rss+xml; charset=utf-8', cacheControl: 'public, max-age=300' });
    await store.put('posts/a.html', '<p>', { contentType: 'text/html; charset=utf-8' });
    // Assess
    const feed = await server.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'feed.xml' }));
    const page = await server.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'posts/a.html' }));
    expect(feed.ContentType).toBe('application/rss+xml; charset=utf-8');
    expect(feed.CacheControl).toBe('public, max-age=300');
    expect(page.ContentType).toBe('text/html; charset=utf-8');
    expect(page.CacheControl).toBeUndefined();
    expect((await store.get('feed.xml'))?.contentType).toBe('application/rss+xml; charset=utf-8');
    expect((await store.head('feed.xml'))?.contentType).toBe('application/rss+xml; charset=utf-8');
  });

  it('follows continuation tokens: 1,050 keys take two ListObjectsV2 requests', async () => {
    // Prepare
    const store = new S3Store(server.client, bucket);
    const keys = Array.from({ length: 1050 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 150) {
      await Promise.all(keys.slice(i, i + 150).map((key) => store.put(key, 'x', { contentType: 'text/plain' })));
    }
    server.resetCounts();
    // Act
    const listed = await store.list('many/');
    // Assess
    expect(listed.map((info) => info.key)).toEqual(keys);
    expect(server.counts()).toMatchObject({ list: 2, get: 0, head: 0 });
  });

  it('lets exactly one of three simultaneous ifNoneMatch creates of the same key win', async () => {
    // Prepare
    const store = new S3Store(server.client, bucket);
    // Act
    const results = await Promise.allSettled(['first', 'second', 'third'].map((who) => store.put('locks/run.lock', who, { contentType: 'text/plain', ifNoneMatch: '*' })));
    // Assess
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((r) => r.reason)).toEqual([expect.any(PreconditionFailedError), expect.any(PreconditionFailedError)]);
  });

  it('does not retry a conditional put that lost: one PUT request, then PreconditionFailedError', async () => {
    // Prepare
    const store = new S3Store(server.client, bucket);
    await store.put('state.json', '{}', { contentType: 'application/json' });
    server.resetCounts();
    // Act
    const attempt = store.put('state.json', '{"v":2}', { contentType: 'application/json', ifNoneMatch: '*' });
    // Assess
    await expect(attempt).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(server.counts().put).toBe(1);
  });

  it('reports a missing bucket as a StoreError naming it, not as a missing key', async () => {
    // Prepare
    const store = new S3Store(server.client, 'wirefeed-no-such-bucket');
    // Act
    const read = store.get('feed.xml');
    // Assess
    await expect(read).rejects.toBeInstanceOf(StoreError);
    await expect(read).rejects.toMatchObject({
      location: 's3://wirefeed-no-such-bucket/feed.xml',
      cause: expect.objectContaining({ name: 'NoSuchBucket' }),
    });
  });
});

describe('the test server', () => {
  it.each([
    ['a plain write', {}, false],
    ['a conditional write', { 'if-none-match': '*' }, false],
    ['a conditional write it refuses', { 'if-none-match': '*' }, true],
  ])('keeps a key writable after a client dies halfway through %s of it (a killed publisher)', async (_what, condition, exists) => {
    // Prepare: a PUT that promises 1,000 bytes, sends 10 and dies
    const bucket = await newBucket();
    if (exists) await new S3Store(server.client, bucket).put('lease.json', '{"holder":"dead"}', { contentType: 'application/json' });
    const url = new URL(`/${bucket}/lease.json`, server.endpoint);
    await new Promise<void>((resolve) => {
      const req = http.request(url, { method: 'PUT', headers: { 'content-length': '1000', ...condition } });
      req.on('error', () => resolve());
      req.write('0123456789');
      req.destroy(); // dies while the server is still checking its condition
      req.on('close', () => resolve());
    });
    // Act: the next writer of that key
    const store = new S3Store(server.client, bucket);
    await store.put('lease.json', '{"holder":"next"}', { contentType: 'application/json' });
    // Assess
    expect(Buffer.from((await store.get('lease.json'))!.body).toString()).toBe('{"holder":"next"}');
  });

  it('keeps the previous version of an object when a client dies halfway through replacing it (S3 stores a write whole or not at all)', async () => {
    // Prepare: an object, and a client replacing it that has sent 10 of its 1,000 bytes
    const bucket = await newBucket();
    const store = new S3Store(server.client, bucket);
    await store.put('head.json', '{"v":1}', { contentType: 'application/json' });
    const req = http.request(new URL(`/${bucket}/head.json`, server.endpoint), { method: 'PUT', headers: { 'content-length': '1000' } });
    req.on('error', () => undefined);
    req.write('0123456789');
    // s3rver itself (behind the proxy) has begun storing it once the object's size there changes, or after 50 looks
    const sizeUpstream = () =>
      new Promise<string | undefined>((resolve) => {
        const head = http.request(new URL(`/${bucket}/head.json`, server.upstreamEndpoint), { method: 'HEAD' }, (res) => resolve(res.resume().headers['content-length']));
        head.on('error', () => resolve(undefined)).end();
      });
    for (let look = 0; look < 50 && (await sizeUpstream()) === '7'; look++);
    // Act: the client dies
    await new Promise((resolve) => req.on('close', resolve).destroy());
    // Assess
    expect(Buffer.from((await store.get('head.json'))!.body).toString()).toBe('{"v":1}');
  });

  it('answers every read of an object being replaced again and again with one whole version and its own ETag', { timeout: 60_000 }, async () => {
    // Prepare: versions of different lengths, each its number over and over
    const bucket = await newBucket();
    const version = (n: number) => `v${n}:`.repeat(50 + (n % 7) * 400);
    await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'head.json', Body: version(0) }));
    const torn: string[] = [];
    // Act: one writer replacing it 150 times while four readers read it 80 times each
    const writer = (async () => {
      for (let n = 1; n <= 150; n++) await server.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'head.json', Body: version(n) }));
    })();
    const readers = Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 80; i++) {
        const read = await server.client.send(new GetObjectCommand({ Bucket: bucket, Key: 'head.json' }));
        const text = await read.Body!.transformToString();
        const n = /^v(\d+):/.exec(text)?.[1];
        if (n === undefined || text !== version(Number(n)) || read.ETag !== `"${createHash('md5').update(text).digest('hex')}"`) torn.push(`${text.length} bytes under ${read.ETag}`);
      }
    });
    await Promise.all([writer, ...readers]);
    // Assess
    expect(torn).toEqual([]);
  });

  it('keeps a key readable and writable after clients die waiting for the answers to their whole writes of it', { timeout: 30_000 }, async () => {
    // Prepare
    const bucket = await newBucket();
    const store = new S3Store(server.client, bucket);
    await store.put('lease.json', '{"holder":"first"}', { contentType: 'application/json' });
    // Act: ten writers of the key that each send every byte and die before the answer, then a reader and a writer
    for (let i = 0; i < 10; i++) {
      await new Promise<void>((resolve) => {
        const dying = http.request(new URL(`/${bucket}/lease.json`, server.endpoint), { method: 'PUT', headers: { 'content-length': '17' } });
        dying.on('error', () => resolve());
        dying.on('close', () => resolve());
        dying.end('{"holder":"dead"}', () => dying.destroy());
      });
    }
    const read = await store.get('lease.json');
    await store.put('lease.json', '{"holder":"next"}', { contentType: 'application/json' });
    // Assess: each dead write landed or not, whole
    expect(['{"holder":"first"}', '{"holder":"dead"}']).toContain(Buffer.from(read!.body).toString());
    expect(Buffer.from((await store.get('lease.json'))!.body).toString()).toBe('{"holder":"next"}');
  });

  it('keeps a key writable after a client sends a whole write of it and dies while the write waits its turn', { timeout: 20_000 }, async () => {
    // Prepare: a live writer of the key, halfway through its body; behind it a whole write whose client then dies
    const bucket = await newBucket();
    const url = new URL(`/${bucket}/lease.json`, server.endpoint);
    const roundTrip = () => new S3Store(server.client, bucket).get('other.json'); // the server has seen everything sent before it
    const first = http.request(url, { method: 'PUT', headers: { 'content-length': '20' } });
    const firstDone = new Promise<number | undefined>((resolve) => first.on('response', (res) => resolve(res.resume().statusCode)).on('error', () => resolve(undefined)));
    first.write('{"holder":"first"}');
    await roundTrip();
    await new Promise<void>((resolve) => {
      const dying = http.request(url, { method: 'PUT', headers: { 'content-length': '17' } });
      dying.on('error', () => resolve());
      dying.on('close', () => resolve());
      dying.end('{"holder":"dead"}', () => dying.destroy()); // every byte sent, then gone before any answer
    });
    await roundTrip();
    first.end('  ');
    expect(await firstDone).toBe(200);
    // Act: the next writer of that key
    const store = new S3Store(server.client, bucket);
    await store.put('lease.json', '{"holder":"next"}', { contentType: 'application/json' });
    // Assess
    expect(Buffer.from((await store.get('lease.json'))!.body).toString()).toBe('{"holder":"next"}');
  });
});

describe('S3Store under faults injected client-side (a real server cannot produce them)', () => {
  let bucket: string;
  let store: S3Store;

  beforeEach(async () => {
    bucket = await newBucket();
    store = new S3Store(server.client, bucket);
    await store.put('feed.xml', '<rss/>', { contentType: 'application/rss+xml; charset=utf-8' });
  });

  it('retries two injected client-side throttles (503 SlowDown), then the get succeeds', async () => {
    // Prepare
    const faults = injectFaults(server.client, { failNext: 2, kind: 'throttle', match: (command) => command === 'GetObjectCommand' });
    server.resetCounts();
    try {
      // Act
      const got = await store.get('feed.xml');
      // Assess
      expect(new TextDecoder().decode(got!.body)).toBe('<rss/>');
      expect(faults.injected).toBe(2);
      expect(server.counts().get).toBe(1); // the injected attempts never left the client
    } finally {
      faults.remove();
    }
  });

  it('retries an injected client-side timeout and a connection reset, then the put succeeds', async () => {
    // Prepare
    const timeout = injectFaults(server.client, { failNext: 1, kind: 'timeout', match: (command) => command === 'PutObjectCommand' });
    const reset = injectFaults(server.client, { failNext: 1, kind: 'network', match: (command) => command === 'PutObjectCommand' });
    try {
      // Act
      const { etag } = await store.put('feed.xml', '<rss version="2.0"/>', { contentType: 'application/rss+xml; charset=utf-8' });
      // Assess
      expect(timeout.injected + reset.injected).toBe(2);
      expect((await store.get('feed.xml'))?.etag).toBe(etag);
    } finally {
      timeout.remove();
      reset.remove();
    }
  });

  it('gives up on a permanent injected client-side 500 InternalError after 5 attempts with a StoreError', async () => {
    // Prepare
    const faults = injectFaults(server.client, { failNext: Infinity, kind: '5xx', match: (command) => command === 'GetObjectCommand' });
    try {
      // Act
      const read = store.get('feed.xml');
      // Assess
      await expect(read).rejects.toBeInstanceOf(StoreError);
      await expect(read).rejects.toMatchObject({
        location: `s3://${bucket}/feed.xml`,
        cause: expect.objectContaining({ name: 'InternalError', $metadata: expect.objectContaining({ attempts: 5 }) }),
      });
      expect(faults.injected).toBe(5);
    } finally {
      faults.remove();
    }
  });
});
