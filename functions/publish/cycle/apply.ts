import { type Article, isPublic } from '../../core/article/article.ts';

import { toIso } from '../../core/article/dates.ts';

import { countSpellings, spellingNotice, tagSlug, tagTitle } from '../../core/article/tags.ts';

import { mapLimit } from '../../core/concurrency.ts';

import { ArticleError, Notice } from '../../core/errors.ts';

import { archivePageOf, keyHash, MAIN_TIMELINE, pageKey, sitemapShardOf, tagTimeline } from '../../core/keys.ts';

import type { Settings } from '../../core/settings.ts';

import {
  type ArchivePage,
  type ArticleRecord,
  type Entry,
  emptySchedule,
  type Head,
  type MediaRef,
  recordInOrder,
  type Schedule,
  type SitemapShard,
  type SitemapUrl,
  type SlugClaim,
  STATE,
  type StateKey,
  type TagDir,
  type TagShard,
  timelineDir,
} from '../../core/state/state.ts';

import { applyTimeline, chunksFor, compareEntries, emptyDir } from '../../core/state/timeline.ts';

import type { CycleContext } from '../context.ts';

import { idTaken, MAX_WAITING, slugTaken } from './claims.ts';

import type { Outcome } from './read.ts';

import type { StateView } from './state-view.ts';

/**
 * Apply what was read to the state: the next article records and every index they are in (the main
 * timeline, each tag's, archive pages, sitemap shards, media, slugs, the schedule). `loadForApply`
 * reads what `applyOutcomes` will touch; `applyOutcomes` is then pure over that snapshot: it stages the
 * changes in the view and says which pages and indexes changed, for the plan.
 */
export interface Applied {
  /** The head's counters after this cycle (generation unchanged: the commit bumps it). */
  head: Head;
  rejected: ArticleError[];
  /** Published as they are, but worth a line (a tag spelt another way than its title). */
  notices: Notice[];
  /** Articles parsed and accepted. */
  rendered: number;
  /** Articles whose processed version changed (new content, or a visibility change). */
  changed: Set<string>;
  /** Public articles whose page may need writing, by hash, with their new record. */
  pages: Map<string, ArticleRecord>;
  /** Site keys that stop being produced (old pages). */
  deletes: Set<string>;
  mediaPut: Set<string>;
  mediaDelete: Set<string>;
  /** Timelines touched ('main', 'tag-<slug>'), and tags that appeared or went. */
  timelines: Set<string>;
  tagsAdded: Set<string>;
  tagsRemoved: Set<string>;
  /** 1-based numbers of archive pages, article sitemap shards and tag sitemap shards touched. */
  archivePages: Set<number>;
  sitemapShards: Set<number>;
  tagShards: Set<number>;
  /** Files refused for a slug or id this cycle lets go: to be looked at again (a request, before the commit). */
  requeue: Set<string>;
}

type Transition = { o: Outcome; before?: ArticleRecord; after?: ArticleRecord };

const entryOf = (r: ArticleRecord, t?: string): Entry => ({ h: keyHash(r.key), p: r.article.published.iso, id: r.article.id, ...(t !== undefined ? { t } : {}) });

const archiveOf = (seq: number, settings: Settings) => archivePageOf(seq, settings.feedSize);
const shardOf = sitemapShardOf;
const tagsOf = (a: Article): Map<string, string> => new Map(a.tags.map((t) => [tagSlug(t), t]));
const urlOf = (h: string, a: Article): SitemapUrl => ({ h, loc: a.url, lastmod: a.updated?.iso ?? a.published.iso });

/** Read everything `applyOutcomes` may touch, so it can run without I/O. */
export async function loadForApply(view: StateView, outcomes: readonly Outcome[], ctx: Pick<CycleContext, 'settings' | 'concurrency'>, head: Head): Promise<void> {
  const { concurrency } = ctx;
  const active = outcomes.filter((o) => o.kind !== 'unchanged' && o.kind !== 'rejected');
  // The records this publish may leave: the one stored, and the new version.
  const records = active.flatMap((o) => [o.record, o.kind === 'parsed' ? ({ key: o.key, article: o.article } as ArticleRecord) : undefined]).filter((r): r is ArticleRecord => r !== undefined);
  const keys = new Set<StateKey<unknown>>([STATE.schedule, STATE.mainDir]);
  const tags = new Set<string>();
  for (const r of records) {
    keys.add(STATE.slug(r.article.slug));
    keys.add(STATE.id(r.article.id));
    for (const slug of tagsOf(r.article).keys()) tags.add(slug);
    if (r.media) keys.add(STATE.media(r.media.key));
    if (r.seq !== undefined) {
      keys.add(STATE.archivePage(archiveOf(r.seq, ctx.settings)));
      keys.add(STATE.sitemapShard(shardOf(r.seq)));
    }
  }
  for (const o of active) if (o.kind === 'parsed' && o.media) keys.add(STATE.media(o.media.key));
  for (const slug of tags) keys.add(STATE.tagDir(slug));
  // Articles going public for the first time take the next places in first-publication order.
  for (let seq = head.nextSeq; seq < head.nextSeq + active.length; seq++) {
    keys.add(STATE.archivePage(archiveOf(seq, ctx.settings)));
    keys.add(STATE.sitemapShard(shardOf(seq)));
  }
  for (let seq = head.nextTagSeq; seq < head.nextTagSeq + tags.size; seq++) keys.add(STATE.tagShard(shardOf(seq)));
  await mapLimit([...keys], concurrency, (key) => view.base(key));

  // Then the chunks each timeline change lands in, and the sitemap shard of each tag that may go.
  const chunkKeys = new Set<StateKey<unknown>>();
  const entries = records.map((r) => entryOf(r));
  const main = view.peek(STATE.mainDir);
  if (main) for (const c of chunksFor(main, entries)) chunkKeys.add(STATE.timelineChunk(MAIN_TIMELINE, c));
  for (const slug of tags) {
    const dir = view.peek(STATE.tagDir(slug));
    if (!dir) continue;
    chunkKeys.add(STATE.tagShard(shardOf(dir.seq)));
    const tagged = records.filter((r) => tagsOf(r.article).has(slug)).map((r) => entryOf(r));
    for (const c of chunksFor(dir, tagged)) chunkKeys.add(STATE.timelineChunk(tagTimeline(slug), c));
  }
  await mapLimit([...chunkKeys], concurrency, (key) => view.base(key));
}

/** Apply the outcomes to the loaded state. Pure over the view's snapshot: every change is staged. */
export function applyOutcomes(view: StateView, outcomes: readonly Outcome[], ctx: Pick<CycleContext, 'settings' | 'now'>, before: Head): Applied {
  const head: Head = { ...before };
  const applied: Applied = {
    head,
    rejected: [],
    notices: [],
    rendered: 0,
    changed: new Set(),
    pages: new Map(),
    deletes: new Set(),
    mediaPut: new Set(),
    mediaDelete: new Set(),
    timelines: new Set(),
    tagsAdded: new Set(),
    tagsRemoved: new Set(),
    archivePages: new Set(),
    sitemapShards: new Set(),
    tagShards: new Set(),
    requeue: new Set(),
  };
  const transitions = decide(view, outcomes, ctx.now, applied);
  assignPlaces(transitions, head);
  for (const t of transitions) stageRecord(view, t, applied);
  updateTimelines(view, transitions, applied, head);
  updatePlaces(view, transitions, ctx.settings, applied);
  updateMedia(view, transitions, applied);
  updateSchedule(view, transitions, ctx.now);
  return applied;
}

/**
 * Each outcome's record before and after. A slug or an id another file holds rejects the newcomer, which
 * keeps its last good version: the file that has it keeps its URL and its id (outcomes come sorted by key,
 * so between two newcomers in one publish the first by key wins, as in a full rebuild).
 */
function decide(view: StateView, outcomes: readonly Outcome[], now: Date, applied: Applied): Transition[] {
  const transitions: Transition[] = [];
  // Slugs and ids given up by deleted files are free for the others in this same publish.
  const removed = outcomes.filter((o) => o.kind === 'removed');
  const released = new Set(removed.map((o) => STATE.slug(o.record.article.slug)));
  for (const o of removed) released.add(STATE.id(o.record.article.id));
  const holder = (claimKey: StateKey<SlugClaim>, key: string): string | undefined => {
    const claim = view.peek(claimKey);
    return claim && claim.key !== key && !released.has(claimKey) ? claim.key : undefined;
  };
  const claim = (claimKey: StateKey<SlugClaim>, key: string) => {
    // The files waiting on it keep waiting while its holder stays (an edit); a claim let go in this cycle
    // and taken by another file has them looked at again.
    let waiting = (view.peek(claimKey)?.waiting ?? []).filter((k) => k !== key);
    if (released.has(claimKey)) {
      for (const k of waiting) applied.requeue.add(k);
      waiting = [];
    }
    released.delete(claimKey);
    view.stage(claimKey, { key, ...(waiting.length > 0 ? { waiting } : {}) } satisfies SlugClaim);
  };
  const release = (claimKey: StateKey<SlugClaim>) => {
    for (const key of view.peek(claimKey)?.waiting ?? []) applied.requeue.add(key);
    released.add(claimKey);
    view.stage(claimKey, null);
  };
  // The refused file is remembered on the claim, so letting the claim go looks at it again.
  const refuse = (claimKey: StateKey<SlugClaim>, key: string) => {
    const held = view.peek(claimKey) as SlugClaim;
    if (held.waiting?.includes(key)) return; // a redelivery: already remembered, nothing to write
    view.stage(claimKey, { key: held.key, waiting: [...(held.waiting ?? []), key].slice(-MAX_WAITING) } satisfies SlugClaim);
  };
  for (const o of outcomes) {
    if (o.kind === 'unchanged') continue;
    if (o.kind === 'rejected') {
      applied.rejected.push(o.error);
      continue;
    }
    const before = o.record;
    if (o.kind === 'removed') {
      transitions.push({ o, before });
      continue;
    }
    if (o.kind === 'time') {
      const { page, ...rest } = o.record;
      const nowPublic = isPublic(o.record.article, now);
      const after: ArticleRecord = { ...rest, public: nowPublic, ...(page !== undefined && nowPublic && o.record.public ? { page } : {}) };
      transitions.push({ o, before, after });
      continue;
    }
    const { slug, id } = o.article;
    const slugOwner = holder(STATE.slug(slug), o.key);
    if (slugOwner !== undefined) {
      applied.rejected.push(new ArticleError(o.key, slugTaken(slug, slugOwner)));
      refuse(STATE.slug(slug), o.key);
      continue;
    }
    const idOwner = holder(STATE.id(id), o.key);
    if (idOwner !== undefined) {
      applied.rejected.push(new ArticleError(o.key, idTaken(id, idOwner)));
      refuse(STATE.id(id), o.key);
      continue;
    }
    if (before && before.article.slug !== slug) release(STATE.slug(before.article.slug));
    if (before && before.article.id !== id) release(STATE.id(before.article.id));
    claim(STATE.slug(slug), o.key);
    claim(STATE.id(id), o.key);
    const nowPublic = isPublic(o.article, now);
    const after: ArticleRecord = {
      key: o.key,
      etag: o.etag,
      rendered: o.rendered,
      article: o.article,
      public: nowPublic,
      ...(before?.seq !== undefined ? { seq: before.seq } : {}),
      // The page hash says what is on the site: kept only while that page stays (public, same slug).
      ...(before?.page !== undefined && before.public && nowPublic && before.article.slug === slug ? { page: before.page } : {}),
      ...(o.media ? { media: o.media } : {}),
    };
    applied.rendered++;
    transitions.push({ o, before, after });
  }
  for (const t of transitions)
    if (t.o.kind === 'removed' && t.before) {
      for (const claimKey of [STATE.slug(t.before.article.slug), STATE.id(t.before.article.id)]) {
        if (view.peek(claimKey)?.key === t.o.key) release(claimKey);
      }
    }
  return transitions;
}

/** Articles public for the first time get the next places in first-publication order, oldest first. */
function assignPlaces(transitions: readonly Transition[], head: Head): void {
  const newcomers = transitions.filter((t) => t.after?.public && t.after.seq === undefined).map((t) => t.after as ArticleRecord);
  newcomers.sort((a, b) => compareEntries(entryOf(b), entryOf(a)));
  for (const r of newcomers) r.seq = head.nextSeq++;
  for (const t of transitions) head.public += (t.after?.public ? 1 : 0) - (t.before?.public ? 1 : 0);
}

function stageRecord(view: StateView, t: Transition, applied: Applied): void {
  const { o, before, after } = t;
  view.stage(STATE.record(o.h), after ? recordInOrder(after) : null);
  applied.changed.add(o.h);
  if (o.kind === 'parsed') {
    if (before) view.stageNew(STATE.seen(o.h, before.etag), null, true);
    view.stageNew(STATE.seen(o.h, o.etag), {}, true);
  } else if (o.kind === 'removed') {
    view.stageNew(STATE.seen(o.h, o.record.etag), null, true);
  }
  if (after?.public && (!before?.public || before.article.slug !== after.article.slug || o.kind === 'parsed' || before.page === undefined)) applied.pages.set(o.h, after);
  if (before?.public && (!after?.public || after.article.slug !== before.article.slug)) applied.deletes.add(pageKey(before.article.slug));
}

function updateTimelines(view: StateView, transitions: readonly Transition[], applied: Applied, head: Head): void {
  const keyOf = new Map(transitions.map((t) => [t.o.h, t.o.key]));
  const deltas = new Map<string, { removes: Entry[]; inserts: Entry[] }>();
  const delta = (name: string) => {
    let d = deltas.get(name);
    if (!d) {
      d = { removes: [], inserts: [] };
      deltas.set(name, d);
    }
    return d;
  };
  for (const { before, after } of transitions) {
    if (before?.public) {
      delta(MAIN_TIMELINE).removes.push(entryOf(before));
      for (const [slug, t] of tagsOf(before.article)) delta(tagTimeline(slug)).removes.push(entryOf(before, t));
    }
    if (after?.public) {
      delta(MAIN_TIMELINE).inserts.push(entryOf(after));
      for (const [slug, t] of tagsOf(after.article)) delta(tagTimeline(slug)).inserts.push(entryOf(after, t));
    }
  }
  for (const [name, { removes, inserts }] of [...deltas].sort(([a], [b]) => (a < b ? -1 : 1))) {
    applied.timelines.add(name);
    const slug = name === MAIN_TIMELINE ? undefined : name.slice('tag-'.length);
    const dirKey = timelineDir(name);
    const stored = view.peek(dirKey);
    const dir = stored ?? emptyDir();
    const loaded = new Map<number, Entry[]>();
    for (const c of chunksFor(dir, [...removes, ...inserts])) loaded.set(c, view.peek(STATE.timelineChunk(name, c)) ?? []);
    const change = applyTimeline(dir, loaded, removes, inserts);
    for (const c of change.remove) view.stage(STATE.timelineChunk(name, c), null);
    for (const [c, chunk] of change.write) {
      if (loaded.has(c)) view.stage(STATE.timelineChunk(name, c), chunk);
      else view.stageNew(STATE.timelineChunk(name, c), chunk);
    }
    if (slug === undefined) {
      view.stage(dirKey, change.dir);
      continue;
    }
    const tagDir = stored as TagDir | undefined;
    if (change.dir.count === 0) {
      if (tagDir) {
        view.stage(dirKey, null);
        applied.tagsRemoved.add(slug);
        updateTagShard(view, shardOf(tagDir.seq), slug, false, applied);
      }
      continue;
    }
    let seq = tagDir?.seq;
    if (seq === undefined) {
      seq = head.nextTagSeq++;
      applied.tagsAdded.add(slug);
      updateTagShard(view, shardOf(seq), slug, true, applied);
    }
    // One title per tag, from how many public articles use each spelling: no flip with the newest story.
    const spellings = countSpellings(tagDir?.spellings ?? legacySpellings(tagDir), spellingsOf(inserts), spellingsOf(removes));
    const title = tagTitle(spellings, slug);
    // A new title rewrites the tag's feeds and page (the plan rebuilds a tag that is "added").
    if (tagDir && tagDir.name !== title) applied.tagsAdded.add(slug);
    for (const e of inserts) {
      const key = keyOf.get(e.h);
      if (e.t !== undefined && e.t !== title && key !== undefined) applied.notices.push(new Notice(key, spellingNotice(e.t, title, slug)));
    }
    view.stage(dirKey, { ...change.dir, name: title, spellings, seq } satisfies TagDir);
  }
}

const spellingsOf = (entries: readonly Entry[]): string[] => entries.flatMap((e) => (e.t === undefined ? [] : [e.t]));

/** A tag directory from before spellings were counted: its title stands for all its articles. */
const legacySpellings = (dir: TagDir | undefined): Record<string, number> | undefined => (dir ? { [dir.name]: dir.count } : undefined);

function updateTagShard(view: StateView, n: number, slug: string, add: boolean, applied: Applied): void {
  const key = STATE.tagShard(n);
  const shard = view.peek(key) ?? { slugs: [] };
  const slugs = new Set(shard.slugs);
  if (add) slugs.add(slug);
  else slugs.delete(slug);
  view.stage(key, { slugs: [...slugs].sort() } satisfies TagShard);
  applied.tagShards.add(n);
}

/** Archive pages and sitemap shards: by first-publication place, so one article touches its own page. */
function updatePlaces(view: StateView, transitions: readonly Transition[], settings: Settings, applied: Applied): void {
  const pages = new Map<number, { remove: Set<string>; add: Entry[] }>();
  const shards = new Map<number, { remove: Set<string>; add: SitemapUrl[] }>();
  const at = <T>(map: Map<number, { remove: Set<string>; add: T[] }>, n: number) => {
    let d = map.get(n);
    if (!d) {
      d = { remove: new Set(), add: [] };
      map.set(n, d);
    }
    return d;
  };
  for (const { o, before, after } of transitions) {
    if (before?.public && before.seq !== undefined) {
      at(pages, archiveOf(before.seq, settings)).remove.add(o.h);
      at(shards, shardOf(before.seq)).remove.add(o.h);
    }
    if (after?.public && after.seq !== undefined) {
      at(pages, archiveOf(after.seq, settings)).add.push(entryOf(after));
      at(shards, shardOf(after.seq)).add.push(urlOf(o.h, after.article));
    }
  }
  for (const [n, d] of pages) {
    const key = STATE.archivePage(n);
    const page = view.peek(key) ?? { members: [] };
    const members = [...page.members.filter((e) => !d.remove.has(e.h)), ...d.add].sort(compareEntries);
    view.stage(key, { members } satisfies ArchivePage);
    applied.archivePages.add(n);
  }
  for (const [n, d] of shards) {
    const key = STATE.sitemapShard(n);
    const shard = view.peek(key) ?? { urls: [] };
    const urls = [...shard.urls.filter((u) => !d.remove.has(u.h)), ...d.add].sort((a, b) => (a.loc < b.loc ? -1 : a.loc > b.loc ? 1 : 0));
    view.stage(key, { urls } satisfies SitemapShard);
    applied.sitemapShards.add(n);
  }
}

/** A lead image is on the site exactly while a public article uses it. */
function updateMedia(view: StateView, transitions: readonly Transition[], applied: Applied): void {
  const refs = new Map<string, MediaRef>();
  const ref = (key: string): MediaRef => {
    let r = refs.get(key);
    if (!r) {
      const stored = view.peek(STATE.media(key));
      r = stored ? { ...stored, users: [...stored.users] } : { key, etag: '', users: [] };
      refs.set(key, r);
    }
    return r;
  };
  const was = new Map<string, number>();
  for (const { o, before, after } of transitions) {
    for (const m of [before?.media, after?.media]) if (m && !was.has(m.key)) was.set(m.key, ref(m.key).users.length);
    if (before?.public && before.media) {
      const r = ref(before.media.key);
      r.users = r.users.filter((h) => h !== o.h);
    }
    if (after?.public && after.media) {
      const r = ref(after.media.key);
      if (!r.users.includes(o.h)) r.users.push(o.h);
      if (r.etag !== after.media.etag) {
        r.etag = after.media.etag;
        applied.mediaPut.add(r.key);
      }
    }
  }
  for (const [key, r] of refs) {
    const before = was.get(key) ?? 0;
    if (r.users.length === 0) {
      view.stage(STATE.media(key), null);
      if (before > 0) applied.mediaDelete.add(key);
      applied.mediaPut.delete(key);
      continue;
    }
    if (before === 0) applied.mediaPut.add(key);
    view.stage(STATE.media(key), { ...r, users: [...r.users].sort() } satisfies MediaRef);
  }
}

/** Drafts, embargoes and expiries: what the minute schedule and the reports look at. */
function updateSchedule(view: StateView, transitions: readonly Transition[], now: Date): void {
  if (transitions.length === 0) return;
  const stored = view.peek(STATE.schedule) ?? emptySchedule();
  const touched = new Set(transitions.map((t) => t.o.key));
  const next: Schedule = {
    drafts: stored.drafts.filter((d) => !touched.has(d.key)),
    embargoed: stored.embargoed.filter((d) => !touched.has(d.key)),
    expiring: stored.expiring.filter((d) => !touched.has(d.key)),
  };
  for (const { o, after } of transitions) {
    if (!after) continue;
    const a = after.article;
    if (a.draft) next.drafts.push({ key: o.key, h: o.h });
    else if (!after.public && a.published.iso > toIso(now.getTime())) next.embargoed.push({ key: o.key, h: o.h, at: a.published.iso });
    else if (after.public && a.expires) next.expiring.push({ key: o.key, h: o.h, at: a.expires.iso });
  }
  const byKey = (x: { key: string }, y: { key: string }) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0);
  const byTime = (x: { at: string; key: string }, y: { at: string; key: string }) => (x.at < y.at ? -1 : x.at > y.at ? 1 : byKey(x, y));
  next.drafts.sort(byKey);
  next.embargoed.sort(byTime);
  next.expiring.sort(byTime);
  view.stage(STATE.schedule, next);
}
