import type { Article } from '../article/article.ts';
import { LocatedError } from '../errors.ts';
import type { Entry, TimelineDir } from './timeline.ts';

/**
 * The shapes of the publisher's private state (see keys.ts for where each lives). Each object is small
 * and bounded, so one article's publish reads and writes a few of them whatever the archive's size.
 * Every reader goes through `parseState`: an object that does not have its shape is unreadable state,
 * which the publisher treats as lost (a full rebuild, logged), never as a crash.
 */

/** 4: id claims (ids/) and tag slugs that tell C#, C++ and C apart; an older state is rebuilt. */
export const STATE_VERSION = 4;

/** What the publisher last processed of one article file. */
export interface ArticleRecord {
  key: string;
  /** The content object's ETag when it was read: the same ETag means nothing to re-render. */
  etag: string;
  /** The processed version, rendered (HTML, media facts): groups are built from this, never from a newer file. */
  article: Article;
  /** Public at the last publish: a change is an embargo lifting or an expiry. */
  public: boolean;
  /** Its place in first-publication order, given when it first went public: its archive page and sitemap shard. */
  seq?: number;
  /** Hash of its page as written. */
  page?: string;
  /** Its lead image when that lives in the content store's media/ (published only while the article is public). */
  media?: { key: string; etag: string };
}

/** The commit point: small, replaced with If-Match by the lease holder only. */
export interface Head {
  v: typeof STATE_VERSION;
  /** Hash of the settings and renderer the state was built with: a mismatch means a full rebuild. */
  settings: string;
  /** Commits so far: each commit is generation + 1. */
  generation: number;
  nextSeq: number;
  nextTagSeq: number;
  /** Public articles. */
  public: number;
  /** A committed journal whose site writes may not all have landed: whoever reads this replays it. */
  journal?: string;
  /**
   * Journals and intents left by a holder that did not finish (it died, gave up, or may still be writing):
   * redone when found, and their site keys redone once more after `after`, when that holder's time is
   * surely up, so a late write of an old version never stands. (An older state has one `{ journal, after }`.)
   */
  recheck?: Recheck[] | { journal: string; after: string };
  /** The last publish found site.yaml broken: the next good one looks at every article. */
  settingsError?: string;
  /**
   * The newest, incomplete archive page is published too: it holds an article the site's feeds do not
   * (one that went public after newer-dated ones), which must still be reachable through the history.
   */
  openArchive?: boolean;
  /** A full rebuild is under way: 'state' (indexes being remade; the next holder starts over) or 'site' (state done, files being written). */
  rebuilding?: 'state' | 'site';
}

export interface TagDir extends TimelineDir {
  /** The tag as readers see it: the title chosen from `spellings` (tags.ts tagTitle). */
  name: string;
  /** Public articles per spelling of this tag ("Élection": 3, "election": 1). */
  spellings?: Record<string, number>;
  /** Its place in tag-creation order: its sitemap shard. */
  seq: number;
}

/** Archive page members, newest first (the page's feeds list them so). */
export interface ArchivePage {
  members: Entry[];
}

export interface SitemapUrl {
  h: string;
  loc: string;
  lastmod: string;
}
export interface SitemapShard {
  urls: SitemapUrl[];
}
export interface TagShard {
  slugs: string[];
}

/** A lead image published from the content store, and the public articles that use it. */
export interface MediaRef {
  key: string;
  /** The content object's ETag when it was copied to the site. */
  etag: string;
  users: string[];
}

interface Scheduled {
  key: string;
  h: string;
  at: string;
}
/** Articles that are not public, and public ones that will expire: what the minute schedule looks at. */
export interface Schedule {
  drafts: { key: string; h: string }[];
  /** Not yet public: `at` is when it goes live. */
  embargoed: Scheduled[];
  /** Public until `at`. */
  expiring: Scheduled[];
}

/** The file that holds a slug (slugs/<slug>.json) or an article id (ids/<hash>.json). */
export interface SlugClaim {
  key: string;
  /**
   * Files refused because this claim was held (a renamed article whose new file came before the old one's
   * deletion): looked at again when the claim is let go, so they need no scan to be published.
   */
  waiting?: string[];
}

/** Per output group: the hash of each file last written, so identical bytes are never written again. */
export interface GroupState {
  files: Record<string, string>;
}

/** What a committed cycle does to the site; whoever replays a journal does exactly this. */
export interface SiteActions {
  /** Media keys to copy from the content store, and to delete from the site. */
  mediaPut: string[];
  mediaDelete: string[];
  /** Article hashes whose page is written from their record. */
  pages: string[];
  /** Group names to build from the state and write. */
  groups: string[];
  /** Site keys to delete (old pages, the files of groups that are gone). */
  delete: string[];
}

/** A state write: the body, or null to delete; `expect` is the ETag it replaces ('*': the key is new). */
export interface StateWrite {
  key: string;
  body: string | null;
  expect: string;
}

export interface Recheck {
  /** A journal's or an intent's key in the state. */
  key: string;
  after: string;
}

/** Site keys about to be written or deleted outside a cycle's journal (a reconcile, a rebuild's pages and groups). */
export interface Intent {
  site: string[];
}

export interface Journal {
  generation: number;
  state: StateWrite[];
  site: SiteActions;
}

/** A full rebuild's rendered articles, a batch at a time (see rebuild.ts). */
export interface RebuildBatch {
  records: ArticleRecord[];
}

/** State that is there but not what this version wrote: treated as lost, never as a crash. */
export class StateError extends LocatedError {
  override name = 'StateError';
}

type Check = (value: unknown) => boolean;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => Number.isInteger(v);
const strings = (v: unknown): boolean => Array.isArray(v) && v.every(isString);
const isEntry = (v: unknown): boolean => isObject(v) && isString(v.h) && isString(v.p) && isString(v.id);

const isArticle = (v: unknown): boolean =>
  isObject(v) &&
  isString(v.file) &&
  isString(v.slug) &&
  isString(v.url) &&
  isString(v.id) &&
  isString(v.title) &&
  isString(v.summary) &&
  isString(v.html) &&
  isObject(v.published) &&
  isString(v.published.iso) &&
  strings(v.tags) &&
  Array.isArray(v.authors);

const isRecheck = (v: unknown): boolean =>
  v === undefined || (Array.isArray(v) ? v.every((r) => isObject(r) && isString(r.key) && isString(r.after)) : isObject(v) && isString(v.journal) && isString(v.after));

const isTimelineDir = (v: unknown): boolean =>
  isObject(v) && isInt(v.next) && isInt(v.count) && Array.isArray(v.chunks) && v.chunks.every((r) => isObject(r) && isInt(r.c) && isInt(r.n) && isEntry(r.last));

export const CHECKS = {
  record: (v: unknown) => isObject(v) && isString(v.key) && isString(v.etag) && typeof v.public === 'boolean' && isArticle(v.article) && (v.seq === undefined || isInt(v.seq)),
  head: (v: unknown) => isObject(v) && v.v === STATE_VERSION && isString(v.settings) && isInt(v.generation) && isInt(v.nextSeq) && isInt(v.nextTagSeq) && isInt(v.public) && isRecheck(v.recheck),
  timelineDir: isTimelineDir,
  tagDir: (v: unknown) => isTimelineDir(v) && isObject(v) && isString(v.name) && isInt(v.seq) && (v.spellings === undefined || (isObject(v.spellings) && Object.values(v.spellings).every(isInt))),
  chunk: (v: unknown) => Array.isArray(v) && v.every(isEntry),
  archivePage: (v: unknown) => isObject(v) && Array.isArray(v.members) && v.members.every(isEntry),
  sitemapShard: (v: unknown) => isObject(v) && Array.isArray(v.urls) && v.urls.every((u) => isObject(u) && isString(u.h) && isString(u.loc) && isString(u.lastmod)),
  tagShard: (v: unknown) => isObject(v) && strings(v.slugs),
  media: (v: unknown) => isObject(v) && isString(v.key) && isString(v.etag) && strings(v.users),
  schedule: (v: unknown) => isObject(v) && Array.isArray(v.drafts) && Array.isArray(v.embargoed) && Array.isArray(v.expiring),
  slug: (v: unknown) => isObject(v) && isString(v.key) && (v.waiting === undefined || (Array.isArray(v.waiting) && v.waiting.every(isString))),
  group: (v: unknown) => isObject(v) && isObject(v.files),
  journal: (v: unknown) => isObject(v) && isInt(v.generation) && Array.isArray(v.state) && isObject(v.site),
  intent: (v: unknown) => isObject(v) && strings(v.site),
  batch: (v: unknown) => isObject(v) && Array.isArray(v.records),
  news: (v: unknown) => isObject(v) && Array.isArray(v.items) && v.items.every((i) => isEntry(i) && isObject(i) && isString(i.loc) && isString(i.title)),
} satisfies Record<string, Check>;

/** Parse a state object, or throw StateError naming it: a truncated or foreign object is never trusted. */
export function parseState<T>(key: string, bytes: Uint8Array | string, check: Check): T {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new StateError(key, 'is not JSON (truncated or overwritten?)', { cause: err });
  }
  if (!check(value)) throw new StateError(key, 'does not have the shape this version of wirefeed writes');
  return value as T;
}

/** The rechecks a head asks for, in either of the shapes heads have had. */
export function rechecksOf(head: Pick<Head, 'recheck'>): Recheck[] {
  const r = head.recheck;
  if (r === undefined) return [];
  return Array.isArray(r) ? r : [{ key: r.journal, after: r.after }];
}

export const emptySchedule = (): Schedule => ({ drafts: [], embargoed: [], expiring: [] });
