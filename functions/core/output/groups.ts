import type { Article } from '../article/article.ts';

import { archiveFolder, articleSitemapKey, FEED_VIEW, FRONT_PAGE, NEWS_SITEMAP, NOT_FOUND_PAGE, ROBOTS, SITEMAP_INDEX, tagFolder, tagSitemapKey } from '../keys.ts';

import type { Settings } from '../settings.ts';
import type { NewsItem } from '../state/state.ts';
import { type FeedScope, feedId, feedUrls, siteScope } from './feed-scope.ts';
import { buildFeeds, type FeedFiles, type FeedOptions } from './feeds.ts';
import { newsLanguage } from './news.ts';
import { feedViewPage, indexPage, notFoundPage, tagPage } from './pages.ts';
import { newsUrlset, robotsTxt, type SitemapLoc, sitemapIndex, urlset } from './sitemap.ts';

/**
 * The files of each output group, from the articles the state says are in it (already chosen and
 * ordered newest first). Pure: the same inputs give the same bytes, so unchanged groups are never
 * rewritten and pollers' ETags hold.
 */

/** The site's own feeds and front page; `archivePages` complete archive pages exist (RFC 5005 prev-archive). */
export function mainFiles(articles: readonly Article[], settings: Settings, archivePages: number, options: FeedOptions = {}): Map<string, string> {
  const scope: FeedScope = { ...siteScope(settings), ...(archivePages > 0 ? { prevArchive: feedUrls(settings, archiveFolder(archivePages)) } : {}) };
  return new Map([...feedFolder('', articles, settings, scope, options), [FRONT_PAGE, indexPage(articles, settings)]]);
}

/** One tag's feeds and page; `name` is its title (TagDir.name), as `options.titles` has it too. */
export function tagFiles(slug: string, name: string, articles: readonly Article[], settings: Settings, options: FeedOptions = {}): Map<string, string> {
  const folder = tagFolder(slug);
  const urls = feedUrls(settings, folder);
  const home = new URL(folder, settings.url).href;
  const scope: FeedScope = { id: feedId(settings, folder), title: `${settings.title}: ${name}`, description: `Articles tagged ${name}`, homeUrl: home, self: urls };
  const files = feedFolder(folder, articles, settings, scope, options);
  files.set(`${folder}${FRONT_PAGE}`, tagPage(articles, settings, { name, url: home, feeds: urls }));
  return files;
}

/**
 * RFC 5005 archive page n (1 is the oldest) of `pages` published: it changes when one of its own articles
 * does, and once when the next page appears (its next-archive link; the W3C validator's ArchiveIncomplete).
 */
export function archiveFiles(n: number, articles: readonly Article[], settings: Settings, pages: number, options: FeedOptions = {}): Map<string, string> {
  const scope: FeedScope = {
    id: feedId(settings), // one logical feed (RFC 5005): its archive documents share the feed's id
    title: `${settings.title} (archive ${n})`,
    description: settings.description,
    homeUrl: settings.url,
    self: feedUrls(settings, archiveFolder(n)),
    current: feedUrls(settings),
    ...(n > 1 ? { prevArchive: feedUrls(settings, archiveFolder(n - 1)) } : {}),
    ...(n < pages ? { nextArchive: feedUrls(settings, archiveFolder(n + 1)) } : {}),
  };
  return feedFolder(archiveFolder(n), articles, settings, scope, options);
}

/** Article sitemap shard n; the first also holds the front page. */
export function articleSitemapFiles(n: number, urls: readonly SitemapLoc[], settings: Settings): Map<string, string> {
  return new Map([[articleSitemapKey(n), urlset(n === 1 ? [{ loc: settings.url }, ...urls] : urls)]]);
}

/** Tag-page sitemap shard n. */
export function tagSitemapFiles(n: number, slugs: readonly string[], settings: Settings): Map<string, string> {
  return new Map([[tagSitemapKey(n), urlset(slugs.map((slug) => ({ loc: new URL(tagFolder(slug), settings.url).href })))]]);
}

/** /sitemap.xml: every shard. Shard files change as articles do; the index only when a shard is added. */
export function sitemapIndexFiles(articleShards: number, tagShards: number, settings: Settings): Map<string, string> {
  const locations = [
    ...Array.from({ length: articleShards }, (_, i) => new URL(articleSitemapKey(i + 1), settings.url).href),
    ...Array.from({ length: tagShards }, (_, i) => new URL(tagSitemapKey(i + 1), settings.url).href),
  ];
  return new Map([[SITEMAP_INDEX, sitemapIndex(locations)]]);
}

/** /sitemap-news.xml: the state's news index (the last two days' articles, newest first), as Google reads it. */
export function newsSitemapFiles(items: readonly NewsItem[], settings: Settings): Map<string, string> {
  const locs = items.map((i) => ({ loc: i.loc, published: i.p, title: i.title }));
  return new Map([[NEWS_SITEMAP, newsUrlset(locs, { name: settings.title, language: newsLanguage(settings.language) })]]);
}

/** Files that depend on the settings alone. */
export function staticFiles(settings: Settings): Map<string, string> {
  return new Map([
    [NOT_FOUND_PAGE, notFoundPage(settings)],
    [ROBOTS, robotsTxt(settings.url)],
  ]);
}

/** A folder's three feeds and their browser view, built together from the same articles and scope. */
function feedFolder(folder: string, articles: readonly Article[], settings: Settings, scope: FeedScope, options: FeedOptions): Map<string, string> {
  const files: [string, string][] = Object.entries(buildFeeds(articles, settings, scope, options) satisfies FeedFiles);
  files.push([FEED_VIEW, feedViewPage(articles, settings, scope)]);
  return new Map(files.map(([key, body]) => [`${folder}${key}`, body]));
}
