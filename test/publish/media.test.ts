import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../functions/cli/main.ts';
import { parsePublishable } from '../../functions/core/article/article-output.ts';
import { ArticleError } from '../../functions/core/errors.ts';
import { copyMedia, readMedia } from '../../functions/publish/media.ts';
import { FsStore } from '../../functions/stores/fs-store.ts';
import { MemoryStore } from '../../functions/stores/memory-store.ts';
import { S3Store } from '../../functions/stores/s3-store.ts';
import { articleText, captureIo, listFiles, readText, SITE_SETTINGS, tempDir, testSettings, writeContent } from '../helpers/content.ts';
import { CountingStore } from '../helpers/engine.ts';
import { parseJsonFeed } from '../helpers/feeds.ts';
import { type S3TestServer, startS3Server } from '../helpers/s3-server.ts';
import { uniqueBucket } from '../helpers/s3-site.ts';

// Lead images from the content's media/: readMedia (their real type and size, or the article's rejection)
// and copyMedia (onto the site), on real stores; the first block through `wirefeed build` and `check`.

// A JPEG's first bytes (SOI, APP0 "JFIF"): enough for the type to come from the file itself.
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]);

describe('a lead image under /media/', () => {
  it("that is not in the content's media/ refuses the article, naming it and the missing file, and the others still publish", async () => {
    // Prepare
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), {
      'harbour.md': articleText({ title: 'Harbour', date: '2026-03-14', image: { url: '/media/harbour.jpg', alt: 'The harbour' } }),
      'storm.md': articleText({ title: 'Storm', date: '2026-03-13', image: { url: '/media/storm.jpg', alt: 'The storm' } }),
    });
    await mkdir(path.join(content, 'media'));
    await writeFile(path.join(content, 'media/storm.jpg'), JPEG);
    const io = captureIo();
    // Act
    const code = await main(['build', '--content', content, '--out', path.join(dir, 'dist')], io);
    // Assess
    expect(code).toBe(1);
    expect(io.stderr).toEqual([
      `${path.join(content, 'articles/harbour.md')}: "image.url" points to media/harbour.jpg, which is not in the content store ` +
        `(looked for ${path.join(content, 'media/harbour.jpg')}): upload the image there, or correct the url`,
    ]);
    const items = parseJsonFeed(await readText(dir, 'dist', 'feed.json')).items;
    expect(items.map((i) => i.title)).toEqual(['Storm']);
    expect(items[0]?.attachments).toEqual([{ url: 'https://news.test/media/storm.jpg', mime_type: 'image/jpeg', size_in_bytes: JPEG.length, title: 'The storm' }]);
  });

  it('that is not an image refuses the article, saying what the file is', async () => {
    // Prepare: a PDF saved under an image's name
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), {
      'scan.md': articleText({ title: 'Scan', date: '2026-03-14', image: { url: '/media/scan.jpg', alt: 'The letter' } }),
    });
    await mkdir(path.join(content, 'media'));
    await writeFile(path.join(content, 'media/scan.jpg'), Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n', 'latin1'));
    const io = captureIo();
    // Act
    const code = await main(['build', '--content', content, '--out', path.join(dir, 'dist')], io);
    // Assess
    expect(code).toBe(1);
    expect(io.stderr).toEqual([
      `${path.join(content, 'articles/scan.md')}: "image.url" points to media/scan.jpg, which is not an image (its type is application/pdf): use a JPEG, PNG, GIF, WebP or AVIF file`,
    ]);
    expect(await listFiles(path.join(dir, 'dist', 'media'))).toEqual([]);
  });

  it('is checked by wirefeed check as well, which writes nothing', async () => {
    const dir = await tempDir();
    const content = await writeContent(
      path.join(dir, 'content'),
      { 'harbour.md': articleText({ title: 'Harbour', date: '2026-03-14', image: { url: '/media/harbour.jpg', alt: 'The harbour' } }) },
      SITE_SETTINGS,
    );
    const io = captureIo();
    expect(await main(['check', '--content', content], io)).toBe(1);
    expect(io.stderr).toEqual([expect.stringMatching(/articles\/harbour\.md: "image\.url" points to media\/harbour\.jpg, which is not in the content store/)]);
  });
});

const settings = testSettings();

/** An article whose front matter names `image` as its lead image (none when undefined). */
const withImage = (image?: string) =>
  parsePublishable('articles/harbour.md', Buffer.from(articleText({ title: 'Harbour', date: '2026-11-20', ...(image ? { image: { url: image, alt: 'The harbour' } } : {}) })), settings);

/** The rejection readMedia gives, or undefined when it gives none. */
async function refusal(image: string, content: MemoryStore): Promise<ArticleError | undefined> {
  try {
    await readMedia(withImage(image), settings, content);
    return undefined;
  } catch (err) {
    if (err instanceof ArticleError) return err;
    throw err;
  }
}

describe('reading a lead image', () => {
  it("leaves an article without an image, or with one outside the site's media/, as it is, and asks the store nothing", async () => {
    // Prepare
    const content = new CountingStore(new MemoryStore());
    const articles = [withImage(), withImage('https://photos.test/media/harbour.jpg'), withImage('/images/harbour.jpg')];

    // Act
    const read = await Promise.all(articles.map((article) => readMedia(article, settings, content)));

    // Assess
    expect(read).toEqual(articles.map((article) => ({ article })));
    expect(content.keys.read.size).toBe(0);
  });

  it('takes the type from the stored Content-Type, lowercased and without parameters, and the size, for any file name media/ allows', async () => {
    // Prepare
    const content = new MemoryStore();
    const bytes = Buffer.from('RIFF....WEBPVP8 not a real picture');
    const { etag } = await content.put('media/Café harbour (1).jpg', bytes, { contentType: 'Image/WebP; charset=binary' });

    // Act
    const read = await readMedia(withImage('/media/Café harbour (1).jpg'), settings, content);

    // Assess
    expect(read.article.image).toEqual({ url: 'https://news.test/media/Caf%C3%A9%20harbour%20(1).jpg', alt: 'The harbour', type: 'image/webp', length: bytes.length });
    expect(read.media).toEqual({ key: 'media/Café harbour (1).jpg', etag });
  });

  it.each([
    ['a stray %', '/media/100%.jpg'],
    ['media/ itself', '/media/'],
  ])('refuses an image url with %s as naming no file in media/', async (_what, url) => {
    // Act
    const error = await refusal(url, new MemoryStore());

    // Assess
    expect(error?.file).toBe('articles/harbour.md');
    expect(error?.problem).toBe(`"image.url" (https://news.test${url}) does not name a file in media/: give the image's file name, such as /media/harbour.jpg`);
  });

  it.each([
    ['text/html', 'its type is text/html'],
    ['image/', 'its type is image/'],
    ['image/png"\n<script>', 'its type is "image/png\\"\\n<script>"'],
    ['', 'its type cannot be told from its bytes'],
  ])('refuses a file stored as %j, saying what it is', async (type, found) => {
    // Prepare
    const content = new MemoryStore();
    await content.put('media/harbour.jpg', 'bytes', { contentType: type });

    // Act
    const error = await refusal('/media/harbour.jpg', content);

    // Assess
    expect(error?.problem).toBe(`"image.url" points to media/harbour.jpg, which is not an image (${found}): use a JPEG, PNG, GIF, WebP or AVIF file`);
  });
});

describe('copying a lead image to the site', () => {
  let server: S3TestServer;

  beforeAll(async () => {
    server = await startS3Server();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("puts the image's bytes at the same key on the site, with its type and a day's cache", async () => {
    // Prepare
    const content = new MemoryStore();
    await content.put('media/Café harbour.jpg', JPEG, { contentType: 'image/jpeg' });
    const bucket = uniqueBucket('site');
    await server.createBucket(bucket);

    // Act
    const copied = await copyMedia('media/Café harbour.jpg', content, new S3Store(server.client, bucket));

    // Assess
    expect(copied).toBe(true);
    const stored = await server.client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'media/Café harbour.jpg' }));
    expect([stored.ContentType, stored.CacheControl, stored.ContentLength]).toEqual(['image/jpeg', 'public, max-age=86400, stale-while-revalidate=604800', JPEG.length]);
  });

  it('takes the type from the bytes when the content store keeps none, and application/octet-stream when they tell nothing', async () => {
    // Prepare: a folder keeps no types; its head tells them from the bytes
    const folder = await tempDir();
    await mkdir(path.join(folder, 'media'));
    await writeFile(path.join(folder, 'media', 'storm.jpg'), JPEG);
    await writeFile(path.join(folder, 'media', 'notes.jpg'), 'plain words');
    const site = new MemoryStore();

    // Act
    for (const key of ['media/storm.jpg', 'media/notes.jpg']) await copyMedia(key, new FsStore(folder), site);

    // Assess
    expect((await site.list('')).map((info) => [info.key, info.contentType])).toEqual([
      ['media/notes.jpg', 'application/octet-stream'],
      ['media/storm.jpg', 'image/jpeg'],
    ]);
  });

  it('answers false for an image gone from the content, and writes nothing', async () => {
    // Prepare
    const site = new MemoryStore();

    // Act
    const copied = await copyMedia('media/gone.jpg', new MemoryStore(), site);

    // Assess
    expect(copied).toBe(false);
    expect(await site.list('')).toEqual([]);
  });
});
