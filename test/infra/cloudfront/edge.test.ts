// The viewer-request CloudFront Function, run for real: its source file (what FunctionCode.fromFile ships, see
// test/infra.test.ts) is evaluated as a classic script in a fresh V8 context, with none of Node's globals, and
// called with CloudFront's viewer-request event for each path. Every encoded form of a dot segment, a NUL or a
// backslash must reach the 404 key, because S3 decodes the key the function passes on.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createContext, Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { feedViewPath, wantsFeedView } from '../../../functions/core/output/feed-view.ts';
import { NAVIGATIONS, READERS } from '../../helpers/requests.ts';

const FILE = fileURLToPath(new URL('../../../infra/cloudfront/index-rewrite.js', import.meta.url));
const NOT_PUBLIC = '/404-not-public';

interface CfRequest {
  method: string;
  uri: string;
  querystring: Record<string, { value: string }>;
  headers: Record<string, { value: string }>;
  cookies: Record<string, { value: string }>;
}

/** A fresh context per load: the function keeps no state between requests that a test could lean on. */
function load(): (event: unknown) => CfRequest {
  const context = createContext({});
  new Script(readFileSync(FILE, 'utf8'), { filename: FILE }).runInContext(context);
  const handler = (context as { handler?: unknown }).handler;
  if (typeof handler !== 'function') throw new Error('index-rewrite.js defines no global handler');
  return handler as (event: unknown) => CfRequest;
}

const handler = load();

/** CloudFront's viewer-request event (cloudfront-js-2.0), as documented for CloudFront Functions. */
function event(uri: string): unknown {
  return {
    version: '1.0',
    context: {
      distributionDomainName: 'd111111abcdef8.cloudfront.net',
      distributionId: 'EDFDVBD6EXAMPLE',
      eventType: 'viewer-request',
      requestId: '4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==',
    },
    viewer: { ip: '198.51.100.11' },
    request: {
      method: 'GET',
      uri,
      querystring: {},
      headers: { host: { value: 'news.example.com' }, accept: { value: '*/*' } },
      cookies: {},
    },
  };
}

const served = (uri: string): string => handler(event(uri)).uri;

describe('index-rewrite.js: pretty URLs', () => {
  it.each([
    ['/', '/index.html'],
    ['/articles/moon-landing/', '/articles/moon-landing/index.html'],
    ['/articles/moon-landing', '/articles/moon-landing/index.html'],
    ['/tags/space/', '/tags/space/index.html'],
    ['/tags/space', '/tags/space/index.html'],
    ['/rss.xml', '/rss.xml'],
    ['/feed.json', '/feed.json'],
    ['/tags/space/feed.json', '/tags/space/feed.json'],
    ['/archive/3/atom.xml', '/archive/3/atom.xml'],
    ['/sitemap-2.xml', '/sitemap-2.xml'],
    ['/404.html', '/404.html'],
    ['/media/cover.v2.jpg', '/media/cover.v2.jpg'],
    ['/articles/moon-landing/cover.v2.jpg', '/articles/moon-landing/cover.v2.jpg'],
    // Decisions are taken on the decoded path; the URI passed on stays as the viewer encoded it (S3 decodes it).
    ['/media/photo%201.jpg', '/media/photo%201.jpg'],
    ['/tags/c%C3%B4te/', '/tags/c%C3%B4te/index.html'],
    ['/tags/c%C3%B4te', '/tags/c%C3%B4te/index.html'],
    ['/articles/moon-landing%2F', '/articles/moon-landing%2Findex.html'],
    ['/articles/moon-landing%2Ejpg', '/articles/moon-landing%2Ejpg'],
    ['/articles/moo%6E-landing', '/articles/moo%6E-landing/index.html'],
    // A literal % in a file name (sent as %25) is a real file, not a malformed escape.
    ['/media/100%25.jpg', '/media/100%25.jpg'],
    ['/media/50%25off', '/media/50%25off/index.html'],
    // Encoded four times over still decodes (to /A): deeper than that is refused below.
    [`/%${'25'.repeat(4)}41`, `/%${'25'.repeat(4)}41/index.html`],
    // Dots inside a segment are fine; only a segment starting with one is private.
    ['/articles/v1.2-release/', '/articles/v1.2-release/index.html'],
    ['/media/a..b.jpg', '/media/a..b.jpg'],
  ])('%s -> %s', (uri, expected) => {
    expect(served(uri)).toBe(expected);
  });
});

describe('index-rewrite.js: never a dot path, a NUL or a backslash, however encoded', () => {
  it.each([
    // plain
    '/.wirefeed/manifest.json',
    '/.wirefeed/',
    '/.wirefeed',
    '/articles/.hidden/',
    '/articles/.hidden',
    '/.env',
    '/.',
    '/..',
    '/articles/../.wirefeed/manifest.json',
    '/articles/./x',
    '//.wirefeed/manifest.json',
    // one encoding: S3 decodes each of these to .wirefeed/manifest.json
    '/%2ewirefeed/manifest.json',
    '/%2Ewirefeed/manifest.json',
    '/.%77irefeed/manifest.json',
    '/%2e%77%69%72%65%66%65%65%64/manifest.json',
    '/articles%2F.wirefeed/manifest.json',
    '/articles%2f%2ehidden',
    '/%2e%2e/%2ewirefeed/manifest.json',
    // double and deeper encodings
    '/%252ewirefeed/manifest.json',
    '/%252Ewirefeed/manifest.json',
    '/%25252ewirefeed/manifest.json',
    '/articles%252F%252ewirefeed/manifest.json',
    // NUL and backslash, plain and encoded
    '/articles/a\u0000b',
    '/articles/a%00b',
    '/articles/a%2500b',
    '/articles\\.wirefeed\\manifest.json',
    '/articles\\moon',
    '/%5c.wirefeed/manifest.json',
    '/%5C%2ewirefeed%5Cmanifest.json',
    '/articles%255c.wirefeed',
    // malformed escapes: no such key, so the 404 page
    '/%',
    '/%zz',
    '/articles/%2',
    '/articles/%E0%A4%A',
    '/%C0%AE%C0%AEwirefeed',
    '/%FF',
    // nested past any real URL's need
    `/%${'25'.repeat(6)}2ewirefeed/manifest.json`,
    `/%${'25'.repeat(6)}41`,
  ])('%j -> 404', (uri) => {
    expect(served(uri)).toBe(NOT_PUBLIC);
  });

  it('decodes as S3 would: every public verdict above is for a decoded path with no dot segment', () => {
    // The oracle: decode (repeatedly) with Node's own decoder and look at the segments.
    const oracle = (uri: string): boolean => {
      let path = uri;
      for (let i = 0; i < 6; i++) {
        let next: string;
        try {
          next = decodeURIComponent(path);
        } catch {
          if (i === 0) return false;
          break;
        }
        if (next === path) break;
        path = next;
      }
      // biome-ignore lint/suspicious/noControlCharactersInRegex: a NUL in a path is exactly what this rule refuses
      return !/[\u0000\\]/.test(path) && !path.split('/').some((s) => s.startsWith('.'));
    };
    const samples: string[] = [];
    const alphabet = ['/', '.', 'a', '%', '2', 'e', 'E', '5', 'c', 'F', '%2e', '%2E', '%25', '%2F', '%5c', '%00', '\\'];
    // Deterministic pseudo-random paths over an alphabet rich in escapes, dots and separators.
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 5000; n++) {
      let uri = '/';
      const length = 1 + (next() % 10);
      for (let i = 0; i < length; i++) uri += alphabet[next() % alphabet.length];
      samples.push(uri);
    }
    for (const uri of samples) {
      const result = served(uri);
      // Whatever the function lets through must be public by the oracle's reading too.
      if (result !== NOT_PUBLIC) expect({ uri, public: oracle(uri) }).toEqual({ uri, public: true });
    }
  });

  it('changes nothing but the uri, and answers no response itself (the request goes on to the cache)', () => {
    const input = event('/.wirefeed/manifest.json') as { request: CfRequest };
    const output = handler(input);
    expect(output).toBe(input.request);
    expect(output).toMatchObject({ method: 'GET', querystring: {}, cookies: {}, headers: { host: { value: 'news.example.com' } } });
  });
});

describe('index-rewrite.js: fits CloudFront Functions', () => {
  it('is a classic script (no import or export) well under the 10 KB function size limit', () => {
    const source = readFileSync(FILE, 'utf8');
    expect(source).not.toMatch(/^\s*(import|export)\b/m);
    expect(statSync(FILE).size).toBeLessThan(10 * 1024);
  });
});

describe('index-rewrite.js: a person opening a feed gets its HTML view, a feed reader the feed', () => {
  /** The viewer-request event for a GET with these headers (lowercase names, as CloudFront gives them). */
  const withHeaders = (uri: string, headers: Record<string, string>) => {
    const e = event(uri) as { request: CfRequest };
    e.request.headers = Object.fromEntries(Object.entries({ host: 'news.example.com', ...headers }).map(([k, v]) => [k, { value: v }]));
    return e;
  };
  const feeds = ['/rss.xml', '/atom.xml', '/tags/space/rss.xml', '/tags/c%C3%B4te/atom.xml', '/archive/3/rss.xml', '/archive/12/atom.xml'];

  it.each(Object.entries(NAVIGATIONS))("%s navigating to a feed is sent to the feed folder's feed.html", (_who, headers) => {
    for (const uri of feeds) expect(handler(withHeaders(uri, headers)).uri).toBe(`${uri.slice(0, uri.lastIndexOf('/'))}/feed.html`);
  });

  it.each(Object.entries(READERS))("%s keeps the feed's own URI", (_who, headers) => {
    for (const uri of feeds) expect(handler(withHeaders(uri, headers)).uri).toBe(uri);
  });

  it('gives JSON Feed, pages and private paths no view, whoever asks', () => {
    const browser = NAVIGATIONS.chromium as Record<string, string>;
    expect(handler(withHeaders('/feed.json', browser)).uri).toBe('/feed.json');
    expect(handler(withHeaders('/articles/moon/', browser)).uri).toBe('/articles/moon/index.html');
    expect(handler(withHeaders('/.wirefeed/rss.xml', browser)).uri).toBe(NOT_PUBLIC);
    expect(handler(withHeaders('/%2ewirefeed/atom.xml', browser)).uri).toBe(NOT_PUBLIC);
    // An oddly encoded feed name is served as the feed: never wrong, only plain.
    expect(handler(withHeaders('/r%73s.xml', browser)).uri).toBe('/r%73s.xml');
  });

  it("decides exactly as the local server's rule (functions/core/feed-view.ts) for every mix of headers", () => {
    const values = {
      'sec-fetch-dest': [undefined, 'document', 'empty', 'iframe', 'image'],
      'sec-fetch-mode': [undefined, 'navigate', 'cors', 'no-cors'],
      accept: [
        undefined,
        '*/*',
        'text/html',
        'TEXT/HTML,*/*',
        ' text/html;q=0.9',
        'application/rss+xml',
        'text/html, application/atom+xml',
        'text/html,application/feed+json',
        'application/xml, text/html',
        '',
      ],
    };
    let checked = 0;
    for (const dest of values['sec-fetch-dest'])
      for (const mode of values['sec-fetch-mode'])
        for (const accept of values.accept) {
          const headers = Object.fromEntries(Object.entries({ 'sec-fetch-dest': dest, 'sec-fetch-mode': mode, accept }).filter(([, v]) => v !== undefined)) as Record<string, string>;
          for (const uri of ['/rss.xml', '/tags/x/atom.xml']) {
            const ours = wantsFeedView(headers) ? feedViewPath(uri) : uri;
            expect({ headers, uri: handler(withHeaders(uri, headers)).uri }).toEqual({ headers, uri: ours });
            checked++;
          }
        }
    expect(checked).toBe(400);
  });

  it("can never put HTML under a feed's cache key: a CDN keyed on the rewritten URI serves readers the feed, whoever came first", () => {
    // CloudFront's cache key is the URI this function leaves (the cache policy adds no header, cookie or
    // query string: test/infra.test.ts). Model that cache over the site's objects, and interleave people and readers.
    const origin = new Map([
      ['/rss.xml', '<rss version="2.0"/>'],
      ['/feed.html', '<!doctype html><title>feed view</title>'],
      ['/tags/space/atom.xml', '<feed xmlns="http://www.w3.org/2005/Atom"/>'],
      ['/tags/space/feed.html', '<!doctype html><title>tag view</title>'],
    ]);
    const cache = new Map<string, string>();
    const fetchAtEdge = (uri: string, headers: Record<string, string>) => {
      const key = handler(withHeaders(uri, headers)).uri;
      if (!cache.has(key)) cache.set(key, origin.get(key) ?? '404');
      return cache.get(key) as string;
    };
    const people = Object.values(NAVIGATIONS);
    const readers = Object.values(READERS);
    let seed = 7;
    // The high bits: a power-of-two LCG's low bits cycle with a short period.
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed >>> 16;
    };
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const uri = next() % 2 === 0 ? '/rss.xml' : '/tags/space/atom.xml';
      const person = next() % 2 === 0;
      const body = fetchAtEdge(uri, (person ? people[next() % people.length] : readers[next() % readers.length]) as Record<string, string>);
      expect(body.startsWith('<!doctype html>')).toBe(person);
      seen.add(`${uri} ${person}`);
    }
    expect(seen.size).toBe(4); // every feed was asked for by people and by readers
    // The feeds' entries hold feeds; the views have entries of their own.
    expect(cache.get('/rss.xml')).toBe(origin.get('/rss.xml'));
    expect(cache.get('/tags/space/atom.xml')).toBe(origin.get('/tags/space/atom.xml'));
    expect(cache.get('/feed.html')).toBe(origin.get('/feed.html'));
  });
});

describe('feed-view.js (viewer-response): tells caches after CloudFront what a feed URL varies on', () => {
  const RESPONSE_FILE = fileURLToPath(new URL('../../../infra/cloudfront/feed-view.js', import.meta.url));
  const context = createContext({});
  new Script(readFileSync(RESPONSE_FILE, 'utf8'), { filename: RESPONSE_FILE }).runInContext(context);
  const respond = (context as { handler: (e: unknown) => { headers: Record<string, { value: string }> } }).handler;

  it.each(['/rss.xml', '/tags/space/atom.xml', '/archive/2/feed.html', '/feed.html'])('%s varies on Accept and Fetch Metadata', (uri) => {
    expect(respond({ request: { uri, headers: {} }, response: { statusCode: 200, headers: {} } }).headers.vary?.value).toBe('Sec-Fetch-Dest, Sec-Fetch-Mode');
  });
  it.each(['/index.html', '/feed.json', '/articles/moon/index.html'])('%s does not', (uri) => {
    expect(respond({ request: { uri, headers: {} }, response: { statusCode: 200, headers: {} } }).headers.vary).toBeUndefined();
  });
});
