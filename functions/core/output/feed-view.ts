/**
 * The browser view of a feed: a person who opens /rss.xml, /atom.xml or a tag's or an archive's feed in a
 * browser gets a pre-rendered HTML page of it (<folder>/feed.html) instead of XML, which browsers show as
 * raw text (and whose XSLT styling Chromium is removing). Feed readers keep getting the feed.
 *
 * The same rule runs at the edge: infra/cloudfront/index-rewrite.js is a plain-JS copy of it (CloudFront
 * Functions cannot import), and test/infra-edge.test.ts checks that both decide alike for every request.
 */
import { FEED_VIEW } from '../keys.ts';

/** The feed files that have a browser view: RSS and Atom (JSON Feed is read by apps; browsers show JSON well). */
const VIEWED = /(^|\/)(rss|atom)\.xml$/;

/** The request headers the decision reads, lowercase, as Node and CloudFront both give them. */
export interface ViewHeaders {
  'sec-fetch-dest'?: string | undefined;
  'sec-fetch-mode'?: string | undefined;
}

/**
 * A top-level navigation by a person: browsers send Sec-Fetch-Dest: document with Sec-Fetch-Mode: navigate
 * on exactly those (every current engine: Chromium, Firefox, Safari 16.4+), and `empty` on fetch(), so
 * readers running in a browser get the feed. Accept is not enough: crawlers, link-preview bots and readers
 * that copy a browser's Accept to get past bot walls send text/html first too, and must get the feed (a
 * browser too old for Fetch Metadata shows the feed as XML, which is never wrong).
 */
export function wantsFeedView(headers: ViewHeaders): boolean {
  return headers['sec-fetch-dest'] === 'document' && (headers['sec-fetch-mode'] ?? 'navigate') === 'navigate';
}

/** The key of the browser view for a feed's path ('rss.xml' -> 'feed.html'), or undefined when it has none. */
export function feedViewPath(path: string): string | undefined {
  return VIEWED.test(path) ? path.slice(0, path.lastIndexOf('/') + 1) + FEED_VIEW : undefined;
}
