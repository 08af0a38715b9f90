import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import compression from 'compression';
import { fileTypeFromBuffer } from 'file-type';
import serveStatic from 'serve-static';
import { FEED_VIEW, FEEDS, FRONT_PAGE, NOT_FOUND_PAGE } from '../core/keys.ts';
import { feedViewPath, wantsFeedView } from '../core/output/feed-view.ts';
import { headersFor, SECURITY_HEADERS } from '../core/output/objects.ts';

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

/** What headersFor answers for a name it does not know: such files (media/) get their type from their bytes. */
const UNKNOWN_TYPE = 'application/octet-stream';

/**
 * Every response, whoever writes it (serve-static's files and redirects, the 404, a 304), carries the
 * CDN's security headers, set last so they win, as CloudFront's `override: true` does. Node calls
 * writeHead for implicit headers too, so this is the one place every response passes.
 */
class SecureResponse extends http.ServerResponse {
  // `unknown[]`: writeHead has two overloads (with and without a status message); this passes either on.
  override writeHead(statusCode: number, ...rest: unknown[]): this {
    if (!this.headersSent) for (const [name, value] of Object.entries(SECURITY_HEADERS)) this.setHeader(name, value);
    return super.writeHead(statusCode, ...(rest as [string?, http.OutgoingHttpHeaders?]));
  }
}

/**
 * Serve a built site the way production does: the feeds' media types with charset, ETag and
 * Last-Modified with 304s, Cache-Control, compression when asked, /articles/<slug>/ from its
 * index.html, the site's 404.html, the security headers, and media with the type their bytes say.
 * serve-static and compression do the HTTP; we only set headers.
 */
export async function startServer(options: { dir: string; port: number; host?: string }): Promise<LocalServer> {
  const root = path.resolve(options.dir);
  const compress = compression();
  const types = new MediaTypes();
  const files = serveStatic(root, {
    index: [FRONT_PAGE],
    dotfiles: 'ignore', // .wirefeed/manifest.json is the publisher's, not the public's
    etag: true,
    lastModified: true,
    setHeaders: (res, file, stats) => {
      const known = headersFor(path.relative(root, file).split(path.sep).join('/'));
      const contentType = known.contentType === UNKNOWN_TYPE ? (types.cached(file, stats) ?? UNKNOWN_TYPE) : known.contentType;
      res.setHeader('Content-Type', contentType); // serve-static keeps a type already set
      res.setHeader('Cache-Control', known.cacheControl);
      if (file.endsWith(FEEDS.json)) res.setHeader('Access-Control-Allow-Origin', '*');
      // The feed's URL answers a navigation with its view, a reader with the feed: caches must know.
      if ([FEEDS.rss, FEEDS.atom, FEED_VIEW].includes(path.basename(file) as never)) res.setHeader('Vary', FEED_VARY);
    },
  });
  const server = http.createServer({ ServerResponse: SecureResponse }, (req, res) => {
    // A static site is read, never written to: any other method is refused whether or not the file exists.
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res);
    toFeedView(req);
    // setHeaders is synchronous: read the bytes of an unknown file (an image) before serve-static runs.
    void types.sniff(root, req.url).then(() => {
      // compression and serve-static are Connect middleware: each calls next() when it has nothing to do.
      compress(req as Parameters<typeof compress>[0], res as Parameters<typeof compress>[1], () => {
        // serve-static hands on what it does not answer: a missing file (no error), or a found file's
        // error, such as a range past its end (416, which must say the file's size, not be a 404).
        files(req, res, (err?: { status?: number; headers?: Record<string, string> }) => (err?.status === 416 ? rangeNotSatisfiable(res, err.headers?.['Content-Range']) : void notFound(root, res)));
      });
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
 * The real MIME type of files headersFor does not name (lead images under media/), read from their
 * first bytes with file-type, never from the extension; cached per file and modification time.
 */
class MediaTypes {
  readonly #known = new Map<string, { mtimeMs: number; size: number; type: string }>();

  /** The type sniffed for this file as it is now, if sniff() read it. */
  cached(file: string, stats: { mtimeMs: number; size: number }): string | undefined {
    const hit = this.#known.get(file);
    return hit && hit.mtimeMs === stats.mtimeMs && hit.size === stats.size ? hit.type : undefined;
  }

  /** Read the type of the file a request names, when headersFor does not know it. Never throws. */
  async sniff(root: string, url: string | undefined): Promise<void> {
    const file = fileFor(root, url);
    if (file === undefined || headersFor(path.basename(file)).contentType !== UNKNOWN_TYPE) return;
    try {
      const stats = await stat(file);
      if (!stats.isFile() || this.cached(file, stats) !== undefined) return;
      // The whole file, as the filesystem store reads it for the feeds' enclosures, so both agree.
      const type = (await fileTypeFromBuffer(await readFile(file)))?.mime ?? UNKNOWN_TYPE;
      this.#known.set(file, { mtimeMs: stats.mtimeMs, size: stats.size, type });
    } catch {
      // Missing or unreadable: serve-static answers for it (404, 403).
    }
  }
}

/** The file a request path names under root, as serve-static resolves it; undefined for anything odd. */
function fileFor(root: string, url: string | undefined): string | undefined {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url ?? '/', 'http://localhost').pathname);
  } catch {
    return undefined;
  }
  if (pathname.endsWith('/') || pathname.includes('\0') || pathname.split('/').some((part) => part.startsWith('.'))) return undefined;
  const file = path.normalize(path.join(root, pathname));
  return file.startsWith(root + path.sep) ? file : undefined;
}

const FEED_VARY = 'Sec-Fetch-Dest, Sec-Fetch-Mode';

/**
 * A person opening RSS or Atom in a browser gets the folder's feed.html, as at the edge
 * (infra/cloudfront/index-rewrite.js): the request is pointed at the view before anything is served,
 * so the view has its own ETag and the feed's bytes never carry its headers. The same rule, feed-view.ts.
 */
function toFeedView(req: http.IncomingMessage): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return;
  const url = new URL(req.url ?? '/', 'http://localhost');
  const view = feedViewPath(url.pathname);
  if (view === undefined || !wantsFeedView(req.headers as Record<string, string | undefined>)) return;
  req.url = view + url.search;
}

function methodNotAllowed(res: http.ServerResponse): void {
  res.statusCode = 405;
  res.setHeader('Allow', 'GET, HEAD');
  res.setHeader('Content-Length', '0');
  res.end();
}

/** 416 with the Content-Range send worked out, which gives the file's size: a client can then ask for what exists. */
function rangeNotSatisfiable(res: http.ServerResponse, contentRange: string | undefined): void {
  // The file's own headers (its type, ETag, caching) describe a body this answer does not have.
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  res.statusCode = 416;
  if (contentRange !== undefined) res.setHeader('Content-Range', contentRange);
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('Content-Length', '0');
  res.end();
}

async function notFound(root: string, res: http.ServerResponse): Promise<void> {
  const body = await readFile(path.join(root, NOT_FOUND_PAGE)).catch(() => Buffer.from('Not found\n'));
  res.statusCode = 404;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  res.end(body);
}
