import { ARTICLES_PREFIX, isPublic, newestFirst, parseArticle, type Article } from './core/article.ts';
import { checkFeed } from './core/check.ts';
import { ArticleError } from './core/errors.ts';
import { buildFeeds } from './core/feeds.ts';
import { MANIFEST_KEY, hash, parseManifest, serializeManifest, settingsHash, type Entry, type Manifest } from './core/manifest.ts';
import { headersFor } from './core/objects.ts';
import { articlePage, indexPage, notFoundPage } from './core/pages.ts';
import { SITE_FILE, parseSite, type Site } from './core/site.ts';
import { mapLimit } from './concurrency.ts';
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
}

export interface PublishReport {
  mode: 'full' | 'scan' | 'changed';
  /** Public articles on the site after this publish. */
  public: number;
  /** Articles parsed and rendered in this publish. */
  rendered: number;
  rejected: ArticleError[];
  /** Site keys written and deleted, for CDN invalidation. */
  written: string[];
  deleted: string[];
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
  const settings = parseSite((await content.get(SITE_FILE))?.body, options.siteUrl); // a SiteError stops here, before any write
  const stored = await out.get(MANIFEST_KEY);
  const previous = stored ? parseManifest(stored.body) : undefined;
  const requested = options.mode ?? { kind: 'scan' };
  const full = requested.kind === 'full' || !previous || previous.settings !== settingsHash(settings);
  const mode = full ? 'full' : requested.kind;
  const manifest: Manifest = {
    version: 1,
    settings: settingsHash(settings),
    // Kept even in a full rebuild: an article whose new version is broken stays in its last good form.
    entries: { ...previous?.entries },
    outputs: full ? {} : { ...previous?.outputs },
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
      return { key, kind: 'parsed', article: parseArticle(key, object.body, settings), etag: object.etag };
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
    manifest.entries[outcome.key] = { etag, article, public: isNowPublic, ...(old?.page && old.article.slug === article.slug ? { page: old.page } : {}) };
    if (isNowPublic) toWrite.push(article);
  }
  const rendered = toWrite.length;

  // 4. The newest N public articles make the feeds and the front page; only they keep their HTML.
  const publicEntries = Object.entries(manifest.entries).filter(([, e]) => e.public);
  publicEntries.sort(([, a], [, b]) => newestFirst(a.article, b.article));
  const latest = await withHtml(publicEntries, settings.feedSize, content, settings, limit);
  const inFeed = new Set(latest.map((a) => a.file));
  for (const [key, entry] of Object.entries(manifest.entries)) if (!inFeed.has(key)) delete entry.article.html;

  const shared = new Map<string, string>([
    ...Object.entries(buildFeeds(latest, settings)),
    ['index.html', indexPage(latest, settings)],
    ['404.html', notFoundPage(settings)],
  ]);
  for (const [key, body] of shared) if (key.endsWith('.xml') || key.endsWith('.json')) checkFeed(key, body, latest.length);

  // 5. Write: pages, then deletions, then the front page and feeds, then the manifest.
  const written: string[] = [];
  await mapLimit(toWrite, limit, async (article) => {
    const entry = manifest.entries[article.file] as Entry;
    const body = articlePage(article, settings);
    const pageHash = hash(body);
    if (!full && entry.page === pageHash) return;
    await put(out, pageKey(article.slug), body);
    entry.page = pageHash;
    written.push(pageKey(article.slug));
  });
  for (const key of toWrite.map((a) => pageKey(a.slug))) toDelete.delete(key);
  await mapLimit([...toDelete], limit, (key) => out.delete(key));
  // Feeds last: a reader that fetches a feed can follow every link in it.
  for (const [key, body] of [...shared].sort(([a], [b]) => feedsLast(a) - feedsLast(b))) {
    const bodyHash = hash(body);
    if (manifest.outputs[key] === bodyHash) continue;
    await put(out, key, body);
    manifest.outputs[key] = bodyHash;
    written.push(key);
  }

  const next = serializeManifest(manifest);
  if (!stored || Buffer.from(stored.body).toString('utf8') !== next) {
    await out.put(MANIFEST_KEY, next, { ...headersFor(MANIFEST_KEY), ...(stored ? { ifMatch: stored.etag } : { ifNoneMatch: '*' }) });
  }
  return { mode, public: publicEntries.length, rendered, rejected, written: written.sort(), deleted: [...toDelete].sort() };
}

const feedsLast = (key: string): number => (key.endsWith('.html') ? 0 : 1);

async function put(out: Store, key: string, body: string): Promise<void> {
  await out.put(key, body, headersFor(key));
}

/**
 * The newest `count` public articles with their HTML. An article that moves up into the feed (a newer
 * one was deleted) has none cached: it is read and rendered again; if it no longer parses, it is skipped.
 */
async function withHtml(entries: [string, Entry][], count: number, content: Store, site: Site, limit: number): Promise<Article[]> {
  const chosen: Article[] = [];
  let index = 0;
  while (chosen.length < count && index < entries.length) {
    const batch = entries.slice(index, index + (count - chosen.length));
    index += batch.length;
    const filled = await mapLimit(batch, limit, async ([key, entry]) => {
      if (entry.article.html !== undefined) return entry.article as Article;
      const object = await content.get(key);
      if (!object) return undefined;
      try {
        const article = parseArticle(key, object.body, site);
        entry.article.html = article.html;
        return { ...entry.article, html: article.html } as Article;
      } catch {
        return undefined;
      }
    });
    for (const article of filled) if (article) chosen.push(article);
  }
  return chosen;
}
