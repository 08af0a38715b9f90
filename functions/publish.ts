import { ARTICLES_PREFIX, isPublic, newestFirst, parseArticle, type Article } from './core/article.ts';
import { countItems } from './core/check.ts';
import { ArticleError, FeedCheckError } from './core/errors.ts';
import { MANIFEST_KEY, hash, parseManifest, serializeManifest, settingsHash, type Entry, type Manifest } from './core/manifest.ts';
import { headersFor } from './core/objects.ts';
import { ARCHIVE_FOLDER, planOutputs } from './core/outputs.ts';
import { articlePage } from './core/pages.ts';
import { SITE_FILE, parseSite, type Site } from './core/site.ts';
import { mapLimit } from './concurrency.ts';
import { publishMedia } from './media.ts';
import { readPending, writeMarker } from './pending.ts';
import type { Parse } from './render-pool.ts';
import { PreconditionFailedError, type Store } from './stores/store.ts';

/**
 * full: re-render and rewrite everything (on demand, or when settings or the manifest say so).
 * scan: list the content and re-render only what changed (the local build, the daily reconcile).
 * changed: look only at these content keys (S3 events); an empty list still lifts embargoes.
 */
export type PublishMode = { kind: 'full' } | { kind: 'scan' } | { kind: 'changed'; keys: readonly string[] };

export interface PublishOptions {
  /** The publish's notion of now: embargoes and expiry are judged against it. */
  now: Date;
  /** Overrides site.yaml's url (SITE_URL, or the local server's address). */
  siteUrl?: string;
  mode?: PublishMode;
  /** Parallel store requests. */
  concurrency?: number;
  /** Parse and render an article; a RenderPool spreads this over worker threads. */
  parse?: Parse;
}

export interface PublishReport {
  mode: 'full' | 'scan' | 'changed';
  /** Public articles on the site after this publish. */
  public: number;
  /** Articles parsed and rendered in this publish. */
  rendered: number;
  rejected: ArticleError[];
  /** Content files that are drafts (`draft: true`), sorted. */
  drafts: string[];
  /** Content files waiting for their date (an embargo), soonest first; `at` is when each goes live (RFC 3339, UTC). */
  embargoed: { file: string; at: string }[];
  /** Site keys written and deleted, for CDN invalidation. */
  written: string[];
  deleted: string[];
  /** Subscription feeds (main and tags) that changed, as absolute URLs: what a WebSub hub is told about. */
  feedsChanged: string[];
  /** The WebSub hub from site.yaml, if any. */
  hub?: string;
  /** Tries needed: more than one means another publish raced this one and won the manifest. */
  attempts: number;
}

const MAX_ATTEMPTS = 8;

/**
 * Publish the content store into the site store. Pages go first, then the front page and feeds, then
 * the manifest with a conditional write: a publish that loses a race starts over from the winner's
 * manifest, so no article is ever lost, and a failure midway leaves the previous feeds in place.
 */
export async function publish(content: Store, site: Store, options: PublishOptions): Promise<PublishReport> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { ...(await publishOnce(content, site, options)), attempts: attempt };
    } catch (err) {
      if (!(err instanceof PreconditionFailedError) || attempt >= MAX_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * attempt));
    }
  }
}

export const isArticleKey = (key: string): boolean => key.startsWith(ARTICLES_PREFIX) && key.endsWith('.md') && !key.slice(ARTICLES_PREFIX.length).startsWith('.');

export const pageKey = (slug: string): string => `articles/${slug}/index.html`;

type Outcome =
  | { key: string; kind: 'unchanged' }
  | { key: string; kind: 'removed' }
  | { key: string; kind: 'rejected'; error: ArticleError }
  | { key: string; kind: 'parsed'; article: Article; etag: string };

async function publishOnce(content: Store, out: Store, options: PublishOptions): Promise<Omit<PublishReport, 'attempts'>> {
  const { now } = options;
  const limit = options.concurrency ?? 16;
  const parse = options.parse ?? (async (file: string, bytes: Uint8Array, site: Site) => parseArticle(file, bytes, site));
  const settings = parseSite((await content.get(SITE_FILE))?.body, options.siteUrl); // a SiteError stops here, before any write
  const stored = await out.get(MANIFEST_KEY);
  const previous = stored ? parseManifest(stored.body) : undefined;
  const pending = await readPending(out, limit);
  const requested = options.mode ?? { kind: 'scan' };
  const full = requested.kind === 'full' || !previous || previous.settings !== settingsHash(settings);
  const mode = full ? 'full' : requested.kind;
  const manifest: Manifest = {
    version: 2,
    settings: settingsHash(settings),
    // Kept even in a full rebuild: an article whose new version is broken stays in its last good form.
    entries: { ...previous?.entries },
    outputs: { ...previous?.outputs },
  };

  // 1. Which content files to look at, and what the listing already says about them.
  const listed = new Map<string, string | undefined>();
  if (mode !== 'changed') {
    for (const info of await content.list(ARTICLES_PREFIX)) if (isArticleKey(info.key)) listed.set(info.key, info.etag);
    for (const key of Object.keys(manifest.entries)) if (!listed.has(key)) listed.set(key, undefined);
  } else if (requested.kind === 'changed') {
    for (const key of requested.keys) if (isArticleKey(key)) listed.set(key, undefined);
  }
  // Embargoes lifting and expiry: a time-driven change, whatever the events said.
  for (const [key, entry] of Object.entries(manifest.entries)) {
    if (entry.public !== isPublic(entry.article, now) && !listed.has(key)) listed.set(key, undefined);
  }

  // 2. Read and parse what changed; one bad article is an outcome, never a stop.
  const keys = [...listed.keys()].sort();
  const outcomes = await mapLimit(keys, limit, async (key): Promise<Outcome> => {
    const entry = manifest.entries[key];
    const settled = entry !== undefined && entry.public === isPublic(entry.article, now);
    const listedEtag = listed.get(key);
    if (!full && settled && listedEtag !== undefined && listedEtag === entry.etag) return { key, kind: 'unchanged' };
    const object = await content.get(key);
    if (!object) return { key, kind: 'removed' };
    if (!full && settled && object.etag === entry.etag) return { key, kind: 'unchanged' };
    try {
      const article = await publishMedia(await parse(key, object.body, settings), settings, content, out);
      return { key, kind: 'parsed', article, etag: object.etag };
    } catch (err) {
      if (err instanceof ArticleError) return { key, kind: 'rejected', error: err };
      throw err;
    }
  });

  // 3. Apply the outcomes to the manifest, refusing a slug that another article already holds.
  const rejected: ArticleError[] = [];
  const toWrite: Article[] = [];
  const toDelete = new Set<string>();
  const parsedKeys = new Set(outcomes.filter((o) => o.kind === 'parsed' || o.kind === 'removed').map((o) => o.key));
  const slugOwner = new Map<string, string>();
  for (const [key, entry] of Object.entries(manifest.entries)) if (!parsedKeys.has(key)) slugOwner.set(entry.article.slug, key);
  for (const outcome of outcomes) {
    const old = manifest.entries[outcome.key];
    if (outcome.kind === 'unchanged') continue;
    if (outcome.kind === 'rejected') {
      rejected.push(outcome.error);
      continue;
    }
    if (outcome.kind === 'removed') {
      if (old?.public) toDelete.add(pageKey(old.article.slug));
      delete manifest.entries[outcome.key];
      continue;
    }
    const { article, etag } = outcome;
    const owner = slugOwner.get(article.slug);
    if (owner !== undefined && owner !== outcome.key) {
      rejected.push(new ArticleError(outcome.key, `slug "${article.slug}" is already used by ${owner}; set a different slug: in the front matter`));
      if (old) slugOwner.set(old.article.slug, outcome.key);
      continue;
    }
    slugOwner.set(article.slug, outcome.key);
    const isNowPublic = isPublic(article, now);
    if (old?.public && (old.article.slug !== article.slug || !isNowPublic)) toDelete.add(pageKey(old.article.slug));
    // The page hash says what is in the bucket: kept only while that page is still there (public, same slug).
    const pageStays = old?.page && old.public && isNowPublic && old.article.slug === article.slug;
    // A copy: the manifest drops the HTML of articles outside the feeds, the page still needs it.
    manifest.entries[outcome.key] = { etag, article: { ...article }, public: isNowPublic, ...(pageStays ? { page: old.page } : {}) };
    if (isNowPublic) toWrite.push(article);
  }
  const rendered = toWrite.length;
  // A publish that failed midway left a marker naming what it was writing: those pages are rewritten.
  const rendering = new Set(toWrite.map((a) => a.file));
  const repage = Object.entries(manifest.entries).filter(([key, e]) => e.public && pending.keys.has(pageKey(e.article.slug)) && !rendering.has(key));
  for (const [, entry] of repage) delete entry.page;

  // 4. Plan every output group from the metadata; build only those whose signature changed.
  const publicEntries = Object.entries(manifest.entries).filter(([, e]) => e.public);
  publicEntries.sort(([, a], [, b]) => newestFirst(a.article, b.article));
  const groups = planOutputs(publicEntries.map(([, e]) => ({ ...e.article, etag: e.etag })), settings);
  const touched = (id: string) => pending.groups.has(id) || Object.keys(manifest.outputs[id]?.files ?? {}).some((key) => pending.keys.has(key));
  const stale = groups.filter((g) => full || manifest.outputs[g.id]?.signature !== g.signature || touched(g.id));
  const fresh = new Map(toWrite.map((a) => [a.file, a]));
  const articles = await withHtml(
    [...new Set([...stale.flatMap((g) => g.members), ...repage.map(([key]) => key)])],
    (file) => fresh.get(file) ?? cachedArticle(manifest.entries[file]),
    (file) => manifest.entries[file]?.article,
    content,
    settings,
    limit,
  );

  // Only the newest articles (main and tag feeds) keep their HTML in the manifest.
  const hot = new Set(groups.filter((g) => g.hot).flatMap((g) => g.members));
  for (const [key, entry] of Object.entries(manifest.entries)) {
    if (!hot.has(key)) delete entry.article.html;
    else if (entry.article.html === undefined) {
      const html = articles.get(key)?.html;
      if (html !== undefined) entry.article.html = html;
    }
  }
  for (const [key] of repage) {
    const article = articles.get(key);
    if (article) toWrite.push(article);
  }
  // Groups that are gone (a tag's last article, an archive page): their files go too.
  const liveGroups = new Set(groups.map((g) => g.id));
  for (const [id, record] of Object.entries(manifest.outputs)) {
    if (liveGroups.has(id)) continue;
    for (const key of Object.keys(record.files)) toDelete.add(key);
    delete manifest.outputs[id];
  }

  // 5. Write: a marker naming what is about to change (so a failure midway is repaired by the next
  // publish), pages, then each stale group as its turn comes (lists and archives, then tag feeds, the
  // site's own feeds last), then deletions, then the manifest. Groups are built one at a time and
  // written at once, so a full rebuild never holds every feed of the archive in memory.
  const marker = await writeMarker(out, { keys: [...toWrite.map((a) => pageKey(a.slug)), ...toDelete], groups: stale.map((g) => g.id) });
  const written: string[] = [];
  await mapLimit(toWrite, limit, async (article) => {
    const entry = manifest.entries[article.file] as Entry;
    const key = pageKey(article.slug);
    const body = articlePage(article, settings);
    const pageHash = hash(body);
    const unchanged = !full && entry.page === pageHash && !pending.keys.has(key);
    entry.page = pageHash;
    if (unchanged) return;
    await put(out, key, body);
    written.push(key);
  });
  for (const group of [...stale].sort((a, b) => groupOrder(a.id) - groupOrder(b.id))) {
    const files = group.build(articles);
    checkFeeds(files);
    const before = manifest.outputs[group.id]?.files ?? {};
    const record = { signature: group.signature, files: {} as Record<string, string> };
    const puts: [string, string][] = [];
    for (const [key, body] of files) {
      const bodyHash = hash(body);
      record.files[key] = bodyHash;
      if (full || before[key] !== bodyHash || pending.keys.has(key) || pending.groups.has(group.id)) puts.push([key, body]);
    }
    // Within a group too: pages and lists before feeds, so every link in a feed leads somewhere.
    for (const feeds of [false, true]) {
      await mapLimit(puts.filter(([key]) => isFeedKey(key) === feeds), limit, async ([key, body]) => {
        await put(out, key, body);
        written.push(key);
      });
    }
    for (const key of Object.keys(before)) if (!files.has(key)) toDelete.add(key);
    manifest.outputs[group.id] = record;
  }
  // What a failed publish wrote and nothing now produces (an article removed since) goes as well.
  const live = new Set([...Object.values(manifest.entries).filter((e) => e.public).map((e) => pageKey(e.article.slug)), ...Object.values(manifest.outputs).flatMap((r) => Object.keys(r.files))]);
  for (const key of pending.keys) if (!live.has(key)) toDelete.add(key);
  for (const key of live) toDelete.delete(key);
  // Deletions after the feeds, so no feed links to a page that is already gone.
  await mapLimit([...toDelete], limit, (key) => out.delete(key));

  const next = serializeManifest(manifest);
  if (!stored || Buffer.from(stored.body).toString('utf8') !== next) {
    await out.put(MANIFEST_KEY, next, { ...headersFor(MANIFEST_KEY), ...(stored ? { ifMatch: stored.etag } : { ifNoneMatch: '*' }) });
  }
  // Repaired: the markers this publish read, and its own, are done with.
  await mapLimit([...pending.markers, ...(marker ? [marker] : [])], limit, (key) => out.delete(key));
  const feedsChanged = written.filter((k) => isFeedKey(k) && !k.startsWith(ARCHIVE_FOLDER)).sort().map((k) => new URL(k, settings.url).href);
  // From the manifest, so a scan that read nothing new still knows every waiting article.
  const waiting = Object.entries(manifest.entries).filter(([, e]) => !e.public);
  const drafts = waiting.filter(([, e]) => e.article.draft).map(([file]) => file).sort();
  const embargoed = waiting
    .filter(([, e]) => !e.article.draft && Date.parse(e.article.published.iso) > now.getTime())
    .map(([file, e]) => ({ file, at: e.article.published.iso }))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.file < b.file ? -1 : 1));
  return {
    mode,
    public: publicEntries.length,
    rendered,
    rejected,
    drafts,
    embargoed,
    written: written.sort(),
    deleted: [...toDelete].sort(),
    feedsChanged,
    ...(settings.hub ? { hub: settings.hub } : {}),
  };
}

const isFeedKey = (key: string): boolean => /(^|\/)(rss\.xml|atom\.xml|feed\.json)$/.test(key);

/** The order stale groups are written in: fixed files and the sitemap, archives, tags, the site's own feeds last. */
function groupOrder(id: string): number {
  if (id === 'main') return 3;
  if (id.startsWith('tag:')) return 2;
  if (id.startsWith('archive:')) return 1;
  return 0;
}

/** Parse every feed back; the three formats of one folder must hold the same number of items. */
function checkFeeds(files: ReadonlyMap<string, string>): void {
  const counts = new Map<string, number>();
  for (const [key, body] of files) {
    if (!isFeedKey(key)) continue;
    const folder = key.slice(0, key.lastIndexOf('/') + 1);
    const count = countItems(key, body);
    const other = counts.get(folder);
    if (other !== undefined && other !== count) throw new FeedCheckError(key, `${count} items where the other formats have ${other}`);
    counts.set(folder, count);
  }
}

function cachedArticle(entry: Entry | undefined): Article | undefined {
  return entry?.article.html === undefined ? undefined : (entry.article as Article);
}

async function put(out: Store, key: string, body: string): Promise<void> {
  await out.put(key, body, headersFor(key));
}

/**
 * The articles the stale groups need, with their HTML: rendered in this publish, cached in the
 * manifest, or (an older article moving into a feed, an archive page to rebuild) read and rendered
 * again. One that no longer parses is left out of the group rather than failing the publish.
 */
async function withHtml(
  files: string[],
  known: (file: string) => Article | undefined,
  meta: (file: string) => Omit<Article, 'html'> | undefined,
  content: Store,
  site: Site,
  limit: number,
): Promise<Map<string, Article>> {
  const found = await mapLimit(files, limit, async (file): Promise<[string, Article | undefined]> => {
    const article = known(file);
    if (article) return [file, article];
    const object = await content.get(file);
    if (!object) return [file, undefined];
    try {
      // The HTML is new; the facts stay those of the last publish (media type and size included).
      const { html } = parseArticle(file, object.body, site);
      const facts = meta(file);
      return [file, facts ? { ...facts, html } : undefined];
    } catch {
      return [file, undefined];
    }
  });
  return new Map(found.filter((f): f is [string, Article] => f[1] !== undefined));
}
