import { describe, expect, it } from 'vitest';
import { atomFeed } from '../../../functions/core/output/atom.ts';
import { type FeedItem, feedUrls, HISTORY_NS, siteScope } from '../../../functions/core/output/feed-scope.ts';
import { testSettings } from '../../helpers/content.ts';
import { article, corrected, feeds, plain, settings } from '../../helpers/feed-fixture.ts';
import { nodeText, parseAtom, textOf } from '../../helpers/feeds.ts';

// atom.ts: the Atom 1.0 document wirefeed writes itself. Read back with the independent parsers.

const item = (a = corrected, content = '<p>The story.</p>'): FeedItem => ({ article: a, tags: a.tags, content });
const UPDATED = '2025-03-15T08:00:00Z';
/** The feed's links as "rel href". */
const links = (xml: string): string[] => parseAtom(xml).xml.feed.link.map((l: Record<string, string>) => `${l['@_rel']} ${l['@_href']}`);

describe('Atom 1.0', () => {
  const { xml, feed } = parseAtom(feeds['atom.xml']);
  const entry = xml.feed.entry[0];

  it('declares xml:lang and links to itself and to the site', () => {
    expect(xml.feed['@_xml:lang']).toBe('en-GB');
    const rel = (r: string) => xml.feed.link.find((l: { '@_rel'?: string }) => l['@_rel'] === r)?.['@_href'];
    expect(rel('self')).toBe('https://news.test/atom.xml');
    expect(rel('alternate')).toBe('https://news.test/');
  });

  it('gives each entry its id, first publication as published, and the correction as updated', () => {
    expect(nodeText(entry.id)).toBe(corrected.id);
    expect(nodeText(entry.published)).toBe('2025-03-14T09:30:00Z');
    expect(nodeText(entry.updated)).toBe('2025-03-15T08:00:00Z');
    expect(feed.items[1]?.published?.toISOString()).toBe('2025-03-13T00:00:00.000Z');
  });

  it('lists every author, with e-mail and URL where given', () => {
    expect(entry.author.map((a: Record<string, unknown>) => nodeText(a.name))).toEqual(['Ada Reporter', 'Bo Editor']);
    expect(nodeText(entry.author[1].uri)).toBe('https://news.test/bo/');
  });

  it('has categories with term, HTML content and a summary', () => {
    expect(entry.category.map((c: Record<string, string>) => c['@_term'])).toEqual(['Politics', 'Economy']);
    expect(entry.content['@_type']).toBe('html');
    expect(textOf(nodeText(entry.content) ?? '')).toBe('MPs approved the budget. The budget passed by a vote on Friday.');
    expect(textOf(nodeText(entry.summary) ?? '')).toBe('MPs approved the budget.');
  });

  it('has a feed-level author and updated date, as Atom requires', () => {
    expect(nodeText(xml.feed.author[0].name)).toBe('The Desk');
    expect(nodeText(xml.feed.updated)).toBe('2025-03-15T08:00:00Z');
  });
});

describe('an Atom document on its own', () => {
  it('marks an archive document with the history namespace, fh:archive and a link to the current feed, and a subscription feed with none of them', () => {
    // Prepare
    const archive = { ...siteScope(settings), self: feedUrls(settings, 'archive/1/'), current: feedUrls(settings) };

    // Act
    const archived = parseAtom(atomFeed([item()], settings, archive, UPDATED)).xml.feed;
    const current = parseAtom(atomFeed([item()], settings, siteScope(settings), UPDATED)).xml.feed;

    // Assess
    expect(archived['@_xmlns:fh']).toBe(HISTORY_NS);
    expect(archived['fh:archive']).toBeDefined();
    expect(archived.link.find((l: Record<string, string>) => l['@_rel'] === 'current')).toMatchObject({ '@_href': 'https://news.test/atom.xml', '@_type': 'application/atom+xml' });
    expect(current['@_xmlns:fh']).toBeUndefined();
    expect(current['fh:archive']).toBeUndefined();
    expect(current.link.some((l: Record<string, string>) => l['@_rel'] === 'current')).toBe(false);
  });

  it('links the older and newer archive documents and the hub only when there are some', () => {
    // Prepare
    const hubbed = testSettings({ websub_hub: 'https://hub.test/' });
    const middle = { ...siteScope(hubbed), prevArchive: feedUrls(hubbed, 'archive/1/'), nextArchive: feedUrls(hubbed, 'archive/3/') };

    // Act
    const linked = links(atomFeed([], hubbed, middle, UPDATED));
    const alone = links(atomFeed([], testSettings(), siteScope(testSettings()), UPDATED));

    // Assess
    expect(linked).toEqual([
      'alternate https://news.test/',
      'self https://news.test/atom.xml',
      'hub https://hub.test/',
      'prev-archive https://news.test/archive/1/atom.xml',
      'next-archive https://news.test/archive/3/atom.xml',
    ]);
    expect(alone).toEqual(['alternate https://news.test/', 'self https://news.test/atom.xml']);
  });

  it("names the site as the feed's author when site.yaml names none, as Atom requires", () => {
    // Prepare
    const anonymous = testSettings();

    // Act
    const feed = parseAtom(atomFeed([item(plain)], anonymous, siteScope(anonymous), UPDATED)).xml.feed;

    // Assess
    expect(feed.author.map((a: Record<string, unknown>) => nodeText(a.name))).toEqual(['Test Wire']);
    expect(feed.author[0].email).toBeUndefined();
    expect(feed.entry[0].author).toBeUndefined();
  });

  it("uses the site's one icon for both icon and logo, and a favicon and a logo over it where given", () => {
    // Prepare
    const iconOnly = testSettings({ icon: '/icon.png' });
    const all = testSettings({ icon: '/icon.png', favicon: '/favicon.ico', logo: '/logo.png', copyright: '© Wire & Co' });

    // Act
    const one = parseAtom(atomFeed([], iconOnly, siteScope(iconOnly), UPDATED)).xml.feed;
    const three = parseAtom(atomFeed([], all, siteScope(all), UPDATED)).xml.feed;

    // Assess
    expect([nodeText(one.icon), nodeText(one.logo), one.rights]).toEqual(['https://news.test/icon.png', 'https://news.test/icon.png', undefined]);
    expect([nodeText(three.icon), nodeText(three.logo), nodeText(three.rights)]).toEqual(['https://news.test/favicon.ico', 'https://news.test/logo.png', '© Wire & Co']);
  });

  it('gives an entry an enclosure only when the image has a type and a length, titled with its alt text when it has one', () => {
    // Prepare
    const image = { url: 'https://cdn.test/p.jpg?w=800&h=450', alt: 'Tom & "Jerry" <3', type: 'image/jpeg', length: 1234 };
    const stories = [
      article('declared', { title: 'Declared', date: '2025-03-14', image }),
      article('no-alt', { title: 'No alt', date: '2025-03-13', image: { ...image, alt: '' } }),
      article('unknown', { title: 'Unknown', date: '2025-03-12', image: { url: image.url, alt: image.alt } }),
    ];

    // Act
    const entries = parseAtom(
      atomFeed(
        stories.map((a) => item(a)),
        settings,
        siteScope(settings),
        UPDATED,
      ),
    ).xml.feed.entry;

    // Assess
    const enclosure = (e: { link: Record<string, string>[] }) => e.link.find((l) => l['@_rel'] === 'enclosure');
    expect(enclosure(entries[0])).toEqual({ '@_rel': 'enclosure', '@_type': 'image/jpeg', '@_length': '1234', '@_href': image.url, '@_title': image.alt });
    expect(enclosure(entries[1])?.['@_title']).toBeUndefined();
    expect(enclosure(entries[2])).toBeUndefined();
  });

  it('dates an entry never corrected as updated when it was first published, and carries the HTML it is given as content', () => {
    // Act
    const entry = parseAtom(atomFeed([item(plain, '<p>Winds &amp; rain.</p>')], settings, siteScope(settings), UPDATED)).xml.feed.entry[0];

    // Assess
    expect([nodeText(entry.published), nodeText(entry.updated)]).toEqual(['2025-03-13T00:00:00Z', '2025-03-13T00:00:00Z']);
    expect(textOf(nodeText(entry.content) ?? '')).toBe('Winds & rain.');
  });
});
