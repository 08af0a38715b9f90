import { describe, expect, it } from 'vitest';
import { parseArticle } from '../../../functions/core/article/article.ts';
import { buildFeeds, type FeedFiles } from '../../../functions/core/output/feeds.ts';
import { articleText, testSettings } from '../../helpers/content.ts';
import { article, corrected, feeds, plain, settings } from '../../helpers/feed-fixture.ts';
import { asArray, nodeText, parseAtom, parseJsonFeed, parseRss, textOf } from '../../helpers/feeds.ts';

// What buildFeeds makes of a set of articles in all three formats at once: the RSS it maps onto rss.ts,
// hostile text and escaping read back alike everywhere, determinism, summary-only feeds and the byte budget.
// Each writer's own document is tested beside it (rss.test.ts, atom.test.ts, json-feed.test.ts).

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
