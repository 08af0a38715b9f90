import { describe, expect, it } from 'vitest';
import { type FeedItem, feedUrls, siteScope } from '../../../functions/core/output/feed-scope.ts';
import { jsonFeed } from '../../../functions/core/output/json-feed.ts';
import { testSettings } from '../../helpers/content.ts';
import { article, corrected, feeds, plain, settings } from '../../helpers/feed-fixture.ts';
import { parseJsonFeed, textOf } from '../../helpers/feeds.ts';

// json-feed.ts: the JSON Feed 1.1 document wirefeed writes itself, validated against the 1.1 schema on the way back.

const item = (a = corrected, content = '<p>The story.</p>'): FeedItem => ({ article: a, tags: a.tags, content });

describe('JSON Feed 1.1', () => {
  const json = parseJsonFeed(feeds['feed.json']); // validated against the 1.1 schema

  it('is version 1.1 with authors, language and both URLs', () => {
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json.language).toBe('en-GB');
    expect(json.feed_url).toBe('https://news.test/feed.json');
    expect(json.home_page_url).toBe('https://news.test/');
    expect(json.authors).toEqual([{ name: 'The Desk' }]);
  });

  it('gives each item id, url, HTML, summary, both dates, authors and tags', () => {
    const [item] = json.items;
    expect(item).toMatchObject({
      id: corrected.id,
      url: 'https://news.test/articles/budget-vote/',
      summary: 'MPs approved the budget.',
      date_published: '2025-03-14T09:30:00Z',
      date_modified: '2025-03-15T08:00:00Z',
      authors: [{ name: 'Ada Reporter' }, { name: 'Bo Editor', url: 'https://news.test/bo/' }],
      tags: ['Politics', 'Economy'],
    });
    expect(textOf(item?.content_html ?? '')).toBe('MPs approved the budget. The budget passed by a vote on Friday.');
  });

  it('keeps the newest first, by first publication', () => {
    expect(json.items.map((i) => i.title)).toEqual(['Budget vote passes', 'Storm warning']);
  });
});

describe('a JSON Feed document on its own', () => {
  it('points next_url at the next older archive document, so an app can walk the history, and has none without one', () => {
    // Prepare
    const newest = { ...siteScope(settings), prevArchive: feedUrls(settings, 'archive/4/') };

    // Act
    const walked = parseJsonFeed(jsonFeed([item()], settings, newest));
    const oldest = parseJsonFeed(jsonFeed([item()], settings, siteScope(settings)));

    // Assess
    expect(walked.next_url).toBe('https://news.test/archive/4/feed.json');
    expect('next_url' in oldest).toBe(false);
  });

  it("carries the site's hub, icon, favicon and author only when site.yaml names them", () => {
    // Prepare
    const bare = testSettings();
    const dressed = testSettings({ websub_hub: 'https://hub.test/', icon: '/icon.png', favicon: '/favicon.ico', author: { name: 'Desk', url: 'https://news.test/desk/' } });

    // Act
    const plainDoc = parseJsonFeed(jsonFeed([], bare, siteScope(bare)));
    const dressedDoc = parseJsonFeed(jsonFeed([], dressed, siteScope(dressed)));

    // Assess
    expect(Object.keys(plainDoc)).toEqual(['version', 'title', 'home_page_url', 'feed_url', 'description', 'language', 'items']);
    expect(dressedDoc).toMatchObject({
      icon: 'https://news.test/icon.png',
      favicon: 'https://news.test/favicon.ico',
      hubs: [{ type: 'WebSub', url: 'https://hub.test/' }],
      authors: [{ name: 'Desk', url: 'https://news.test/desk/' }],
    });
  });

  it('gives authors a name and a URL only: JSON Feed 1.1 has no e-mail field', () => {
    // Act
    const [first] = parseJsonFeed(jsonFeed([item()], settings, siteScope(settings))).items;

    // Assess
    expect(first?.authors).toEqual([{ name: 'Ada Reporter' }, { name: 'Bo Editor', url: 'https://news.test/bo/' }]);
    expect(JSON.stringify(first)).not.toContain('bo@news.test');
  });

  it('leaves out authors and tags for an item that has none, and dates one never corrected as modified when first published', () => {
    // Act
    const [only] = parseJsonFeed(jsonFeed([item(plain)], settings, siteScope(settings))).items;

    // Assess
    expect(only && ('authors' in only || 'tags' in only)).toBe(false);
    expect([only?.date_published, only?.date_modified]).toEqual(['2025-03-13T00:00:00Z', '2025-03-13T00:00:00Z']);
  });

  it('gives the lead image, and an attachment only with a known type and length, titled with its alt text when it has one', () => {
    // Prepare
    const image = { url: 'https://cdn.test/p.jpg?w=800&h=450', alt: 'Tom & "Jerry"', type: 'image/jpeg', length: 1234 };
    const stories = [
      article('declared', { title: 'Declared', date: '2025-03-14', image }),
      article('no-alt', { title: 'No alt', date: '2025-03-13', image: { ...image, alt: '' } }),
      article('unknown', { title: 'Unknown', date: '2025-03-12', image: { url: image.url, alt: image.alt } }),
    ];

    // Act
    const items = parseJsonFeed(
      jsonFeed(
        stories.map((a) => item(a)),
        settings,
        siteScope(settings),
      ),
    ).items;

    // Assess
    expect(items.map((i) => i.image)).toEqual([image.url, image.url, image.url]);
    expect(items.map((i) => i.attachments)).toEqual([
      [{ url: image.url, mime_type: 'image/jpeg', size_in_bytes: 1234, title: image.alt }],
      [{ url: image.url, mime_type: 'image/jpeg', size_in_bytes: 1234 }],
      undefined,
    ]);
  });
});
