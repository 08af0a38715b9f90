import { type Article, isPublic } from '../../core/article/article.ts';

import { toIso } from '../../core/article/dates.ts';

import { countSpellings, spellingNotice, tagSlug, tagTitle } from '../../core/article/tags.ts';

import { mapLimit } from '../../core/concurrency.ts';

import { ArticleError, type FeedCheckError, Notice } from '../../core/errors.ts';

import { hash, settingsHash } from '../../core/hash.ts';

import { ARTICLES_PREFIX, isArticleKey, isManagedSiteKey, KEYS, keyHash, MAIN_TIMELINE, pageKey, SITEMAP_SHARD_SIZE, tagTimeline } from '../../core/keys.ts';

import { inNewsWindow, NEWS_MAX, newsCutoff } from '../../core/output/news.ts';

import { headersFor } from '../../core/output/objects.ts';

import { articlePage } from '../../core/output/pages.ts';

import {
  type ArchivePage,
  type ArticleRecord,
  type Entry,
  type Head,
  listedAs,
  type MediaRef,
  type NewsIndex,
  type RebuildBatch,
  readState,
  type Schedule,
  type SitemapShard,
  STATE,
  STATE_VERSION,
  type TagDir,
  type TagShard,
  timelineDir,
} from '../../core/state/state.ts';

import { buildTimeline, compareEntries } from '../../core/state/timeline.ts';

import type { Stores } from '../../stores/store.ts';

import type { CycleContext, CycleResult } from '../context.ts';

import { buildGroups } from '../cycle/build.ts';

import { type Claimant, settleClaims } from '../cycle/claims.ts';

import { allGroups } from '../cycle/plan.ts';

import { readArticle } from '../cycle/read.ts';

import { StateView } from '../cycle/state-view.ts';

import { readMedia } from '../media.ts';

import { writeHead } from '../protocol/commit.ts';

import { withIntent, writeNamed } from '../protocol/intents.ts';

import { producedKeys } from '../protocol/repair.ts';

/**
 * The full rebuild: when there is no state (a first publish, or state that could not be read), when
 * the settings or the renderer changed, and on demand. Three steps, shaped so that the middle can later
 * fan out (Step Functions Distributed Map: map = render a batch, reduce = index, then build groups):
 *
 * 1. render: every article file, a batch at a time, into rebuild/<n>.json (records with their HTML);
 * 2. index: from the batches' metadata alone, first-publication places, every timeline, archive page,
 *    sitemap shard, tag, media reference and slug claim; the records go to their own keys;
 * 3. site: every page, then every group from the state (archive pages one at a time, so memory holds
 *    one page of articles), then a reconcile that deletes whatever nothing produces.
 *
 * The head says `rebuilding` throughout: a holder that dies in step 1 or 2 leaves 'state' and the next
 * starts over; one that dies in step 3 leaves 'site' and the next rewrites the site from the state.
 */
const REBUILD_BATCH = 256;

/** What the index step keeps of each article: a few hundred bytes, never its HTML. */
interface Summary {
  h: string;
  record: Omit<ArticleRecord, 'article'> & { article: Omit<Article, 'html'> };
}

export async function rebuild(io: Stores, ctx: CycleContext, prior: { head?: Head; etag?: string }): Promise<CycleResult & { head: Head; etag: string; resumed: boolean }> {
  const fingerprint = settingsHash(ctx.settings);
  const resume = prior.head?.rebuilding === 'site' && prior.head.settings === fingerprint;
  let head: Head = resume
    ? (prior.head as Head)
    : {
        v: STATE_VERSION,
        settings: fingerprint,
        generation: (prior.head?.generation ?? 0) + 1,
        nextSeq: 0,
        nextTagSeq: 0,
        public: 0,
        rebuilding: 'state',
        ...(prior.head?.recheck ? { recheck: prior.head.recheck } : {}),
      };
  let etag = resume ? (prior.etag as string) : await writeHead(io.state, head, prior.etag);
  const rejected: ArticleError[] = [];
  const notices: Notice[] = [];
  const pagesWritten: string[] = [];
  let rendered = 0;
  if (!resume) {
    const batches = await render(io, ctx, rejected);
    rendered = batches.rendered;
    head = await index(io, ctx, batches.count, head, rejected, pagesWritten, notices);
    head = { ...head, rebuilding: 'site' };
    etag = await writeHead(io.state, head, etag);
  }
  const feedFailures: FeedCheckError[] = [];
  const site = await writeSite(io, ctx, head, resume, feedFailures);
  const written = [...pagesWritten, ...site.written].sort();
  const deleted = site.deleted;
  const { rebuilding: _done, ...finished } = head;
  head = { ...finished, generation: head.generation + 1 };
  etag = await writeHead(io.state, head, etag);
  await mapLimit(
    (await io.state.list(STATE.rebuildBatches, KEYS)).map((i) => i.key),
    ctx.concurrency,
    (key) => io.state.delete(key),
  );
  return { full: true, rendered, rejected, feedFailures, notices, written, deleted, head, etag, resumed: resume };
}

/** Step 1: render every article file into batches. One broken file is a rejection, never a stop. */
async function render(io: Stores, ctx: CycleContext, rejected: ArticleError[]): Promise<{ count: number; rendered: number }> {
  const keys = (await io.content.list(ARTICLES_PREFIX)).map((i) => i.key).filter(isArticleKey);
  let rendered = 0;
  let count = 0;
  for (let start = 0; start < keys.length; start += REBUILD_BATCH) {
    await ctx.lease.keep();
    const records = await mapLimit(keys.slice(start, start + REBUILD_BATCH), ctx.concurrency, async (key): Promise<ArticleRecord | undefined> => {
      const object = await readArticle(io.content, key);
      if (!object) return undefined;
      try {
        if (object instanceof ArticleError) throw object;
        const { article, media } = await readMedia(await ctx.parse(key, object.body, ctx.settings), ctx.settings, io.content);
        rendered++;
        return { key, etag: object.etag, article, public: isPublic(article, ctx.now), ...(media ? { media } : {}) };
      } catch (err) {
        if (!(err instanceof ArticleError)) throw err;
        rejected.push(err);
        return lastGood(io, key, ctx);
      }
    });
    const batch: RebuildBatch = { records: records.filter((r): r is ArticleRecord => r !== undefined) };
    const key = STATE.rebuildBatch(++count);
    await io.state.put(key, JSON.stringify(batch), headersFor(key));
  }
  return { count, rendered };
}

/** A broken file keeps its last good version, if the old state still has a readable one. */
async function lastGood(io: Stores, key: string, ctx: CycleContext): Promise<ArticleRecord | undefined> {
  try {
    const object = await io.state.get(STATE.record(keyHash(key)));
    if (!object) return undefined;
    const record = readState(STATE.record(keyHash(key)), object.body);
    const { seq: _seq, page: _page, ...rest } = record;
    return { ...rest, public: isPublic(record.article, ctx.now) };
  } catch {
    return undefined;
  }
}

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

/** Step 2: every index, from the batches' metadata; then each record at its own key, with its place. */
async function index(io: Stores, ctx: CycleContext, count: number, start: Head, rejected: ArticleError[], written: string[], notices: Notice[]): Promise<Head> {
  const summaries: Summary[] = [];
  for (let n = 1; n <= count; n++) {
    for (const r of await readBatch(io, n)) {
      const { html: _html, ...article } = r.article;
      summaries.push({ h: keyHash(r.key), record: { ...r, article } });
    }
  }
  // One slug and one id, one file each: the old owner keeps it, else the first by key; the others are named.
  const settled = await settleClaims(
    summaries.map((s) => ({ ...s, key: s.record.key, article: s.record.article })),
    io.state,
    rejected,
  );
  const { kept, slugOwners: owners } = settled;
  // A file refused for another's slug or id keeps its last good version, as in an incremental publish,
  // when that version's own slug and id are still free; those records go in a batch of their own.
  const fallbacks = await lastGoodOfLosers(
    io,
    ctx,
    settled.losers.map((l) => l.record.key),
    kept,
    owners,
  );
  if (fallbacks.length > 0) {
    await io.state.put(STATE.rebuildBatch(count + 1), JSON.stringify({ records: fallbacks } satisfies RebuildBatch), headersFor(STATE.rebuildBatch(count + 1)));
    for (const r of fallbacks) {
      const { html: _html, ...article } = r.article;
      kept.push({ h: keyHash(r.key), record: { ...r, article }, key: r.key, article });
    }
  }
  const replaced = new Set(fallbacks.map((r) => keyHash(r.key)));
  const batches = count + (fallbacks.length > 0 ? 1 : 0);
  const entry = (s: Summary, t?: string): Entry => ({ h: s.h, p: s.record.article.published.iso, id: s.record.article.id, ...(t !== undefined ? { t } : {}) });
  const published = kept.filter((s) => s.record.public).sort((a, b) => compareEntries(entry(b), entry(a)));
  published.forEach((s, seq) => {
    s.record.seq = seq;
  });

  const state = new Map<string, unknown>();
  const main = buildTimeline(published.map((s) => entry(s)));
  state.set(timelineDir(MAIN_TIMELINE), main.dir);
  for (const [c, chunk] of main.chunks) state.set(STATE.timelineChunk(MAIN_TIMELINE, c), chunk);
  const tags = new Map<string, Entry[]>();
  // Two tags of one article may share a slug: it is listed once. A Set per tag, not a scan of the list:
  // scanning made this quadratic, 50 s of blocked event loop at 100,000 articles, and the lease lapsed.
  const listed = new Map<string, Set<string>>();
  const slugOf = new Map<string, string>(); // a few dozen tags, named hundreds of thousands of times
  for (const s of published)
    for (const t of s.record.article.tags) {
      const slug = slugOf.get(t) ?? tagSlug(t);
      slugOf.set(t, slug);
      const list = tags.get(slug) ?? [];
      const seen = listed.get(slug) ?? new Set<string>();
      if (!seen.has(s.h)) {
        seen.add(s.h);
        list.push(entry(s, t));
      }
      tags.set(slug, list);
      listed.set(slug, seen);
    }
  const slugs = [...tags.keys()].sort();
  const keyOf = new Map(published.map((s) => [s.h, s.record.key]));
  slugs.forEach((slug, seq) => {
    const timeline = buildTimeline(tags.get(slug) as Entry[]);
    const list = tags.get(slug) as Entry[];
    const spellings = countSpellings(
      undefined,
      list.flatMap((e) => (e.t === undefined ? [] : [e.t])),
      [],
    );
    const name = tagTitle(spellings, slug);
    for (const e of list) if (e.t !== undefined && e.t !== name) notices.push(new Notice(keyOf.get(e.h) ?? e.h, spellingNotice(e.t, name, slug)));
    state.set(timelineDir(tagTimeline(slug)), { ...timeline.dir, name, spellings, seq } satisfies TagDir);
    for (const [c, chunk] of timeline.chunks) state.set(STATE.timelineChunk(tagTimeline(slug), c), chunk);
  });
  for (let n = 1; n * SITEMAP_SHARD_SIZE <= slugs.length + SITEMAP_SHARD_SIZE - 1; n++) {
    state.set(STATE.tagShard(n), { slugs: slugs.slice((n - 1) * SITEMAP_SHARD_SIZE, n * SITEMAP_SHARD_SIZE) } satisfies TagShard);
  }
  const size = ctx.settings.feedSize;
  for (let n = 1; (n - 1) * size < published.length; n++) {
    const members = published
      .slice((n - 1) * size, n * size)
      .map((s) => entry(s))
      .sort(compareEntries);
    state.set(STATE.archivePage(n), { members } satisfies ArchivePage);
  }
  for (let n = 1; (n - 1) * SITEMAP_SHARD_SIZE < published.length; n++) {
    const urls = published
      .slice((n - 1) * SITEMAP_SHARD_SIZE, n * SITEMAP_SHARD_SIZE)
      .map((s) => ({ h: s.h, loc: s.record.article.url, lastmod: s.record.article.updated?.iso ?? s.record.article.published.iso }));
    state.set(STATE.sitemapShard(n), { urls: urls.sort((a, b) => (a.loc < b.loc ? -1 : 1)) } satisfies SitemapShard);
  }
  const media = new Map<string, MediaRef>();
  for (const s of published) {
    const m = s.record.media;
    if (!m) continue;
    const ref = media.get(m.key) ?? { key: m.key, etag: m.etag, users: [] };
    ref.users.push(s.h);
    media.set(m.key, ref);
  }
  for (const ref of media.values()) state.set(STATE.media(ref.key), { ...ref, users: ref.users.sort() });
  state.set(STATE.schedule, scheduleOf(kept, ctx.now));
  // The news sitemap's members: the last two days' articles, newest first, as refreshNews keeps them.
  const cutoff = newsCutoff(ctx.now);
  const news = published
    .filter((s) => inNewsWindow(s.record.article.published.iso, cutoff))
    .sort((a, b) => compareEntries(entry(a), entry(b)))
    .slice(0, NEWS_MAX);
  const items = news.map((s) => ({ h: s.h, p: s.record.article.published.iso, id: s.record.article.id, loc: s.record.article.url, title: s.record.article.title }));
  state.set(STATE.news, { items } satisfies NewsIndex);
  for (const s of kept) state.set(STATE.slug(s.record.article.slug), { key: s.record.key });
  for (const s of kept) state.set(STATE.id(s.record.article.id), { key: s.record.key });

  // What the old state holds and the new does not goes (records of deleted files, old chunks, claims).
  const places = new Map(kept.map((s) => [s.h, s.record.seq]));
  const keep = new Set([...state.keys(), ...kept.map((s) => STATE.record(s.h)), ...kept.map((s) => STATE.seen(s.h, s.record.etag))]);
  const control = (key: string) => key === STATE.lease || key === STATE.head || key.startsWith(STATE.requests) || key.startsWith(STATE.journals) || key.startsWith(STATE.rebuildBatches);
  const orphans = (await io.state.list('', KEYS)).map((i) => i.key).filter((key) => !keep.has(key) && !control(key));
  await mapLimit(orphans, ctx.concurrency, (key) => io.state.delete(key));
  await mapLimit([...state], ctx.concurrency, async ([key, value]) => {
    await io.state.put(key, JSON.stringify(value), headersFor(key));
  });
  // The records themselves, a batch at a time, with their places.
  for (let n = 1; n <= batches; n++) {
    await ctx.lease.keep();
    const records = (await readBatch(io, n)).filter((r) => {
      const h = keyHash(r.key);
      if (!places.has(h) || owners.get(r.article.slug) !== r.key) return false;
      return !(replaced.has(h) && n <= count); // the refused version: its last good one comes in the last batch
    });
    // Its page now, while the article is in hand (step 3 would have to read every record back for it); named first.
    const pages = records.filter((r) => r.public).map((r) => pageKey(r.article.slug));
    await withIntent(io.state, pages, () =>
      mapLimit(records, ctx.concurrency, async (r) => {
        const h = keyHash(r.key);
        const seq = places.get(h);
        let page: string | undefined;
        if (r.public) {
          const body = articlePage(r.article, ctx.settings);
          page = hash(body);
          await io.site.put(pageKey(r.article.slug), body, headersFor(pageKey(r.article.slug)));
          written.push(pageKey(r.article.slug));
        }
        const record: ArticleRecord = { ...r, ...(seq !== undefined ? { seq } : {}), ...(page ? { page } : {}) };
        await io.state.put(STATE.record(h), JSON.stringify(record), headersFor(STATE.record(h)));
        await io.state.put(STATE.seen(h, r.etag), '', headersFor(STATE.seen(h, r.etag)));
      }),
    );
  }
  return { ...start, nextSeq: published.length, nextTagSeq: slugs.length, public: published.length };
}

async function readBatch(io: Stores, n: number): Promise<ArticleRecord[]> {
  const key = STATE.rebuildBatch(n);
  const object = await io.state.get(key);
  return object ? readState(key, object.body).records : [];
}

function scheduleOf(summaries: readonly Summary[], now: Date): Schedule {
  const at = toIso(now.getTime());
  const schedule: Schedule = { drafts: [], embargoed: [], expiring: [] };
  for (const s of summaries) {
    const a = s.record.article;
    if (a.draft) schedule.drafts.push({ key: s.record.key, h: s.h });
    else if (!s.record.public && a.published.iso > at) schedule.embargoed.push({ key: s.record.key, h: s.h, at: a.published.iso });
    else if (s.record.public && a.expires) schedule.expiring.push({ key: s.record.key, h: s.h, at: a.expires.iso });
  }
  schedule.embargoed.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
  schedule.expiring.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
  return schedule;
}

/**
 * Step 3: published media and every group from the state (and, resuming a rebuild that died here, every
 * page), then delete what nothing produces.
 */
async function writeSite(io: Stores, ctx: CycleContext, head: Head, withPages: boolean, failed: FeedCheckError[]): Promise<{ written: string[]; deleted: string[] }> {
  const written: string[] = [];
  const view = new StateView(io.state);
  // Pages archive page by archive page: every public article is on exactly one.
  const pages = withPages ? Math.ceil(head.nextSeq / ctx.settings.feedSize) : 0;
  for (let n = 1; n <= pages; n++) {
    await ctx.lease.keep();
    const page = new StateView(io.state); // a fresh view each page, whose records are read and let go
    const members = (await page.read(STATE.archivePage(n)))?.members ?? [];
    // `concurrency` articles at a time: long articles at a large feed_size are never all in memory at once.
    for (let at = 0; at < members.length; at += ctx.concurrency) {
      const records = await mapLimit(members.slice(at, at + ctx.concurrency), ctx.concurrency, (e) => page.readOnce(STATE.record(e.h)));
      const work = new Map<string, string>();
      for (const r of records) if (r?.public) work.set(pageKey(r.article.slug), articlePage(r.article, ctx.settings));
      written.push(...(await writeNamed(io, { mediaPut: [], mediaDelete: [], pages: work, groups: [], deletes: [] }, ctx.concurrency)).written);
    }
  }
  const refs = (await io.state.list(STATE.mediaRefs, KEYS)).map((i) => listedAs(STATE.media, i.key));
  const media = (await mapLimit(refs, ctx.concurrency, (key) => view.read(key))).filter((r): r is MediaRef => r !== undefined && r !== null && r.users.length > 0).map((r) => r.key);
  written.push(...(await writeNamed(io, { mediaPut: media, mediaDelete: [], pages: new Map(), groups: [], deletes: [] }, ctx.concurrency)).written);
  const tagSlugs = (await io.state.list(STATE.timelines, KEYS)).map((i) => /^timeline\/tag-(.+)\/dir\.json$/.exec(i.key)?.[1]).filter((s): s is string => s !== undefined);
  const titles = new Map<string, string>(); // each tag's title, read once for every group that shows it
  for (const id of allGroups(head, ctx.settings, tagSlugs)) {
    await ctx.lease.keep();
    const groupView = new StateView(io.state);
    const [built] = await buildGroups(groupView, [id], ctx.settings, head, ctx.concurrency, true, failed, titles);
    if (!built) continue;
    written.push(...(await writeNamed(io, { mediaPut: [], mediaDelete: [], pages: new Map(), groups: [{ id, files: built.files }], deletes: [] }, ctx.concurrency)).written);
    for (const w of groupView.writes()) {
      if (w.body === null) await io.state.delete(w.key);
      else await io.state.put(w.key, w.body, headersFor(w.key));
    }
  }
  const produced = await producedKeys(view, head, ctx.settings, ctx.concurrency);
  const extra = (await io.site.list('', KEYS)).map((i) => i.key).filter((key) => isManagedSiteKey(key) && !produced.has(key));
  await withIntent(io.state, extra, () => mapLimit(extra, ctx.concurrency, (key) => io.site.delete(key)));
  return { written: written.sort(), deleted: extra.sort() };
}
