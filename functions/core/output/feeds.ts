import type { Article } from '../article/article.ts';
import { shownTags, type TagTitles } from '../article/tags.ts';
import { escapeHtml } from '../article/text.ts';
import { FEEDS, type FeedFile } from '../keys.ts';
import type { Settings } from '../settings.ts';
import { atomFeed } from './atom.ts';
import { feedContentHtml, summaryContentHtml } from './content.ts';
import { byteSizes, contentBytes, FEED_BYTES, withFull } from './feed-budget.ts';
import { type FeedItem, type FeedScope, feedUpdated, siteScope } from './feed-scope.ts';
import { jsonFeed } from './json-feed.ts';
import { type RssChannel, type RssItem, rss2 } from './rss.ts';

/** A feed folder's three documents, by file name. */
export type FeedFiles = Record<FeedFile, string>;

/** How a set of articles becomes feeds, beyond the site's settings. */
export interface FeedOptions {
  /** The site's title of each tag, by slug (TagDir.name): the categories. Without one, an article's own spelling. */
  titles?: TagTitles;
  /** Bytes each document may hold (feed-budget.ts). @default FEED_BYTES */
  budget?: number;
  /** Only the first this many articles may carry their full content (the rest's HTML was let go: build.ts). @default all */
  fullAtMost?: number;
}

/**
 * The three feeds for `articles`, which the caller has already chosen and ordered (newest first).
 * RSS comes from the `feed` package, through rss.ts, which works around its faults in one place; Atom (atom.ts) and JSON Feed 1.1
 * (json-feed.ts) are written by wirefeed, because `feed` 6 cannot write them correctly.
 *
 * With full content, each document stays within the byte budget: the newest items carry the whole article
 * for as long as every format's document fits, and the rest their summary and a link to the page (every
 * item is always listed). The same articles always give the same cut, so the bytes (and ETags) are stable.
 */
export function buildFeeds(articles: readonly Article[], settings: Settings, scope: FeedScope = siteScope(settings), options: FeedOptions = {}): FeedFiles {
  const updated = feedUpdated(articles);
  const titles = options.titles ?? new Map<string, string>();
  const full = settings.feedContent === 'full';
  const items = articles.map((article): FeedItem => ({ article, tags: shownTags(article.tags, titles), content: full ? summaryContentHtml(article) : '' }));
  const write = (): FeedFiles => ({
    [FEEDS.rss]: rssFeed(items, settings, scope, updated),
    [FEEDS.atom]: atomFeed(items, settings, scope, updated),
    [FEEDS.json]: jsonFeed(items, settings, scope),
  });
  if (!full) return write();
  const budget = options.budget ?? FEED_BYTES;
  const candidates = Math.min(options.fullAtMost ?? items.length, items.length);
  const html = items.slice(0, candidates).map((i) => feedContentHtml(i.article));
  const summary = items.map((i) => i.content);
  const withContent = (n: number) => {
    for (let i = 0; i < items.length; i++) items[i] = { ...(items[i] as FeedItem), content: i < n ? (html[i] as string) : (summary[i] as string) };
  };
  // Most feeds are far below the budget: written once with every article whole, and measured.
  if (html.reduce((sum, h) => sum + Buffer.byteLength(h), 0) <= budget / 4) {
    withContent(candidates);
    const files = write();
    const sizes = byteSizes(files);
    if (Math.max(sizes.rss, sizes.atom, sizes.json) <= budget) return files;
  }
  // Otherwise every item in its summary form first (small); then, newest first, each item that still fits
  // takes its whole article, measured by exactly what the swap adds to each format (feed-budget.ts).
  withContent(0);
  const summaries = write();
  let spent = byteSizes(summaries);
  let fullItems = 0;
  for (; fullItems < candidates; fullItems++) {
    const next = withFull(spent, contentBytes(html[fullItems] as string), contentBytes(summary[fullItems] as string), budget);
    if (!next) break;
    spent = next;
  }
  if (fullItems === 0) return summaries;
  withContent(fullItems);
  return write();
}

function rssFeed(feedItems: readonly FeedItem[], settings: Settings, scope: FeedScope, updated: string): string {
  const links = [
    { href: scope.self.rss, rel: 'self', type: 'application/rss+xml' },
    settings.hub ? { href: settings.hub, rel: 'hub' } : undefined,
    scope.current ? { href: scope.current.rss, rel: 'current', type: 'application/rss+xml' } : undefined,
    scope.prevArchive ? { href: scope.prevArchive.rss, rel: 'prev-archive', type: 'application/rss+xml' } : undefined,
    scope.nextArchive ? { href: scope.nextArchive.rss, rel: 'next-archive', type: 'application/rss+xml' } : undefined,
  ].filter((l) => l !== undefined);
  const channel: RssChannel = {
    title: scope.title,
    description: scope.description,
    link: scope.homeUrl,
    language: settings.language,
    updated: new Date(updated),
    ...(settings.logo || settings.icon ? { image: settings.logo ?? settings.icon } : {}),
    ...(settings.copyright ? { copyright: settings.copyright } : {}),
    links,
    archive: scope.current !== undefined,
  };
  const items = feedItems.map(({ article: a, tags, content }): RssItem => {
    const media = enclosure(a);
    return {
      title: a.title,
      link: a.url,
      guid: a.id,
      pubDate: new Date(a.published.iso), // first publication: a correction never moves it
      // RSS description is HTML: the summary, escaped, reads as written.
      description: escapeHtml(a.summary),
      ...(settings.feedContent === 'full' ? { content } : {}),
      // One dc:creator naming every author: newsboat shows only one author field (the last dc:creator, and
      // an RSS <author> over any), and the W3C validator flags <author> beside dc:creator and a second
      // <author>. RSS <author> (an e-mail address) is left out; Atom carries the e-mail addresses.
      creators: a.authors.length > 0 ? [a.authors.map((p) => p.name).join(', ')] : [],
      categories: tags,
      ...(media ? { enclosure: media } : {}),
    };
  });
  return rss2(channel, items);
}

/** The lead image as an enclosure: only with its real type and length, never guessed. */
function enclosure(a: Article): { url: string; type: string; length: number; alt: string } | undefined {
  const image = a.image;
  return image?.type && image.length ? { url: image.url, type: image.type, length: image.length, alt: image.alt } : undefined;
}
