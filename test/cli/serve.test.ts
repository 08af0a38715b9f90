import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../functions/cli/main.ts';
import { type LocalServer, startServer } from '../../functions/cli/serve.ts';
import { SECURITY_HEADERS } from '../../functions/core/output/objects.ts';
import { articleText, captureIo, tempDir, writeContent } from '../helpers/content.ts';
import { parseJsonFeed, parseRss } from '../helpers/feeds.ts';

// Real image bytes (1x1 pixels), so a type can only come from the file, never from its name.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

let server: LocalServer;
let out: string;

beforeAll(async () => {
  const dir = await tempDir();
  const content = await writeContent(path.join(dir, 'content'), {
    'good-news.md': articleText({ title: 'Good news', date: '2025-03-14', image: { url: '/media/harbour.png', alt: 'The harbour' } }, 'All is well. '.repeat(200)),
  });
  await mkdir(path.join(content, 'media'), { recursive: true });
  await writeFile(path.join(content, 'media', 'harbour.png'), PNG);
  out = path.join(dir, 'dist');
  expect(await main(['build', '--content', content, '--out', out], captureIo())).toBe(0);
  server = await startServer({ dir: out, port: 0 });
});
afterAll(() => server.close());

const get = (p: string, headers: Record<string, string> = {}) => fetch(new URL(p, server.url), { headers, redirect: 'manual' });

/**
 * A plain HTTP GET as a feed reader sends it, bytes as they come. (fetch() adds "Cache-Control:
 * no-cache" to conditional requests, as its spec says, and servers then rightly answer 200.)
 */
function raw(p: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .request(new URL(p, server.url), { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject)
      .end();
  });
}

describe('the local server', () => {
  it.each([
    ['rss.xml', 'application/rss+xml; charset=utf-8'],
    ['atom.xml', 'application/atom+xml; charset=utf-8'],
    ['feed.json', 'application/feed+json; charset=utf-8'],
    ['index.html', 'text/html; charset=utf-8'],
  ])('serves /%s as %s with a Cache-Control', async (file, type) => {
    const res = await get(file);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    await res.arrayBuffer();
  });

  it('serves feeds that parse', async () => {
    expect(parseJsonFeed(await (await get('feed.json')).text()).items).toHaveLength(1);
    expect(parseRss(await (await get('rss.xml')).text()).feed.items).toHaveLength(1);
  });

  it('answers a repeat poll with If-None-Match with a bodiless 304', async () => {
    const first = await raw('feed.json');
    const etag = first.headers.etag;
    expect(etag).toBeTruthy();
    const again = await raw('feed.json', { 'If-None-Match': etag as string });
    expect(again.status).toBe(304);
    expect(again.body.byteLength).toBe(0);
    expect(again.headers.etag).toBe(etag);
  });

  it('answers If-Modified-Since with 304 too', async () => {
    const first = await raw('rss.xml');
    const again = await raw('rss.xml', { 'If-Modified-Since': first.headers['last-modified'] as string });
    expect(again.status).toBe(304);
    expect(again.body.byteLength).toBe(0);
  });

  it('compresses when the client asks, and not otherwise', async () => {
    const zipped = await raw('feed.json', { 'Accept-Encoding': 'gzip' });
    const plain = await raw('feed.json');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.body.byteLength).toBeLessThan(plain.body.byteLength / 2);
    expect(gunzipSync(zipped.body)).toEqual(plain.body);
  });

  it('serves /articles/<slug>/ from its index.html, and redirects the slash-less form to it', async () => {
    const page = await get('articles/good-news/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>Good news</h1>');
    const bare = await get('articles/good-news');
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/articles/good-news/');
  });

  it("answers a missing page with the site's 404 page and status 404", async () => {
    const res = await get('articles/nothing-here/');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Page not found');
  });

  it("never serves the publisher's manifest", async () => {
    const res = await get('.wirefeed/manifest.json');
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('"entries"');
  });

  it('shows a lead image in the browser: /media/ files carry the type their bytes say, whatever their name', async () => {
    // Prepare: the published image, and an upload whose name says JPEG but whose bytes are a PNG
    await writeFile(path.join(out, 'media', 'misnamed.jpg'), PNG);

    // Act
    const published = await get('media/harbour.png');
    const misnamed = await get('media/misnamed.jpg');

    // Assess
    expect(published.status).toBe(200);
    expect(published.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await published.arrayBuffer())).toEqual(PNG);
    expect(misnamed.headers.get('content-type')).toBe('image/png');
    await misnamed.arrayBuffer();
  });

  it('serves a replaced image with its new type, and unknown bytes as application/octet-stream', async () => {
    // Prepare
    const file = path.join(out, 'media', 'replaced');
    await writeFile(file, PNG);
    expect((await get('media/replaced')).headers.get('content-type')).toBe('image/png');
    await new Promise((r) => setTimeout(r, 20)); // a new modification time

    // Act
    await writeFile(file, GIF);
    const replaced = await get('media/replaced');
    await writeFile(path.join(out, 'media', 'notes.bin'), 'no magic number here');
    const unknown = await get('media/notes.bin');

    // Assess
    expect(replaced.headers.get('content-type')).toBe('image/gif');
    expect(Buffer.from(await replaced.arrayBuffer())).toEqual(GIF);
    expect(unknown.headers.get('content-type')).toBe('application/octet-stream');
    await unknown.arrayBuffer();
  });

  it.each([
    ['a page', 'index.html', {}, 200],
    ['a feed', 'rss.xml', {}, 200],
    ['an image', 'media/harbour.png', {}, 200],
    ['a missing page', 'articles/nothing-here/', {}, 404],
    ['the slash-less form of an article', 'articles/good-news', {}, 301],
    ['a compressed feed', 'feed.json', { 'Accept-Encoding': 'gzip' }, 200],
    ['a range past the end of a file', 'rss.xml', { Range: 'bytes=99999999-' }, 416],
  ] as const)("sends the CDN's security headers with %s (%s)", async (_what, file, headers, status) => {
    // Act
    const res = await raw(file, headers);

    // Assess
    expect(res.status).toBe(status);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers[name.toLowerCase()], name).toBe(value);
  });

  it('answers a range past the end of a file with 416 and Content-Range: bytes */SIZE, and a range inside it with 206', async () => {
    // Prepare
    const size = (await raw('rss.xml')).body.byteLength;

    // Act
    const past = await raw('rss.xml', { Range: `bytes=${size + 10}-${size + 20}` });
    const inside = await raw('rss.xml', { Range: 'bytes=0-4' });

    // Assess
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${size}`);
    expect(past.body.byteLength).toBe(0);
    expect(inside.status).toBe(206);
    expect(inside.headers['content-range']).toBe(`bytes 0-4/${size}`);
    expect(inside.body.toString()).toBe('<?xml');
  });

  it.each(['POST', 'PUT', 'DELETE'])('answers %s with 405 and Allow: GET, HEAD, for a file and for a missing one, with the security headers', async (method) => {
    // Act
    const file = await raw('feed.json', {}, method);
    const missing = await raw('articles/nothing-here/', {}, method);

    // Assess
    for (const res of [file, missing]) {
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers[name.toLowerCase()], name).toBe(value);
    }
  });

  it('sends the security headers with a bodiless 304 too', async () => {
    const first = await raw('index.html');
    const again = await raw('index.html', { 'If-None-Match': first.headers.etag as string });
    expect(again.status).toBe(304);
    expect(again.headers['x-frame-options']).toBe('DENY');
    expect(again.headers['content-security-policy']).toBe(SECURITY_HEADERS['Content-Security-Policy']);
  });

  it('allows apps on other origins to poll the JSON feed', async () => {
    const res = await get('feed.json', { Origin: 'https://app.example' });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    await res.arrayBuffer();
  });
});
