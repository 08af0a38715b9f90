/**
 * Self-test of test/helpers/feeds.ts: the parsers accept good feeds AND reject bad ones
 * (a checker that cannot fail proves nothing).
 */

import { Feed } from 'feed';
import { describe, expect, it } from 'vitest';
import { ATOM_NS, asArray, nodeText, parseAtom, parseJsonFeed, parseRss, parseXmlStrict, textOf, XmlWellFormednessError } from './feeds.ts';

function sampleFeed(): Feed {
  const feed = new Feed({
    title: 'Wire & Co',
    description: 'Latest news',
    id: 'https://news.example/',
    link: 'https://news.example/',
    language: 'en',
    copyright: '© Wire',
    updated: new Date('2024-05-02T08:00:00Z'),
    feedLinks: {
      rss: 'https://news.example/feed.xml',
      atom: 'https://news.example/atom.xml',
      json: 'https://news.example/feed.json',
    },
    author: { name: 'Desk', email: 'desk@news.example' },
  });
  feed.addItem({
    title: 'Talks resume — “cautious” optimism',
    id: 'https://news.example/a/1',
    link: 'https://news.example/a/1',
    date: new Date('2024-05-01T10:00:00Z'),
    published: new Date('2024-04-30T09:30:00Z'),
    description: 'Summary with AT&amp;T',
    content: '<p>First paragraph &amp; more.</p><p>Second   paragraph with <em>emphasis</em>, and a &lt;tag&gt;.</p>',
    author: [{ name: 'Jane Doe', email: 'jane@news.example' }],
    category: [{ name: 'Politics' }],
  });
  return feed;
}

function expectXmlError(xml: string, pattern: RegExp): XmlWellFormednessError {
  let caught: unknown;
  try {
    parseXmlStrict(xml);
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected rejection of ${JSON.stringify(xml)}`).toBeInstanceOf(XmlWellFormednessError);
  const err = caught as XmlWellFormednessError;
  expect(err.message).toMatch(pattern);
  expect(err.message).toMatch(/line \d+, col \d+/);
  return err;
}

describe('parseRss / parseAtom on feeds made by the `feed` package', () => {
  it('parses RSS 2.0: raw elements and normalised fields', () => {
    const { xml, feed } = parseRss(sampleFeed().rss2());
    const channel = xml.rss.channel;
    expect(nodeText(channel.title)).toBe('Wire & Co');
    expect(channel['atom:link']).toEqual([{ '@_href': 'https://news.example/feed.xml', '@_rel': 'self', '@_type': 'application/rss+xml' }]);
    expect(Array.isArray(channel.item)).toBe(true); // single item still an array
    const item = channel.item[0];
    expect(nodeText(item.guid)).toBe('https://news.example/a/1');
    expect(item.guid['@_isPermaLink']).toBe('false');
    expect(item['content:encoded']).toContain('<p>First paragraph &amp; more.</p>');
    expect(item.category).toEqual(['Politics']);

    expect(feed.meta).toEqual({ type: 'rss', version: '2.0' });
    expect(feed.self).toBe('https://news.example/feed.xml');
    expect(feed.language).toBe('en');
    const [it0] = feed.items;
    expect(it0?.id).toBe('https://news.example/a/1');
    expect(it0?.title).toBe('Talks resume — “cautious” optimism');
    expect(it0?.url).toBe('https://news.example/a/1');
    expect(it0?.published?.toISOString()).toBe('2024-04-30T09:30:00.000Z');
    // RSS has no per-item updated date: feed-parser falls back to published.
    expect(it0?.updated?.toISOString()).toBe('2024-04-30T09:30:00.000Z');
    expect(it0?.authors).toEqual([{ name: 'Jane Doe', email: 'jane@news.example', url: null }]);
    expect(it0?.categories.map((c) => c.term)).toEqual(['Politics']);
    expect(textOf(it0?.content ?? '')).toContain('First paragraph & more.');
    expect(textOf(item['content:encoded'])).toBe('First paragraph & more. Second paragraph with emphasis, and a <tag>.');
  });

  it('parses Atom 1.0: raw elements and normalised fields', () => {
    const { xml, feed } = parseAtom(sampleFeed().atom1());
    expect(xml.feed['@_xmlns']).toBe(ATOM_NS);
    const self = xml.feed.link.find((l: Record<string, string>) => l['@_rel'] === 'self');
    expect(self['@_href']).toBe('https://news.example/atom.xml');
    const entry = xml.feed.entry[0];
    expect(nodeText(entry.id)).toBe('https://news.example/a/1');
    expect(entry.content['@_type']).toBe('html');
    expect(nodeText(entry.content)).toContain('<em>emphasis</em>');

    expect(feed.meta).toEqual({ type: 'atom', version: '1.0' });
    const [e0] = feed.items;
    expect(e0?.published?.toISOString()).toBe('2024-04-30T09:30:00.000Z');
    expect(e0?.updated?.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(e0?.authors[0]?.name).toBe('Jane Doe');
  });

  it('rejects a feed of the other format', () => {
    const feed = sampleFeed();
    expect(() => parseRss(feed.atom1())).toThrow(/not RSS/);
    expect(() => parseAtom(feed.rss2())).toThrow(/not Atom/);
    expect(() => parseRss('<rss version="0.91"><channel><title>x</title></channel></rss>')).toThrow(/not RSS 2\.0/);
    expect(() => parseAtom('<feed><title>x</title></feed>')).toThrow(/xmlns/);
  });
});

describe('parseXmlStrict rejects ill-formed XML', () => {
  it('forbidden control character in text and in attributes', () => {
    const err = expectXmlError('<?xml version="1.0"?>\n<rss>\n  <a>bad\u0001char</a>\n</rss>', /U\+0001/);
    expect([err.line, err.col]).toEqual([3, 9]);
    expectXmlError('<a b="\u001F"/>', /U\+001F/);
    expectXmlError('<a>\uFFFE</a>', /U\+FFFE/);
    expectXmlError('<a>\uD800</a>', /U\+D800/); // lone surrogate
    expectXmlError('<a>&#1;</a>', /forbidden character/); // as a character reference
  });

  it("'<' inside an attribute value", () => {
    expectXmlError('<a title="x < y">t</a>', /'<' in the value of attribute title/);
  });

  it("a CDATA section closed too early (']]>' left in text)", () => {
    expectXmlError('<a><![CDATA[a ]]> b ]]></a>', /']]>' in text/);
    expectXmlError('<a><![CDATA[never closed</a>', /.+/);
  });

  it('entities: bare &, HTML-only named entities', () => {
    expectXmlError('<a>AT&T</a>', /&/);
    expectXmlError('<a>x &nbsp; y</a>', /undefined entity &nbsp;/);
    expectXmlError('<a href="?a=1&b=2"/>', /bare '&'/);
  });

  it('structure: second root, text outside root, late XML declaration, bad comment, mismatched tags', () => {
    expectXmlError('<a/><b/>', /root/);
    expectXmlError('<a/>junk', /outside the root/);
    expectXmlError('\n<?xml version="1.0"?><a/>', /XML declaration/);
    expectXmlError('<a><!-- x -- y --></a>', /'--' inside a comment/);
    expectXmlError('<a><b></a></b>', /.+/);
    expectXmlError('<a x="1"y="2"/>', /space/);
    expectXmlError('<a x=1/>', /.+/);
  });

  it('namespaces: an undeclared prefix (e.g. dc: without xmlns:dc)', () => {
    expectXmlError('<rss version="2.0"><channel><item><dc:creator>J</dc:creator></item></channel></rss>', /prefix 'dc'/);
    expectXmlError('<a xmlns:x="urn:x" x:y="1" y="2"><b x:c="1"/><c:d/></a>', /prefix 'c'/);
  });

  it('accepts what XML allows, decoding entities exactly once and keeping CDATA verbatim', () => {
    const doc = parseXmlStrict(
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><?xml-stylesheet href="s.xsl"?>\n' +
        '<r xml:lang="en" a="&#65;&amp;#66;&lt;&quot;&apos;"><t>x &#8212; &#x41; &amp;#8212; &amp;lt; a &gt; b</t>' +
        '<c><![CDATA[<p>AT&amp;T & more ]] > </p>]]></c><item>one</item></r>',
    );
    expect(doc.r['@_xml:lang']).toBe('en');
    expect(doc.r['@_a']).toBe('A&#66;<"\'');
    expect(doc.r.t).toBe('x — A &#8212; &lt; a > b');
    expect(doc.r.c).toBe('<p>AT&amp;T & more ]] > </p>');
    expect(doc.r.item).toEqual(['one']);
  });
});

describe('parseJsonFeed', () => {
  const minimal = { version: 'https://jsonfeed.org/version/1.1', title: 'T', items: [] };
  const item = { id: 'https://news.example/a/1', content_html: '<p>x</p>' };

  it('accepts a minimal and a full 1.1 document', () => {
    expect(parseJsonFeed(JSON.stringify(minimal))).toEqual(minimal);
    const full = {
      ...minimal,
      home_page_url: 'https://news.example/',
      feed_url: 'https://news.example/feed.json',
      description: 'd',
      user_comment: 'u',
      next_url: 'https://news.example/feed-2.json',
      icon: 'https://news.example/icon.png',
      favicon: 'https://news.example/favicon.ico',
      authors: [{ name: 'Desk', url: 'https://news.example/desk', avatar: 'https://news.example/d.png' }],
      language: 'en-GB',
      expired: false,
      hubs: [{ type: 'WebSub', url: 'https://hub.example/' }],
      _wirefeed: { edition: 1 },
      items: [
        {
          ...item,
          url: 'https://news.example/a/1',
          external_url: 'https://elsewhere.example/',
          title: 't',
          content_text: 'x',
          summary: 's',
          image: 'https://news.example/i.jpg',
          banner_image: 'https://news.example/b.jpg',
          date_published: '2024-04-30T09:30:00Z',
          date_modified: '2024-05-01T12:00:00.000+02:00',
          authors: [{ name: 'Jane Doe' }],
          tags: ['Politics'],
          language: 'en',
          attachments: [{ url: 'https://news.example/a.mp3', mime_type: 'audio/mpeg', size_in_bytes: 10, duration_in_seconds: 2.5 }],
        },
      ],
    };
    expect(parseJsonFeed(JSON.stringify(full)).items[0]?.tags).toEqual(['Politics']);
  });

  it('rejects JSON Feed 1.0 (as made by the `feed` package)', () => {
    const v1 = sampleFeed().json1();
    expect(JSON.parse(v1).version).toBe('https://jsonfeed.org/version/1');
    expect(() => parseJsonFeed(v1)).toThrow(/\/version/);
    expect(() => parseJsonFeed(v1)).toThrow(/author/);
    // Even with the version fixed, the singular 1.0 `author` key is rejected.
    const patched = { ...JSON.parse(v1), version: 'https://jsonfeed.org/version/1.1' };
    expect(() => parseJsonFeed(JSON.stringify(patched))).toThrow(/additionalProperty.*author/);
  });

  it('rejects broken items and fields', () => {
    const bad = (items: unknown[], extra: object = {}) => JSON.stringify({ ...minimal, ...extra, items });
    expect(() => parseJsonFeed(bad([{ content_html: '<p>x</p>' }]))).toThrow(/missingProperty.*id/);
    expect(() => parseJsonFeed(bad([{ id: 'x' }]))).toThrow(/content_html|content_text/);
    expect(() => parseJsonFeed(bad([{ ...item, date_published: '2024-04-30 09:30' }]))).toThrow(/date-time/);
    expect(() => parseJsonFeed(bad([{ ...item, date_published: '2024-04-30T09:30:00' }]))).toThrow(/date-time/);
    expect(() => parseJsonFeed(bad([{ ...item, url: '/a/1' }]))).toThrow(/uri/);
    expect(() => parseJsonFeed(bad([{ ...item, tags: 'Politics' }]))).toThrow(/tags/);
    expect(() => parseJsonFeed(bad([{ ...item, authors: [{}] }]))).toThrow(/authors/);
    expect(() => parseJsonFeed(bad([{ ...item, attachments: [{ url: 'https://x.example/a' }] }]))).toThrow(/mime_type/);
    expect(() => parseJsonFeed(bad([{ ...item, id: 7 }]))).toThrow(/must be string/);
    expect(() => parseJsonFeed(bad([item, item]))).toThrow(/duplicate item id/);
    expect(() => parseJsonFeed(bad([], { hubs: [{ type: 'WebSub' }] }))).toThrow(/url/);
    expect(() => parseJsonFeed(bad([], { expired: 'no' }))).toThrow(/boolean/);
    expect(() => parseJsonFeed(bad([], { Title: 'x' }))).toThrow(/Title/);
    expect(() => parseJsonFeed(JSON.stringify({ version: minimal.version, items: [] }))).toThrow(/title/);
    expect(() => parseJsonFeed('{"version": ')).toThrow(/not valid JSON/);
  });
});

describe('textOf', () => {
  it('decodes entities and collapses whitespace', () => {
    expect(textOf('<p>AT&amp;T &lt;b&gt; &quot;q&quot; &#39;s&#39; &#8212; &#x2014;</p>')).toBe('AT&T <b> "q" \'s\' — —');
    expect(textOf('a&nbsp;b &mdash; c &ndash; &lsquo;d&rsquo; &ldquo;e&rdquo;&hellip;')).toBe('a b — c – ‘d’ “e”…');
    expect(textOf('  lots \n\t of   <br/> space  ')).toBe('lots of space');
    expect(textOf('&#146;')).toBe('’'); // windows-1252 range, as browsers do
    expect(textOf('&unknownentity;')).toBe('&unknownentity;');
  });

  it('keeps inline markup inside words and separates block elements', () => {
    expect(textOf('<p>One <em>two</em>, <a href="/x?a=1&amp;b=2" title="a > b">three</a>.</p><p>Four</p>')).toBe('One two, three. Four');
    expect(textOf('<ul><li>a</li><li>b</li></ul><!-- hidden --><script>var x = "<p>";</script>c')).toBe('a b c');
    expect(textOf('&lt;p&gt;literal&lt;/p&gt;')).toBe('<p>literal</p>'); // escaped markup is text
  });
});

describe('asArray / nodeText', () => {
  it('normalise fast-xml-parser shapes', () => {
    const doc = parseXmlStrict(
      '<rss xmlns:dc="http://purl.org/dc/elements/1.1/"><i><dc:creator>A</dc:creator></i>' + '<i><dc:creator>A</dc:creator><dc:creator>B</dc:creator></i><i/><g a="1">t</g><e a="1"/></rss>',
    );
    expect(doc.rss.i.map((i: Record<string, unknown>) => asArray(i['dc:creator']))).toEqual([['A'], ['A', 'B'], []]);
    expect(nodeText(doc.rss.g)).toBe('t');
    expect(nodeText(doc.rss.e)).toBe('');
    expect(nodeText(doc.rss.missing)).toBeUndefined();
  });
});
