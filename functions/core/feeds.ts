import { Feed, type Extension, type Item } from 'feed';
import type { Article } from './article.ts';
import { feedContentHtml } from './content.ts';
import { jsonFeed } from './json-feed.ts';
import type { Site } from './site.ts';
import { escapeHtml } from './text.ts';

export interface FeedFiles {
  'rss.xml': string;
  'atom.xml': string;
  'feed.json': string;
}

/** What one set of feeds is about: the whole site, or (later) one tag. URLs are absolute. */
export interface FeedScope {
  title: string;
  description: string;
  homeUrl: string;
  rssUrl: string;
  atomUrl: string;
  jsonUrl: string;
}

export function siteScope(site: Site): FeedScope {
  return {
    title: site.title,
    description: site.description,
    homeUrl: site.url,
    rssUrl: new URL('rss.xml', site.url).href,
    atomUrl: new URL('atom.xml', site.url).href,
    jsonUrl: new URL('feed.json', site.url).href,
  };
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

/**
 * The three feeds for `articles`, which the caller has already chosen and ordered (newest first).
 * RSS and Atom come from the `feed` package with the fixes in this file; JSON Feed 1.1 is built
 * directly because `feed` 6 only writes JSON Feed 1.0.
 */
export function buildFeeds(articles: readonly Article[], site: Site, scope: FeedScope = siteScope(site)): FeedFiles {
  const updated = feedUpdated(articles);
  return {
    'rss.xml': rss(articles, site, scope, updated),
    'atom.xml': atom(articles, site, scope, updated),
    'feed.json': jsonFeed(articles, site, scope),
  };
}

function rss(articles: readonly Article[], site: Site, scope: FeedScope, updated: string): string {
  const feed = new Feed(options(site, scope, updated));
  for (const a of articles) {
    // RSS <author> must be an e-mail address; authors without one go in dc:creator instead.
    const creators = a.authors.filter((p) => !p.email).map((p) => p.name);
    feed.addItem({
      ...common(a, site),
      author: a.authors.filter((p) => p.email).map((p) => ({ name: p.name, email: p.email })),
      category: a.tags.map((name) => ({ name })),
      ...(creators.length > 0 ? { extensions: [dcCreators(creators)] } : {}),
    });
  }
  // `feed` declares xmlns:dc only when items have content; summary-only feeds may still use dc:creator.
  return addRootAttributes(feed.rss2(), '<rss version="2.0"', { 'xmlns:dc': 'http://purl.org/dc/elements/1.1/' });
}

function atom(articles: readonly Article[], site: Site, scope: FeedScope, updated: string): string {
  const feed = new Feed({
    ...options(site, scope, updated),
    // Atom needs an author on every entry or on the feed; the site itself is the fallback.
    author: site.author ? { name: site.author.name, email: site.author.email, link: site.author.url } : { name: site.title },
  });
  for (const a of articles) {
    feed.addItem({
      ...common(a, site),
      author: a.authors.map((p) => ({ name: p.name, email: p.email, link: p.url })),
      category: a.tags.map((term) => ({ term })), // `feed` writes Atom categories from `term` only
    });
  }
  // `feed` has no option for xml:lang; the language tag was validated, so it is safe in an attribute.
  return addRootAttributes(feed.atom1(), '<feed xmlns="http://www.w3.org/2005/Atom"', { 'xml:lang': site.language });
}

function options(site: Site, scope: FeedScope, updated: string) {
  return {
    id: scope.homeUrl,
    title: scope.title,
    description: scope.description,
    link: scope.homeUrl,
    language: site.language,
    updated: new Date(updated), // `feed` reads the clock when this is unset
    generator: 'wirefeed',
    ...(site.copyright ? { copyright: site.copyright } : {}),
    // Not `feed:`, which `feed` makes the self link of RSS and Atom alike.
    feedLinks: { rss: scope.rssUrl, atom: scope.atomUrl, json: scope.jsonUrl },
  };
}

function common(a: Article, site: Site): Item {
  const item: Item = {
    // Both RSS <title> (in CDATA, read as HTML by readers) and Atom <title type="html"> are HTML.
    title: escapeHtml(a.title),
    id: a.id,
    guid: a.id,
    link: a.url,
    date: new Date(a.updated?.iso ?? a.published.iso), // Atom <updated>
    published: new Date(a.published.iso), // RSS <pubDate> and Atom <published>: first publication
    description: cdataSafe(escapeHtml(a.summary)),
  };
  if (site.feedContent === 'full') item.content = cdataSafe(feedContentHtml(a));
  return item;
}

/** One <dc:creator> per author: xml-js writes an array of text nodes as repeated elements. */
function dcCreators(names: string[]): Extension {
  // `feed` types extension objects as a record, but passes them to xml-js, which also takes arrays.
  return { name: 'dc:creator', objects: names.map((name) => ({ _text: name })) as unknown as Record<string, unknown> };
}

/**
 * `feed` (through xml-js) splits only the first "]]>" in a CDATA section. In HTML, "]]&gt;" means the
 * same text, so every "]]>" is rewritten before it reaches a CDATA section.
 */
export function cdataSafe(html: string): string {
  return html.replaceAll(']]>', ']]&gt;');
}

/** Add attributes to the root element `feed` wrote, where it has no option for them. */
function addRootAttributes(xml: string, rootStart: string, attributes: Record<string, string>): string {
  const at = xml.indexOf(rootStart);
  if (at < 0) throw new Error(`feed output changed: "${rootStart}" not found`); // caught by the tests
  const end = at + rootStart.length;
  const tagEnd = xml.indexOf('>', end);
  const existing = xml.slice(end, tagEnd);
  const added = Object.entries(attributes)
    .filter(([name]) => !existing.includes(`${name}=`))
    .map(([name, value]) => ` ${name}="${escapeHtml(value)}"`)
    .join('');
  return xml.slice(0, end) + added + xml.slice(end);
}
