import { createHash } from 'node:crypto';

/**
 * Every key wirefeed reads or writes, and every output group's id, spelt once. A site key is a contract
 * between the publisher, the CDN functions, the local server and the tests; a state key is the
 * publisher's own, in a private store that nothing public serves. Adding an output means editing here.
 */

// ------------------------------------------------------------------------------------------------
// Content store
// ------------------------------------------------------------------------------------------------

export const ARTICLES_PREFIX = 'articles/';
export const ARTICLE_EXTENSION = '.md';
export const MEDIA_PREFIX = 'media/';
export const SITE_FILE = 'site.yaml';

/** A stored article: articles/<name>.md, not a dot-file. */
export const isArticleKey = (key: string): boolean => key.startsWith(ARTICLES_PREFIX) && key.endsWith(ARTICLE_EXTENSION) && !key.slice(ARTICLES_PREFIX.length).startsWith('.');

/**
 * A media key an article may name: media/ then path segments of letters, digits, spaces and . _ ~ + , ( ) -
 * (no segment empty or starting with a dot, so no "..", no dot-file), at most 300 characters. Anything
 * else (a backslash, a NUL or other control character, a colon, quotes) is refused before any store sees it:
 * the same key must mean the same file in S3, on a local disk and in a URL.
 */
export function isSafeMediaKey(key: string): boolean {
  if (!key.startsWith(MEDIA_PREFIX) || key.length > 300) return false;
  return key
    .slice(MEDIA_PREFIX.length)
    .split('/')
    .every((part) => /^[\p{L}\p{N}_~+,() -][\p{L}\p{N}._~+,() -]*$/u.test(part));
}

// ------------------------------------------------------------------------------------------------
// Site store (public)
// ------------------------------------------------------------------------------------------------

/** A feed folder's three feeds, by format. */
export const FEEDS = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' } as const;
const FEED_FILES = [FEEDS.rss, FEEDS.atom, FEEDS.json] as const;
export type FeedFile = (typeof FEED_FILES)[number];
/** The page each feed folder carries for browsers ('' the site's, 'tags/x/', 'archive/3/'): feed-view.ts. */
export const FEED_VIEW = 'feed.html';
/** A folder's page: the front page, an article's, a tag's (the CDN and the local server serve it for the folder's URL). */
export const FRONT_PAGE = 'index.html';
/** The page served for any missing path. */
export const NOT_FOUND_PAGE = '404.html';
export const ROBOTS = 'robots.txt';
const STATIC_FILES = [NOT_FOUND_PAGE, ROBOTS] as const;
/** Files an older wirefeed wrote and this one does not (feed.xsl: feeds no longer use XSLT): a reconcile deletes them. */
const LEGACY_FILES = ['feed.xsl'] as const;
/** A feed folder's files: the three feeds and their browser view (feed-view.ts). */
const FEED_FOLDER_FILES = [...FEED_FILES, FEED_VIEW] as const;
export const SITEMAP_INDEX = 'sitemap.xml';
/** The Google News sitemap: the last two days' articles (news.ts). */
export const NEWS_SITEMAP = 'sitemap-news.xml';
/** URLs per sitemap file: far under the protocol's 50,000, so one publish rewrites a small file. */
export const SITEMAP_SHARD_SIZE = 500;

/** The archive page (1-based) of an article's first-publication place, `feedSize` articles a page. */
export const archivePageOf = (seq: number, feedSize: number): number => Math.floor(seq / feedSize) + 1;
/** The sitemap shard (1-based) of an article's place, or of a tag's. */
export const sitemapShardOf = (seq: number): number => Math.floor(seq / SITEMAP_SHARD_SIZE) + 1;

/** Where article pages live on the site (the same word as the content's articles/, a different store). */
export const PAGES_PREFIX = 'articles/';
/** An article's folder on the site (its URL's path); its page is the folder's FRONT_PAGE. */
export const pageFolder = (slug: string): string => `${PAGES_PREFIX}${slug}/`;
export const pageKey = (slug: string): string => `${pageFolder(slug)}${FRONT_PAGE}`;
export const tagFolder = (slug: string): string => `tags/${slug}/`;
export const ARCHIVE_PREFIX = 'archive/';
/** RFC 5005 archive page n (1 is the oldest). */
export const archiveFolder = (n: number): string => `${ARCHIVE_PREFIX}${n}/`;
/** Sitemap of article shard n (1-based); shard 1 also holds the front page. */
export const articleSitemapKey = (n: number): string => `sitemap-${n}.xml`;
/** Sitemap of tag-page shard n (1-based). */
export const tagSitemapKey = (n: number): string => `sitemap-tags-${n}.xml`;

export const isFeedKey = (key: string): boolean => FEED_FILES.some((f) => key === f || key.endsWith(`/${f}`));
export const isArchiveKey = (key: string): boolean => key.startsWith(ARCHIVE_PREFIX);

/** Keys wirefeed owns in the site store: a reconcile deletes those nothing produces, and leaves any other file alone. */
export function isManagedSiteKey(key: string): boolean {
  if (key.startsWith(STATE_PREFIX_IN_CONTENT)) return true; // an older wirefeed kept its manifest here: never public again
  if ((FEED_FOLDER_FILES as readonly string[]).includes(key) || key === FRONT_PAGE || (STATIC_FILES as readonly string[]).includes(key)) return true;
  if ((LEGACY_FILES as readonly string[]).includes(key)) return true;
  if (/^sitemap(-tags)?(-\d+)?\.xml$/.test(key) || key === NEWS_SITEMAP) return true;
  return /^(articles\/[^/]+\/index\.html|tags\/.+|archive\/.+|media\/.+)$/.test(key);
}

// ------------------------------------------------------------------------------------------------
// Output groups: site files built together from the same inputs
// ------------------------------------------------------------------------------------------------

export type GroupId =
  | { kind: 'main' }
  | { kind: 'tag'; slug: string }
  | { kind: 'archive'; n: number }
  | { kind: 'sitemap' }
  | { kind: 'sitemap-articles'; n: number }
  | { kind: 'sitemap-tags'; n: number }
  | { kind: 'news' }
  | { kind: 'static' };

export function groupName(id: GroupId): string {
  switch (id.kind) {
    case 'main':
    case 'sitemap':
    case 'news':
    case 'static':
      return id.kind;
    case 'tag':
      return `tag:${id.slug}`;
    default:
      return `${id.kind}:${id.n}`;
  }
}

export function parseGroupName(name: string): GroupId | undefined {
  if (name === 'main' || name === 'sitemap' || name === 'news' || name === 'static') return { kind: name };
  const [kind, rest] = [name.slice(0, name.indexOf(':')), name.slice(name.indexOf(':') + 1)];
  if (kind === 'tag' && rest) return { kind, slug: rest };
  const n = Number(rest);
  if ((kind === 'archive' || kind === 'sitemap-articles' || kind === 'sitemap-tags') && Number.isInteger(n) && n >= 1) return { kind, n };
  return undefined;
}

/** The site keys a group writes. */
export function groupFiles(id: GroupId): string[] {
  switch (id.kind) {
    case 'main':
      return [...FEED_FOLDER_FILES, FRONT_PAGE];
    case 'tag':
      return [...FEED_FOLDER_FILES.map((f) => `${tagFolder(id.slug)}${f}`), `${tagFolder(id.slug)}${FRONT_PAGE}`];
    case 'archive':
      return FEED_FOLDER_FILES.map((f) => `${archiveFolder(id.n)}${f}`);
    case 'sitemap':
      return [SITEMAP_INDEX];
    case 'sitemap-articles':
      return [articleSitemapKey(id.n)];
    case 'sitemap-tags':
      return [tagSitemapKey(id.n)];
    case 'news':
      return [NEWS_SITEMAP];
    case 'static':
      return [...STATIC_FILES];
  }
}

/** The group that writes a site key, if any (pages and media belong to no group). */
export function groupOfSiteKey(key: string): GroupId | undefined {
  if ((FEED_FOLDER_FILES as readonly string[]).includes(key) || key === FRONT_PAGE) return { kind: 'main' };
  if ((STATIC_FILES as readonly string[]).includes(key)) return { kind: 'static' };
  if (key === SITEMAP_INDEX) return { kind: 'sitemap' };
  if (key === NEWS_SITEMAP) return { kind: 'news' };
  let m = /^sitemap-(\d+)\.xml$/.exec(key);
  if (m) return { kind: 'sitemap-articles', n: Number(m[1]) };
  m = /^sitemap-tags-(\d+)\.xml$/.exec(key);
  if (m) return { kind: 'sitemap-tags', n: Number(m[1]) };
  m = /^tags\/([^/]+)\/(rss\.xml|atom\.xml|feed\.json|feed\.html|index\.html)$/.exec(key);
  if (m) return { kind: 'tag', slug: m[1] as string };
  m = /^archive\/(\d+)\/(rss\.xml|atom\.xml|feed\.json|feed\.html)$/.exec(key);
  if (m) return { kind: 'archive', n: Number(m[1]) };
  return undefined;
}

/** The slug of an article page key (articles/<slug>/index.html), or undefined. */
export function slugOfPageKey(key: string): string | undefined {
  return /^articles\/([^/]+)\/index\.html$/.exec(key)?.[1];
}

/**
 * The order stale groups are written in, so a reader following any link finds its target: fixed files,
 * sitemap shards, then the sitemap index, archive pages, tag feeds, and the site's own feeds last.
 */
export function groupOrder(id: GroupId): number {
  return { static: 0, 'sitemap-articles': 1, 'sitemap-tags': 1, news: 1, sitemap: 2, archive: 3, tag: 4, main: 5 }[id.kind];
}

// ------------------------------------------------------------------------------------------------
// State store (private): the publisher's memory, never under the site's folder or bucket
// ------------------------------------------------------------------------------------------------

/** Short, stable, path-safe name for a content key (or a media key) in state keys. */
export function keyHash(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 22);
}

/** An ETag as a file-name part: quotes and anything but letters, digits, '-' and '_' dropped. */
export const etagPart = (etag: string): string => etag.replace(/[^A-Za-z0-9_-]/g, '');

/** The main timeline's name; a tag's is `tag-<slug>`. */
export const MAIN_TIMELINE = 'main';
export const tagTimeline = (slug: string): string => `tag-${slug}`;

/**
 * Where the publisher's state objects live: files and folders of the state store. What each holds, and the
 * keys made from these, are core/state/state.ts's table (STATE).
 */
export const STATE_NAMES = {
  lease: 'lease.json',
  head: 'head.json',
  schedule: 'schedule.json',
  news: 'news.json',
  requests: 'requests/',
  intents: 'requests/intent/',
  journals: 'journal/',
  records: 'articles/',
  seen: 'seen/',
  slugs: 'slugs/',
  ids: 'ids/',
  timelines: 'timeline/',
  timelineDir: 'dir.json',
  archivePages: 'archive/',
  sitemapShards: 'sitemap/',
  tagShards: 'sitemap-tags/',
  mediaRefs: 'media/',
  groups: 'groups/',
  rebuildBatches: 'rebuild/',
  rebuildPlan: 'rebuild/plan.json',
  rebuildSummaries: 'summary/',
  fanItems: 'items.json',
  fanEnded: 'ended.json',
  fanRecords: 'records/',
  fanDone: 'done/',
  served: 'settings.json',
} as const;

/**
 * Where the state lives when no state bucket is given: the content store's .wirefeed/ (the publish
 * notifications watch articles/ and site.yaml only, and the deploy never prunes the bucket).
 */
export const STATE_PREFIX_IN_CONTENT = '.wirefeed/';

/** The local build's private folders beside the content folder: .wirefeed/state/<out>-<hash>/ and .wirefeed/preview/. */
export const LOCAL_STATE_FOLDER = [STATE_PREFIX_IN_CONTENT.slice(0, -1), 'state'] as const;
export const LOCAL_PREVIEW_FOLDER = [STATE_PREFIX_IN_CONTENT.slice(0, -1), 'preview'] as const;

/** List options for listings that need the keys alone (no ETags). */
export const KEYS = { keysOnly: true } as const;
