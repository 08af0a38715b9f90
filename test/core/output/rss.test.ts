import { Feed } from 'feed';
import { describe, expect, it } from 'vitest';
import { cdataSafe, type RssChannel, type RssItem, rss2 } from '../../../functions/core/output/rss.ts';
import { asArray, nodeText, parseJsonFeed, parseRss, parseXmlStrict, textOf } from '../../helpers/feeds.ts';

// rss.ts: RSS 2.0 through the `feed` package, with its faults worked around in one place. Every document
// is read back with the independent parsers of test/helpers/feeds.ts.

const channel: RssChannel = {
  title: 'Test Wire',
  description: 'Reports',
  link: 'https://news.test/',
  language: 'en-GB',
  updated: new Date('2025-03-15T08:00:00Z'),
  links: [{ href: 'https://news.test/rss.xml', rel: 'self', type: 'application/rss+xml' }],
  archive: false,
};
const story: RssItem = {
  title: 'Budget vote passes',
  link: 'https://news.test/articles/budget-vote/',
  guid: 'tag:news.test,2025-03-14:budget-vote',
  pubDate: new Date('2025-03-14T09:30:00Z'),
  description: '<p>MPs approved the budget.</p>',
  creators: [],
  categories: [],
};
/** The namespaces the document's root declares, by prefix. */
const declared = (xml: string): string[] =>
  Object.keys(parseXmlStrict(xml).rss)
    .filter((k) => k.startsWith('@_xmlns:'))
    .map((k) => k.slice('@_xmlns:'.length))
    .sort();

describe('an RSS 2.0 document', () => {
  it('declares dc and atom always, and content, media and fh only when an item or the channel uses them', () => {
    // Prepare
    const full: RssItem = { ...story, content: '<p>The story.</p>', enclosure: { url: 'https://cdn.test/a.jpg', type: 'image/jpeg', length: 10, alt: '' } };

    // Act
    const bare = rss2(channel, [story]);
    const rich = rss2({ ...channel, archive: true }, [full]);

    // Assess
    expect(declared(bare)).toEqual(['atom', 'dc']);
    expect(declared(rich)).toEqual(['atom', 'content', 'dc', 'fh', 'media']);
    expect(() => parseRss(rich)).not.toThrow();
  });

  it("puts the channel's atom:link elements and an archive's fh:archive before the first item, and before </channel> when there is none", () => {
    // Prepare
    const archive = { ...channel, archive: true, links: [...channel.links, { href: 'https://news.test/rss.xml', rel: 'current', type: 'application/rss+xml' }] };

    // Act
    const withItems = rss2(archive, [story, { ...story, guid: 'tag:news.test,2025-03-13:other' }]);
    const empty = rss2(archive, []);

    // Assess
    for (const xml of [withItems, empty]) {
      const end = xml.includes('<item>') ? xml.indexOf('<item>') : xml.indexOf('</channel>');
      expect(xml.lastIndexOf('<atom:link')).toBeLessThan(end);
      expect(xml.indexOf('<fh:archive/>')).toBeGreaterThan(0);
      expect(xml.indexOf('<fh:archive/>')).toBeLessThan(end);
      const links = asArray(parseRss(xml).xml.rss.channel['atom:link']).map((l: Record<string, string>) => `${l['@_rel']} ${l['@_href']}`);
      expect(links).toEqual(['self https://news.test/rss.xml', 'current https://news.test/rss.xml']);
    }
    expect(parseRss(withItems).xml.rss.channel.item).toHaveLength(2);
  });

  it('reads hostile text back exactly as written in the channel, the title, guid, categories, creator and image description', () => {
    // Prepare: every character XML escapes, a literal "&amp;", "]]>", quotes and an emoji
    const nasty = 'Q&A: "HTML &amp; CSS" <b>\'bold\'</b> ]]> 📰';

    // Act
    const xml = rss2({ ...channel, title: nasty, description: nasty, copyright: nasty }, [
      { ...story, title: nasty, guid: `urn:x:${nasty}`, categories: [nasty], creators: [nasty], enclosure: { url: 'https://cdn.test/a.jpg', type: 'image/jpeg', length: 10, alt: nasty } },
    ]);

    // Assess
    const ch = parseRss(xml).xml.rss.channel;
    const item = ch.item[0];
    expect([nodeText(ch.title), nodeText(ch.description), nodeText(ch.copyright)]).toEqual([nasty, nasty, nasty]);
    expect(nodeText(item.title)).toBe(nasty);
    expect(nodeText(item.guid)).toBe(`urn:x:${nasty}`);
    expect(item.category.map(nodeText)).toEqual([nasty]);
    expect(asArray(item['dc:creator']).map(nodeText)).toEqual([nasty]);
    expect(nodeText(item['media:content']['media:description'])).toBe(nasty);
  });

  it('spells "&", "<" and ">" in text as hexadecimal references, and leaves the HTML in CDATA as it was', () => {
    // Act
    const xml = rss2(channel, [{ ...story, title: 'Black & Decker <3>', description: '<p>Tom &amp; Jerry</p>' }]);

    // Assess
    expect(xml).toContain('<title>Black &#x26; Decker &#x3C;3&#x3E;</title>');
    expect(xml).toContain('<description><![CDATA[<p>Tom &amp; Jerry</p>]]></description>');
    expect(xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '')).not.toMatch(/&(amp|lt|gt);/); // outside CDATA, no named reference is left
  });

  it('keeps every "]]>" of the HTML in the description and the content', () => {
    // Act
    const xml = rss2(channel, [{ ...story, description: '<p>a ]]> b ]]> c</p>', content: '<p>d ]]> e ]]> f</p>' }]);

    // Assess
    const item = parseRss(xml).xml.rss.channel.item[0];
    expect(textOf(nodeText(item.description) ?? '')).toBe('a ]]> b ]]> c');
    expect(textOf(nodeText(item['content:encoded']) ?? '')).toBe('d ]]> e ]]> f');
  });

  it('gives the enclosure and media:content one URL, the one a reader fetches, with its query string intact', () => {
    // Prepare: an image CDN's URL, with a capital host and a space
    const enclosure = { url: 'https://CDN.test/photo 1.jpg?w=800&h=450', type: 'image/jpeg', length: 1234, alt: '' };

    // Act
    const item = parseRss(rss2(channel, [{ ...story, enclosure }])).xml.rss.channel.item[0];

    // Assess
    expect(item.enclosure['@_url']).toBe('https://cdn.test/photo%201.jpg?w=800&h=450');
    expect(item['media:content']['@_url']).toBe(item.enclosure['@_url']);
    expect([item.enclosure['@_type'], item.enclosure['@_length']]).toEqual(['image/jpeg', '1234']);
    expect(item['media:content']['media:description']).toBeUndefined(); // no alt text, no description
  });

  it('dates the channel and each item from the values given, never from the clock', () => {
    // Act
    const feed = parseRss(rss2({ ...channel, updated: new Date(0) }, [{ ...story, pubDate: new Date('2001-02-03T04:05:06Z') }])).feed;

    // Assess
    expect(feed.updated?.toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(feed.items[0]?.published?.toISOString()).toBe('2001-02-03T04:05:06.000Z');
  });

  it('writes a dc:creator for each name given, and none for an item without authors', () => {
    // Act
    const items = parseRss(
      rss2(channel, [
        { ...story, creators: ['Ada Reporter, Bo Editor'] },
        { ...story, guid: 'urn:x:2' },
      ]),
    ).xml.rss.channel.item;

    // Assess
    expect(asArray(items[0]['dc:creator']).map(nodeText)).toEqual(['Ada Reporter, Bo Editor']);
    expect(items[1]['dc:creator']).toBeUndefined();
  });
});

describe('cdataSafe', () => {
  it('rewrites every "]]>" of HTML as "]]&gt;", the same text to a browser, and leaves the rest alone', () => {
    expect(cdataSafe('a ]]> b ]]> c')).toBe('a ]]&gt; b ]]&gt; c');
    expect(cdataSafe('<p>x]]y > z</p>')).toBe('<p>x]]y > z</p>');
  });
});

// The `feed` package's known faults, each covered where wirefeed works around it (see README).
// If a new version fixes one, its test here fails and the workaround can go.
describe('the feed package (6.0.0) as wirefeed found it', () => {
  const raw = (item: Record<string, unknown>, options: Record<string, unknown> = {}) => {
    const f = new Feed({ id: 'https://x.test/', title: 'X', link: 'https://x.test/', updated: new Date(0), copyright: '', ...options });
    f.addItem({ title: 'T', link: 'https://x.test/a', date: new Date(0), ...item });
    return f;
  };

  // Each of these is worked around in functions/core/output/rss.ts (numbers as there).
  it('1: loses one level of "&amp;" in text nodes: "HTML &amp; CSS" reads "HTML & CSS" (so rss.ts doubles "&")', () => {
    const xml = parseXmlStrict(raw({ category: [{ name: 'HTML &amp; CSS' }] }).rss2());
    expect(nodeText(xml.rss.channel.item[0].category[0])).toBe('HTML & CSS');
  });

  it('2: writes "&" raw in extension attributes, so an image URL with a query string breaks the feed (so rss.ts escapes them)', () => {
    const item = { extensions: [{ name: 'image', objects: { _attributes: { url: 'https://x.test/p.jpg?w=800&h=450' } } }] };
    expect(() => parseXmlStrict(raw(item).rss2())).toThrow();
  });

  it('3: puts item titles in CDATA and splits only the first "]]>" (so rss.ts writes titles as text nodes)', () => {
    expect(raw({ title: 'Black & Decker' }).rss2()).toContain('<title><![CDATA[Black & Decker]]></title>');
    expect(() => parseXmlStrict(raw({ title: 'a ]]> b ]]> c' }).rss2())).toThrow();
  });

  it("4: writes channel extensions after the items, the W3C validator's MisplacedItem (so rss.ts puts them before)", () => {
    const f = raw({});
    f.addExtension({ name: 'ttl', objects: { _text: '5' } });
    const out = f.rss2();
    expect(out.indexOf('<ttl>')).toBeGreaterThan(out.indexOf('<item>'));
  });

  it('5: declares xmlns:dc only when an item has content (so rss.ts declares every namespace it uses)', () => {
    expect(raw({}).rss2()).not.toContain('xmlns:dc');
  });

  it('writes JSON Feed version 1, not 1.1 (so json-feed.ts builds 1.1 itself)', () => {
    expect(() => parseJsonFeed(raw({}).json1())).toThrow();
  });

  it('splits only the first "]]>" of a CDATA section (so rss.ts escapes them all first)', () => {
    expect(() => parseXmlStrict(raw({ content: 'a ]]> b ]]> c' }).rss2())).toThrow();
  });

  it('passes characters XML forbids (so text.ts removes them on the way in)', () => {
    expect(() => parseXmlStrict(raw({ title: 'bell\u0007' }).rss2())).toThrow();
  });

  it('does not escape "<" in attribute values (one reason atom.ts writes Atom itself)', () => {
    expect(() => parseXmlStrict(raw({ category: [{ term: 'a<b' }] }).atom1())).toThrow();
  });

  it('writes the clock time when no date is given (so feeds.ts always passes one)', () => {
    const f = new Feed({ id: 'https://x.test/', title: 'X', copyright: '' });
    expect(nodeText(parseXmlStrict(f.atom1()).feed.updated)).not.toBe('1970-01-01T00:00:00.000Z');
  });

  it('writes a name-only RSS <author>, which RSS forbids (so feeds.ts uses dc:creator only)', () => {
    expect(nodeText(parseXmlStrict(raw({ author: [{ name: 'Ada' }] }).rss2()).rss.channel.item[0].author[0])).toBe('Ada');
  });

  it('makes its `feed` option the self link of both RSS and Atom (so feeds.ts writes the atom:link list itself)', () => {
    const f = raw({}, { feed: 'https://x.test/rss.xml' });
    expect(parseXmlStrict(f.atom1()).feed.link.find((l: Record<string, string>) => l['@_rel'] === 'self')['@_href']).toBe('https://x.test/rss.xml');
  });

  it('throws for an Atom id that is not a URL (so article.ts checks ids are URIs, and atom.ts writes Atom)', () => {
    expect(() => raw({ id: 'story 12' }).atom1()).toThrow();
  });

  it('has no xml:lang for Atom (so atom.ts writes Atom itself)', () => {
    expect(parseXmlStrict(raw({}, { language: 'en' }).atom1()).feed['@_xml:lang']).toBeUndefined();
  });

  it("guesses an Atom enclosure's type from the file extension (so atom.ts writes the real one)", () => {
    const xml = parseXmlStrict(raw({ enclosure: { url: 'https://x.test/photo.jpg', type: 'image/jpeg', length: 10 } }).atom1());
    expect(xml.feed.entry[0].link.find((l: Record<string, string>) => l['@_rel'] === 'enclosure')['@_type']).toBe('image/jpg');
  });
});
