import type { Article } from '../article/article.ts';
import type { Settings } from '../settings.ts';

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
  /** Atom's feed id: stable across SITE_URL (local builds, the deployed site). */
  id: string;
  title: string;
  description: string;
  homeUrl: string;
  self: FeedUrls;
  /** RFC 5005: the next older archive document (JSON Feed: next_url). */
  prevArchive?: FeedUrls;
  /** RFC 5005: the next newer archive document (archive documents below the newest only). */
  nextArchive?: FeedUrls;
  /** Set on archive documents only: the subscription feeds they belong to. */
  current?: FeedUrls;
}

/** One article as every format's writer gets it: what it shows worked out once, not once per format. */
export interface FeedItem {
  article: Article;
  /** The tags as the site shows them (tags.ts shownTags): the feeds' categories. */
  tags: string[];
  /** The HTML a reader shows (content.ts), used where the feed carries content (`feed_content: full`). */
  content: string;
}

/** RFC 5005 feed history namespace: <fh:archive/> marks an archive document. */
export const HISTORY_NS = 'http://purl.org/syndication/history/1.0';

/** The three documents under a folder of the site ('' for the site's own feeds). */
export function feedUrls(settings: Settings, folder = ''): FeedUrls {
  return {
    rss: new URL(`${folder}rss.xml`, settings.url).href,
    atom: new URL(`${folder}atom.xml`, settings.url).href,
    json: new URL(`${folder}feed.json`, settings.url).href,
  };
}

export function siteScope(settings: Settings): FeedScope {
  return { id: feedId(settings), title: settings.title, description: settings.description, homeUrl: settings.url, self: feedUrls(settings) };
}

/**
 * Atom's feed id for the documents under a folder: the folder's URL under site.yaml's own `url`, never
 * SITE_URL, so the local build, a preview and the deployed site give one feed one id (readers that key
 * on it keep their history), and a site whose site.yaml url is its public address keeps the id it had.
 * The same rule as the default article ids (site.yaml's domain, not SITE_URL).
 */
export function feedId(settings: Settings, folder = ''): string {
  return new URL(folder, settings.idUrl).href;
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
