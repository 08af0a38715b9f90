import { Feed, type Extension, type Item } from 'feed';
import type { Article } from './article.ts';
import { atomFeed } from './atom.ts';
import { HISTORY_NS, feedUpdated, siteScope, type FeedScope } from './feed-scope.ts';
import { feedContentHtml } from './content.ts';
import { jsonFeed } from './json-feed.ts';
import type { Site } from './site.ts';
import { escapeHtml } from './text.ts';

export interface FeedFiles {
  'rss.xml': string;
  'atom.xml': string;
  'feed.json': string;
}

const MEDIA_NS = 'http://search.yahoo.com/mrss/';

/**
 * The three feeds for `articles`, which the caller has already chosen and ordered (newest first).
 * RSS comes from the `feed` package with the fixes in this file; Atom (atom.ts) and JSON Feed 1.1
 * (json-feed.ts) are written by wirefeed, because `feed` 6 cannot write them correctly.
 */
export function buildFeeds(articles: readonly Article[], site: Site, scope: FeedScope = siteScope(site)): FeedFiles {
  const updated = feedUpdated(articles);
  return {
    'rss.xml': rssFeed(articles, site, scope, updated),
    'atom.xml': atomFeed(articles, site, scope, updated),
    'feed.json': jsonFeed(articles, site, scope),
  };
}

function rssFeed(articles: readonly Article[], site: Site, scope: FeedScope, updated: string): string {
  const feed = new Feed({
    id: scope.homeUrl,
    title: scope.title,
    description: scope.description,
    link: scope.homeUrl,
    language: site.language,
    updated: new Date(updated), // `feed` reads the clock when this is unset
    generator: 'wirefeed',
    ...(site.logo || site.icon ? { image: site.logo ?? site.icon } : {}),
    ...(site.copyright ? { copyright: site.copyright } : {}),
  });
  // The channel's atom:link list is written whole (`feed` would make its `feed` option the self link of
  // RSS and Atom alike, and has no archive links); the atom namespace comes with the self link.
  const links = [
    { href: scope.self.rss, rel: 'self', type: 'application/rss+xml' },
    site.hub && { href: site.hub, rel: 'hub' },
    scope.current && { href: scope.current.rss, rel: 'current', type: 'application/rss+xml' },
    scope.prevArchive && { href: scope.prevArchive.rss, rel: 'prev-archive', type: 'application/rss+xml' },
  ].filter(Boolean);
  feed.addExtension(xmlExtension('atom:link', links.map((attributes) => ({ _attributes: attributes }))));
  if (scope.current) feed.addExtension(xmlExtension('fh:archive', {}));
  for (const a of articles) {
    // RSS <author> must be an e-mail address; authors without one go in dc:creator instead.
    const creators = a.authors.filter((p) => !p.email).map((p) => ({ _text: p.name }));
    const extensions: Extension[] = [];
    if (creators.length > 0) extensions.push(xmlExtension('dc:creator', creators));
    const media = enclosure(a);
    if (media) {
      extensions.push(
        xmlExtension('media:content', {
          _attributes: { url: media.url, type: media.type, fileSize: media.length, medium: 'image' },
          ...(media.alt ? { 'media:description': { _attributes: { type: 'plain' }, _text: media.alt } } : {}),
        }),
      );
    }
    const item: Item = {
      // RSS <title> sits in CDATA, which readers render as HTML: escape it so it reads as written.
      title: escapeHtml(a.title),
      id: a.id,
      guid: a.id,
      link: a.url,
      date: new Date(a.updated?.iso ?? a.published.iso),
      published: new Date(a.published.iso), // <pubDate>: first publication; a correction never moves it
      description: cdataSafe(escapeHtml(a.summary)),
      author: a.authors.filter((p) => p.email).map((p) => ({ name: p.name, email: p.email })),
      category: a.tags.map((name) => ({ name })),
      ...(media ? { enclosure: { url: media.url, type: media.type, length: media.length } } : {}),
      ...(extensions.length > 0 ? { extensions } : {}),
    };
    if (site.feedContent === 'full') item.content = cdataSafe(feedContentHtml(a));
    feed.addItem(item);
  }
  // `feed` declares xmlns:dc only when items have content, and knows no media: or fh: namespace.
  return addRootAttributes(feed.rss2(), '<rss version="2.0"', {
    'xmlns:dc': 'http://purl.org/dc/elements/1.1/',
    'xmlns:atom': 'http://www.w3.org/2005/Atom',
    ...(articles.some(enclosure) ? { 'xmlns:media': MEDIA_NS } : {}),
    ...(scope.current ? { 'xmlns:fh': HISTORY_NS } : {}),
  });
}

/** The lead image as an enclosure: only with its real type and length, never guessed. */
export function enclosure(a: Article): { url: string; type: string; length: number; alt: string } | undefined {
  const image = a.image;
  return image?.type && image.length ? { url: image.url, type: image.type, length: image.length, alt: image.alt } : undefined;
}

/** `feed` types extension objects as records, but passes them to xml-js, which also takes arrays. */
function xmlExtension(name: string, objects: unknown): Extension {
  return { name, objects: objects as Record<string, unknown> };
}

/**
 * `feed` (through xml-js) splits only the first "]]>" in a CDATA section. In HTML, "]]&gt;" means the
 * same text, so every "]]>" is rewritten before it reaches a CDATA section.
 */
export function cdataSafe(html: string): string {
  return html.replaceAll(']]>', ']]&gt;');
}

/** Add namespace declarations to the root element `feed` wrote, where it has no option for them. */
function addRootAttributes(xml: string, rootStart: string, attributes: Record<string, string>): string {
  const at = xml.indexOf(rootStart);
  if (at < 0) throw new Error(`feed output changed: "${rootStart}" not found`); // caught by the tests
  const end = at + rootStart.length;
  const existing = xml.slice(end, xml.indexOf('>', end));
  const added = Object.entries(attributes)
    .filter(([name]) => !existing.includes(`${name}=`))
    .map(([name, value]) => ` ${name}="${escapeHtml(value)}"`)
    .join('');
  return xml.slice(0, end) + added + xml.slice(end);
}

