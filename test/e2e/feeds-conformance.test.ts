/**
 * Conformance of every feed a site publishes (main, tag and every archive page, in all three formats)
 * over a generated corpus of what newsrooms really write: titles with "&", quotes, "<", "]]>", a literal
 * "&amp;" and emoji; lead images whose URLs carry query strings; several authors; tags.
 *
 * Checked with independent tools: RELAX NG for Atom (RFC 4287's schema, test/fixtures/atom-rfc4287.rnc,
 * with jing), python3 feedparser (bozo 0, titles back exactly), saxes and fast-xml-parser (strict XML,
 * titles back exactly), the JSON Feed 1.1 schema, and the W3C Feed Validator's rules that apply to these
 * feeds, encoded below (it is not installable): see `w3cRss` and `w3cAtom`. jing and feedparser come from
 * Debian (`apt-get install jing python3-feedparser`, which .ci/run does); without them those tests skip,
 * saying so in their names.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SaxesParser } from 'saxes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memorySite } from '../helpers/engine.ts';
import { asArray, nodeText, parseAtom, parseJsonFeed, parseRss } from '../helpers/feeds.ts';

const SITE_URL = 'https://news.test/';
const HUB = 'https://hub.test/publish?mode=publish&topic=all';
const FEED_SIZE = 4;

// ---------------------------------------------------------------------------------------------
// The corpus
// ---------------------------------------------------------------------------------------------

const TITLES = [
  'Black & Decker recalls 2 million drills',
  '"We will not back down," says minister',
  'Rates < 2% as inflation eases; markets > expectations',
  'Parser bug: the string "]]>" ended our CDATA ]]> twice',
  'Explainer: what "HTML &amp; CSS" means to a browser',
  "Storm Éowyn 🌪️ closes schools in Côte d'Ivoire",
  "Q&A: Tom & Jerry's <unofficial> biography",
  'Budget vote 2025 passes 312–270',
  'Fans 🎉 celebrate as "Les Bleus" win',
  'A <b> tag is not bold here & never was',
  "Apostrophes: it's the club's best year",
  'AT&T and T-Mobile merge talks',
  'Floods: 1 < 2 < 3 metres',
  'Newsroom notes ]]> & <done>',
];
const TAGS = ['Politics', 'Q&A', 'Économie', 'Tech "&" Media'];
const PEOPLE = [{ name: 'Ada Reporter', email: 'ada@news.test' }, { name: 'Bo "The Pen" Editor' }, { name: 'Cy & Di', url: 'https://news.test/cy?x=1&y=2' }];

interface Generated {
  name: string;
  fields: Record<string, unknown>;
}

function corpus(): Generated[] {
  return TITLES.map((title, i) => ({
    name: `story-${String(i + 1).padStart(2, '0')}.md`,
    fields: {
      title,
      date: `2026-0${1 + Math.floor(i / 5)}-${String(10 + (i % 5)).padStart(2, '0')}T0${i % 10}:15:00Z`,
      ...(i % 3 === 0 ? { summary: `Standfirst ${i}: ${title} & more <details>` } : {}),
      tags: [TAGS[i % TAGS.length], ...(i % 2 === 0 ? [TAGS[(i + 1) % TAGS.length]] : [])],
      authors: PEOPLE.slice(0, 1 + (i % 3)),
      ...(i % 2 === 1 ? { image: { url: `https://img.cdn.test/photo-${i}.jpg?w=800&h=450&fit=crop`, alt: `Photo ${i} & "caption" <alt>`, type: 'image/jpeg', length: 1000 + i } } : {}),
    },
  }));
}

// ---------------------------------------------------------------------------------------------
// The site
// ---------------------------------------------------------------------------------------------

let feeds: Map<string, string>;
const titleSet = new Set(TITLES);

beforeAll(async () => {
  const s = await memorySite({
    url: SITE_URL,
    feed_size: FEED_SIZE,
    websub_hub: HUB,
    author: { name: 'The Desk & Co', email: 'desk@news.test' },
    copyright: '© Test Wire & partners',
    logo: '/logo.png?v=2&size=wide',
  });
  for (const g of corpus()) await s.article(g.name, g.fields, `Body of ${g.fields.title as string}: AT&T, 1 < 2, ]]> and "quotes".\n`);
  const report = await s.publish();
  expect(report.rejected).toEqual([]);
  feeds = new Map();
  for (const key of await s.keys()) if (/(^|\/)(rss\.xml|atom\.xml|feed\.json)$/.test(key)) feeds.set(key, (await s.text(key)) ?? '');
});

const ofType = (suffix: string) => [...feeds].filter(([key]) => key.endsWith(suffix));
const location = (key: string) => new URL(key, SITE_URL).href;

describe('the generated corpus', () => {
  it('has main, tag and archive feeds in all three formats, and every archive page', () => {
    const folders = new Set([...feeds.keys()].map((k) => k.slice(0, k.lastIndexOf('/') + 1)));
    const complete = Math.floor(TITLES.length / FEED_SIZE);
    for (let n = 1; n <= complete; n++) expect(folders).toContain(`archive/${n}/`);
    expect(folders).toContain('');
    expect([...folders].filter((f) => f.startsWith('tags/')).length).toBe(TAGS.length);
    for (const folder of folders) for (const f of ['rss.xml', 'atom.xml', 'feed.json']) expect(feeds.has(`${folder}${f}`)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Strict XML parsers and titles as written
// ---------------------------------------------------------------------------------------------

describe('strict parsers (saxes, fast-xml-parser, @rowanmanning/feed-parser, the JSON Feed 1.1 schema)', () => {
  it('accept every feed, and every title reads back exactly as written, in all three formats alike', () => {
    for (const [key, body] of feeds) {
      const titles = key.endsWith('rss.xml')
        ? asArray(parseRss(body).xml.rss.channel.item).map((i) => nodeText(i.title))
        : key.endsWith('atom.xml')
          ? asArray(parseAtom(body).xml.feed.entry).map((e) => nodeText(e.title))
          : parseJsonFeed(body).items.map((i) => i.title);
      if (key.endsWith('.xml')) expect(saxesErrors(body), key).toEqual([]);
      expect(titles.length, key).toBeGreaterThan(0);
      for (const t of titles) expect(titleSet.has(t ?? ''), `${key}: ${t}`).toBe(true);
      const folder = key.slice(0, key.lastIndexOf('/') + 1);
      const jsonFeed = parseJsonFeed(feeds.get(`${folder}feed.json`) ?? '');
      expect(titles, key).toEqual(jsonFeed.items.map((i) => i.title));
      expect(jsonFeed.feed_url).toBe(location(`${folder}feed.json`));
    }
  });
});

function saxesErrors(xml: string): string[] {
  const errors: string[] = [];
  const parser = new SaxesParser({ xmlns: true });
  parser.on('error', (e) => errors.push(e.message));
  parser.write(xml).close();
  return errors;
}

// ---------------------------------------------------------------------------------------------
// RELAX NG (RFC 4287) with jing
// ---------------------------------------------------------------------------------------------

const SCHEMA = new URL('../fixtures/atom-rfc4287.rnc', import.meta.url).pathname;
const hasJing = spawnSync('jing', [], { encoding: 'utf8' }).error === undefined;

describe('RELAX NG', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-rng-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!hasJing)(`every Atom document is valid against RFC 4287's schema${hasJing ? '' : ' (skipped: jing is not installed; apt-get install jing)'}`, () => {
    const files = ofType('atom.xml').map(([key, body]) => {
      const file = path.join(dir, key.replaceAll('/', '_'));
      writeFileSync(file, body);
      return file;
    });
    const run = spawnSync('jing', ['-c', SCHEMA, ...files], { encoding: 'utf8' });
    // Debian's launcher script warns on stderr about optional jars it cannot find ("[warning] /usr/bin/jing:
    // Unable to locate xml-apis in /usr/share/java"): that is the installation, not the feeds.
    const launcher = /^\[warning\] \/usr\/bin\/jing: Unable to locate [\w.-]+ in \/usr\/share\/java$/;
    expect(
      run.stdout +
        run.stderr
          .split('\n')
          .filter((line) => line !== '' && !launcher.test(line))
          .join('\n'),
    ).toBe('');
    expect(run.status).toBe(0);
  });

  it.skipIf(!hasJing)(`the schema is not a rubber stamp: it rejects an entry without an id${hasJing ? '' : ' (skipped: jing is not installed)'}`, () => {
    const [, body] = ofType('atom.xml')[0] ?? ['', ''];
    const file = path.join(dir, 'broken.xml');
    writeFileSync(file, body.replace(/<entry>\s*<id>[^<]*<\/id>/, '<entry>'));
    expect(spawnSync('jing', ['-c', SCHEMA, file], { encoding: 'utf8' }).status).not.toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// python3 feedparser
// ---------------------------------------------------------------------------------------------

/** Debian's python3 has python3-feedparser; a python3 earlier on PATH (pyenv) may not. */
const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import feedparser'], { encoding: 'utf8' }).status === 0);

const FEEDPARSER = `
import feedparser, json, sys
out = {}
for path in sys.argv[1:]:
    d = feedparser.parse(path)
    out[path] = {
        "bozo": int(bool(d.bozo)), "error": str(d.get("bozo_exception", "")), "version": d.version,
        "title": d.feed.get("title"), "id": d.feed.get("id"),
        "entries": [{"title": e.get("title"), "id": e.get("id"), "authors": [a.get("name") for a in e.get("authors", [])],
                     "content": (e.get("content") or [{}])[0].get("value")} for e in d.entries],
    }
print(json.dumps(out))
`;

describe('feedparser', () => {
  it.skipIf(!python)(
    `parses every RSS and Atom document with bozo 0, and reads every title back exactly${python ? '' : ' (skipped: python3-feedparser is not installed; apt-get install python3-feedparser)'}`,
    () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-fp-'));
      try {
        const files = new Map<string, string>();
        for (const [key, body] of feeds) {
          if (!key.endsWith('.xml')) continue;
          const file = path.join(dir, key.replaceAll('/', '_'));
          writeFileSync(file, body);
          files.set(file, key);
        }
        const parsed = JSON.parse(execFileSync(python as string, ['-c', FEEDPARSER, ...files.keys()], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Record<
          string,
          { bozo: number; error: string; version: string; entries: { title: string; authors: string[]; content?: string }[] }
        >;
        for (const [file, key] of files) {
          const result = parsed[file];
          expect(result?.bozo, `${key}: ${result?.error}`).toBe(0);
          expect(result?.version, key).toBe(key.endsWith('rss.xml') ? 'rss20' : 'atom10');
          for (const e of result?.entries ?? []) {
            expect(titleSet.has(e.title), `${key}: ${e.title}`).toBe(true);
            expect(e.authors[0], key).toMatch(/^Ada Reporter/);
            expect(e.content, key).toContain('Body of ');
          }
        }
        // Several authors are all named (RSS: in one dc:creator, Atom: one author each), and the
        // standfirst opens the content, as on the page.
        const doc = (name: string) => parsed[[...files].find(([, key]) => key === name)?.[0] ?? ''];
        const three = ['Ada Reporter', 'Bo "The Pen" Editor', 'Cy & Di'];
        expect(doc('rss.xml')?.entries.map((e) => e.authors)).toContainEqual([three.join(', ')]);
        expect(doc('atom.xml')?.entries.map((e) => e.authors)).toContainEqual(three);
        const withStandfirst = corpus().find((g) => g.fields.summary && (doc('atom.xml')?.entries ?? []).some((e) => e.title === g.fields.title));
        for (const format of ['rss.xml', 'atom.xml']) {
          const entry = doc(format)?.entries.find((e) => e.title === withStandfirst?.fields.title);
          expect(entry?.content, format).toMatch(/^<p class="standfirst"><strong>Standfirst \d+: [^<]*<\/strong><\/p>[\s\S]*Body of /);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------
// newsboat: what a terminal reader shows
// ---------------------------------------------------------------------------------------------

const hasNewsboat = spawnSync('newsboat', ['--version'], { encoding: 'utf8' }).status === 0;
const sqlitePython = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import sqlite3'], { encoding: 'utf8' }).status === 0);

describe('newsboat', () => {
  it.skipIf(!hasNewsboat || !sqlitePython)(
    `shows every author of an item, its title as written, and the standfirst at the top of the article${hasNewsboat ? '' : ' (skipped: newsboat is not installed; apt-get install newsboat)'}`,
    () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-newsboat-'));
      try {
        const file = path.join(dir, 'rss.xml');
        writeFileSync(file, feeds.get('rss.xml') ?? '');
        writeFileSync(path.join(dir, 'urls'), `file://${file}\n`);
        writeFileSync(path.join(dir, 'config'), '');
        const cache = path.join(dir, 'cache.db');
        const run = spawnSync('newsboat', ['-C', path.join(dir, 'config'), '-u', path.join(dir, 'urls'), '-c', cache, '-x', 'reload'], {
          encoding: 'utf8',
          env: { ...process.env, HOME: dir },
          timeout: 30_000,
        });
        expect(run.status, run.stderr).toBe(0);
        const rows = JSON.parse(
          execFileSync(
            sqlitePython as string,
            ['-c', 'import sqlite3,json,sys; print(json.dumps(sqlite3.connect(sys.argv[1]).execute("select title, author, content from rss_item").fetchall()))', cache],
            {
              encoding: 'utf8',
            },
          ),
        ) as [string, string, string][];
        expect(rows.length).toBe(FEED_SIZE);
        const shown = new Map(rows.map(([title, author, content]) => [title, { author, content }]));
        for (const g of corpus().slice(-FEED_SIZE)) {
          const item = shown.get(g.fields.title as string);
          expect(item, g.fields.title as string).toBeDefined();
          expect(item?.author).toBe((g.fields.authors as { name: string }[]).map((p) => p.name).join(', '));
          if (g.fields.summary) expect(item?.content).toMatch(/^<p class="standfirst"><strong>Standfirst /);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------
// The W3C Feed Validator's rules (https://github.com/w3c/feedvalidator), encoded
// ---------------------------------------------------------------------------------------------

interface Node {
  uri: string;
  local: string;
  attrs: Record<string, string>;
  text: string;
  children: Node[];
  startLine: number;
  endLine: number;
}

function tree(xml: string): Node {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: Node[] = [];
  let root: Node | undefined;
  parser.on('opentag', (tag) => {
    const attrs: Record<string, string> = {};
    for (const a of Object.values(tag.attributes)) if (typeof a === 'object' && a.prefix !== 'xmlns' && a.name !== 'xmlns') attrs[a.uri ? `${a.uri}|${a.local}` : a.local] = a.value;
    const node: Node = { uri: tag.uri ?? '', local: tag.local ?? '', attrs, text: '', children: [], startLine: parser.line, endLine: parser.line };
    stack.at(-1)?.children.push(node);
    root ??= node;
    stack.push(node);
  });
  const addText = (t: string) => {
    const top = stack.at(-1);
    if (top) top.text += t;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    const node = stack.pop();
    if (node) node.endLine = parser.line;
  });
  parser.write(xml).close();
  if (!root) throw new Error('no root element');
  return root;
}

const NS = { atom: 'http://www.w3.org/2005/Atom', dc: 'http://purl.org/dc/elements/1.1/', media: 'http://search.yahoo.com/mrss/', fh: 'http://purl.org/syndication/history/1.0' };
const kids = (n: Node, local: string, uri = '') => n.children.filter((c) => c.local === local && c.uri === uri);
const RFC822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (GMT|UT|[+-]\d{4})$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const absolute = (u: string) => /^https?:\/\/[^\s]+$/.test(u);

/**
 * The validator's `nonhtml` check on plain-text elements (validators.py), as a superset: an HTML end tag
 * in the text is ContainsHTML; an entity-like "&name" or a "&#", "<x", "</" in the parsed text is
 * ContainsHTML / CharacterData unless the raw lines carry a hexadecimal character reference (the RSS
 * Best Practices Profile: encode "&" and "<" in plain text as &#x26; and &#x3C;).
 */
function nonHtml(node: Node, lines: string[], where: string, problems: string[]): void {
  const raw = lines.slice(node.startLine - 1, node.endLine).some((l) => l.includes('&#x'));
  if (/<\/\w+>/.test(node.text)) problems.push(`${where}: ContainsHTML (an HTML end tag)`);
  else if ((/&#?\w+/.test(node.text) || /&#[x0-9]|<[/a-zA-Z]/.test(node.text)) && !raw) problems.push(`${where}: ContainsHTML/CharacterData (${node.text})`);
}

/** Every once-only element appears at most once (DuplicateElement, an error). */
function once(parent: Node, names: string[], where: string, problems: string[]): void {
  for (const name of names) if (kids(parent, name).length > 1) problems.push(`${where}: DuplicateElement ${name}`);
}

function selfLink(links: Node[], key: string, where: string, problems: string[]): void {
  const self = links.filter((l) => l.attrs.rel === 'self');
  if (self.length !== 1) problems.push(`${where}: MissingAtomSelfLink (${self.length} self links)`);
  else if (self[0]?.attrs.href !== location(key)) problems.push(`${where}: SelfDoesntMatchLocation (${self[0]?.attrs.href})`);
}

function w3cRss(key: string, xml: string): string[] {
  const problems: string[] = [];
  const lines = xml.split('\n');
  const rss = tree(xml);
  const channel = kids(rss, 'channel')[0];
  if (rss.local !== 'rss' || rss.attrs.version !== '2.0' || !channel) return [`${key}: not RSS 2.0`];
  // MisplacedItem: channel metadata after an item.
  const firstItem = channel.children.findIndex((c) => c.local === 'item' && c.uri === '');
  channel.children.slice(firstItem < 0 ? channel.children.length : firstItem).forEach((c) => {
    if (!(c.local === 'item' && c.uri === '')) problems.push(`${key}: MisplacedItem (${c.local} after the items)`);
  });
  for (const required of ['title', 'link', 'description']) if (kids(channel, required).length !== 1) problems.push(`${key}: MissingElement channel ${required}`);
  once(channel, ['title', 'link', 'description', 'language', 'copyright', 'lastBuildDate', 'generator', 'docs', 'image'], key, problems);
  for (const t of kids(channel, 'title')) nonHtml(t, lines, `${key} channel title`, problems);
  for (const d of kids(channel, 'lastBuildDate')) if (!RFC822.test(d.text)) problems.push(`${key}: InvalidRFC2822Date ${d.text}`);
  const links = kids(channel, 'link', NS.atom);
  selfLink(links, key, key, problems);
  for (const l of links) if (!absolute(l.attrs.href ?? '')) problems.push(`${key}: InvalidFullLink atom:link ${l.attrs.href}`);
  // ImageTitleDoesntMatch, ImageLinkDoesntMatch, image url a full URL.
  for (const image of kids(channel, 'image')) {
    if (kids(image, 'title')[0]?.text !== kids(channel, 'title')[0]?.text) problems.push(`${key}: ImageTitleDoesntMatch`);
    if (kids(image, 'link')[0]?.text !== kids(channel, 'link')[0]?.text) problems.push(`${key}: ImageLinkDoesntMatch`);
    if (!absolute(kids(image, 'url')[0]?.text ?? '')) problems.push(`${key}: InvalidFullLink image url`);
  }
  const guids = new Set<string>();
  for (const [i, item] of kids(channel, 'item').entries()) {
    const where = `${key} item ${i + 1}`;
    once(item, ['title', 'link', 'description', 'guid', 'pubDate', 'author', 'enclosure', 'source', 'comments'], where, problems);
    for (const t of kids(item, 'title')) nonHtml(t, lines, `${where} title`, problems);
    for (const t of kids(item, 'creator', NS.dc)) nonHtml(t, lines, `${where} dc:creator`, problems);
    if (kids(item, 'author').length > 0 && kids(item, 'creator', NS.dc).length > 0) problems.push(`${where}: DuplicateItemSemantics (author and dc:creator)`);
    if (kids(item, 'title').length + kids(item, 'description').length === 0) problems.push(`${where}: ItemMustContainTitleOrDescription`);
    for (const d of kids(item, 'pubDate')) if (!RFC822.test(d.text)) problems.push(`${where}: InvalidRFC2822Date ${d.text}`);
    for (const l of kids(item, 'link')) if (!absolute(l.text)) problems.push(`${where}: InvalidFullLink ${l.text}`);
    for (const g of kids(item, 'guid')) {
      // isPermaLink defaults to true, when the guid must be a full URL (InvalidPermalink); ids are not.
      if (g.attrs.isPermaLink !== 'false' && !absolute(g.text)) problems.push(`${where}: InvalidPermalink ${g.text}`);
      if (guids.has(g.text)) problems.push(`${where}: DuplicateValue guid ${g.text}`);
      guids.add(g.text);
    }
    for (const e of kids(item, 'enclosure')) {
      if (!absolute(e.attrs.url ?? '') || !/^\d+$/.test(e.attrs.length ?? '') || !/^[\w.+-]+\/[\w.+-]+$/.test(e.attrs.type ?? ''))
        problems.push(`${where}: InvalidEnclosure ${JSON.stringify(e.attrs)}`);
    }
    for (const m of kids(item, 'content', NS.media)) {
      if (!absolute(m.attrs.url ?? '') || !/^\d+$/.test(m.attrs.fileSize ?? '') || !['image', 'audio', 'video', 'document', 'executable'].includes(m.attrs.medium ?? '')) {
        problems.push(`${where}: media:content ${JSON.stringify(m.attrs)}`);
      }
    }
  }
  return problems;
}

function w3cAtom(key: string, xml: string): string[] {
  const problems: string[] = [];
  const feed = tree(xml);
  if (feed.local !== 'feed' || feed.uri !== NS.atom) return [`${key}: not Atom`];
  const a = (n: Node, local: string) => kids(n, local, NS.atom);
  const links = a(feed, 'link');
  selfLink(links, key, key, problems);
  for (const l of links) if (!absolute(l.attrs.href ?? '')) problems.push(`${key}: InvalidFullLink ${l.attrs.href}`);
  // DuplicateAtomLink: one alternate per type and hreflang.
  const alternates = links.filter((l) => (l.attrs.rel ?? 'alternate') === 'alternate').map((l) => `${l.attrs.type}|${l.attrs.hreflang}`);
  if (new Set(alternates).size !== alternates.length) problems.push(`${key}: DuplicateAtomLink`);
  // ArchiveIncomplete and MissingCurrentInArchive (feed.py): an fh:archive document links its neighbours and its feed.
  if (kids(feed, 'archive', NS.fh).length > 0 && kids(feed, 'complete', NS.fh).length === 0) {
    if (!links.some((l) => l.attrs.rel === 'prev-archive' || l.attrs.rel === 'next-archive')) problems.push(`${key}: ArchiveIncomplete`);
    if (!links.some((l) => l.attrs.rel === 'current')) problems.push(`${key}: MissingCurrentInArchive`);
  }
  for (const u of [...a(feed, 'updated'), ...a(feed, 'entry').flatMap((e) => [...a(e, 'updated'), ...a(e, 'published')])]) {
    if (!RFC3339.test(u.text)) problems.push(`${key}: InvalidRFC3339Date ${u.text}`);
  }
  if (a(feed, 'author').length === 0 && a(feed, 'entry').some((e) => a(e, 'author').length === 0)) problems.push(`${key}: MissingElement author`);
  const ids = new Set<string>();
  for (const [i, entry] of a(feed, 'entry').entries()) {
    const id = a(entry, 'id')[0]?.text ?? '';
    if (ids.has(id)) problems.push(`${key} entry ${i + 1}: DuplicateEntries ${id}`);
    ids.add(id);
    if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(id)) problems.push(`${key} entry ${i + 1}: InvalidFullLink id ${id}`);
    if (!a(entry, 'link').some((l) => (l.attrs.rel ?? 'alternate') === 'alternate') && a(entry, 'content').length === 0) problems.push(`${key} entry ${i + 1}: MissingAlternateLink`);
    for (const l of a(entry, 'link').filter((x) => x.attrs.rel === 'enclosure')) if (!/^\d+$/.test(l.attrs.length ?? '')) problems.push(`${key} entry ${i + 1}: enclosure without a length`);
    for (const t of a(entry, 'title')) if ((t.attrs.type ?? 'text') === 'text' && /<\/\w+>/.test(t.text)) problems.push(`${key} entry ${i + 1}: ContainsUndeclaredHTML`);
  }
  return problems;
}

describe('the W3C Feed Validator rules', () => {
  it('RSS: no MisplacedItem, ContainsHTML, CharacterData, DuplicateItemSemantics, DuplicateElement, bad dates, guids, self links, images or media in any RSS document', () => {
    expect(ofType('rss.xml').flatMap(([key, body]) => w3cRss(key, body))).toEqual([]);
  });

  it('Atom: no ArchiveIncomplete, MissingCurrentInArchive, self link, date, id, author, link or enclosure problem in any Atom document', () => {
    expect(ofType('atom.xml').flatMap(([key, body]) => w3cAtom(key, body))).toEqual([]);
  });

  it('the rules are not rubber stamps: each flags what the validator flags', () => {
    const [key, rss] = ofType('rss.xml').find(([k]) => k === 'rss.xml') ?? ['', ''];
    // MisplacedItem: a channel element after the items (as `feed`'s own extensions are written).
    expect(w3cRss(key, rss.replace('</channel>', '<ttl>5</ttl></channel>'))).toContainEqual(expect.stringMatching(/MisplacedItem/));
    // ContainsHTML: a title HTML-escaped and put in CDATA (what wirefeed did before).
    expect(w3cRss(key, rss.replace(/<title>[^<]*<\/title>(\s*<link>https:\/\/news\.test\/articles)/, '<title><![CDATA[Black &#38; Decker]]></title>$1'))).toContainEqual(
      expect.stringMatching(/ContainsHTML/),
    );
    expect(w3cRss(key, rss.replace('<dc:creator>', '<author>a@b.test (A)</author><dc:creator>'))).toContainEqual(expect.stringMatching(/DuplicateItemSemantics/));
    expect(w3cRss('tags/q-a/rss.xml', rss)).toContainEqual(expect.stringMatching(/SelfDoesntMatchLocation/));
    const [archiveKey, oldest] = ofType('atom.xml').find(([k]) => k === 'archive/1/atom.xml') ?? ['', ''];
    expect(w3cAtom(archiveKey, oldest.replace(/<link rel="next-archive"[^>]*\/>/, ''))).toContainEqual(expect.stringMatching(/ArchiveIncomplete/));
  });
});

// ---------------------------------------------------------------------------------------------
// RFC 5005: the history is walkable both ways, in every format
// ---------------------------------------------------------------------------------------------

describe('the archive chain', () => {
  it('leads from the main feed through every archive page and back, each page pointing at the main feed', () => {
    for (const format of ['rss.xml', 'atom.xml'] as const) {
      const rel = (key: string, r: string) => {
        const body = feeds.get(key) ?? '';
        const links = format === 'rss.xml' ? kids(kids(tree(body), 'channel')[0] as Node, 'link', NS.atom) : kids(tree(body), 'link', NS.atom);
        const href = links.find((l) => l.attrs.rel === r)?.attrs.href;
        return href ? href.slice(SITE_URL.length) : undefined;
      };
      const visited: string[] = [];
      for (let key = rel(format, 'prev-archive'); key; key = rel(key, 'prev-archive')) {
        expect(feeds.has(key), key).toBe(true);
        expect(rel(key, 'current')).toBe(format);
        visited.push(key);
      }
      expect(visited.length).toBe(ofType(format).filter(([k]) => k.startsWith('archive/')).length);
      for (let i = visited.length - 1; i > 0; i--) expect(rel(visited[i] as string, 'next-archive')).toBe(visited[i - 1]);
      expect(rel(visited[0] as string, 'next-archive')).toBeUndefined();
    }
    // JSON Feed: next_url, from the main feed down to the oldest page.
    let json = parseJsonFeed(feeds.get('feed.json') ?? '');
    let pages = 0;
    while (json.next_url) {
      const next = json.next_url.slice(SITE_URL.length);
      expect(feeds.has(next), next).toBe(true);
      json = parseJsonFeed(feeds.get(next) ?? '');
      pages++;
    }
    expect(pages).toBe(ofType('feed.json').filter(([k]) => k.startsWith('archive/')).length);
  });
});

describe('the archive chain, published one article at a time', () => {
  it('gives the page below a new archive page its next-archive link in the same publish', async () => {
    const s = await memorySite({ url: SITE_URL, feed_size: 2 });
    for (let i = 1; i <= 9; i++) {
      await s.article(`a${i}.md`, { title: `Story ${i}`, date: `2026-02-${String(i).padStart(2, '0')}T08:00:00Z` });
      await s.publish();
      const pages = (await s.keys()).filter((k) => /^archive\/\d+\/atom\.xml$/.test(k)).length;
      for (let n = 1; n <= pages; n++) {
        const body = (await s.text(`archive/${n}/atom.xml`)) ?? '';
        const next = kids(tree(body), 'link', NS.atom).find((l) => l.attrs.rel === 'next-archive')?.attrs.href;
        expect(next, `after ${i} articles, archive page ${n} of ${pages}`).toBe(n < pages ? `${SITE_URL}archive/${n + 1}/atom.xml` : undefined);
        // RFC 5005 leaves a sole archive page without neighbours: the one ArchiveIncomplete left (README).
        if (pages > 1) expect(w3cAtom(`archive/${n}/atom.xml`, body)).toEqual([]);
      }
    }
  });
});
