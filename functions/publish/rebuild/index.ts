import type { Article } from '../../core/article/article.ts';
import { isPublic } from '../../core/article/article.ts';
import { toIso } from '../../core/article/dates.ts';
import { countSpellings, spellingNotice, tagSlug, tagTitle } from '../../core/article/tags.ts';
import { mapLimit } from '../../core/concurrency.ts';
import { ArticleError, Notice } from '../../core/errors.ts';
import { archivePageOf, KEYS, keyHash, MAIN_TIMELINE, STATE_NAMES, sitemapShardOf, tagTimeline } from '../../core/keys.ts';
import { inNewsWindow, NEWS_MAX, newsCutoff } from '../../core/output/news.ts';
import { headersFor } from '../../core/output/objects.ts';
import {
  type ArchivePage,
  type ArticleRecord,
  type Entry,
  fileOfStateKey,
  type Head,
  type MediaRef,
  type NewsIndex,
  type RebuildBatch,
  type RebuildPlan,
  readState,
  type Schedule,
  type SitemapShard,
  type SitemapUrl,
  STATE,
  StateError,
  type StateKey,
  type TagDir,
  type TagShard,
  timelineDir,
} from '../../core/state/state.ts';
import { buildTimeline, compareEntries } from '../../core/state/timeline.ts';
import type { Stores } from '../../stores/store.ts';
import type { CycleContext } from '../context.ts';
import { type Claimant, settleClaims } from '../cycle/claims.ts';

/**
 * The state's folders the index step sweeps of what the new state does not hold: every folder but the publish
 * protocol's own (requests, journals) and the rebuild's batches. Its top-level objects are the head's, the
 * lease's and the served settings' (kept), and the schedule and news (written whole).
 */
const SWEPT_FOLDERS = Object.values(STATE_NAMES).filter(
  (name) => name.endsWith('/') && ![STATE_NAMES.requests, STATE_NAMES.journals, STATE_NAMES.rebuildBatches].some((control) => name.startsWith(control)),
);

/**
 * What the index step keeps of each article: the fields its indexes are made of, never its HTML or text; `n`
 * is its batch. Times are their ISO strings and the title is kept only for the news index's window (at
 * 100,000 articles every byte kept here is a hundred kilobytes, and this is what grows with the archive).
 */
interface Summary extends Pick<ArticleRecord, 'key' | 'etag' | 'public' | 'seq' | 'media'> {
  h: string;
  n: number;
  article: Pick<Article, 'slug' | 'id' | 'url' | 'tags' | 'draft'>;
  published: string;
  updated?: string;
  expires?: string;
  title?: string;
}

function summaryOf(r: ArticleRecord, n: number, newsSince: string): Summary {
  const { slug, id, url, title, tags, draft, published, updated, expires } = r.article;
  return {
    h: keyHash(r.key),
    n,
    key: r.key,
    etag: r.etag,
    public: r.public,
    ...(r.seq !== undefined ? { seq: r.seq } : {}),
    ...(r.media ? { media: r.media } : {}),
    article: { slug, id, url, tags, draft },
    published: published.iso,
    ...(updated ? { updated: updated.iso } : {}),
    ...(expires ? { expires: expires.iso } : {}),
    ...(inNewsWindow(published.iso, newsSince) ? { title } : {}),
  };
}

/** The old state's record of a file. Unreadable state is none; a store failure is a failure. */
export async function priorRecord(io: Pick<Stores, 'state'>, key: string): Promise<ArticleRecord | undefined> {
  const object = await io.state.get(STATE.record(keyHash(key)));
  if (!object) return undefined;
  try {
    return readState(STATE.record(keyHash(key)), object.body);
  } catch (err) {
    if (err instanceof StateError) return undefined;
    throw err;
  }
}

/** A broken file keeps its last good version, if the old state has one (its page is the rebuild's to write; its place is kept by the index step). */
export function lastGoodOf(record: ArticleRecord | undefined, ctx: Pick<CycleContext, 'now'>): ArticleRecord | undefined {
  if (!record) return undefined;
  const { page: _page, ...rest } = record;
  return { ...rest, public: isPublic(record.article, ctx.now) };
}

const lastGood = async (io: Stores, key: string, ctx: CycleContext): Promise<ArticleRecord | undefined> => lastGoodOf(await priorRecord(io, key), ctx);

/**
 * The last good records of files refused for a claim, each kept only while its own slug and id are free
 * (of the kept files and of each other); `owners` gains their slugs.
 */
async function lastGoodOfLosers(io: Stores, ctx: CycleContext, keys: readonly string[], kept: readonly Claimant[], owners: Map<string, string>): Promise<ArticleRecord[]> {
  const ids = new Set(kept.map((c) => c.article.id));
  const out: ArticleRecord[] = [];
  for (const key of [...keys].sort()) {
    const good = await lastGood(io, key, ctx);
    if (!good || owners.has(good.article.slug) || ids.has(good.article.id)) continue;
    owners.set(good.article.slug, key);
    ids.add(good.article.id);
    out.push(good);
  }
  return out;
}

/**
 * The index step: every index, from the batches' summaries (never their HTML), written as it is made (one
 * timeline, one kind of page at a time: memory holds the summaries and one index, not every index at once);
 * and the plan of which record each batch gives (the records step writes them with their claims). Cut off,
 * it is done again whole: it writes objects by the timeline chunk, archive page and shard, never one per article.
 */
export async function index(io: Stores, ctx: CycleContext, count: number, start: Head, rejected: ArticleError[], notices: Notice[]): Promise<{ head: Head; batches: number }> {
  const cutoff = newsCutoff(ctx.now);
  const summaries: Summary[] = [];
  const run = start.rebuild?.fan?.run;
  for (let n = 1; n <= count; n++) {
    const summary = await readBatch(io, STATE.rebuildSummary(n, run));
    for (const r of summary.records) summaries.push(summaryOf(r, n, cutoff));
    for (const e of summary.rejected ?? []) rejected.push(new ArticleError(e.file, e.problem)); // a fan-out child's: reported here
  }
  // One slug and one id, one file each: the old owner keeps it, else the first by key; the others are named.
  const settled = await settleClaims(summaries, io.state, rejected);
  const { kept, slugOwners: owners } = settled;
  // A file refused for another's slug or id keeps its last good version, as in an incremental publish,
  // when that version's own slug and id are still free; those records go in a batch of their own.
  const fallbacks = await lastGoodOfLosers(
    io,
    ctx,
    settled.losers.map((l) => l.key),
    kept,
    owners,
  );
  if (fallbacks.length > 0) {
    await io.state.put(STATE.rebuildBatch(count + 1, run), JSON.stringify({ records: fallbacks } satisfies RebuildBatch), headersFor(STATE.rebuildBatch(count + 1, run)));
    for (const r of fallbacks) kept.push(summaryOf(r, count + 1, cutoff));
  }
  const batches = count + (fallbacks.length > 0 ? 1 : 0);
  const entryOf = (s: Summary, t?: string): Entry => ({ h: s.h, p: s.published, id: s.article.id, ...(t !== undefined ? { t } : {}) });
  const entries = new Map(kept.filter((s) => s.public).map((s) => [s, entryOf(s)]));
  const entry = (s: Summary) => entries.get(s) as Entry;
  const published = [...entries.keys()].sort((a, b) => compareEntries(entry(b), entry(a)));
  // First-publication places: a file keeps the one the old state gave it (below its nextSeq: a state being
  // remade has none), so no story moves to another archive page; the others get the next, oldest first.
  let nextSeq = start.nextSeq;
  for (const s of kept) if (s.seq !== undefined && s.seq >= start.nextSeq) delete s.seq;
  for (const s of published) if (s.seq === undefined) s.seq = nextSeq++;

  // Each index is written as soon as it is made; `written` names them, for the orphans below.
  const written = new Set<string>();
  const write = async (objects: Iterable<[string, unknown]>) => {
    const list = [...objects];
    for (const [key] of list) written.add(key);
    await mapLimit(list, ctx.concurrency, ([key, value]) => io.state.put(key, JSON.stringify(value), headersFor(key)));
  };
  const timelineObjects = function* (name: string, timeline: ReturnType<typeof buildTimeline>, dir: unknown = timeline.dir): Iterable<[string, unknown]> {
    yield [timelineDir(name), dir];
    for (const [c, chunk] of timeline.chunks) yield [STATE.timelineChunk(name, c), chunk];
  };
  await write(timelineObjects(MAIN_TIMELINE, buildTimeline(published.map(entry))));
  const tags = new Map<string, Entry[]>();
  // Two tags of one article may share a slug: it is listed once. A Set per tag, not a scan of the list:
  // scanning made this quadratic, 50 s of blocked event loop at 100,000 articles, and the lease lapsed.
  const listed = new Map<string, Set<string>>();
  const slugOf = new Map<string, string>(); // a few dozen tags, named hundreds of thousands of times
  for (const s of published)
    for (const t of s.article.tags) {
      const slug = slugOf.get(t) ?? tagSlug(t);
      slugOf.set(t, slug);
      const list = tags.get(slug) ?? [];
      const seen = listed.get(slug) ?? new Set<string>();
      if (!seen.has(s.h)) {
        seen.add(s.h);
        list.push(entryOf(s, t));
      }
      tags.set(slug, list);
      listed.set(slug, seen);
    }
  listed.clear();
  const slugs = [...tags.keys()].sort();
  // Tags keep their places too (the order they were first used in: their sitemap shards), read from the old
  // state's directories (below its nextTagSeq: a state being remade has none); new tags get the next, by slug.
  const prior = await mapLimit(slugs, ctx.concurrency, async (slug) => (start.nextTagSeq > 0 ? (await readTagDir(io, slug))?.seq : undefined));
  const tagSeqs = new Map<string, number>();
  slugs.forEach((slug, i) => {
    const seq = prior[i];
    if (seq !== undefined && seq < start.nextTagSeq) tagSeqs.set(slug, seq);
  });
  let nextTagSeq = start.nextTagSeq;
  for (const slug of slugs) if (!tagSeqs.has(slug)) tagSeqs.set(slug, nextTagSeq++);
  let keyOf: Map<string, string> | undefined; // for the notices of tags spelt two ways, made only for them
  for (const slug of slugs) {
    const seq = tagSeqs.get(slug) as number;
    const list = tags.get(slug) as Entry[];
    const spellings = countSpellings(
      undefined,
      list.flatMap((e) => (e.t === undefined ? [] : [e.t])),
      [],
    );
    const name = tagTitle(spellings, slug);
    for (const e of list) {
      if (e.t === undefined || e.t === name) continue;
      keyOf ??= new Map(published.map((s) => [s.h, s.key]));
      notices.push(new Notice(keyOf.get(e.h) ?? e.h, spellingNotice(e.t, name, slug)));
    }
    const timeline = buildTimeline(list);
    await write(timelineObjects(tagTimeline(slug), timeline, { ...timeline.dir, name, spellings, seq } satisfies TagDir));
    tags.delete(slug);
  }
  // Every tag shard up to the last place given (one whose tags have all gone stays, empty, as cycles leave it)
  const tagShards = Array.from({ length: nextTagSeq === 0 ? 0 : sitemapShardOf(nextTagSeq - 1) }, (): string[] => []);
  for (const slug of slugs) tagShards[sitemapShardOf(tagSeqs.get(slug) as number) - 1]?.push(slug);
  await write(tagShards.map((shard, i) => [STATE.tagShard(i + 1), { slugs: shard } satisfies TagShard]));
  // Every archive page and sitemap shard up to the last place given, as publish cycles leave them: one whose
  // stories have all gone stays, empty.
  const size = ctx.settings.feedSize;
  const pages = Array.from({ length: nextSeq === 0 ? 0 : archivePageOf(nextSeq - 1, size) }, (): Entry[] => []);
  for (const s of published) pages[archivePageOf(s.seq as number, size) - 1]?.push(entry(s));
  await write(pages.map((members, i) => [STATE.archivePage(i + 1), { members: members.sort(compareEntries) } satisfies ArchivePage]));
  pages.length = 0;
  const shards = Array.from({ length: nextSeq === 0 ? 0 : sitemapShardOf(nextSeq - 1) }, (): SitemapUrl[] => []);
  for (const s of published) shards[sitemapShardOf(s.seq as number) - 1]?.push({ h: s.h, loc: s.article.url, lastmod: s.updated ?? s.published });
  await write(shards.map((urls, i) => [STATE.sitemapShard(i + 1), { urls: urls.sort((a, b) => (a.loc < b.loc ? -1 : a.loc > b.loc ? 1 : 0)) } satisfies SitemapShard]));
  shards.length = 0;
  const media = new Map<string, MediaRef>();
  for (const s of published) {
    const m = s.media;
    if (!m) continue;
    const ref = media.get(m.key) ?? { key: m.key, etag: m.etag, users: [] };
    ref.users.push(s.h);
    media.set(m.key, ref);
  }
  await write([...media.values()].map((ref) => [STATE.media(ref.key), { ...ref, users: ref.users.sort() }]));
  // The news sitemap's members: the last two days' articles, newest first, as refreshNews keeps them.
  const news = published
    .filter((s) => inNewsWindow(s.published, cutoff))
    .sort((a, b) => compareEntries(entry(a), entry(b)))
    .slice(0, NEWS_MAX);
  const items = news.map((s) => ({ h: s.h, p: s.published, id: s.article.id, loc: s.article.url, title: s.title ?? '' }));
  await write([
    [STATE.schedule, scheduleOf(kept, ctx.now)],
    [STATE.news, { items } satisfies NewsIndex],
  ]);

  // What the old state holds and the new does not goes (records of deleted files, old chunks, claims). Each
  // kept file's record, marker and claims are written by the records step, a batch at a time (at 100,000
  // articles, half a million objects: more than one holder's time), so they are kept here, not written.
  const byHash = new Map(kept.map((s) => [s.h, s]));
  const keptFile = (key: string) => {
    const file = fileOfStateKey(key);
    const s = file && byHash.get(file.h);
    return s !== undefined && (file?.etag === undefined || key === STATE.seen(s.h, s.etag));
  };
  // A folder at a time (a listing of the whole state was 400,000 names at once at 100,000 articles); the set
  // holds what is listed and not kept, less the kept files' claims: nothing, in a first build.
  for (const folder of SWEPT_FOLDERS) {
    const others = new Set<string>();
    for (const { key } of await io.state.list(folder, KEYS)) if (!written.has(key) && !keptFile(key)) others.add(key);
    if (others.size > 0 && folder === STATE_NAMES.slugs) for (const s of kept) others.delete(STATE.slug(s.article.slug));
    if (others.size > 0 && folder === STATE_NAMES.ids) for (const s of kept) others.delete(STATE.id(s.article.id));
    await mapLimit([...others], ctx.concurrency, (key) => io.state.delete(key));
  }
  // Which records the records step writes from each batch, with their places: the kept files (a refused
  // file's last good version comes from the batch of fallbacks, never its refused one).
  const plan: RebuildPlan = { batches: Array.from({ length: batches }, () => []), ...(settled.refused.size > 0 ? { waiting: Object.fromEntries(settled.refused) } : {}) };
  for (const s of kept) plan.batches[s.n - 1]?.push([s.key, s.seq ?? null]);
  await io.state.put(STATE.rebuildPlan, JSON.stringify(plan), headersFor(STATE.rebuildPlan));
  return { head: { ...start, nextSeq, nextTagSeq, public: published.length }, batches };
}

/** The old state's directory of a tag; an unreadable one is none, a store failure a failure. */
async function readTagDir(io: Stores, slug: string): Promise<TagDir | undefined> {
  const object = await io.state.get(STATE.tagDir(slug));
  if (!object) return undefined;
  try {
    return readState(STATE.tagDir(slug), object.body);
  } catch (err) {
    if (err instanceof StateError) return undefined;
    throw err;
  }
}

export async function readBatch(io: Stores, key: StateKey<RebuildBatch>): Promise<RebuildBatch> {
  const object = await io.state.get(key);
  return object ? readState(key, object.body) : { records: [] };
}

function scheduleOf(summaries: readonly Summary[], now: Date): Schedule {
  const at = toIso(now.getTime());
  const schedule: Schedule = { drafts: [], embargoed: [], expiring: [] };
  for (const s of summaries) {
    if (s.article.draft) schedule.drafts.push({ key: s.key, h: s.h });
    else if (!s.public && s.published > at) schedule.embargoed.push({ key: s.key, h: s.h, at: s.published });
    else if (s.public && s.expires) schedule.expiring.push({ key: s.key, h: s.h, at: s.expires });
  }
  schedule.embargoed.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
  schedule.expiring.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
  return schedule;
}
