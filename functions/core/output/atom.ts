import type { Person } from '../article/schema-parts.ts';
import type { Settings } from '../settings.ts';
import { type FeedItem, type FeedScope, HISTORY_NS } from './feed-scope.ts';
import { type Element, el, xmlDocument } from './xml.ts';

/**
 * Atom 1.0 (RFC 4287), written here rather than by `feed` 6, which cannot express what wirefeed's
 * Atom needs: xml:lang, RFC 5005 archive links, enclosures with their real MIME type (it guesses one
 * from the file extension), and attribute values with '<' in them (it escapes only '"').
 */
export function atomFeed(items: readonly FeedItem[], settings: Settings, scope: FeedScope, updated: string): string {
  const feedAuthor = settings.author ?? { name: settings.title }; // Atom needs an author on the feed or on every entry
  const root = el(
    'feed',
    { xmlns: 'http://www.w3.org/2005/Atom', 'xml:lang': settings.language, ...(scope.current ? { 'xmlns:fh': HISTORY_NS } : {}) },
    el('id', {}, scope.id),
    el('title', {}, scope.title),
    el('subtitle', {}, scope.description),
    el('updated', {}, updated),
    el('link', { rel: 'alternate', type: 'text/html', href: scope.homeUrl }),
    el('link', { rel: 'self', type: 'application/atom+xml', href: scope.self.atom }),
    settings.hub && el('link', { rel: 'hub', href: settings.hub }),
    scope.current && el('link', { rel: 'current', type: 'application/atom+xml', href: scope.current.atom }),
    scope.prevArchive && el('link', { rel: 'prev-archive', type: 'application/atom+xml', href: scope.prevArchive.atom }),
    scope.nextArchive && el('link', { rel: 'next-archive', type: 'application/atom+xml', href: scope.nextArchive.atom }),
    scope.current && el('fh:archive'),
    author(feedAuthor),
    (settings.favicon ?? settings.icon) && el('icon', {}, settings.favicon ?? settings.icon),
    (settings.logo ?? settings.icon) && el('logo', {}, settings.logo ?? settings.icon),
    settings.copyright && el('rights', {}, settings.copyright),
    el('generator', {}, 'wirefeed'),
    ...items.map((i) => entry(i, settings)),
  );
  return xmlDocument(root);
}

function entry({ article: a, tags, content }: FeedItem, settings: Settings): Element {
  return el(
    'entry',
    {},
    el('id', {}, a.id),
    el('title', { type: 'text' }, a.title),
    el('link', { rel: 'alternate', type: 'text/html', href: a.url }),
    a.image?.type && a.image.length ? el('link', { rel: 'enclosure', type: a.image.type, length: a.image.length, href: a.image.url, title: a.image.alt || undefined }) : undefined,
    el('published', {}, a.published.iso),
    el('updated', {}, a.updated?.iso ?? a.published.iso),
    ...a.authors.map(author),
    ...tags.map((term) => el('category', { term })),
    el('summary', { type: 'text' }, a.summary),
    settings.feedContent === 'full' && el('content', { type: 'html' }, content),
  );
}

function author(p: Person): Element {
  return el('author', {}, el('name', {}, p.name), p.email && el('email', {}, p.email), p.url && el('uri', {}, p.url));
}
