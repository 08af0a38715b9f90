import { type Extension, Feed, type Item } from 'feed';
import { HISTORY_NS } from './feed-scope.ts';
import { type Element, el, escapeXml, serialize } from './xml.ts';

/**
 * RSS 2.0 through the `feed` package (6.0.0, the owner's choice), made right in this one place. Callers
 * pass plain values (text as written, URLs as URLs, HTML as HTML); every value is encoded here for the
 * path `feed` and its writer, xml-js 1.6, take it through. Their faults, each pinned by a test in
 * test/core/output/rss.test.ts that fails when a new version fixes it (then the workaround below can go):
 *
 * 1. Text nodes: xml-js turns every "&amp;" back into "&" before escaping, so text loses one level of
 *    escaping ("HTML &amp; CSS" reads "HTML & CSS"). `text()` doubles every "&" first, which that step undoes.
 * 2. Attributes (extensions): xml-js escapes only '"', so a URL with "&" (an image CDN's
 *    `?w=800&h=450`) or a "<" makes the feed ill-formed (jpmonette/feed#112, nashwaan/xml-js#69; feed 6
 *    escapes "&" only in the URLs it writes itself). `attr()` escapes them all.
 * 3. Item titles always go in CDATA, and xml-js splits only the first "]]>". Titles are plain text, so
 *    they are written as a text node instead (an item extension named `title` replaces feed's in place).
 * 4. Channel extensions are written after the items (the W3C validator's MisplacedItem), so the channel's
 *    own extra elements (atom:link list, fh:archive) are serialised by xml.ts and put before the first item.
 * 5. Namespaces: xmlns:dc only comes with content:encoded, and media:/fh: are unknown; they are added here.
 * And one choice of encoding: the RSS Best Practices Profile (and the W3C validator's ContainsHTML and
 * CharacterData warnings) ask plain-text elements to carry "&" and "<" as hexadecimal character references,
 * so "Black & Decker" cannot be taken for HTML; `hexReferences` rewrites the text nodes xml-js escaped.
 * CDATA (description, content:encoded) holds HTML, where "]]&gt;" means "]]>": see `cdataSafe`.
 */

export interface RssItem {
  title: string;
  link: string;
  guid: string;
  pubDate: Date;
  /** HTML. */
  description: string;
  /** HTML (content:encoded), or none. */
  content?: string;
  /** dc:creator elements (each may name several people). */
  creators: string[];
  categories: string[];
  enclosure?: { url: string; type: string; length: number; alt: string };
}

export interface RssChannel {
  title: string;
  description: string;
  link: string;
  language: string;
  updated: Date;
  image?: string;
  copyright?: string;
  /** The channel's atom:link elements, written before the items. */
  links: { href: string; rel: string; type?: string }[];
  /** RFC 5005: this document is an archive document (fh:archive). */
  archive: boolean;
}

const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  dc: 'http://purl.org/dc/elements/1.1/',
  content: 'http://purl.org/rss/1.0/modules/content/',
  media: 'http://search.yahoo.com/mrss/',
  fh: HISTORY_NS,
} as const;

/** A text value for a node `feed` writes as text (fault 1): every "&" doubled, which xml-js undoes. */
const text = (value: string): string => value.replaceAll('&', '&amp;');

/** An attribute value xml-js writes as given but for '"' (fault 2): fully escaped here. */
const attr = (value: string | number): string => escapeXml(String(value));

/**
 * `feed` (through xml-js) splits only the first "]]>" in a CDATA section. In HTML, "]]&gt;" means the
 * same text, so every "]]>" is rewritten before it reaches a CDATA section.
 */
export const cdataSafe = (html: string): string => html.replaceAll(']]>', ']]&gt;');

/** A URL as `feed` writes it (`new URL().href`), so enclosure and media:content carry the same one. */
const normalUrl = (url: string): string => new URL(url).href;

export function rss2(channel: RssChannel, items: readonly RssItem[]): string {
  const feed = new Feed({
    id: channel.link,
    title: text(channel.title),
    description: text(channel.description),
    link: channel.link, // feed escapes URLs itself (sanitizeUrl), correctly for text nodes
    language: text(channel.language),
    updated: channel.updated, // `feed` reads the clock when this is unset
    generator: 'wirefeed',
    ...(channel.image ? { image: text(normalUrl(channel.image)) } : {}),
    ...(channel.copyright ? { copyright: text(channel.copyright) } : {}),
  });
  for (const i of items) feed.addItem(item(i));
  const namespaces: Record<string, string> = {
    'xmlns:dc': NS.dc,
    'xmlns:atom': NS.atom,
    ...(items.some((i) => i.content !== undefined) ? { 'xmlns:content': NS.content } : {}),
    ...(items.some((i) => i.enclosure) ? { 'xmlns:media': NS.media } : {}),
    ...(channel.archive ? { 'xmlns:fh': NS.fh } : {}),
  };
  const head: Element[] = channel.links.map((l) => el('atom:link', { href: l.href, rel: l.rel, type: l.type }));
  if (channel.archive) head.push(el('fh:archive'));
  return addRootAttributes(insertBeforeItems(hexReferences(feed.rss2()), head), '<rss version="2.0"', namespaces);
}

function item(i: RssItem): Item {
  const extensions: Extension[] = [
    // Replaces feed's CDATA title in place (fault 3): a title is text, written as a text node.
    extension('title', { _text: text(i.title) }),
  ];
  if (i.creators.length > 0)
    extensions.push(
      extension(
        'dc:creator',
        i.creators.map((name) => ({ _text: text(name) })),
      ),
    );
  const media = i.enclosure;
  if (media) {
    extensions.push(
      extension('media:content', {
        _attributes: { url: attr(normalUrl(media.url)), type: attr(media.type), fileSize: attr(media.length), medium: 'image' },
        ...(media.alt ? { 'media:description': { _attributes: { type: 'plain' }, _text: text(media.alt) } } : {}),
      }),
    );
  }
  return {
    title: i.title, // replaced by the extension above; `feed` needs one to keep the element's place
    id: i.guid, // Atom only: unused by rss2()
    guid: text(i.guid),
    link: i.link,
    date: i.pubDate,
    published: i.pubDate,
    description: cdataSafe(i.description),
    category: i.categories.map((name) => ({ name: text(name) })),
    // feed escapes the URL (sanitizeUrl); the type goes out as an attribute xml-js does not escape.
    ...(media ? { enclosure: { url: media.url, type: attr(media.type), length: media.length } } : {}),
    ...(i.content !== undefined ? { content: cdataSafe(i.content) } : {}),
    extensions,
  };
}

/**
 * Text nodes (outside markup and CDATA) with &amp; &lt; &gt; as &#x26; &#x3C; &#x3E;: the same characters
 * to any XML parser. xml-js writes no other references in text, and escapes "<" in text, so every "<" in
 * its output starts markup: a tag (whose attribute values hold no ">" once escaped), a PI or a CDATA section.
 */
function hexReferences(xml: string): string {
  let out = '';
  let at = 0;
  while (at < xml.length) {
    const lt = xml.indexOf('<', at);
    const textEnd = lt < 0 ? xml.length : lt;
    out += xml.slice(at, textEnd).replace(/&(amp|lt|gt);/g, (_, name: string) => HEX[name] as string);
    if (lt < 0) break;
    const cdata = xml.startsWith('<![CDATA[', lt);
    const end = cdata ? xml.indexOf(']]>', lt) : xml.indexOf('>', lt);
    if (end < 0) throw new Error('feed output changed: unterminated markup'); // caught by the tests
    const close = end + (cdata ? 3 : 1);
    out += xml.slice(lt, close);
    at = close;
  }
  return out;
}
const HEX: Record<string, string> = { amp: '&#x26;', lt: '&#x3C;', gt: '&#x3E;' };

/** `feed` types extension objects as records, but passes them to xml-js, which also takes arrays. */
function extension(name: string, objects: unknown): Extension {
  return { name, objects: objects as Record<string, unknown> };
}

/**
 * Put channel elements before the first <item> (or before </channel> in an empty feed), where RSS and the
 * W3C validator expect channel metadata (fault 4). "<item>" cannot occur earlier: text before it is escaped.
 */
function insertBeforeItems(xml: string, elements: readonly Element[]): string {
  if (elements.length === 0) return xml;
  const item = xml.indexOf('<item>');
  const at = item >= 0 ? xml.lastIndexOf('\n', item) : xml.lastIndexOf('\n', xml.lastIndexOf('</channel>'));
  if (at < 0) throw new Error('feed output changed: no <item> or </channel> found'); // caught by the tests
  return xml.slice(0, at) + elements.map((e) => `\n${serialize(e, 4)}`).join('') + xml.slice(at);
}

/** Add namespace declarations to the root element `feed` wrote, where it has no option for them (fault 5). */
function addRootAttributes(xml: string, rootStart: string, attributes: Record<string, string>): string {
  const at = xml.indexOf(rootStart);
  if (at < 0) throw new Error(`feed output changed: "${rootStart}" not found`); // caught by the tests
  const end = at + rootStart.length;
  const existing = xml.slice(end, xml.indexOf('>', end));
  const added = Object.entries(attributes)
    .filter(([name]) => !existing.includes(`${name}=`))
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
  return xml.slice(0, end) + added + xml.slice(end);
}
