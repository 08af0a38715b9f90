import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, headersFor } from '../../../functions/core/output/objects.ts';

// objects.ts: how each object is served, from S3/CloudFront and the local server alike.

const FEED_CACHE = 'public, max-age=60, stale-while-revalidate=60, stale-if-error=86400';
const PAGE_CACHE = 'public, max-age=300, stale-while-revalidate=60, stale-if-error=86400';

describe('the headers of an object', () => {
  it.each([
    ['rss.xml', 'application/rss+xml; charset=utf-8', FEED_CACHE],
    ['tags/q-a/rss.xml', 'application/rss+xml; charset=utf-8', FEED_CACHE],
    ['archive/2/atom.xml', 'application/atom+xml; charset=utf-8', FEED_CACHE],
    ['feed.json', 'application/feed+json; charset=utf-8', FEED_CACHE],
    ['tags/q-a/feed.html', 'text/html; charset=utf-8', FEED_CACHE],
    ['sitemap-news.xml', 'application/xml; charset=utf-8', FEED_CACHE],
    ['index.html', 'text/html; charset=utf-8', PAGE_CACHE],
    ['articles/budget-vote/index.html', 'text/html; charset=utf-8', PAGE_CACHE],
    ['404.html', 'text/html; charset=utf-8', PAGE_CACHE],
    ['robots.txt', 'text/plain; charset=utf-8', PAGE_CACHE],
  ])('serve %s as %s with %s', (key, contentType, cacheControl) => {
    expect(headersFor(key)).toEqual({ contentType, cacheControl });
  });

  it("serve a file merely ending in a feed's name as what its extension says, not as a feed", () => {
    expect(headersFor('notrss.xml').contentType).toBe('application/xml; charset=utf-8');
    expect(headersFor('myfeed.json').contentType).toBe('application/json; charset=utf-8');
  });

  it("keep the publisher's own JSON out of every cache", () => {
    expect(headersFor('head.json').cacheControl).toBe('no-store');
    expect(headersFor('journal/00000042.json').cacheControl).toBe('no-store');
  });

  it("serve anything else as bytes, with the pages' freshness", () => {
    expect(headersFor('media/photo')).toEqual({ contentType: 'application/octet-stream', cacheControl: PAGE_CACHE });
  });
});

describe("the pages' Content-Security-Policy", () => {
  it('lets pages run no script, load no style sheet from elsewhere, sit in no frame and post no form', () => {
    // Prepare
    const directives = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.slice(0, d.indexOf(' ')), d.slice(d.indexOf(' ') + 1)]));

    // Assess
    expect(directives).toEqual({
      'default-src': "'none'",
      'style-src': "'unsafe-inline'",
      'img-src': "'self' https: data:",
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
    });
    expect(directives['script-src']).toBeUndefined(); // default-src 'none' covers scripts
  });
});
