import type { Article } from '../article/article.ts';
import { archiveFolder, articleSitemapKey, FRONT_PAGE, NEWS_SITEMAP, SITEMAP_INDEX, tagFolder, tagSitemapKey } from '../keys.ts';
import type { Site } from '../site.ts';
import { type FeedScope, feedId, feedUrls, siteScope } from './feed-scope.ts';
import { FEED_VIEW } from './feed-view.ts';
import { buildFeeds, type FeedFiles, type FeedOptions } from './feeds.ts';
import { type NewsItem, newsLanguage } from './news.ts';
import { feedViewPage, indexPage, notFoundPage, tagPage } from './pages.ts';
import { newsUrlset, robotsTxt, type SitemapLoc, sitemapIndex, urlset } from './sitemap.ts';

/**
 * The files of each output group, from the articles the state says are in it (already chosen and
 * ordered newest first). Pure: the same inputs give the same bytes, so unchanged groups are never
 * rewritten and pollers' ETags hold.
 */

/** The site's own feeds and front page; `archivePages` complete archive pages exist (RFC 5005 prev-archive). */
export function mainFiles(articles: readonly Article[], site: Site, archivePages: number, options: FeedOptions = {}): Map<string, string> {
  const scope: FeedScope = { ...siteScope(site), ...(archivePages > 0 ? { prevArchive: feedUrls(site, archiveFolder(archivePages)) } : {}) };
  return new Map([...feedFolder('', articles, site, scope, options), [FRONT_PAGE, indexPage(articles, site)]]);
}

/** One tag's feeds and page; `name` is its title (TagDir.name), as `options.titles` has it too. */
export function tagFiles(slug: string, name: string, articles: readonly Article[], site: Site, options: FeedOptions = {}): Map<string, string> {
  const folder = tagFolder(slug);
  const urls = feedUrls(site, folder);
  const home = new URL(folder, site.url).href;
  const scope: FeedScope = { id: feedId(site, folder), title: `${site.title}: ${name}`, description: `Articles tagged ${name}`, homeUrl: home, self: urls };
  const files = feedFolder(folder, articles, site, scope, options);
  files.set(`${folder}${FRONT_PAGE}`, tagPage(articles, site, { name, url: home, feeds: urls }));
  return files;
}

/**
 * RFC 5005 archive page n (1 is the oldest) of `pages` published: it changes when one of its own articles
 * does, and once when the next page appears (its next-archive link; the W3C validator's ArchiveIncomplete).
 */
export function archiveFiles(n: number, articles: readonly Article[], site: Site, pages: number, options: FeedOptions = {}): Map<string, string> {
  const scope: FeedScope = {
    id: feedId(site), // one logical feed (RFC 5005): its archive documents share the feed's id
    title: `${site.title} (archive ${n})`,
    description: site.description,
    homeUrl: site.url,
    self: feedUrls(site, archiveFolder(n)),
    current: feedUrls(site),
    ...(n > 1 ? { prevArchive: feedUrls(site, archiveFolder(n - 1)) } : {}),
    ...(n < pages ? { nextArchive: feedUrls(site, archiveFolder(n + 1)) } : {}),
  };
  return feedFolder(archiveFolder(n), articles, site, scope, options);
}

/** Article sitemap shard n; the first also holds the front page. */
export function articleSitemapFiles(n: number, urls: readonly SitemapLoc[], site: Site): Map<string, string> {
  return new Map([[articleSitemapKey(n), urlset(n === 1 ? [{ loc: site.url }, ...urls] : urls)]]);
}

/** Tag-page sitemap shard n. */
export function tagSitemapFiles(n: number, slugs: readonly string[], site: Site): Map<string, string> {
  return new Map([[tagSitemapKey(n), urlset(slugs.map((slug) => ({ loc: new URL(tagFolder(slug), site.url).href })))]]);
}

/** /sitemap.xml: every shard. Shard files change as articles do; the index only when a shard is added. */
export function sitemapIndexFiles(articleShards: number, tagShards: number, site: Site): Map<string, string> {
  const locations = [
    ...Array.from({ length: articleShards }, (_, i) => new URL(articleSitemapKey(i + 1), site.url).href),
    ...Array.from({ length: tagShards }, (_, i) => new URL(tagSitemapKey(i + 1), site.url).href),
  ];
  return new Map([[SITEMAP_INDEX, sitemapIndex(locations)]]);
}

/** /sitemap-news.xml: the state's news index (the last two days' articles, newest first), as Google reads it. */
export function newsSitemapFiles(items: readonly NewsItem[], site: Site): Map<string, string> {
  const locs = items.map((i) => ({ loc: i.loc, published: i.p, title: i.title }));
  return new Map([[NEWS_SITEMAP, newsUrlset(locs, { name: site.title, language: newsLanguage(site.language) })]]);
}

/** Files that depend on the settings alone. */
export function staticFiles(site: Site): Map<string, string> {
  return new Map([
    ['404.html', notFoundPage(site)],
    ['robots.txt', robotsTxt(site.url)],
  ]);
}

/** A folder's three feeds and their browser view, built together from the same articles and scope. */
function feedFolder(folder: string, articles: readonly Article[], site: Site, scope: FeedScope, options: FeedOptions): Map<string, string> {
  const files: [string, string][] = Object.entries(buildFeeds(articles, site, scope, options) satisfies FeedFiles);
  files.push([FEED_VIEW, feedViewPage(articles, site, scope)]);
  return new Map(files.map(([key, body]) => [`${folder}${key}`, body]));
}
