import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/lambda/handler.ts';
import type { Log } from '../../functions/lambda/logger.ts';
import { NOW } from '../helpers/content.ts';
import { parseJsonFeed } from '../helpers/feeds.ts';
import { type S3TestServer, startS3Server } from '../helpers/s3-server.ts';
import { inEveryFeed, newS3Site, type S3Site, s3Notification, sqsEvent } from '../helpers/s3-site.ts';

/**
 * The same hostile articles as test/hostile-articles.test.ts, through the publisher Lambda on a real
 * S3-compatible server: each is a rejection naming its key, never a failed batch or a crash, and the
 * other articles of the batch are published.
 */

let server: S3TestServer;
beforeAll(async () => {
  server = await startS3Server();
});
afterAll(async () => {
  await server?.stop();
});

function handlerFor(s: S3Site) {
  const logs: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const log: Log = (level, message, fields = {}) => logs.push({ level, message, fields });
  return { handle: createHandler({ s3: server.client, contentBucket: s.contentBucket, siteBucket: s.siteBucket, siteUrl: 'https://news.test/', now: () => NOW, log }), logs };
}
const rejections = (logs: ReturnType<typeof handlerFor>['logs']) => logs.filter((l) => l.message === 'article rejected').map((l) => `${String(l.fields.key)}: ${String(l.fields.problem)}`);

describe('the publisher Lambda, given hostile articles', () => {
  it('rejects lead images with a NUL byte, a backslash or a dot segment by name, and publishes the rest of the batch', async () => {
    // Prepare
    const s = await newS3Site(server);
    const keys = [
      await s.putArticle('nul.md', { title: 'NUL', date: '2026-11-20', image: { url: '/media/a%00b.jpg', alt: 'x' } }),
      await s.putArticle('backslash.md', { title: 'Backslash', date: '2026-11-20', image: { url: '/media/a%5Cb.jpg', alt: 'x' } }),
      await s.putArticle('dots.md', { title: 'Dots', date: '2026-11-20', image: { url: '/media/..%2F.wirefeed%2Fhead.json', alt: 'x' } }),
      await s.putArticle('good.md', { title: 'Good', date: '2026-11-21' }),
    ];
    const { handle, logs } = handlerFor(s);

    // Act
    const result = await handle(sqsEvent([s3Notification(s.contentBucket, keys)]));

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(rejections(logs)).toEqual([
      expect.stringMatching(/^articles\/backslash\.md: "image\.url" .* names "media\/a\\\\b\.jpg", which is not a usable media file name/),
      expect.stringMatching(/^articles\/dots\.md: "image\.url" .* does not name a file in media\//),
      expect.stringMatching(/^articles\/nul\.md: "image\.url" .* names "media\/a\\u0000b\.jpg", which is not a usable media file name/),
    ]);
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Good']));
    expect((await s.site.list('media/')).map((i) => i.key)).toEqual([]);
  });

  it('rejects an article object over the 2 MB limit by its size, downloading only a small part of it, and publishes the rest', async () => {
    // Prepare: 12 MB that would parse (front matter, then a long body), so only its size can refuse it
    const s = await newS3Site(server);
    const size = 12 * 1024 * 1024;
    const huge = Buffer.from(`---\ntitle: Huge\ndate: 2026-11-20\n---\n\n${'All is well. '.repeat(size / 12)}`.slice(0, size));
    await s.content.put('articles/huge.md', huge, { contentType: 'text/markdown; charset=utf-8' });
    const good = await s.putArticle('good.md', { title: 'Good', date: '2026-11-21' });
    const { handle, logs } = handlerFor(s);
    server.resetCounts();

    // Act
    const result = await handle(sqsEvent([s3Notification(s.contentBucket, ['articles/huge.md', good])]));

    // Assess
    const { read } = server.bytes();
    expect(result.batchItemFailures).toEqual([]);
    expect(rejections(logs)).toEqual([`articles/huge.md: is ${size} bytes; the limit is ${2 * 1024 * 1024}`]);
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Good']));
    // Everything the publish read (the good article, the state, and of the huge object at most the limit and a byte)
    expect(read).toBeLessThan(size / 4);
  });

  it('keeps the first of two articles with one id, in separate events, and rejects the copy by name', async () => {
    // Prepare
    const s = await newS3Site(server);
    const id = 'urn:uuid:0d9c1a7e-2f3b-4c5d-8e9f-a0b1c2d3e4f5';
    const original = await s.putArticle('z-original.md', { title: 'Original', date: '2026-11-20', id });
    const { handle, logs } = handlerFor(s);
    await handle(sqsEvent([s3Notification(s.contentBucket, [original])]));
    const copy = await s.putArticle('a-copy.md', { title: 'Copy', date: '2026-11-21', id });

    // Act
    const result = await handle(sqsEvent([s3Notification(s.contentBucket, [copy])]));

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(rejections(logs)).toEqual([expect.stringMatching(new RegExp(`^articles/a-copy\\.md: id "${id}" is already used by articles/z-original\\.md`))]);
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Original']));
    expect(parseJsonFeed((await s.read('feed.json')) ?? '').items.map((i) => i.id)).toEqual([id]);
    expect(await s.read('articles/a-copy/index.html')).toBeUndefined();
  });
});
