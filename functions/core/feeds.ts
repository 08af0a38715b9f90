import type { Article } from './article.ts';
import { atomFeed } from './atom.ts';
import { feedUpdated, siteScope, type FeedItem, type FeedScope } from './feed-scope.ts';
import { feedContentHtml } from './content.ts';
import { jsonFeed } from './json-feed.ts';
import { rss2, type RssChannel, type RssItem } from './rss.ts';
import type { Site } from './site.ts';
import { shownTags, type TagTitles } from './tags.ts';
import { escapeHtml } from './text.ts';

export interface FeedFiles {
  'rss.xml': string;
  'atom.xml': string;
  'feed.json': string;
}

/** How a set of articles becomes feeds, beyond the site's settings. */
export interface FeedOptions {
  /** The site's title of each tag, by slug (TagDir.name): the categories. Without one, an article's own spelling. */
  titles?: TagTitles;
}

/**
 * The three feeds for `articles`, which the caller has already chosen and ordered (newest first).
 * RSS comes from the `feed` package, through rss.ts, which works around its faults in one place; Atom (atom.ts) and JSON Feed 1.1
 * (json-feed.ts) are written by wirefeed, because `feed` 6 cannot write them correctly.
 */
export function buildFeeds(articles: readonly Article[], site: Site, scope: FeedScope = siteScope(site), options: FeedOptions = {}): FeedFiles {
  const updated = feedUpdated(articles);
  const titles = options.titles ?? new Map<string, string>();
  const items = articles.map((article): FeedItem => ({
    article,
    tags: shownTags(article.tags, titles),
    content: site.feedContent === 'full' ? feedContentHtml(article) : '',
  }));
  return {
    'rss.xml': rssFeed(items, site, scope, updated),
    'atom.xml': atomFeed(items, site, scope, updated),
    'feed.json': jsonFeed(items, site, scope),
  };
}

function rssFeed(feedItems: readonly FeedItem[], site: Site, scope: FeedScope, updated: string): string {
  const links = [
    { href: scope.self.rss, rel: 'self', type: 'application/rss+xml' },
    site.hub ? { href: site.hub, rel: 'hub' } : undefined,
    scope.current ? { href: scope.current.rss, rel: 'current', type: 'application/rss+xml' } : undefined,
    scope.prevArchive ? { href: scope.prevArchive.rss, rel: 'prev-archive', type: 'application/rss+xml' } : undefined,
    scope.nextArchive ? { href: scope.nextArchive.rss, rel: 'next-archive', type: 'application/rss+xml' } : undefined,
  ].filter((l) => l !== undefined);
  const channel: RssChannel = {
    title: scope.title,
    description: scope.description,
    link: scope.homeUrl,
    language: site.language,
    updated: new Date(updated),
    ...(site.logo || site.icon ? { image: site.logo ?? site.icon } : {}),
    ...(site.copyright ? { copyright: site.copyright } : {}),
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
      ...(site.feedContent === 'full' ? { content } : {}),
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
export function enclosure(a: Article): { url: string; type: string; length: number; alt: string } | undefined {
  const image = a.image;
  return image?.type && image.length ? { url: image.url, type: image.type, length: image.length, alt: image.alt } : undefined;
}
