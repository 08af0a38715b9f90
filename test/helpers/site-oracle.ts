import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { parse as parseYaml } from 'yaml';
import { parseAtom, parseJsonFeed, parseRss, textOf } from './feeds.ts';

/**
 * THE SITE ORACLE: what a published site must show, worked out from the content bucket by the rules
 * the README states (and nothing of the engine's code), and a checker that compares it with every
 * object in the site bucket. It reads both buckets through the plain AWS SDK, so it keeps working
 * whatever the engine keeps in its own state or however it is built.
 *
 * The rules it applies:
 * - an article is `articles/<name>.md` (YAML front matter between `---` lines, then Markdown);
 * - public = not `draft`, `date` <= now, and `expires` absent or later than now;
 * - its slug is `slug:` or the file name without `.md`; its page is `articles/<slug>/index.html`,
 *   its URL `<site url>articles/<slug>/`;
 * - the main feed is the newest `feed_size` (site.yaml, default 50) public articles by `date`, newest
 *   first; a tag's feed (`tags/<tag slug>/`) the newest `feed_size` public articles with that tag;
 * - every public article is in the main feed or an archive document reachable through JSON `next_url`;
 *   an archive document holds at most `feed_size` articles, and an article is in one archive page at most;
 * - site.yaml's `title` is in every feed document's own title; a title site.yaml had before is nowhere;
 * - a lead image `/media/<file>` is published from the content bucket's `media/` while a public
 *   article uses it, and is gone when none does.
 *
 * Limits (the stress test stays inside them): two public articles never share a `date` (the order of a
 * tie is the engine's choice); tags are ASCII (their slug is lower case with '-' for other characters);
 * bodies are plain paragraphs (each is looked for, word for word, in the page's text).
 */

export interface OracleInput {
  s3: S3Client;
  contentBucket: string;
  siteBucket: string;
  /** The publisher's notion of now: embargoes and expiry are judged against it. */
  now: Date;
  /** Every title ever uploaded, with its file: one that no current article carries must appear nowhere. */
  knownTitles?: Iterable<{ title: string; file: string }>;
  /** Titles site.yaml had before (none a part of another or of the current one): each must appear nowhere. */
  retiredSiteTitles?: Iterable<string>;
}

type Visibility = 'public' | 'draft' | 'embargoed' | 'expired';

interface ExpectedArticle {
  file: string;
  slug: string;
  url: string;
  pageKey: string;
  title: string;
  /** The body's paragraphs as plain text, each expected in the page. */
  paragraphs: string[];
  /** First publication, in ms. */
  date: number;
  dateText: string;
  expiresText?: string;
  tags: string[];
  /** The content key of its lead image when it is under media/, e.g. media/harbour.jpg. */
  image?: string;
  visibility: Visibility;
}

interface ExpectedSite {
  siteUrl: string;
  siteTitle: string;
  feedSize: number;
  /** Every article file that parses, whatever its visibility. */
  articles: ExpectedArticle[];
  /** Public articles, newest first. */
  public: ExpectedArticle[];
  /** Tags with at least one public article, by slug: display name and public members, newest first. */
  tags: Map<string, { name: string; members: ExpectedArticle[] }>;
  /** Keys under the content bucket's media/. */
  contentMedia: Set<string>;
  /** Problems in the content itself (an article the oracle cannot read): the test's own mistakes. */
  contentProblems: string[];
}

type Item = { id: string | undefined; title: string; url: string | undefined; links: string[] };
type FeedDoc = { key: string; title: string; items: Item[]; links: { rel: string; href: string }[]; nextUrl?: string };

const FEED_FILES = ['rss.xml', 'atom.xml', 'feed.json'] as const;
const PRIVATE_HINT = 'publisher state must not be where a reader can fetch it';

/** Every violation of the site against its content, as readable sentences (empty: the site is right). */
export async function siteViolations(input: OracleInput): Promise<string[]> {
  const [expected, site] = await Promise.all([expectedSite(input.s3, input.contentBucket, input.now), readBucket(input.s3, input.siteBucket)]);
  return [...expected.contentProblems, ...checkSite(expected, site, input.knownTitles ?? [], input.retiredSiteTitles ?? [])];
}

/** What the site must show, from the content bucket alone. */
async function expectedSite(s3: S3Client, contentBucket: string, now: Date): Promise<ExpectedSite> {
  const keys = await listKeys(s3, contentBucket);
  const contentProblems: string[] = [];
  const settingsText = keys.includes('site.yaml') ? (await getObject(s3, contentBucket, 'site.yaml')).toString('utf8') : undefined;
  const settings = (settingsText === undefined ? {} : parseYaml(settingsText)) as { url?: string; title?: string; feed_size?: number };
  if (!settings.url) throw new Error(`s3://${contentBucket}/site.yaml has no url: the oracle cannot tell the site's links`);
  const siteUrl = settings.url.endsWith('/') ? settings.url : `${settings.url}/`;
  const feedSize = settings.feed_size ?? 50;
  const articleKeys = keys.filter((k) => /^articles\/[^/.][^/]*\.md$/.test(k));
  const bodies = await mapLimit(articleKeys, 16, (key) => getObject(s3, contentBucket, key));
  const articles: ExpectedArticle[] = [];
  articleKeys.forEach((file, i) => {
    try {
      articles.push(readArticle(file, (bodies[i] as Buffer).toString('utf8'), siteUrl, now));
    } catch (err) {
      contentProblems.push(`[content] ${file} could not be read by the oracle: ${(err as Error).message}`);
    }
  });
  const publicArticles = articles.filter((a) => a.visibility === 'public').sort(newestFirst);
  const tags = new Map<string, { name: string; members: ExpectedArticle[] }>();
  for (const article of publicArticles) {
    for (const name of article.tags) {
      const tag = tags.get(tagSlug(name)) ?? { name, members: [] };
      if (!tag.members.includes(article)) tag.members.push(article);
      tags.set(tagSlug(name), tag);
    }
  }
  return {
    siteUrl,
    siteTitle: String(settings.title ?? '').trim(),
    feedSize,
    articles,
    public: publicArticles,
    tags,
    contentMedia: new Set(keys.filter((k) => k.startsWith('media/'))),
    contentProblems,
  };
}

/** Every object of a bucket, by key. */
async function readBucket(s3: S3Client, bucket: string): Promise<Map<string, Buffer>> {
  const keys = await listKeys(s3, bucket);
  const bodies = await mapLimit(keys, 16, (key) => getObject(s3, bucket, key).catch(() => undefined));
  // An object listed then gone (nothing should write while the oracle reads) is simply absent.
  return new Map(keys.flatMap((key, i) => (bodies[i] === undefined ? [] : [[key, bodies[i] as Buffer] as const])));
}

/** Compare the site's objects with what the content says; one sentence per problem. */
function checkSite(expected: ExpectedSite, site: ReadonlyMap<string, Buffer>, knownTitles: Iterable<{ title: string; file: string }>, retiredSiteTitles: Iterable<string>): string[] {
  const out: string[] = [];
  // The same problem in several documents (three formats, tag feeds, archives) is one line naming them all.
  const grouped = new Map<string, string[]>();
  const note = (kind: string, where: string, problem: string) => {
    const id = `[${kind}] \u0000${problem}`;
    grouped.set(id, [...(grouped.get(id) ?? []), where]);
  };
  const { siteUrl, siteTitle, feedSize } = expected;
  const text = (key: string) => site.get(key)?.toString('utf8');
  const byUrl = new Map(expected.articles.map((a) => [a.url, a]));
  const publicByUrl = new Map(expected.public.map((a) => [a.url, a]));
  const publicSlugs = new Set(expected.public.map((a) => a.slug));
  const keyOf = (url: string) => siteKey(url, siteUrl);
  const describe = (a: ExpectedArticle) => `${a.file} "${a.title}"`;
  const why = (a: ExpectedArticle) =>
    a.visibility === 'draft' ? 'a draft' : a.visibility === 'embargoed' ? `embargoed until ${a.dateText}` : a.visibility === 'expired' ? `expired at ${a.expiresText}` : 'public';

  // (6) Publisher state: nothing under .wirefeed/, no dot segment anywhere.
  const privateKeys = [...site.keys()].filter((k) => k.startsWith('.wirefeed/') || k.split('/').some((part) => part.startsWith('.')));
  if (privateKeys.length > 0) {
    out.push(`[private] the site bucket holds ${privateKeys.length} object(s) under a dot folder (${PRIVATE_HINT}): ${sample(privateKeys)}`);
  }
  const readable = [...site.keys()].filter((k) => !privateKeys.includes(k));

  // Parse every feed document on the site, wherever it is.
  const docs = new Map<string, FeedDoc>();
  for (const key of readable.filter(isFeedKey)) {
    try {
      docs.set(key, parseDoc(key, text(key) as string));
    } catch (err) {
      out.push(`[parse] ${key} is not a valid feed: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  // (1) Every public article's page, with its latest title and body.
  for (const a of expected.public) {
    const page = text(a.pageKey);
    if (page === undefined) {
      out.push(`[page] ${describe(a)} is public but its page ${a.pageKey} is missing`);
      continue;
    }
    const shown = textOf(page);
    if (!shown.includes(a.title)) out.push(`[page] ${a.pageKey} does not show the latest title of ${describe(a)}: its <h1>/<title> text is "${headline(page)}"`);
    for (const p of a.paragraphs) if (!shown.includes(p)) out.push(`[page] ${a.pageKey} does not show the latest body of ${a.file}: "${p.slice(0, 80)}" is missing`);
  }

  // (2) The main feed and every tag's feed: the newest N, newest first, in all three formats.
  const expectList = (folder: string, members: readonly ExpectedArticle[], what: string) => {
    const want = members.slice(0, feedSize);
    for (const file of FEED_FILES) {
      const key = `${folder}${file}`;
      const doc = docs.get(key);
      if (!doc) {
        if (!site.has(key)) note('feed', key, `missing; expected ${what}: ${want.map(describe).join(', ')}`);
        continue;
      }
      const found = doc.items.map((i) => i.url ?? '(no link)');
      if (found.join(' ') !== want.map((a) => a.url).join(' ')) {
        const missing = want.filter((a) => !found.includes(a.url)).map(describe);
        const extra = doc.items.filter((i) => !want.some((a) => a.url === i.url)).map((i) => `"${i.title}" (${i.url})`);
        const detail = missing.length || extra.length ? ` (missing: ${missing.join(', ') || 'none'}; not expected: ${extra.join(', ') || 'none'})` : ' (same articles, wrong order)';
        note('feed', key, `expected ${what}, newest first: [${want.map((a) => `"${a.title}"`).join(', ')}]; found [${doc.items.map((i) => `"${i.title}"`).join(', ')}]${detail}`);
      }
    }
  };
  expectList('', expected.public, `the newest ${feedSize} public articles`);
  for (const [slug, tag] of expected.tags) expectList(`tags/${slug}/`, tag.members, `the newest ${feedSize} public articles tagged "${tag.name}"`);

  // (3) Full history: the main feed and the archive documents reachable from /feed.json by next_url.
  const seen = new Set<string>();
  const visited: string[] = [];
  let next: string | undefined = `${siteUrl}feed.json`;
  while (next !== undefined && visited.length < 1000) {
    const key = keyOf(next);
    if (key === undefined || visited.includes(key)) {
      out.push(`[history] next_url ${next} (after ${visited.at(-1)}) ${key === undefined ? 'leaves the site' : 'loops back'}`);
      break;
    }
    visited.push(key);
    const doc = docs.get(key);
    if (!doc) {
      // A missing feed.json, or a document that does not parse, is reported above already.
      if (!site.has(key) && visited.length > 1) out.push(`[history] the next_url of ${visited.at(-2)} leads to ${key}, which is missing`);
      break;
    }
    for (const item of doc.items) if (item.url) seen.add(item.url);
    next = doc.nextUrl;
  }
  for (const a of expected.public) {
    if (!seen.has(a.url)) out.push(`[history] ${describe(a)} is public but in neither feed.json nor any archive reachable by next_url (visited ${visited.join(' -> ')})`);
  }
  // Each archive folder's three formats hold the same articles.
  const archiveFolders = new Set([...docs.keys()].filter((k) => k.startsWith('archive/')).map((k) => k.slice(0, k.lastIndexOf('/') + 1)));
  for (const folder of archiveFolders) {
    const urlsIn = (file: string) =>
      docs
        .get(`${folder}${file}`)
        ?.items.map((i) => i.url)
        .sort()
        .join(' ');
    const json = urlsIn('feed.json');
    for (const file of FEED_FILES) {
      const urls = urlsIn(file);
      if (!site.has(`${folder}${file}`)) out.push(`[history] ${folder}${file} is missing beside the other formats of ${folder}`);
      else if (file === 'feed.json') continue;
      else if (json !== undefined && urls !== json) out.push(`[history] ${folder}${file} and ${folder}feed.json hold different articles: [${urls}] vs [${json}]`);
    }
  }
  // Archive pages of feed_size articles each: none holds more, and no article is on two.
  const archivedOn = new Map<string, string>();
  for (const doc of [...docs.values()].filter((d) => d.key.startsWith('archive/'))) {
    if (doc.items.length > feedSize) note('history', doc.key, `holds ${doc.items.length} articles; an archive page holds feed_size (${feedSize}) at most`);
    if (!doc.key.endsWith('feed.json')) continue;
    for (const item of doc.items) {
      const other = item.url === undefined ? undefined : archivedOn.get(item.url);
      if (other !== undefined) out.push(`[history] "${item.title}" (${item.url}) is on two archive pages: ${other} and ${doc.key}`);
      else if (item.url !== undefined) archivedOn.set(item.url, doc.key);
    }
  }

  // (4), (5) Every item of every feed document: a public article, at its latest title, ids unique, links live.
  for (const doc of docs.values()) {
    if (!doc.title.includes(siteTitle)) note('settings', doc.key, `the feed's title is "${doc.title}"; it should carry the site's title "${siteTitle}" (site.yaml)`);
    const ids = new Map<string, number>();
    for (const item of doc.items) {
      if (item.id !== undefined) ids.set(item.id, (ids.get(item.id) ?? 0) + 1);
      const article = item.url === undefined ? undefined : publicByUrl.get(item.url);
      if (item.url === undefined) note('feed', doc.key, `item "${item.title}" has no link`);
      else if (!article) {
        const other = byUrl.get(item.url) ?? expected.articles.find((a) => a.title === item.title);
        const whose = other
          ? `it belongs to ${describe(other)}, which is ${why(other)}${other.url !== item.url ? ` and now lives at ${other.url}` : ''}`
          : 'no article in the content bucket has that page (removed, or an old slug)';
        note('leak', doc.key, `item "${item.title}" (${item.url}) should not be there: ${whose}`);
      } else if (item.title !== article.title) {
        note('stale', doc.key, `the item for ${article.file} (${item.url}) has title "${item.title}"; its latest title is "${article.title}"`);
      }
      for (const link of item.links) {
        const key = keyOf(link);
        if (key !== undefined && !site.has(key)) note('links', doc.key, `item "${item.title}" links to ${link}, but the site bucket has no ${key}`);
      }
    }
    for (const [id, count] of ids) if (count > 1) note('ids', doc.key, `id ${id} appears ${count} times`);
    for (const { href } of doc.links) {
      const key = keyOf(href);
      if (key !== undefined && !site.has(key)) note('links', doc.key, `a feed-level link (home, self, archive) leads to ${href}, but the site bucket has no ${key}`);
    }
  }

  // (4) Pages, tag folders, sitemap lines and media of articles that are not public.
  for (const key of readable) {
    const page = /^articles\/([^/]+)\/index\.html$/.exec(key);
    if (page && !publicSlugs.has(page[1] as string)) {
      const owner = expected.articles.find((a) => a.slug === page[1]);
      out.push(`[leak] ${key} is on the site, but ${owner ? `${describe(owner)} is ${why(owner)}` : `no article has the slug "${page[1]}" (removed, or its slug changed)`}`);
    }
  }
  const tagFolders = new Set(readable.flatMap((k) => /^tags\/([^/]+)\//.exec(k)?.[1] ?? []));
  for (const slug of tagFolders) {
    if (!expected.tags.has(slug)) out.push(`[leak] tags/${slug}/ is on the site (${sample(readable.filter((k) => k.startsWith(`tags/${slug}/`)))}), but no public article has that tag`);
  }
  const locs = readable
    .filter((k) => /^sitemap[^/]*\.xml$/.test(k))
    .flatMap((k) => [...(text(k) as string).matchAll(/<loc>\s*([^<\s]+)\s*<\/loc>/g)].map((m) => [k, decodeXml(m[1] as string)] as const));
  const locSet = new Set(locs.map(([, loc]) => loc));
  for (const [key, loc] of locs) {
    if (loc.startsWith(`${siteUrl}articles/`) && !publicByUrl.has(loc)) {
      const owner = byUrl.get(loc);
      out.push(`[leak] ${key} lists ${loc}, but ${owner ? `${describe(owner)} is ${why(owner)}` : 'no article has that page (removed, or an old slug)'}`);
    }
    const tag = new RegExp(`^${escapeRegExp(siteUrl)}tags/([^/]+)/$`).exec(loc);
    if (tag && !expected.tags.has(tag[1] as string)) out.push(`[leak] ${key} lists ${loc}, but no public article has that tag`);
  }
  for (const a of expected.public) if (!locSet.has(a.url)) out.push(`[sitemap] ${describe(a)} is public but no sitemap*.xml lists ${a.url}`);
  const usedBy = (key: string) => expected.articles.filter((a) => a.image === key);
  for (const key of readable.filter((k) => k.startsWith('media/'))) {
    const users = usedBy(key);
    if (users.some((a) => a.visibility === 'public')) continue;
    out.push(
      `[media] ${key} is on the site, but ${users.length ? `only non-public articles use it: ${users.map((a) => `${a.file} (${why(a)})`).join(', ')}` : 'no article in the content bucket uses it'}`,
    );
  }
  for (const a of expected.public) {
    if (a.image && expected.contentMedia.has(a.image) && !site.has(a.image)) out.push(`[media] ${a.image}, the lead image of public ${describe(a)}, is not on the site`);
  }

  // (6), (4) No object shows the title of an article that is not public, or a title no article carries now.
  const publicTitles = new Set(expected.public.map((a) => a.title));
  const hidden = new Map(expected.articles.filter((a) => a.visibility !== 'public' && !publicTitles.has(a.title)).map((a) => [a.title, `the title of ${a.file}, which is ${why(a)}`]));
  const current = new Map(expected.articles.map((a) => [a.file, a.title]));
  const live = new Set(expected.articles.map((a) => a.title));
  for (const { title, file } of knownTitles) {
    if (!live.has(title) && !hidden.has(title)) hidden.set(title, `an earlier title of ${file}${current.has(file) ? ` (now "${current.get(file)}")` : ', since removed'}`);
  }
  for (const key of readable) {
    if (docs.has(key)) continue; // feed items were checked one by one above
    const body = text(key) as string;
    for (const [title, what] of hidden) {
      if (body.includes(title)) note(what.startsWith('an earlier') ? 'stale' : 'leak', key, `contains "${title}", ${what}`);
    }
  }
  // A title site.yaml had before: every feed and page is made again with the new one.
  for (const retired of retiredSiteTitles) {
    if (retired === siteTitle) continue;
    for (const key of readable) {
      if (!key.startsWith('media/') && (text(key) as string).includes(retired)) note('settings', key, `still shows "${retired}", the site's title before site.yaml named it "${siteTitle}"`);
    }
  }
  for (const [id, where] of grouped) {
    const [kind, problem] = id.split(' \u0000') as [string, string];
    out.push(`${kind} ${folders(where)}: ${problem}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Reading articles and feeds
// ---------------------------------------------------------------------------------------------------

function readArticle(file: string, text: string, siteUrl: string, now: Date): ExpectedArticle {
  const fence = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text.replace(/^\uFEFF/, ''));
  if (!fence) throw new Error('no front matter fence');
  const fm = parseYaml(fence[1] as string) as Record<string, unknown>;
  const when = (v: unknown) => (v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(/^\d{4}-\d\d-\d\d$/.test(v) ? `${v}T00:00:00Z` : v) : Number.NaN);
  const date = when(fm.date);
  if (typeof fm.title !== 'string' || Number.isNaN(date)) throw new Error('needs a title and a date');
  const expires = fm.expires === undefined ? undefined : when(fm.expires);
  const stem = file.slice('articles/'.length, -'.md'.length);
  const slug = typeof fm.slug === 'string' ? fm.slug : stem;
  const imageUrl = (fm.image as { url?: unknown } | undefined)?.url;
  const imagePath = typeof imageUrl === 'string' ? (imageUrl.startsWith(siteUrl) ? imageUrl.slice(siteUrl.length - 1) : imageUrl) : undefined;
  const visibility: Visibility = fm.draft === true ? 'draft' : date > now.getTime() ? 'embargoed' : expires !== undefined && expires <= now.getTime() ? 'expired' : 'public';
  const paragraphs = (fence[2] as string)
    .split(/\n\s*\n/)
    .map((p) =>
      p
        .replace(/[*_`#>]/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter((p) => p !== '');
  return {
    file,
    slug,
    url: `${siteUrl}articles/${slug}/`,
    pageKey: `articles/${slug}/index.html`,
    title: fm.title.trim(),
    paragraphs,
    date,
    dateText: String(fm.date),
    ...(fm.expires !== undefined ? { expiresText: String(fm.expires) } : {}),
    tags: Array.isArray(fm.tags) ? fm.tags.map(String) : [],
    ...(imagePath?.startsWith('/media/') ? { image: decodeURIComponent(imagePath.slice(1)) } : {}),
    visibility,
  };
}

/** A feed document, by its file name, as items with their links, and its own links. */
function parseDoc(key: string, body: string): FeedDoc {
  if (key.endsWith('feed.json')) {
    const feed = parseJsonFeed(body);
    return {
      key,
      title: feed.title,
      items: feed.items.map((i) => ({
        id: i.id,
        title: i.title ?? '',
        url: i.url,
        links: [i.url, i.image, i.banner_image, ...(i.attachments ?? []).map((a) => a.url)].filter((u): u is string => typeof u === 'string'),
      })),
      links: (
        [
          ['home_page_url', feed.home_page_url],
          ['feed_url', feed.feed_url],
          ['next_url', feed.next_url],
        ] as const
      ).flatMap(([rel, href]) => (href ? [{ rel, href }] : [])),
      ...(feed.next_url ? { nextUrl: feed.next_url } : {}),
    };
  }
  const parsed = key.endsWith('rss.xml') ? parseRss(body) : parseAtom(body);
  const root = key.endsWith('rss.xml') ? parsed.xml.rss.channel : parsed.xml.feed;
  const rawLinks = [...(root['atom:link'] ?? []), ...(key.endsWith('atom.xml') ? (root.link ?? []) : [])] as { '@_rel'?: string; '@_href'?: string }[];
  return {
    key,
    title: parsed.feed.title ?? '',
    items: parsed.feed.items.map((i) => ({
      id: i.id ?? undefined,
      title: i.title ?? '',
      url: i.url ?? undefined,
      links: [i.url, i.image?.url, ...i.media.map((m) => m.url)].filter((u): u is string => typeof u === 'string'),
    })),
    links: rawLinks.flatMap((l) => (typeof l['@_href'] === 'string' ? [{ rel: l['@_rel'] ?? 'alternate', href: l['@_href'] }] : [])),
  };
}

// ---------------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------------

const isFeedKey = (key: string) => FEED_FILES.some((f) => key === f || key.endsWith(`/${f}`));

const newestFirst = (a: ExpectedArticle, b: ExpectedArticle) => b.date - a.date || (a.file < b.file ? -1 : 1);

/** A tag's folder name, for ASCII tags: "City Hall" -> "city-hall". */
function tagSlug(tag: string): string {
  return tag
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The site key a URL on the site is served from ('/' ends in index.html); undefined for other hosts. */
function siteKey(url: string, siteUrl: string): string | undefined {
  if (!url.startsWith(siteUrl)) return undefined;
  const path = decodeURIComponent(url.slice(siteUrl.length).replace(/[?#].*$/, ''));
  return path === '' || path.endsWith('/') ? `${path}index.html` : path;
}

function headline(html: string): string {
  const h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html) ?? /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html);
  return h1 ? textOf(h1[1] as string) : textOf(html).slice(0, 80);
}

/** Site keys, folder by folder: "rss.xml, tags/weather/{rss.xml,atom.xml}". */
function folders(keys: readonly string[]): string {
  const byFolder = new Map<string, string[]>();
  for (const key of keys) {
    const folder = key.slice(0, key.lastIndexOf('/') + 1);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), key.slice(folder.length)]);
  }
  return [...byFolder].map(([folder, names]) => (names.length === 1 ? `${folder}${names[0]}` : `${folder}{${names.join(',')}}`)).join(', ');
}

function sample(keys: readonly string[]): string {
  return keys.length <= 5 ? keys.join(', ') : `${keys.slice(0, 5).join(', ')} and ${keys.length - 5} more`;
}

function decodeXml(text: string): string {
  return text
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function listKeys(s3: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ...(token ? { ContinuationToken: token } : {}) }));
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

async function getObject(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from((await answer.Body?.transformToByteArray()) ?? new Uint8Array());
}

async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}
