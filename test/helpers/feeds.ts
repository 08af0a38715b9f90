/**
 * Independent feed parsers for the tests: every feed wirefeed writes is parsed BACK and checked
 * field by field (never compared as a string snapshot).
 *
 * - XML (RSS 2.0 / Atom 1.0): strict well-formedness check (fast-xml-parser's XMLValidator plus
 *   our own scanner for what XMLValidator lets through), then two parses: fast-xml-parser (raw
 *   elements and attributes) and @rowanmanning/feed-parser (normalised feed, as a reader sees it).
 * - JSON Feed 1.1: JSON.parse + ajv against test/fixtures/jsonfeed-1.1.schema.json.
 * - textOf(): HTML to plain text, for word-for-word comparisons of article text.
 */
import { readFileSync } from 'node:fs';
import { parseFeed } from '@rowanmanning/feed-parser';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { type EntityDecoderOptions, XMLParser, XMLValidator } from 'fast-xml-parser';

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/**
 * fast-xml-parser output. Elements are keys (with their prefix: `content:encoded`, `atom:link`,
 * `dc:creator`), attributes are `@_`-prefixed keys (`@_href`, `@_xml:lang`), all values are
 * strings. An element with only text is a plain string; one with attributes (or mixed children)
 * is an object whose text is under `#text` (use {@link nodeText}). `item`, `entry`, `link`,
 * `category` and `author` (matched on the local name, so `atom:link` too) are ALWAYS arrays.
 * Typed loosely on purpose so tests can walk it.
 */
// biome-ignore lint/suspicious/noExplicitAny: deliberately loose parse tree for tests
export type XmlObject = Record<string, any>;

/** The normalised feed from @rowanmanning/feed-parser (a class instance with getters). */
type NormalizedFeed = ReturnType<typeof parseFeed>;

export interface ParsedXmlFeed {
  /** fast-xml-parser object of the whole document: `xml.rss.channel…` or `xml.feed…`. */
  xml: XmlObject;
  /** @rowanmanning/feed-parser result. */
  feed: NormalizedFeed;
}

/** Extension keys (JSON Feed: names starting with `_` then a letter). */
type Extensions = { [key: `_${string}`]: unknown };

type JsonFeedAuthor = {
  name?: string;
  url?: string;
  avatar?: string;
} & Extensions;

type JsonFeedHub = {
  type: string;
  url: string;
} & Extensions;

type JsonFeedAttachment = {
  url: string;
  mime_type: string;
  title?: string;
  size_in_bytes?: number;
  duration_in_seconds?: number;
} & Extensions;

type JsonFeedItem = {
  id: string;
  url?: string;
  external_url?: string;
  title?: string;
  content_html?: string;
  content_text?: string;
  summary?: string;
  image?: string;
  banner_image?: string;
  /** RFC 3339 */
  date_published?: string;
  /** RFC 3339 */
  date_modified?: string;
  authors?: JsonFeedAuthor[];
  tags?: string[];
  language?: string;
  attachments?: JsonFeedAttachment[];
} & Extensions;

export type JsonFeed11 = {
  version: 'https://jsonfeed.org/version/1.1';
  title: string;
  home_page_url?: string;
  feed_url?: string;
  description?: string;
  user_comment?: string;
  next_url?: string;
  icon?: string;
  favicon?: string;
  authors?: JsonFeedAuthor[];
  language?: string;
  expired?: boolean;
  hubs?: JsonFeedHub[];
  items: JsonFeedItem[];
} & Extensions;

export const ATOM_NS = 'http://www.w3.org/2005/Atom';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

// ---------------------------------------------------------------------------------------------
// XML well-formedness
// ---------------------------------------------------------------------------------------------

/** Thrown for any XML that is not well-formed (or not namespace-well-formed). */
export class XmlWellFormednessError extends Error {
  readonly line: number;
  readonly col: number;
  constructor(message: string, line: number, col: number) {
    super(`XML is not well-formed: ${message} (line ${line}, col ${col})`);
    this.name = 'XmlWellFormednessError';
    this.line = line;
    this.col = col;
  }
}

function lineColAt(s: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, s.length);
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || (c === 13 && s.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: end - lineStart + 1 };
}

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

const NAME_START =
  ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D' +
  '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040`;
const NAME_SOURCE = `[${NAME_START}][${NAME_CHAR}]*`;
/** An XML Name, matched at a position (sticky). */
const NAME_AT = new RegExp(NAME_SOURCE, 'uy');
/** An entity or character reference, matched at a position (sticky). */
const REF_AT = new RegExp(`&(?:#x([0-9A-Fa-f]+);|#([0-9]+);|(${NAME_SOURCE});)`, 'uy');
const XML_WS = /[ \t\r\n]/;
const PREDEFINED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

/** Every character must match XML 1.0's Char production (text, attributes, CDATA, comments). */
function checkChars(s: string): void {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x20 && c <= 0xd7ff) || c === 0xa || c === 0x9 || c === 0xd) continue;
    if (c >= 0xe000 && c <= 0xfffd) continue;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    const { line, col } = lineColAt(s, i);
    const hex = c.toString(16).toUpperCase().padStart(4, '0');
    throw new XmlWellFormednessError(`forbidden character U+${hex}`, line, col);
  }
}

/**
 * Checks everything XML 1.0 + Namespaces 1.0 require of a document that fast-xml-parser's
 * XMLValidator does not (raw characters are checkChars' job): forbidden character references, `<` in
 * attribute values, `]]>` in text (a CDATA section closed too early), bare `&` and undefined
 * entities, a single root element with nothing but comments/PIs/whitespace around it, the XML
 * declaration position, `--` in comments, tag nesting, and declared namespace prefixes.
 */
function checkWellFormed(s: string): void {
  const fail = (message: string, offset: number): never => {
    const { line, col } = lineColAt(s, offset);
    throw new XmlWellFormednessError(message, line, col);
  };
  const n = s.length;

  const declaredEntities = new Set<string>();
  const nameAt = (pos: number): string | null => {
    NAME_AT.lastIndex = pos;
    const m = NAME_AT.exec(s);
    return m ? m[0] : null;
  };
  const skipWs = (pos: number): number => {
    let p = pos;
    while (p < n && XML_WS.test(s[p] as string)) p++;
    return p;
  };
  const checkRefs = (raw: string, base: number): void => {
    let amp = raw.indexOf('&');
    while (amp !== -1) {
      REF_AT.lastIndex = amp;
      const m = REF_AT.exec(raw);
      if (!m) fail("bare '&' (must be escaped as &amp;)", base + amp);
      const [whole, hex, dec, name] = m as RegExpExecArray;
      if (hex !== undefined || dec !== undefined) {
        const cp = hex !== undefined ? Number.parseInt(hex, 16) : Number.parseInt(dec as string, 10);
        if (!isXmlChar(cp)) fail(`character reference ${whole} refers to a forbidden character`, base + amp);
      } else if (name !== undefined && !(name in PREDEFINED_ENTITIES) && !declaredEntities.has(name)) {
        fail(`undefined entity ${whole} (XML only predefines &amp; &lt; &gt; &quot; &apos;)`, base + amp);
      }
      amp = raw.indexOf('&', amp + whole.length);
    }
  };
  const checkText = (start: number, end: number, depth: number): void => {
    const text = s.slice(start, end);
    if (depth === 0) {
      const junk = text.search(/[^ \t\r\n]/);
      if (junk !== -1) fail('text outside the root element', start + junk);
      return;
    }
    const cdataEnd = text.indexOf(']]>');
    if (cdataEnd !== -1) fail("']]>' in text (a CDATA section closed too early?)", start + cdataEnd);
    checkRefs(text, start);
  };

  let i = 0;
  if (s.startsWith('<?xml') && /[ \t\r\n?]/.test(s[5] ?? '')) {
    const end = s.indexOf('?>');
    if (end === -1) fail('unterminated XML declaration', 0);
    const decl = s.slice(0, end + 2);
    const DECL =
      /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1([ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\3)?([ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(yes|no)\5)?[ \t\r\n]*\?>$/;
    if (!DECL.test(decl)) fail('malformed XML declaration', 0);
    i = end + 2;
  }

  type Open = { name: string; ns: Map<string, string>; offset: number };
  const stack: Open[] = [];
  const rootNs = new Map<string, string>([['xml', XML_NS]]);
  let rootSeen = false;
  let rootClosed = false;
  let doctypeSeen = false;

  while (i < n) {
    const lt = s.indexOf('<', i);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > i) checkText(i, textEnd, stack.length);
    if (lt === -1) break;
    i = lt;

    if (s.startsWith('<!--', i)) {
      const end = s.indexOf('-->', i + 4);
      if (end === -1) fail('unterminated comment', i);
      const body = s.slice(i + 4, end);
      const dd = body.indexOf('--');
      if (dd !== -1) fail("'--' inside a comment", i + 4 + dd);
      if (body.endsWith('-')) fail("comment ends with '--->'", end - 1);
      i = end + 3;
      continue;
    }
    if (s.startsWith('<![CDATA[', i)) {
      if (stack.length === 0) fail('CDATA section outside the root element', i);
      const end = s.indexOf(']]>', i + 9);
      if (end === -1) fail('unterminated CDATA section', i);
      i = end + 3;
      continue;
    }
    if (s.startsWith('<!DOCTYPE', i)) {
      if (rootSeen || doctypeSeen) fail('misplaced or repeated DOCTYPE', i);
      doctypeSeen = true;
      // Find the closing '>' outside quotes and outside the internal subset.
      let j = i + 9;
      let quote = '';
      let inSubset = false;
      for (; j < n; j++) {
        const c = s[j];
        if (quote) {
          if (c === quote) quote = '';
        } else if (inSubset && s.startsWith('<!--', j)) {
          const end = s.indexOf('-->', j + 4);
          if (end === -1) fail('unterminated comment in DOCTYPE', j);
          j = end + 2;
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '[') inSubset = true;
        else if (c === ']') inSubset = false;
        else if (c === '>' && !inSubset) break;
      }
      if (j >= n) fail('unterminated DOCTYPE', i);
      const doctype = s.slice(i, j + 1);
      for (const m of doctype.matchAll(new RegExp(`<!ENTITY[ \\t\\r\\n]+(${NAME_SOURCE})`, 'gu'))) {
        declaredEntities.add(m[1] as string);
      }
      i = j + 1;
      continue;
    }
    if (s.startsWith('<!', i)) fail("unexpected '<!' markup", i);
    if (s.startsWith('<?', i)) {
      const target = nameAt(i + 2);
      if (!target) fail('processing instruction without a target', i);
      const t = target as string;
      if (t.toLowerCase() === 'xml') {
        fail('XML declaration (or <?xml …?> PI) is only allowed at the very start of the document', i);
      }
      const after = i + 2 + t.length;
      if (!s.startsWith('?>', after) && !XML_WS.test(s[after] ?? '')) fail('malformed processing instruction', after);
      const end = s.indexOf('?>', after);
      if (end === -1) fail('unterminated processing instruction', i);
      i = end + 2;
      continue;
    }
    if (s.startsWith('</', i)) {
      const name = nameAt(i + 2);
      if (!name) fail('malformed end tag', i);
      const j = skipWs(i + 2 + (name as string).length);
      if (s[j] !== '>') fail(`malformed end tag </${name}>`, j);
      const top = stack.pop();
      if (!top) fail(`end tag </${name}> without a matching start tag`, i);
      if ((top as Open).name !== name) {
        fail(`end tag </${name}> does not match start tag <${(top as Open).name}>`, i);
      }
      if (stack.length === 0) rootClosed = true;
      i = j + 1;
      continue;
    }

    // Start tag.
    const name = nameAt(i + 1);
    if (!name) fail("'<' not followed by a tag name (unescaped '<' in text?)", i);
    const tagName = name as string;
    if (rootClosed) fail(`element <${tagName}> after the root element (more than one root?)`, i);
    let j = i + 1 + tagName.length;
    let selfClosing = false;
    const attrs: { name: string; value: string; offset: number }[] = [];
    for (;;) {
      const wsStart = j;
      j = skipWs(j);
      if (j >= n) fail(`unterminated start tag <${tagName}>`, i);
      if (s.startsWith('/>', j)) {
        selfClosing = true;
        j += 2;
        break;
      }
      if (s[j] === '>') {
        j++;
        break;
      }
      const attrName = nameAt(j);
      if (!attrName) fail(`unexpected character ${JSON.stringify(s[j])} in start tag <${tagName}>`, j);
      const a = attrName as string;
      if (j === wsStart) fail(`missing whitespace before attribute ${a}`, j);
      const attrOffset = j;
      j = skipWs(j + a.length);
      if (s[j] !== '=') fail(`attribute ${a} has no value`, j);
      j = skipWs(j + 1);
      const q = s[j];
      if (q !== '"' && q !== "'") fail(`value of attribute ${a} is not quoted`, j);
      const vend = s.indexOf(q as string, j + 1);
      if (vend === -1) fail(`unterminated value of attribute ${a}`, j);
      const raw = s.slice(j + 1, vend);
      const ltInValue = raw.indexOf('<');
      if (ltInValue !== -1) fail(`'<' in the value of attribute ${a} (must be escaped as &lt;)`, j + 1 + ltInValue);
      checkRefs(raw, j + 1);
      if (attrs.some((x) => x.name === a)) fail(`duplicate attribute ${a}`, attrOffset);
      attrs.push({ name: a, value: raw, offset: attrOffset });
      j = vend + 1;
    }

    // Namespaces.
    const parentNs = stack.at(-1)?.ns ?? rootNs;
    let ns = parentNs;
    for (const a of attrs) {
      if (a.name !== 'xmlns' && !a.name.startsWith('xmlns:')) continue;
      if (ns === parentNs) ns = new Map(parentNs);
      const value = decodeXmlEntities(a.value, new Map());
      if (a.name === 'xmlns') {
        if (value) ns.set('', value);
        else ns.delete('');
        continue;
      }
      const prefix = a.name.slice(6);
      if (!prefix || prefix.includes(':')) fail(`malformed namespace declaration ${a.name}`, a.offset);
      if (prefix === 'xmlns') fail('the xmlns prefix must not be declared', a.offset);
      if (!value) fail(`empty namespace name for prefix '${prefix}'`, a.offset);
      if ((prefix === 'xml') !== (value === XML_NS)) fail(`invalid binding for the xml prefix/namespace`, a.offset);
      ns.set(prefix, value);
    }
    const resolve = (qname: string, offset: number, isAttr: boolean): string => {
      const parts = qname.split(':');
      if (parts.length === 1) return isAttr ? `|${qname}` : `${ns.get('') ?? ''}|${qname}`;
      const [prefix, local] = parts as [string, string];
      if (parts.length > 2 || !prefix || !local) {
        fail(`malformed qualified name ${qname}`, offset);
      }
      if (prefix === 'xmlns') fail(`element name ${qname} uses the reserved xmlns prefix`, offset);
      const uri = ns.get(prefix);
      if (uri === undefined) fail(`namespace prefix '${prefix}' is not declared (in ${qname})`, offset);
      return `${uri}|${local}`;
    };
    resolve(tagName, i + 1, false);
    const expanded = new Set<string>();
    for (const a of attrs) {
      if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
      const key = resolve(a.name, a.offset, true);
      if (expanded.has(key)) fail(`duplicate attribute ${a.name} (same namespace and local name)`, a.offset);
      expanded.add(key);
    }

    rootSeen = true;
    if (selfClosing) {
      if (stack.length === 0) rootClosed = true;
    } else {
      stack.push({ name: tagName, ns, offset: i });
    }
    i = j;
  }

  const unclosed = stack.at(-1);
  if (unclosed) fail(`element <${unclosed.name}> is never closed`, unclosed.offset);
  if (!rootSeen) fail('no root element', 0);
}

/** Single-pass XML entity decoding: predefined, declared (DOCTYPE) and numeric references. */
function decodeXmlEntities(text: string, declared: Map<string, string>): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|([^\s&;#]+));/g, (whole, hex, dec, name) => {
    if (hex !== undefined || dec !== undefined) {
      const cp = hex !== undefined ? Number.parseInt(hex, 16) : Number.parseInt(dec, 10);
      return isXmlChar(cp) ? String.fromCodePoint(cp) : whole;
    }
    return PREDEFINED_ENTITIES[name] ?? declared.get(name) ?? whole;
  });
}

/**
 * A correct XML entity decoder for fast-xml-parser. Its default decoder leaves numeric character
 * references (`&#8212;`) undecoded, and `htmlEntities: true` would also accept HTML-only
 * entities such as `&nbsp;`, which are not XML.
 */
function xmlEntityDecoder(): EntityDecoderOptions {
  const declared = new Map<string, string>();
  return {
    setExternalEntities: (entities) => {
      for (const [k, v] of Object.entries(entities)) declared.set(k, v);
    },
    addInputEntities: (entities) => {
      for (const [k, v] of Object.entries(entities)) {
        // fast-xml-parser hands over DOCTYPE entities as strings (older versions: { val }).
        const value: unknown = v;
        declared.set(k, typeof value === 'string' ? value : String((value as { val?: unknown })?.val ?? ''));
      }
    },
    reset: () => declared.clear(),
    decode: (text) => decodeXmlEntities(text, declared),
    setXmlVersion: () => {},
  };
}

const ALWAYS_ARRAY = new Set(['item', 'entry', 'link', 'category', 'author']);

/**
 * Throws {@link XmlWellFormednessError} (message with line/col) unless `xml` is well-formed
 * XML 1.0 with well-formed namespaces; returns the fast-xml-parser object (see {@link XmlObject}).
 * A leading BOM is allowed. Entities are decoded exactly once; CDATA content is kept verbatim and
 * merged into the element's text; text is trimmed.
 */
export function parseXmlStrict(xml: string): XmlObject {
  if (typeof xml !== 'string') throw new TypeError(`parseXmlStrict expects a string, got ${typeof xml}`);
  const s = xml.startsWith('\uFEFF') ? xml.slice(1) : xml;
  // 1. Characters (XMLValidator accepts control characters). 2. fast-xml-parser's validator.
  // 3. Our scanner for what the validator lets through (see checkWellFormed).
  checkChars(s);
  const validation = XMLValidator.validate(s, { allowBooleanAttributes: false });
  if (validation !== true) {
    const { code, msg, line, col } = validation.err;
    throw new XmlWellFormednessError(`${msg} [${code}]`, line, col);
  }
  checkWellFormed(s);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: true,
    entityDecoder: xmlEntityDecoder(),
    isArray: (name, _path, _isLeaf, isAttribute) => !isAttribute && ALWAYS_ARRAY.has(name.slice(name.lastIndexOf(':') + 1)),
  });
  return parser.parse(s) as XmlObject;
}

/** The single root element name of a parsed document (ignoring `?xml` and other PIs). */
function rootName(doc: XmlObject): string {
  const roots = Object.keys(doc).filter((k) => !k.startsWith('?') && k !== '#comment');
  if (roots.length !== 1) throw new Error(`expected exactly one root element, found: ${roots.join(', ') || 'none'}`);
  return roots[0] as string;
}

/**
 * The text of a fast-xml-parser node: a string as is, an element object's `#text`, '' for an
 * element without text, undefined for a missing node. Throws for arrays (pick an element first).
 */
export function nodeText(node: unknown): string | undefined {
  if (node === undefined || node === null) return undefined;
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) throw new Error('nodeText: got an array of elements; index into it first');
  if (typeof node === 'object') {
    const text = (node as Record<string, unknown>)['#text'];
    return text === undefined ? '' : String(text);
  }
  return String(node);
}

/**
 * Normalises a repeatable element that is not in the always-array list (`dc:creator`,
 * `enclosure`, …): undefined → [], a single node → [node], an array as is.
 */
export function asArray<T>(node: T | T[] | undefined | null): T[] {
  if (node === undefined || node === null) return [];
  return Array.isArray(node) ? node : [node];
}

/**
 * Parses an RSS 2.0 document: strict XML, root `<rss version="2.0">` with exactly one
 * `<channel>`, then @rowanmanning/feed-parser (must report type rss, version 2.0).
 */
export function parseRss(xml: string): ParsedXmlFeed {
  const doc = parseXmlStrict(xml);
  const root = rootName(doc);
  if (root !== 'rss') throw new Error(`not RSS: root element is <${root}>, expected <rss>`);
  const rss = doc.rss;
  if (typeof rss !== 'object' || rss === null || rss['@_version'] !== '2.0') {
    throw new Error(`not RSS 2.0: <rss version="${rss?.['@_version'] ?? ''}">`);
  }
  if (typeof rss.channel !== 'object' || rss.channel === null || Array.isArray(rss.channel)) {
    throw new Error('RSS 2.0 needs exactly one <channel> element');
  }
  const feed = parseFeed(xml);
  if (feed.meta.type !== 'rss' || feed.meta.version !== '2.0') {
    throw new Error(`feed-parser read this as ${feed.meta.type} ${feed.meta.version}, not rss 2.0`);
  }
  return { xml: doc, feed };
}

/**
 * Parses an Atom 1.0 document: strict XML, root `<feed xmlns="http://www.w3.org/2005/Atom">`
 * (default namespace; a prefixed `<atom:feed>` root is rejected), then
 * @rowanmanning/feed-parser (must report type atom, version 1.0).
 */
export function parseAtom(xml: string): ParsedXmlFeed {
  const doc = parseXmlStrict(xml);
  const root = rootName(doc);
  if (root !== 'feed') throw new Error(`not Atom: root element is <${root}>, expected <feed>`);
  const atom = doc.feed;
  if (typeof atom !== 'object' || atom === null || atom['@_xmlns'] !== ATOM_NS) {
    throw new Error(`not Atom 1.0: <feed> must have xmlns="${ATOM_NS}", got ${JSON.stringify(atom?.['@_xmlns'])}`);
  }
  const feed = parseFeed(xml);
  if (feed.meta.type !== 'atom' || feed.meta.version !== '1.0') {
    throw new Error(`feed-parser read this as ${feed.meta.type} ${feed.meta.version}, not atom 1.0`);
  }
  return { xml: doc, feed };
}

// ---------------------------------------------------------------------------------------------
// JSON Feed 1.1
// ---------------------------------------------------------------------------------------------

const JSON_FEED_SCHEMA_PATH = new URL('../fixtures/jsonfeed-1.1.schema.json', import.meta.url);

let jsonFeedValidator: ValidateFunction | undefined;
function getJsonFeedValidator(): ValidateFunction {
  if (!jsonFeedValidator) {
    const schema = JSON.parse(readFileSync(JSON_FEED_SCHEMA_PATH, 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
    addFormats(ajv);
    jsonFeedValidator = ajv.compile(schema);
  }
  return jsonFeedValidator;
}

function formatAjvErrors(errors: readonly ErrorObject[]): string {
  return errors
    .map((e) => {
      const where = e.instancePath || '(root)';
      const params = e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : '';
      return `  - ${where} ${e.message ?? e.keyword}${params}`;
    })
    .join('\n');
}

/**
 * JSON.parse + validation against test/fixtures/jsonfeed-1.1.schema.json (ajv, all errors,
 * formats uri/date-time) + unique item ids. Throws with every problem listed.
 */
export function parseJsonFeed(text: string): JsonFeed11 {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`JSON Feed is not valid JSON: ${(err as Error).message}`);
  }
  const validate = getJsonFeedValidator();
  if (!validate(data)) {
    throw new Error(`JSON Feed 1.1 schema validation failed:\n${formatAjvErrors(validate.errors ?? [])}`);
  }
  const feed = data as JsonFeed11;
  const seen = new Set<string>();
  for (const item of feed.items) {
    if (seen.has(item.id)) throw new Error(`JSON Feed has duplicate item id ${JSON.stringify(item.id)}`);
    seen.add(item.id);
  }
  return feed;
}

// ---------------------------------------------------------------------------------------------
// HTML to text
// ---------------------------------------------------------------------------------------------

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00A0',
  ensp: '\u2002',
  emsp: '\u2003',
  thinsp: '\u2009',
  shy: '\u00AD',
  zwj: '\u200D',
  zwnj: '\u200C',
  mdash: '\u2014',
  ndash: '\u2013',
  minus: '\u2212',
  hellip: '\u2026',
  lsquo: '\u2018',
  rsquo: '\u2019',
  sbquo: '\u201A',
  ldquo: '\u201C',
  rdquo: '\u201D',
  bdquo: '\u201E',
  laquo: '\u00AB',
  raquo: '\u00BB',
  lsaquo: '\u2039',
  rsaquo: '\u203A',
  prime: '\u2032',
  Prime: '\u2033',
  bull: '\u2022',
  middot: '\u00B7',
  dagger: '\u2020',
  Dagger: '\u2021',
  sect: '\u00A7',
  para: '\u00B6',
  copy: '\u00A9',
  reg: '\u00AE',
  trade: '\u2122',
  deg: '\u00B0',
  plusmn: '\u00B1',
  times: '\u00D7',
  divide: '\u00F7',
  frac12: '\u00BD',
  frac14: '\u00BC',
  frac34: '\u00BE',
  sup2: '\u00B2',
  sup3: '\u00B3',
  micro: '\u00B5',
  euro: '\u20AC',
  pound: '\u00A3',
  yen: '\u00A5',
  cent: '\u00A2',
  iexcl: '\u00A1',
  iquest: '\u00BF',
  aacute: '\u00E1',
  agrave: '\u00E0',
  acirc: '\u00E2',
  auml: '\u00E4',
  atilde: '\u00E3',
  aring: '\u00E5',
  ccedil: '\u00E7',
  eacute: '\u00E9',
  egrave: '\u00E8',
  ecirc: '\u00EA',
  euml: '\u00EB',
  iacute: '\u00ED',
  igrave: '\u00EC',
  icirc: '\u00EE',
  iuml: '\u00EF',
  ntilde: '\u00F1',
  oacute: '\u00F3',
  ograve: '\u00F2',
  ocirc: '\u00F4',
  ouml: '\u00F6',
  otilde: '\u00F5',
  oslash: '\u00F8',
  uacute: '\u00FA',
  ugrave: '\u00F9',
  ucirc: '\u00FB',
  uuml: '\u00FC',
  szlig: '\u00DF',
  Aacute: '\u00C1',
  Eacute: '\u00C9',
  Ntilde: '\u00D1',
  Ouml: '\u00D6',
  Uuml: '\u00DC',
  Auml: '\u00C4',
};

/** HTML maps numeric references 0x80–0x9F through windows-1252 (e.g. &#146; is ’). */
const WINDOWS_1252: Record<number, number> = {
  128: 0x20ac,
  130: 0x201a,
  131: 0x0192,
  132: 0x201e,
  133: 0x2026,
  134: 0x2020,
  135: 0x2021,
  136: 0x02c6,
  137: 0x2030,
  138: 0x0160,
  139: 0x2039,
  140: 0x0152,
  142: 0x017d,
  145: 0x2018,
  146: 0x2019,
  147: 0x201c,
  148: 0x201d,
  149: 0x2022,
  150: 0x2013,
  151: 0x2014,
  152: 0x02dc,
  153: 0x2122,
  154: 0x0161,
  155: 0x203a,
  156: 0x0153,
  158: 0x017e,
  159: 0x0178,
};

function decodeHtmlEntities(text: string): string {
  return text.replace(/&(?:#[xX]([0-9A-Fa-f]{1,8})|#([0-9]{1,10})|([A-Za-z][A-Za-z0-9]*));/g, (whole, hex, dec, name) => {
    if (name !== undefined) return NAMED_ENTITIES[name] ?? whole; // unknown: left visible
    let cp = hex !== undefined ? Number.parseInt(hex, 16) : Number.parseInt(dec, 10);
    cp = WINDOWS_1252[cp] ?? cp;
    if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\uFFFD';
    return String.fromCodePoint(cp);
  });
}

/** Elements that separate words (replaced by a space); all other tags vanish without a trace. */
const BLOCK_TAGS = new Set(
  (
    'address article aside blockquote br dd details dialog div dl dt fieldset figcaption figure footer form ' +
    'h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre section summary table tbody td tfoot th thead ' +
    'tr ul caption col colgroup img iframe video audio source picture object embed'
  ).split(' '),
);

/**
 * HTML fragment → plain text, for word-for-word comparisons: drops comments, script/style,
 * tags (block-level ones become a space so paragraphs don't run together; inline ones like
 * <em>/<a> vanish so "<em>word</em>," stays "word,"), unwraps CDATA, decodes entities once
 * (named ones common in news text, decimal/hex references), and collapses every run of
 * whitespace (including U+00A0 from &nbsp;) to a single space, trimmed.
 * Unknown named entities are left as they are, so they show up in a failing comparison.
 */
export function textOf(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/<(script|style)\b(?:[^>"']|"[^"]*"|'[^']*')*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[!?][^>]*>/g, '')
    .replace(/<\/?([A-Za-z][A-Za-z0-9-]*)(?:[^>"']|"[^"]*"|'[^']*')*>/g, (_tag, name: string) => (BLOCK_TAGS.has(name.toLowerCase()) ? ' ' : ''));
  return decodeHtmlEntities(text).replace(/\s+/g, ' ').trim();
}
