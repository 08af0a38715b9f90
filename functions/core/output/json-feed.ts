import type { Settings } from '../settings.ts';
import type { FeedItem, FeedScope } from './feed-scope.ts';

/** JSON Feed 1.1 (https://jsonfeed.org/version/1.1), written here because `feed` 6 writes version 1. */
export function jsonFeed(items: readonly FeedItem[], settings: Settings, scope: FeedScope): string {
  const document = {
    version: 'https://jsonfeed.org/version/1.1',
    title: scope.title,
    home_page_url: scope.homeUrl,
    feed_url: scope.self.json,
    ...(scope.prevArchive ? { next_url: scope.prevArchive.json } : {}),
    description: scope.description,
    language: settings.language,
    ...(settings.icon ? { icon: settings.icon } : {}),
    ...(settings.favicon ? { favicon: settings.favicon } : {}),
    ...(settings.hub ? { hubs: [{ type: 'WebSub', url: settings.hub }] } : {}),
    ...(settings.author ? { authors: [author(settings.author)] } : {}),
    items: items.map(({ article: a, tags, content }) => ({
      id: a.id,
      url: a.url,
      title: a.title,
      ...(settings.feedContent === 'full' ? { content_html: content } : { content_text: a.summary }),
      summary: a.summary,
      ...(a.image ? { image: a.image.url } : {}),
      ...(a.image?.type && a.image.length ? { attachments: [{ url: a.image.url, mime_type: a.image.type, size_in_bytes: a.image.length, ...(a.image.alt ? { title: a.image.alt } : {}) }] } : {}),
      date_published: a.published.iso,
      date_modified: a.updated?.iso ?? a.published.iso,
      ...(a.authors.length > 0 ? { authors: a.authors.map(author) } : {}),
      ...(tags.length > 0 ? { tags } : {}),
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** JSON Feed authors have a name and a URL; there is no e-mail field in 1.1. */
function author(person: { name: string; url?: string }): { name: string; url?: string } {
  return person.url ? { name: person.name, url: person.url } : { name: person.name };
}
