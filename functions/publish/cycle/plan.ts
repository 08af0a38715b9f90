import { tagSlug } from '../../core/article/tags.ts';

import { mapLimit } from '../../core/concurrency.ts';

import { type GroupId, groupFiles, groupName, groupOrder, MAIN_TIMELINE, SITEMAP_SHARD_SIZE, tagTimeline } from '../../core/keys.ts';

import type { Settings } from '../../core/settings.ts';

import { type Entry, type Head, STATE, type TagDir, timelineDir } from '../../core/state/state.ts';

import { newest } from '../../core/state/timeline.ts';

import type { Applied } from './apply.ts';

import type { StateView } from './state-view.ts';

/** Complete archive pages (published as RFC 5005 archive documents): every place in them is given out. */
export const completePages = (head: Pick<Head, 'nextSeq'>, settings: Settings): number => Math.floor(head.nextSeq / settings.feedSize);
/** Archive pages published: the complete ones, and the newest incomplete one when it must be (Head.openArchive). */
export const publishedPages = (head: Pick<Head, 'nextSeq' | 'openArchive'>, settings: Settings): number => completePages(head, settings) + (head.openArchive ? 1 : 0);
export const articleShards = (head: Pick<Head, 'nextSeq'>): number => Math.max(1, Math.ceil(head.nextSeq / SITEMAP_SHARD_SIZE));
export const tagShards = (head: Pick<Head, 'nextTagSeq'>): number => Math.ceil(head.nextTagSeq / SITEMAP_SHARD_SIZE);

/** Each touched timeline's newest feed_size articles, before and after this cycle's changes. */
export interface Tops {
  before: Map<string, string[]>;
  after: Map<string, string[]>;
  /** Groups whose feeds show an article of a tag this cycle gave a new title (their categories name it). */
  retitled?: GroupId[];
}

export async function loadTops(view: StateView, timelines: Iterable<string>, settings: Settings, concurrency: number): Promise<Tops> {
  const tops: Tops = { before: new Map(), after: new Map(), retitled: [] };
  const retitled: string[] = [];
  await mapLimit([...timelines], concurrency, async (name) => {
    const before = await view.base(timelineDir(name));
    const after = await view.read(timelineDir(name));
    const hs = (entries: Entry[]) => entries.map((e) => e.h);
    tops.before.set(name, before ? hs(await newest(before, settings.feedSize, (c) => view.base(STATE.timelineChunk(name, c)).then((x) => x ?? []))) : []);
    tops.after.set(name, after ? hs(await newest(after, settings.feedSize, (c) => view.read(STATE.timelineChunk(name, c)).then((x) => x ?? []))) : []);
    if (name !== MAIN_TIMELINE && before && after && (before as TagDir).name !== (after as TagDir).name) retitled.push(name.slice(tagTimeline('').length));
  });
  const reached = new Map<string, GroupId>();
  for (const slug of retitled.sort()) for (const id of await showing(view, slug, tops.after.get(MAIN_TIMELINE) ?? [], settings, concurrency)) reached.set(groupName(id), id);
  tops.retitled = orderGroups(reached.values());
  return tops;
}

/**
 * The groups whose feeds show an article of tag `slug` (each item's categories carry the tag's title):
 * the site's feeds when one is among their newest, each archive page holding one, each other tag whose
 * newest include one. Read when a tag's title changes (its spelling most articles use changed), which is
 * rare: it reads every article of that tag once, so an incremental publish leaves no feed with the old
 * title and agrees with a full rebuild. The tag's own feeds are rebuilt anyway (the plan's tagsAdded).
 */
async function showing(view: StateView, slug: string, mainTop: readonly string[], settings: Settings, concurrency: number): Promise<GroupId[]> {
  const name = tagTimeline(slug);
  const dir = await view.read(timelineDir(name));
  if (!dir) return [];
  const chunks = await mapLimit(dir.chunks, concurrency, async (ref) => (await view.read(STATE.timelineChunk(name, ref.c))) ?? []);
  const tagged = new Set(chunks.flat().map((e) => e.h));
  const ids: GroupId[] = [];
  if (mainTop.some((h) => tagged.has(h))) ids.push({ kind: 'main' });
  const pages = new Set<number>();
  const others = new Set<string>();
  await mapLimit([...tagged], concurrency, async (h) => {
    // Read and let go: a tag can hold thousands of articles, each record with its whole HTML.
    const record = await view.readOnce(STATE.record(h));
    if (!record) return;
    if (record.seq !== undefined) pages.add(Math.floor(record.seq / settings.feedSize) + 1);
    for (const t of record.article.tags) others.add(tagSlug(t));
  });
  for (const n of pages) ids.push({ kind: 'archive', n });
  others.delete(slug);
  await mapLimit([...others], concurrency, async (other) => {
    const otherName = tagTimeline(other);
    const otherDir = await view.read(timelineDir(otherName));
    if (!otherDir) return;
    const top = await newest(otherDir, settings.feedSize, async (c) => (await view.read(STATE.timelineChunk(otherName, c))) ?? []);
    if (top.some((e) => tagged.has(e.h))) ids.push({ kind: 'tag', slug: other });
  });
  return ids;
}

export interface Plan {
  /** Groups to build, in the order they are written. */
  groups: GroupId[];
  /** Site keys no longer produced: the files of tags that are gone, and of an open archive page no longer published. */
  deletes: Set<string>;
  /**
   * The groups those files are of: their records go with them, so a group that comes back (the open page
   * published again) is written whole, not compared with files the site no longer has.
   */
  gone: GroupId[];
}

/**
 * Which output groups this cycle's changes make stale. Pure: a feed is rebuilt when its newest articles
 * are not the same ones, or one of them changed, or (the site's feeds) a new archive page completed;
 * an archive page or sitemap shard when one of its own articles changed, or when it is new; the news
 * sitemap when its index changed (`newsChanged`, from refreshNews: the clock moves it too).
 */
export function planGroups(applied: Applied, tops: Tops, before: Head, settings: Settings, newsChanged = false): Plan {
  const stale = new Map<string, GroupId>();
  const add = (id: GroupId) => stale.set(groupName(id), id);
  const deletes = new Set<string>();
  const gone: GroupId[] = [];
  const drop = (id: GroupId) => {
    gone.push(id);
    for (const key of groupFiles(id)) deletes.add(key);
  };
  const after = applied.head;
  const changedTop = (name: string) => {
    const b = tops.before.get(name) ?? [];
    const a = tops.after.get(name) ?? [];
    return b.length !== a.length || b.some((h, i) => h !== a[i]) || a.some((h) => applied.changed.has(h));
  };
  if (applied.timelines.has(MAIN_TIMELINE) && changedTop(MAIN_TIMELINE)) add({ kind: 'main' });
  const publishedBefore = publishedPages(before, settings);
  const published = publishedPages(after, settings);
  if (publishedBefore !== published) add({ kind: 'main' });
  for (const name of applied.timelines) {
    if (name === MAIN_TIMELINE) continue;
    const slug = name.slice(tagTimeline('').length);
    if (applied.tagsRemoved.has(slug)) {
      drop({ kind: 'tag', slug });
      continue;
    }
    if (applied.tagsAdded.has(slug) || changedTop(name)) add({ kind: 'tag', slug });
  }
  for (const n of applied.archivePages) if (n <= published) add({ kind: 'archive', n });
  for (let n = publishedBefore + 1; n <= published; n++) add({ kind: 'archive', n });
  // The page that was or becomes the newest gains or loses its next-archive link (RFC 5005).
  const newestBefore = Math.min(publishedBefore, published);
  if (newestBefore >= 1 && publishedBefore !== published) add({ kind: 'archive', n: newestBefore });
  // The open page stops being needed (its stray article went, or the feeds caught up): its files go.
  for (let n = published + 1; n <= publishedBefore; n++) drop({ kind: 'archive', n });
  for (const n of applied.sitemapShards) add({ kind: 'sitemap-articles', n });
  for (let n = articleShards(before) + 1; n <= articleShards(after); n++) add({ kind: 'sitemap-articles', n });
  for (const n of applied.tagShards) add({ kind: 'sitemap-tags', n });
  if (articleShards(before) !== articleShards(after) || tagShards(before) !== tagShards(after)) add({ kind: 'sitemap' });
  if (newsChanged) add({ kind: 'news' });
  // A tag's new title reaches every feed that shows one of its articles (published archive pages only).
  for (const id of tops.retitled ?? []) if (id.kind !== 'archive' || id.n <= published) add(id);
  return { groups: orderGroups(stale.values()), deletes, gone };
}

/**
 * Whether the newest, incomplete archive page must be published: it must when one of its articles is not
 * among the site feed's newest (`mainTop`), or that article would be in no document of the history.
 */
export function needsOpenArchive(head: Pick<Head, 'nextSeq'>, settings: Settings, openMembers: readonly { h: string }[], mainTop: readonly string[]): boolean {
  if (head.nextSeq % settings.feedSize === 0) return false;
  const top = new Set(mainTop);
  return openMembers.some((m) => !top.has(m.h));
}

export function orderGroups(ids: Iterable<GroupId>): GroupId[] {
  return [...ids].sort(compareGroups);
}

/** The order groups are written in: by kind (groupOrder), then by name. */
export function compareGroups(a: GroupId, b: GroupId): number {
  return groupOrder(a) - groupOrder(b) || (groupName(a) < groupName(b) ? -1 : groupName(a) > groupName(b) ? 1 : 0);
}

/** Every group the state produces: what a rebuild writes and a reconcile expects. */
export function allGroups(head: Head, settings: Settings, tagSlugs: readonly string[]): GroupId[] {
  const ids: GroupId[] = [{ kind: 'static' }, { kind: 'sitemap' }, { kind: 'news' }, { kind: 'main' }];
  for (let n = 1; n <= articleShards(head); n++) ids.push({ kind: 'sitemap-articles', n });
  for (let n = 1; n <= tagShards(head); n++) ids.push({ kind: 'sitemap-tags', n });
  for (let n = 1; n <= publishedPages(head, settings); n++) ids.push({ kind: 'archive', n });
  for (const slug of tagSlugs) ids.push({ kind: 'tag', slug });
  return orderGroups(ids);
}
