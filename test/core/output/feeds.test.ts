import { Feed } from 'feed';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type Article, parseArticle } from '../../../functions/core/article/article.ts';
import { FeedCheckError } from '../../../functions/core/errors.ts';
import { checkFeed } from '../../../functions/core/output/check.ts';
import { buildFeeds, type FeedFiles } from '../../../functions/core/output/feeds.ts';
import { archiveFiles } from '../../../functions/core/output/groups.ts';
import { parseSettings } from '../../../functions/core/settings.ts';
import { articleText, testSettings } from '../../helpers/content.ts';
import { asArray, nodeText, parseAtom, parseJsonFeed, parseRss, parseXmlStrict, textOf } from '../../helpers/feeds.ts';

const settings = testSettings({ author: { name: 'The Desk', email: 'desk@news.test' }, copyright: '© Test Wire' });
const article = (name: string, fields: Record<string, unknown>, body?: string): Article => parseArticle(`articles/${name}.md`, Buffer.from(articleText(fields, body)), settings);

const corrected = article(
  'budget-vote',
  {
    title: 'Budget vote passes',
    date: '2025-03-14T09:30:00Z',
    updated: '2025-03-15T08:00:00Z',
    summary: 'MPs approved the budget.',
    tags: ['Politics', 'Economy'],
    authors: [{ name: 'Ada Reporter' }, { name: 'Bo Editor', email: 'bo@news.test', url: 'https://news.test/bo/' }],
  },
  'The budget passed [by a vote](results/) on Friday.\n',
);
const plain = article('storm-warning', { title: 'Storm warning', date: '2025-03-13' }, 'Winds of 100 km/h are expected.\n');
const feeds = buildFeeds([corrected, plain], settings);

describe('RSS 2.0', () => {
  const { xml, feed } = parseRss(feeds['rss.xml']);
  const channel = xml.rss.channel;
  const item = channel.item[0];

  it('links to itself with atom:link rel="self" (the RSS URL, not the Atom one)', () => {
    const self = asArray(channel['atom:link']).find((l: { '@_rel': string }) => l['@_rel'] === 'self');
    expect(self['@_href']).toBe('https://news.test/rss.xml');
    expect(self['@_type']).toBe('application/rss+xml');
  });

  it('states the language and the channel link', () => {
    expect(nodeText(channel.language)).toBe('en-GB');
    expect(nodeText(channel.link[0])).toBe('https://news.test/');
  });

  it('carries the standfirst and the full HTML in content:encoded, and the summary in description', () => {
    expect(textOf(nodeText(item['content:encoded']) ?? '')).toBe('MPs approved the budget. The budget passed by a vote on Friday.');
    expect(nodeText(item['content:encoded'])).toContain('href="https://news.test/articles/budget-vote/results/"');
    expect(textOf(nodeText(item.description) ?? '')).toBe('MPs approved the budget.');
  });

  it('uses the stable id as a guid that is not a permalink', () => {
    expect(nodeText(item.guid)).toBe(corrected.id);
    expect(item.guid['@_isPermaLink']).toBe('false');
    expect(feed.items[0]?.id).toBe(corrected.id);
  });

  it('gives the first publication as pubDate, which a correction never moves', () => {
    expect(feed.items[0]?.published?.toISOString()).toBe('2025-03-14T09:30:00.000Z');
  });

  it('names every author in one dc:creator (what newsboat shows), and writes no RSS <author> beside it', () => {
    expect(asArray(item['dc:creator']).map(nodeText)).toEqual(['Ada Reporter, Bo Editor']);
    expect(item.author).toBeUndefined();
  });

  it('lists the tags as categories', () => {
    expect(item.category.map(nodeText)).toEqual(['Politics', 'Economy']);
  });

  it('takes its lastBuildDate from the newest update in the content, not the clock', () => {
    expect(feed.updated?.toISOString()).toBe('2025-03-15T08:00:00.000Z');
  });
});

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

describe('hostile text', () => {
  const nasty = article(
    'nasty',
    { title: 'A ]]> B ]]> <script>x</script> & "quotes" \u0001', date: '2025-03-16', summary: 'Ends with ]]> twice ]]>', tags: ['Q&A "tag" <b>'] },
    'Body with ]]> and ]]> again, <b onclick="x">bold</b>, and \u0002.\n',
  );
  const out = buildFeeds([nasty], settings);

  it('still gives three feeds that strict parsers accept', () => {
    expect(() => parseRss(out['rss.xml'])).not.toThrow();
    expect(() => parseAtom(out['atom.xml'])).not.toThrow();
    expect(() => parseJsonFeed(out['feed.json'])).not.toThrow();
  });

  it('shows readers the title exactly as written, as text and not markup', () => {
    const expected = 'A ]]> B ]]> <script>x</script> & "quotes"';
    // RSS titles are plain text nodes (not HTML in CDATA): a strict parser reads them exactly as written.
    expect(nodeText(parseRss(out['rss.xml']).xml.rss.channel.item[0].title)).toBe(expected);
    const atomTitle = parseAtom(out['atom.xml']).xml.feed.entry[0].title;
    expect(atomTitle['@_type']).toBe('text'); // plain text: no markup to render
    expect(nodeText(atomTitle)).toBe(expected);
    expect(parseJsonFeed(out['feed.json']).items[0]?.title).toBe(expected);
  });

  it('keeps every "]]>" of the story in the content', () => {
    const content = textOf(nodeText(parseRss(out['rss.xml']).xml.rss.channel.item[0]['content:encoded']) ?? '');
    expect(content).toBe('Ends with ]]> twice ]]> Body with ]]> and ]]> again, bold, and .');
  });

  it('keeps a tag with &, quotes and angle brackets intact in Atom category terms and RSS categories', () => {
    expect(parseAtom(out['atom.xml']).xml.feed.entry[0].category[0]['@_term']).toBe('Q&A "tag" <b>');
    expect(nodeText(parseRss(out['rss.xml']).xml.rss.channel.item[0].category[0])).toBe('Q&A "tag" <b>');
  });
});

describe('escaping, in every format (values a newsroom really has)', () => {
  const odd = testSettings({ url: 'https://news.test/a&b/', websub_hub: 'https://hub.test/?topic=x&mode=y' });
  const image = { url: 'https://cdn.test/photo.jpg?w=800&h=450', alt: 'Tom & "Jerry" <3', type: 'image/jpeg', length: 1234 };
  const story = parseArticle(
    'articles/story.md',
    Buffer.from(articleText({ title: 'Black & Decker: "HTML &amp; CSS" < 2%', date: '2025-03-16', tags: ['Q&A'], authors: [{ name: 'Ann & Bo' }], image })),
    odd,
  );
  const out = buildFeeds([story], odd);
  const rss = parseRss(out['rss.xml']).xml.rss.channel;
  const atom = parseAtom(out['atom.xml']).xml.feed;
  const json = parseJsonFeed(out['feed.json']);

  it('gives the image URL with its query string back exactly, in every place it appears', () => {
    expect(rss.item[0].enclosure['@_url']).toBe(image.url);
    expect(rss.item[0]['media:content']['@_url']).toBe(image.url);
    expect(nodeText(rss.item[0]['media:content']['media:description'])).toBe(image.alt);
    expect(atom.entry[0].link.find((l: Record<string, string>) => l['@_rel'] === 'enclosure')['@_href']).toBe(image.url);
    expect(json.items[0]?.image).toBe(image.url);
  });

  it('gives a hub URL and a site URL with "&" back exactly', () => {
    const rel = (links: Record<string, string>[], r: string) => links.find((l) => l['@_rel'] === r)?.['@_href'];
    expect(rel(asArray(rss['atom:link']), 'hub')).toBe('https://hub.test/?topic=x&mode=y');
    expect(rel(asArray(rss['atom:link']), 'self')).toBe('https://news.test/a&b/rss.xml');
    expect(rel(atom.link, 'hub')).toBe('https://hub.test/?topic=x&mode=y');
    expect(rel(atom.link, 'self')).toBe('https://news.test/a&b/atom.xml');
    expect(json.feed_url).toBe('https://news.test/a&b/feed.json');
  });

  it('reads the title, tag and author back exactly as written: no level of "&amp;" lost or added', () => {
    const title = 'Black & Decker: "HTML &amp; CSS" < 2%';
    expect(nodeText(rss.item[0].title)).toBe(title);
    expect(nodeText(rss.item[0].category[0])).toBe('Q&A');
    expect(nodeText(asArray(rss.item[0]['dc:creator'])[0])).toBe('Ann & Bo');
    expect(nodeText(atom.entry[0].title)).toBe(title);
    expect(json.items[0]?.title).toBe(title);
  });

  it('writes "&" and "<" in RSS text as hexadecimal references, as the RSS Profile asks, and no title as CDATA', () => {
    expect(out['rss.xml']).toContain('<title>Black &#x26; Decker: "HTML &#x26;amp; CSS" &#x3C; 2%</title>');
    expect(out['rss.xml']).not.toContain('<title><![CDATA[');
  });

  it("puts the channel's atom:link elements before the first item", () => {
    const xml = out['rss.xml'];
    expect(xml.lastIndexOf('<atom:link')).toBeLessThan(xml.indexOf('<item>'));
  });
});

describe('feed identity and history links', () => {
  const yaml = { title: 'Wire', description: 'News', url: 'https://news.test/' };
  const local = parseSettings(Buffer.from(stringify(yaml)), 'http://localhost:8080/');
  const deployed = parseSettings(Buffer.from(stringify(yaml)), 'https://d111.cloudfront.test/');

  it("gives the Atom feed the same id locally and deployed: site.yaml's url, not SITE_URL", () => {
    const ids = [local, deployed].map((s) => nodeText(parseAtom(buildFeeds([], s)['atom.xml']).xml.feed.id));
    expect(ids).toEqual(['https://news.test/', 'https://news.test/']);
    const self = parseAtom(buildFeeds([], local)['atom.xml']).xml.feed.link.find((l: Record<string, string>) => l['@_rel'] === 'self');
    expect(self['@_href']).toBe('http://localhost:8080/atom.xml'); // links follow SITE_URL
  });

  it('gives archive pages below the newest a next-archive link, and the oldest no prev-archive', () => {
    const rels = (files: Map<string, string>, key: string) => parseAtom(files.get(key) ?? '').xml.feed.link.map((l: Record<string, string>) => `${l['@_rel']} ${l['@_href']}`);
    const oldest = archiveFiles(1, [plain], settings, 2);
    expect(rels(oldest, 'archive/1/atom.xml')).toContain('next-archive https://news.test/archive/2/atom.xml');
    expect(rels(oldest, 'archive/1/atom.xml').some((r: string) => r.startsWith('prev-archive'))).toBe(false);
    const newest = archiveFiles(2, [corrected], settings, 2);
    expect(rels(newest, 'archive/2/atom.xml')).toContain('prev-archive https://news.test/archive/1/atom.xml');
    expect(rels(newest, 'archive/2/atom.xml').some((r: string) => r.startsWith('next-archive'))).toBe(false);
    expect(nodeText(parseAtom(newest.get('archive/2/atom.xml') ?? '').xml.feed.id)).toBe('https://news.test/'); // one logical feed
  });
});

describe('determinism', () => {
  it('gives byte-identical feeds for the same articles, whenever they are built', () => {
    const again = buildFeeds([corrected, plain], settings);
    expect(again).toEqual(feeds);
  });

  it('gives an empty feed a fixed date rather than the time of the build', () => {
    const empty = buildFeeds([], settings);
    expect(nodeText(parseAtom(empty['atom.xml']).xml.feed.updated)).toBe('1970-01-01T00:00:00Z');
    expect(parseJsonFeed(empty['feed.json']).items).toEqual([]);
  });
});

describe('summary-only feeds', () => {
  const summaryOnly = testSettings({ feed_content: 'summary' });
  const short = parseArticle('articles/x.md', Buffer.from(articleText({ title: 'T', date: '2025-03-14', authors: ['Ada'] }, 'Full text.\n')), summaryOnly);
  const out = buildFeeds([short], summaryOnly);

  it('leave out the full text in every format', () => {
    const rss = parseRss(out['rss.xml']).xml.rss.channel.item[0];
    expect(rss['content:encoded']).toBeUndefined();
    expect(parseAtom(out['atom.xml']).xml.feed.entry[0].content).toBeUndefined();
    const json = parseJsonFeed(out['feed.json']).items[0];
    expect(json?.content_html).toBeUndefined();
    expect(json?.content_text).toBe('Full text.');
  });

  it('still declare the dc namespace their dc:creator needs', () => {
    expect(asArray(parseRss(out['rss.xml']).xml.rss.channel.item[0]['dc:creator']).map(nodeText)).toEqual(['Ada']);
  });
});

describe('the byte budget of a feed document', () => {
  // Twelve articles of about 3 KB each (with characters every format escapes), under a 16 KB budget.
  const body = (i: number): string => Array.from({ length: 12 }, (_, p) => `Paragraph ${p} of story ${i}: "quotes" & <angles>, café, 東京 and more words to fill it out.`).join('\n\n');
  const stories = Array.from({ length: 12 }, (_, i) => article(`story-${i}`, { title: `Story ${i}`, date: `2025-03-${String(20 - i).padStart(2, '0')}`, summary: `Summary ${i}.` }, body(i)));
  const BUDGET = 16 * 1024;
  const sizes = (out: FeedFiles) => Object.values(out).map((b) => Buffer.byteLength(b));
  const wholeItems = (out: FeedFiles) => parseJsonFeed(out['feed.json']).items.filter((i) => i.content_html?.includes('Paragraph 11 of')).length;

  it('gives whole stories to the newest items for as long as every format fits, and the next one would not', () => {
    // Act
    const out = buildFeeds(stories, settings, undefined, { budget: BUDGET });

    // Assess
    const whole = wholeItems(out);
    expect(whole).toBeGreaterThan(0);
    expect(whole).toBeLessThan(stories.length);
    expect(Math.max(...sizes(out))).toBeLessThanOrEqual(BUDGET);
    const oneMore = buildFeeds(stories, settings, undefined, { budget: Number.POSITIVE_INFINITY, fullAtMost: whole + 1 });
    expect(Math.max(...sizes(oneMore))).toBeGreaterThan(BUDGET);
    for (const key of ['rss.xml', 'atom.xml', 'feed.json'] as const) {
      const contents =
        key === 'feed.json'
          ? parseJsonFeed(out[key]).items.map((i) => i.content_html ?? '')
          : key === 'rss.xml'
            ? asArray(parseRss(out[key]).xml.rss.channel.item).map((i) => nodeText(i['content:encoded']) ?? '')
            : asArray(parseAtom(out[key]).xml.feed.entry).map((e) => nodeText(e.content) ?? '');
      expect(contents.length, key).toBe(stories.length);
      expect(
        contents.map((c) => c.includes('Paragraph 11 of')),
        key,
      ).toEqual(stories.map((_, i) => i < whole));
      expect(textOf(contents[whole] ?? ''), key).toBe(`Summary ${whole}. Read the full article`);
    }
  });

  it('cuts the same articles at the same place every time, so the documents are the same bytes', () => {
    expect(buildFeeds(stories, settings, undefined, { budget: BUDGET })).toEqual(buildFeeds(stories.slice(), settings, undefined, { budget: BUDGET }));
  });

  it('leaves feeds that fit alone: every item whole', () => {
    const out = buildFeeds(stories, settings);
    expect(wholeItems(out)).toBe(stories.length);
  });
});

describe('the parse-back check before writing', () => {
  it('accepts the feeds it is given and counts their items', () => {
    for (const [key, body] of Object.entries(feeds)) expect(() => checkFeed(key, body, 2)).not.toThrow();
  });

  it('refuses XML that is not well-formed, and a feed that lost items', () => {
    expect(() => checkFeed('rss.xml', feeds['rss.xml'].replace('<channel>', '<channel>\u0001'), 2)).toThrow(FeedCheckError);
    expect(() => checkFeed('atom.xml', feeds['atom.xml'], 3)).toThrow(/2 items instead of 3/);
    expect(() => checkFeed('feed.json', '{"version":"https://jsonfeed.org/version/1","items":[]}', 0)).toThrow(/not JSON Feed 1.1/);
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

  // Each of these is worked around in functions/core/rss.ts (numbers as there).
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
