import type { Article } from './article.ts';
import type { Site } from './site.ts';

/**
 * What a set of feeds is about and where its documents are: shared by the RSS, Atom and JSON Feed
 * writers (feeds.ts, atom.ts, json-feed.ts), which import it from here rather than from each other.
 */
/** One document's URL in each format. */
export interface FeedUrls {
  rss: string;
  atom: string;
  json: string;
}

/** What one set of feeds is about, and where it sits in the history. URLs are absolute. */
export interface FeedScope {
  title: string;
  description: string;
  homeUrl: string;
  self: FeedUrls;
  /** RFC 5005: the next older archive document (JSON Feed: next_url). */
  prevArchive?: FeedUrls;
  /** Set on archive documents only: the subscription feeds they belong to. */
  current?: FeedUrls;
}

/** RFC 5005 feed history namespace: <fh:archive/> marks an archive document. */
export const HISTORY_NS = 'http://purl.org/syndication/history/1.0';

/** The three documents under a folder of the site ('' for the site's own feeds). */
export function feedUrls(site: Site, folder = ''): FeedUrls {
  return {
    rss: new URL(`${folder}rss.xml`, site.url).href,
    atom: new URL(`${folder}atom.xml`, site.url).href,
    json: new URL(`${folder}feed.json`, site.url).href,
  };
}

export function siteScope(site: Site): FeedScope {
  return { title: site.title, description: site.description, homeUrl: site.url, self: feedUrls(site) };
}

/** The XSL stylesheet that makes RSS and Atom readable in a browser: same origin, as browsers require. */
export function stylesheetHref(site: Site): string {
  return new URL('feed.xsl', site.url).pathname;
}

/** When a feed last changed: its newest update, from the content, never the clock (stable bytes, stable ETags). */
export function feedUpdated(articles: readonly Article[]): string {
  let newest = '1970-01-01T00:00:00Z'; // an empty feed: a fixed date keeps its bytes stable
  for (const a of articles) {
    const at = a.updated?.iso ?? a.published.iso;
    if (at > newest) newest = at;
  }
  return newest;
}
