import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import compression from 'compression';
import serveStatic from 'serve-static';
import { CONTENT_SECURITY_POLICY, headersFor } from './core/objects.ts';

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serve a built site the way production does: the feeds' media types with charset, ETag and
 * Last-Modified with 304s, Cache-Control, compression when asked, /articles/<slug>/ from its
 * index.html, the site's 404.html. serve-static and compression do the HTTP; we only set headers.
 */
export async function startServer(options: { dir: string; port: number; host?: string }): Promise<LocalServer> {
  const root = path.resolve(options.dir);
  const compress = compression();
  const files = serveStatic(root, {
    index: ['index.html'],
    dotfiles: 'ignore', // .wirefeed/manifest.json is the publisher's, not the public's
    etag: true,
    lastModified: true,
    setHeaders: (res, file) => {
      const { contentType, cacheControl } = headersFor(path.relative(root, file).split(path.sep).join('/'));
      res.setHeader('Content-Type', isBrowserView(res.req, file) ? 'application/xml; charset=utf-8' : contentType); // serve-static keeps a type already set
      res.setHeader('Cache-Control', cacheControl);
      res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
      if (file.endsWith('feed.json')) res.setHeader('Access-Control-Allow-Origin', '*');
      if (/(rss|atom)\.xml$/.test(file)) res.setHeader('Vary', 'Accept, Sec-Fetch-Dest');
    },
  });
  const server = http.createServer((req, res) => {
    // compression and serve-static are Connect middleware: each calls next() when it has nothing to do.
    compress(req as Parameters<typeof compress>[0], res as Parameters<typeof compress>[1], () => {
      files(req, res, () => void notFound(root, res));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A person opening RSS or Atom in a browser: browsers show the feed types as raw text, but render
 * application/xml through the feeds' /feed.xsl. The same rule runs at the edge (infra/cloudfront/feed-view.js).
 */
function isBrowserView(req: http.IncomingMessage, file: string): boolean {
  if (!/(^|[/\\])(rss|atom)\.xml$/.test(file)) return false;
  return req.headers['sec-fetch-dest'] === 'document' || (req.headers.accept ?? '').includes('text/html');
}

async function notFound(root: string, res: http.ServerResponse): Promise<void> {
  const body = await readFile(path.join(root, '404.html')).catch(() => Buffer.from('Not found\n'));
  res.statusCode = 404;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  res.end(body);
}
