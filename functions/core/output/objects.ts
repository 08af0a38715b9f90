/** How each site object is served: the same from S3/CloudFront and from the local server. */
export interface ObjectHeaders {
  contentType: string;
  cacheControl: string;
}

// Feeds change within seconds of an upload: a minute's freshness, then revalidate (ETag -> 304),
// and if the origin fails, the last good copy rather than an error.
const FEED_CACHE = 'public, max-age=60, stale-while-revalidate=60, stale-if-error=86400';
// Pages change rarely, but when they do it is a correction: five minutes' freshness (CloudFront is
// invalidated on publish anyway) and a stale window of a minute, as for feeds, so no browser or cache keeps
// the uncorrected version for long. README ("Objects are served with") states both; a test holds them to it.
const PAGE_CACHE = 'public, max-age=300, stale-while-revalidate=60, stale-if-error=86400';
const PRIVATE = 'no-store';

const TYPES: [RegExp, string, string][] = [
  [/(^|\/)rss\.xml$/, 'application/rss+xml; charset=utf-8', FEED_CACHE],
  [/(^|\/)atom\.xml$/, 'application/atom+xml; charset=utf-8', FEED_CACHE],
  [/(^|\/)feed\.json$/, 'application/feed+json; charset=utf-8', FEED_CACHE],
  // A feed's browser view (feed-view.ts) changes with its feed.
  [/(^|\/)feed\.html$/, 'text/html; charset=utf-8', FEED_CACHE],
  [/\.html$/, 'text/html; charset=utf-8', PAGE_CACHE],
  [/\.json$/, 'application/json; charset=utf-8', PRIVATE],
  [/\.xml$/, 'application/xml; charset=utf-8', FEED_CACHE],
  [/\.txt$/, 'text/plain; charset=utf-8', PAGE_CACHE],
];

export function headersFor(key: string): ObjectHeaders {
  for (const [pattern, contentType, cacheControl] of TYPES) {
    if (pattern.test(key)) return { contentType, cacheControl };
  }
  return { contentType: 'application/octet-stream', cacheControl: PAGE_CACHE };
}

/**
 * The pages' Content-Security-Policy, sent by CloudFront and by the local server alike: no scripts at all
 * (the pages and the feeds' browser views are static HTML), inline styles, any https image.
 */
export const CONTENT_SECURITY_POLICY = ["default-src 'none'", "style-src 'unsafe-inline'", "img-src 'self' https: data:", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join('; ');

/**
 * The security headers on every response, as CloudFront's response headers policy sends them
 * (infra/feed-site.ts, each with override) and the local server likewise. HSTS is two years, without
 * includeSubDomains (a custom apex domain would pin HTTPS on sibling hosts we do not own); browsers
 * ignore it over plain http, so it is harmless on localhost.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=63072000',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
};
