import * as z from 'zod/mini';
import type { Article } from '../article/article.ts';
import { LocatedError } from '../errors.ts';
import { etagPart, keyHash, MAIN_TIMELINE, STATE_NAMES, tagTimeline } from '../keys.ts';

/**
 * The shapes of the publisher's private state, as schemas: each type is inferred from its schema, and every
 * read is checked against it (core/keys.ts's STATE table says which key holds which shape). Each object is
 * small and bounded, so one article's publish reads and writes a few of them whatever the archive's size. An
 * object that does not have its shape is unreadable state, which the publisher treats as lost (a full
 * rebuild, logged), never as a crash.
 */

/** 6: a rebuild's progress is a checkpoint in the head (`rebuild`), and the state keeps the settings it was built with; an older state is rebuilt. */
export const STATE_VERSION = 6;

const int = z.int();
const text = z.string();
const texts = z.array(text);

/** One article in a timeline, an archive page or the news index. */
const EntrySchema = z.object({
  /** The article's state hash (keyHash of its content key). */
  h: text,
  /** First publication, RFC 3339 UTC: the order of every feed. */
  p: text,
  /** The article id: ties at the same instant go in id order, as newestFirst does. */
  id: text,
  /** The spelling of the tag in this article (tag timelines only). */
  t: z.optional(text),
});
export type Entry = z.infer<typeof EntrySchema>;

/** A chunk of a timeline: at most CHUNK_SIZE entries, newest first. */
const ChunkSchema = z.array(EntrySchema);

const ChunkRefSchema = z.object({
  c: int,
  /** The chunk's oldest entry: an entry no older than this belongs in this chunk or an earlier one. */
  last: EntrySchema,
  n: int,
});

/** A timeline's directory: its chunks in order. */
const TimelineDirSchema = z.object({
  chunks: z.array(ChunkRefSchema),
  /** The id the next new chunk gets. */
  next: int,
  count: int,
});
export type TimelineDir = z.infer<typeof TimelineDirSchema>;

/** A tag's timeline directory, with how readers see the tag. */
const TagDirSchema = z.extend(TimelineDirSchema, {
  /** The tag as readers see it: the title chosen from `spellings` (tags.ts tagTitle). */
  name: text,
  /** Public articles per spelling of this tag ("Élection": 3, "election": 1). */
  spellings: z.optional(z.record(text, int)),
  /** Its place in tag-creation order: its sitemap shard. */
  seq: int,
});
export type TagDir = z.infer<typeof TagDirSchema>;

const fields = (v: Record<string, unknown>, names: readonly string[], kind: string): boolean => names.every((n) => typeof v[n] === kind);
/** An article as the publisher rendered it: the fields every reader of a record relies on are checked; the type is Article's own. */
const isArticle = (v: unknown): v is Article => {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Record<string, unknown>;
  const published = a.published as Record<string, unknown> | undefined;
  return (
    fields(a, ['file', 'slug', 'url', 'id', 'title', 'summary', 'html'], 'string') &&
    typeof published?.iso === 'string' &&
    Array.isArray(a.tags) &&
    a.tags.every((t) => typeof t === 'string') &&
    Array.isArray(a.authors)
  );
};

/** What the publisher last processed of one article file. */
const RecordSchema = z.object({
  key: text,
  /** The content object's ETag when it was read: the same ETag means nothing to re-render. */
  etag: text,
  /** renderHash of the settings it was parsed with: a rebuild under the same one reuses `article` rather than parse the file again. */
  rendered: z.optional(text),
  /** The processed version, rendered (HTML, media facts): groups are built from this, never from a newer file. */
  article: z.custom<Article>(isArticle),
  /** Public at the last publish: a change is an embargo lifting or an expiry. */
  public: z.boolean(),
  /** Its place in first-publication order, given when it first went public: its archive page and sitemap shard. */
  seq: z.optional(int),
  /** Hash of its page as written. */
  page: z.optional(text),
  /** Its lead image when that lives in the content store's media/ (published only while the article is public). */
  media: z.optional(z.object({ key: text, etag: text })),
});
export type ArticleRecord = z.infer<typeof RecordSchema>;

/** A record's fields in the schema's order, whichever path made it: the same state is the same bytes. */
export function recordInOrder(r: ArticleRecord): ArticleRecord {
  const { key, etag, rendered, article, public: isPublic, seq, page, media } = r;
  return {
    key,
    etag,
    ...(rendered !== undefined ? { rendered } : {}),
    article,
    public: isPublic,
    ...(seq !== undefined ? { seq } : {}),
    ...(page !== undefined ? { page } : {}),
    ...(media !== undefined ? { media } : {}),
  };
}

const RecheckSchema = z.object({
  /** A journal's or an intent's key in the state. */
  key: text,
  after: text,
});
export type Recheck = z.infer<typeof RecheckSchema>;

/**
 * A full rebuild's checkpoint, committed with the head after every batch and step. 'render': the current
 * state still serves incremental publishes (with the settings it was built with) while article files are
 * rendered into batches in key order, up to `cursor`; 'index': the state is being remade from the batches
 * (done again whole if cut off); 'records': `done` batches of records and pages written; 'site': the state is
 * whole again, under the new settings, and serves incremental publishes while the pages of unchanged records
 * (`done` batches of them), the media (`done` batches + 1) and the groups (`cursor` the last written) are written.
 */
const RebuildProgressSchema = z.object({
  step: z.enum(['render', 'index', 'records', 'site']),
  /** The fingerprint of the settings being rebuilt to: a change starts the rebuild over. */
  settings: text,
  /** The last article file rendered ('render'); the last group written, by name ('site'). */
  cursor: z.optional(text),
  /** Batches written ('render'), then the batches in all. */
  batches: int,
  /** Batches already written ('records'); batches of unchanged records' pages, then + 1 for the media ('site'). */
  done: int,
  /**
   * The head's generation when the render step began on a whole state: what the batches say the state
   * already holds (`held`, `same`) is so for every file but those `touched` since. Kept into the site step
   * when the records step left unchanged records as they were: their pages are written then.
   */
  from: z.optional(int),
  /**
   * Files (by keyHash) whose record or marker a publish changed since `from`: their batch entries are not
   * trusted, nor, in the site step, their batched record (their page is made from the record the state has
   * now). 'all' once there were more than MAX_TOUCHED.
   */
  touched: z.optional(z.union([z.array(text), z.literal('all')])),
  /** The state held no article record when the rebuild began (a first publish): no file has an old version to read. */
  fresh: z.optional(z.literal(true)),
  /** The content's media/ listing taken just before the site step wrote the media (see Head.media). */
  media: z.optional(text),
  /**
   * The render step's batches are made by a fan-out (the state machine's children, fan-out.ts), under
   * rebuild/<run>/, until `until`: after it, or once the fan-out says it is over, the holder makes any missing.
   * `records`: the records step's batches are written by a second fan-out of the run, until that time.
   */
  fan: z.optional(z.object({ run: text, batches: int, until: text, records: z.optional(text) })),
});
export type RebuildProgress = z.infer<typeof RebuildProgressSchema>;

/** The commit point: small, replaced with If-Match by the lease holder only. */
const HeadSchema = z.object({
  v: z.literal(STATE_VERSION),
  /** Hash of the settings and renderer the state was built with: a mismatch means a full rebuild. */
  settings: text,
  /** Commits so far: each commit is generation + 1. */
  generation: int,
  nextSeq: int,
  nextTagSeq: int,
  /** Public articles. */
  public: int,
  /** A committed journal whose site writes may not all have landed: whoever reads this replays it. */
  journal: z.optional(text),
  /**
   * Journals and intents left by a holder that did not finish (it died, gave up, or may still be writing):
   * redone when found, and their site keys redone once more after `after`, when that holder's time is
   * surely up, so a late write of an old version never stands.
   */
  recheck: z.optional(z.array(RecheckSchema)),
  /** The last publish found site.yaml broken: the next good one looks at every article. */
  settingsError: z.optional(text),
  /**
   * The newest, incomplete archive page is published too: it holds an article the site's feeds do not
   * (one that went public after newer-dated ones), which must still be reachable through the history.
   */
  openArchive: z.optional(z.boolean()),
  /** A full rebuild under way, and how far it got: each holder goes on from here (rebuild.ts). */
  rebuild: z.optional(RebuildProgressSchema),
  /** When the whole site was last reconciled (ISO): a scan that does not ask for a reconcile makes one once this is a day old. */
  reconciled: z.optional(text),
  /** The content's media/ listing (keys and ETags, hashed) at that reconcile: a scan that finds it changed reconciles (an image added for a published article). */
  media: z.optional(text),
});
export type Head = z.infer<typeof HeadSchema>;

/** The state is being remade by a rebuild (its index and records steps): it serves no incremental publish, and nothing is redone from it. */
export const stateInFlux = (head: Head): boolean => head.rebuild?.step === 'index' || head.rebuild?.step === 'records';

/** More files than this changed during one rebuild, and it trusts none of its batches' `held` and `same`. */
export const MAX_TOUCHED = 1000;

/**
 * The head a publish commits during a rebuild that trusts its batches (`from`): with the files whose record
 * or marker its state writes change added to `touched`, so the rebuild trusts its batches for every other file.
 */
export function noteTouched(head: Head, writes: readonly StateWrite[]): Head {
  const progress = head.rebuild;
  if (progress?.from === undefined || progress.touched === 'all') return head;
  const touched = new Set(progress.touched);
  for (const { key } of writes) {
    const file = fileOfStateKey(key);
    if (file) touched.add(file.h);
  }
  if (touched.size === (progress.touched?.length ?? 0)) return head;
  return { ...head, rebuild: { ...progress, touched: touched.size > MAX_TOUCHED ? 'all' : [...touched].sort() } };
}

/**
 * The file (by keyHash) a record (`records/<h>.json`) or marker (`seen/<h>.<etag>`) key is for, with the
 * marker's ETag part; undefined for any other key. The one reading of the names STATE.record and STATE.seen make.
 */
export function fileOfStateKey(key: string): { h: string; etag?: string } | undefined {
  if (key.startsWith(N.records) && key.endsWith('.json')) return { h: key.slice(N.records.length, -'.json'.length) };
  if (!key.startsWith(N.seen)) return undefined;
  const name = key.slice(N.seen.length);
  const dot = name.indexOf('.');
  return dot < 0 ? undefined : { h: name.slice(0, dot), etag: name.slice(dot + 1) };
}

/** Whether a rebuild's batch entry for this file (by keyHash) still says what the state holds (see `touched`). */
export function trustedFile(progress: RebuildProgress, hash: string): boolean {
  return progress.from !== undefined && progress.touched !== 'all' && !progress.touched?.includes(hash);
}

/** Archive page members, newest first (the page's feeds list them so). */
const ArchivePageSchema = z.object({ members: z.array(EntrySchema) });
export type ArchivePage = z.infer<typeof ArchivePageSchema>;

const SitemapUrlSchema = z.object({ h: text, loc: text, lastmod: text });
export type SitemapUrl = z.infer<typeof SitemapUrlSchema>;
const SitemapShardSchema = z.object({ urls: z.array(SitemapUrlSchema) });
export type SitemapShard = z.infer<typeof SitemapShardSchema>;
const TagShardSchema = z.object({ slugs: texts });
export type TagShard = z.infer<typeof TagShardSchema>;

/** A lead image published from the content store, and the public articles that use it. */
const MediaRefSchema = z.object({
  key: text,
  /** The content object's ETag when it was copied to the site. */
  etag: text,
  users: texts,
});
export type MediaRef = z.infer<typeof MediaRefSchema>;

const ScheduledSchema = z.object({ key: text, h: text, at: text });
/** Articles that are not public, and public ones that will expire: what the minute schedule looks at. */
const ScheduleSchema = z.object({
  drafts: z.array(z.object({ key: text, h: text })),
  /** Not yet public: `at` is when it goes live. */
  embargoed: z.array(ScheduledSchema),
  /** Public until `at`. */
  expiring: z.array(ScheduledSchema),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

/** The file that holds a slug (slugs/<slug>.json) or an article id (ids/<hash>.json). */
const ClaimSchema = z.object({
  key: text,
  /**
   * Files refused because this claim was held (a renamed article whose new file came before the old one's
   * deletion): looked at again when the claim is let go, so they need no scan to be published.
   */
  waiting: z.optional(texts),
});
export type SlugClaim = z.infer<typeof ClaimSchema>;

/** Per output group: the hash of each file last written, so identical bytes are never written again. */
const GroupStateSchema = z.object({ files: z.record(text, text) });
export type GroupState = z.infer<typeof GroupStateSchema>;

/** What a committed cycle does to the site, named as the cycle's own site work (write.ts SiteWork); whoever replays a journal does exactly this. */
const SiteActionsSchema = z.object({
  /** Media keys to copy from the content store, and to delete from the site. */
  mediaPut: texts,
  mediaDelete: texts,
  /** Article hashes whose page is written from their record. */
  pages: texts,
  /** Group names to build from the state and write. */
  groups: texts,
  /** Site keys to delete (old pages, the files of groups that are gone). */
  deletes: texts,
});
export type SiteActions = z.infer<typeof SiteActionsSchema>;

/** A state write: the body, or null to delete; `expect` is the ETag it replaces ('*': the key is new; '': no condition). */
const StateWriteSchema = z.object({ key: text, body: z.nullable(text), expect: text });
export type StateWrite = z.infer<typeof StateWriteSchema>;

const JournalSchema = z.object({ generation: int, state: z.array(StateWriteSchema), site: SiteActionsSchema });
export type Journal = z.infer<typeof JournalSchema>;

/** Site keys about to be written or deleted outside a cycle's journal (a reconcile, a rebuild's pages and groups). */
const IntentSchema = z.object({ site: texts });
export type Intent = z.infer<typeof IntentSchema>;

/** A full rebuild's rendered articles, a batch at a time (see rebuild.ts). */
const RebuildBatchSchema = z.object({
  records: z.array(RecordSchema),
  /**
   * Files whose `seen/` marker (this ETag) and slug and id claims the old state already has, as the records step
   * would write them: a whole state's record always has them, so a rebuild of unchanged files writes their
   * record and page alone.
   */
  held: z.optional(z.array(text)),
  /**
   * Of those, the files whose record the old state has exactly as the records step would write it: their
   * record is not written, and their page waits for the site step, when the state serves again.
   */
  same: z.optional(z.array(text)),
  /** A fan-out's batch: the files its child rejected, for the holder that runs the index step to report. */
  rejected: z.optional(z.array(z.object({ file: text, problem: text }))),
});
export type RebuildBatch = z.infer<typeof RebuildBatchSchema>;
/** What the index step decided, per batch: the files whose records are written, each with its place (null: not public). */
const RebuildPlanSchema = z.object({
  batches: z.array(z.array(z.tuple([text, z.nullable(int)]))),
  /** By claim key, the files refused it, which wait on it (a claim's `waiting`). */
  waiting: z.optional(z.record(text, texts)),
});
export type RebuildPlan = z.infer<typeof RebuildPlanSchema>;
/**
 * A fan-out's batches: batch n is the article files listed after `after` (none: from the first) up to `last`
 * (none: to the end, so a file added after the listing is rendered, as the chain's last listing would).
 */
const FanItemSchema = z.object({ n: int, after: z.optional(text), last: z.optional(text) });
export type FanItem = z.infer<typeof FanItemSchema>;
/** The fan-out is over (its last state ran): `failed` when some batches were not made. */
const FanEndedSchema = z.object({ failed: z.boolean() });
/** The steps a rebuild fans out: the render step's batches, then the records step's. */
export type FanPhase = 'render' | 'records';
/** A rebuild's folder: rebuild/, or a fan-out run's rebuild/<run>/ (its batches kept apart from another run's). */
const runFolder = (run?: string) => `${N.rebuildBatches}${run ? `${run}/` : ''}`;
const fanFolder = (run: string, phase: FanPhase) => `${runFolder(run)}${phase === 'records' ? N.fanRecords : ''}`;
/**
 * The site.yaml the state was built with, and the fingerprint it had then (settings and renderer): incremental
 * publishes during a rebuild use these settings, not the new ones, while the head still has that fingerprint.
 */
const ServedSettingsSchema = z.object({ yaml: text, fingerprint: text });

/** One article of the Google News sitemap (news.ts): its place, address and title. */
const NewsItemSchema = z.extend(EntrySchema, { loc: text, title: text });
export type NewsItem = z.infer<typeof NewsItemSchema>;
/** The state's news.json: the news sitemap's members, newest first. */
const NewsIndexSchema = z.object({ items: z.array(NewsItemSchema) });
export type NewsIndex = z.infer<typeof NewsIndexSchema>;

/** An empty marker (seen/<h>.<etag>): its name is all it says. */
const MarkerSchema = z.unknown();

/** State that is there but not what this version wrote: treated as lost, never as a crash. */
export class StateError extends LocatedError {
  override name = 'StateError';
}

/** Parse a state object against its schema, or throw StateError naming it: a truncated or foreign object is never trusted. */
function parseState<T>(key: string, bytes: Uint8Array | string, schema: z.ZodMiniType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new StateError(key, 'is not JSON (truncated or overwritten?)', { cause: err });
  }
  // Checked, not rebuilt: the object read is the value (its key order kept, so an unchanged object is seen as unchanged).
  if (!schema.safeParse(value).success) throw new StateError(key, 'does not have the shape this version of wirefeed writes');
  return value as T;
}

/** A state key that knows what it holds: reading it gives that shape, checked (STATE_OBJECTS). */
declare const holds: unique symbol;
export type StateKey<T> = string & { readonly [holds]: T };

/** Which keys hold which shape: the first entry that owns a key gives its schema. */
const STATE_OBJECTS: { owns: (key: string) => boolean; schema: z.ZodMiniType<unknown> }[] = [];

/** A kind of state object: its keys (made by `key`, all owned by `owns`) and its schema, from which its type follows. */
function held<T, A extends unknown[]>(schema: z.ZodMiniType<T>, owns: (key: string) => boolean, key: (...args: A) => string): (...args: A) => StateKey<T> {
  STATE_OBJECTS.push({ owns, schema });
  return (...args) => key(...args) as StateKey<T>;
}
/** A state object that has one key. */
function one<T>(schema: z.ZodMiniType<T>, key: string): StateKey<T> {
  return held(
    schema,
    (k) => k === key,
    () => key,
  )();
}
const under = (prefix: string) => (key: string) => key.startsWith(prefix);

const N = STATE_NAMES;
const MAIN_TIMELINE_DIR = `${N.timelines}${MAIN_TIMELINE}/${N.timelineDir}`;

/**
 * The publisher's state, one entry per kind of object: where it lives and what it holds. Folders (the
 * plural names) are for listings; every key made here carries its shape, so `view.read(STATE.record(h))`
 * is an ArticleRecord, checked as it is read.
 */
export const STATE = {
  /** The single-writer lease (its body is the lease's own: lease.ts). */
  lease: N.lease,
  /** The commit point: settings, counters, the journal to replay. */
  head: one(HeadSchema, N.head),
  /** Durable requests (requests.ts): what each publish was asked, read leniently (an unreadable one asks for a scan). */
  requests: N.requests,
  journals: N.journals,
  journal: held(JournalSchema, under(N.journals), (name: string) => `${N.journals}${name}`),
  /**
   * Site writes made outside a cycle's journal (a reconcile, a rebuild), named before they are made. Under
   * requests/, so the one listing a publish makes of its pending work finds the ones a holder left.
   */
  intents: N.intents,
  intent: held(IntentSchema, under(N.intents), (name: string) => `${N.intents}${name}`),
  /** One per article file: its processed version, rendered. */
  record: held(RecordSchema, under(N.records), (h: string) => `${N.records}${h}.json`),
  records: N.records,
  /** seen/<h>.<etag>: empty; a listing compares every article's processed ETag without reading a record. */
  seen: held(MarkerSchema, under(N.seen), (h: string, etag: string) => `${N.seen}${h}.${etagPart(etag)}`),
  seenPrefix: N.seen,
  slug: held(ClaimSchema, under(N.slugs), (slug: string) => `${N.slugs}${slug}.json`),
  slugs: N.slugs,
  /** The file that holds an article id (ids are URIs: hashed into the key). */
  id: held(ClaimSchema, under(N.ids), (id: string) => `${N.ids}${keyHash(id)}.json`),
  ids: N.ids,
  /** The site's timeline directory; a tag's has the tag's title too. */
  mainDir: one(TimelineDirSchema, MAIN_TIMELINE_DIR),
  tagDir: held(
    TagDirSchema,
    (k) => k.startsWith(N.timelines) && k.endsWith(`/${N.timelineDir}`),
    (slug: string) => `${N.timelines}${tagTimeline(slug)}/${N.timelineDir}`,
  ),
  timelineChunk: held(ChunkSchema, under(N.timelines), (timeline: string, chunk: number) => `${N.timelines}${timeline}/${chunk}.json`),
  timelines: N.timelines,
  archivePage: held(ArchivePageSchema, under(N.archivePages), (n: number) => `${N.archivePages}${n}.json`),
  archivePages: N.archivePages,
  sitemapShard: held(SitemapShardSchema, under(N.sitemapShards), (n: number) => `${N.sitemapShards}${n}.json`),
  sitemapShards: N.sitemapShards,
  tagShard: held(TagShardSchema, under(N.tagShards), (n: number) => `${N.tagShards}${n}.json`),
  tagShards: N.tagShards,
  media: held(MediaRefSchema, under(N.mediaRefs), (mediaKey: string) => `${N.mediaRefs}${keyHash(mediaKey)}.json`),
  mediaRefs: N.mediaRefs,
  schedule: one(ScheduleSchema, N.schedule),
  /** The Google News sitemap's members, with their titles (news.ts). */
  news: one(NewsIndexSchema, N.news),
  group: held(GroupStateSchema, under(N.groups), (name: string) => `${N.groups}${encodeURIComponent(name)}.json`),
  groups: N.groups,
  /** The settings the current state was built with (incremental publishes keep using them during a rebuild). */
  served: one(ServedSettingsSchema, N.served),
  rebuildPlan: one(RebuildPlanSchema, N.rebuildPlan),
  /** A fan-out's batches, as the state machine's item reader reads them (a JSON array). */
  fanItems: held(
    z.array(FanItemSchema),
    (k) => k.startsWith(N.rebuildBatches) && k.endsWith(`/${N.fanItems}`),
    (run: string, phase: FanPhase = 'render') => `${fanFolder(run, phase)}${N.fanItems}`,
  ),
  fanEnded: held(
    FanEndedSchema,
    (k) => k.startsWith(N.rebuildBatches) && k.endsWith(`/${N.fanEnded}`),
    (run: string, phase: FanPhase = 'render') => `${fanFolder(run, phase)}${N.fanEnded}`,
  ),
  /** The records step's batch n is written (by a fan-out's child, or the holder): empty, its name is all it says. */
  fanDone: held(
    MarkerSchema,
    (k) => k.startsWith(N.rebuildBatches) && k.includes(`/${N.fanDone}`),
    (run: string, n: number) => `${fanFolder(run, 'records')}${N.fanDone}${n}.json`,
  ),
  fanDoneFolder: (run: string) => `${fanFolder(run, 'records')}${N.fanDone}`,
  /** A batch's records without their HTML: what the index step reads (a fan-out's under its run). */
  rebuildSummary: held(
    RebuildBatchSchema,
    (k) => k.startsWith(N.rebuildBatches) && k.includes(`/${N.rebuildSummaries}`),
    (n: number, run?: string) => `${runFolder(run)}${N.rebuildSummaries}${n}.json`,
  ),
  rebuildSummaries: (run?: string) => `${runFolder(run)}${N.rebuildSummaries}`,
  rebuildBatch: held(RebuildBatchSchema, under(N.rebuildBatches), (n: number, run?: string) => `${runFolder(run)}${n}.json`),
  rebuildBatches: N.rebuildBatches,
} as const;

/** The timeline directory of a timeline by name ('main', 'tag-<slug>'). */
export const timelineDir = (timeline: string): StateKey<TimelineDir | TagDir> => (timeline === MAIN_TIMELINE ? STATE.mainDir : STATE.tagDir(timeline.slice(tagTimeline('').length)));

/** The tags whose timeline directories a listing of the timelines folder found, by slug. */
export function tagSlugsListed(listed: readonly { key: string }[]): string[] {
  const [before, after] = STATE.tagDir('\0').split('\0') as [string, string];
  return listed.filter(({ key }) => key.startsWith(before) && key.endsWith(after) && key.length > before.length + after.length).map(({ key }) => key.slice(before.length, -after.length));
}

/** A key found by listing a kind's folder (or named by the head), as that kind of object. */
export const listedAs = <T>(_kind: (...args: never[]) => StateKey<T>, key: string): StateKey<T> => key as StateKey<T>;

/** The shape a state key holds (a bug if none does). */
function schemaOf<T>(key: StateKey<T>): z.ZodMiniType<T> {
  const found = STATE_OBJECTS.find((o) => o.owns(key));
  if (!found) throw new Error(`no state object is kept at ${key}`);
  return found.schema as z.ZodMiniType<T>;
}

/** A state object's bytes as the shape its key holds; StateError when they are not. */
export const readState = <T>(key: StateKey<T>, bytes: Uint8Array | string): T => parseState(key, bytes, schemaOf(key));

export const emptySchedule = (): Schedule => ({ drafts: [], embargoed: [], expiring: [] });
