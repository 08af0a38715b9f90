import { mapLimit } from '../../core/concurrency.ts';
import { hash } from '../../core/hash.ts';

import {
  FRONT_PAGE,
  type GroupId,
  groupFiles,
  groupName,
  groupOfSiteKey,
  isManagedSiteKey,
  KEYS,
  keyHash,
  MEDIA_PREFIX,
  PAGES_PREFIX,
  pageKey,
  parseGroupName,
  slugOfPageKey,
  tagTimeline,
} from '../../core/keys.ts';

import { articlePage } from '../../core/output/pages.ts';

import type { Settings } from '../../core/settings.ts';

import { type Head, type Journal, listedAs, readState, type SiteActions, STATE, tagSlugsListed, timelineDir } from '../../core/state/state.ts';

import type { Store, Stores } from '../../stores/store.ts';

import type { CycleContext } from '../context.ts';

import { buildGroup } from '../cycle/build.ts';

import { allGroups, articleShards, orderGroups, publishedPages, tagShards } from '../cycle/plan.ts';

import { StateView } from '../cycle/state-view.ts';

import { noSiteWork, type SiteWork, writeInOrder } from '../cycle/write.ts';

import { applyStateWrites } from './commit.ts';

import { writeNamed } from './intents.ts';

/** Read a journal, or undefined when it is gone (its cycle finished and deleted it). */
export async function readJournal(state: Store, key: string): Promise<Journal | undefined> {
  const object = await state.get(key);
  return object ? readState(listedAs(STATE.journal, key), object.body) : undefined;
}

/** Finish a committed cycle: its state writes, then its site writes rebuilt from that state. */
export async function replayJournal(io: Stores, ctx: Pick<CycleContext, 'settings' | 'concurrency'>, journal: Journal, head: Head): Promise<{ written: string[]; deleted: string[] }> {
  await applyStateWrites(io.state, journal.state, true, ctx.concurrency);
  const work = await materialize(new StateView(io.state), journal.site, ctx.settings, head, ctx.concurrency);
  return writeInOrder(io.site, io.content, work, ctx.concurrency);
}

/** A journal's site actions as bytes, from the state as it is now. */
async function materialize(view: StateView, actions: SiteActions, settings: Settings, head: Head, concurrency: number): Promise<SiteWork> {
  const work = noSiteWork();
  work.mediaPut = [...actions.mediaPut];
  work.mediaDelete = [...actions.mediaDelete];
  work.deletes = [...actions.deletes];
  for (const h of actions.pages) {
    const record = await view.read(STATE.record(h));
    if (record?.public) work.pages.set(pageKey(record.article.slug), articlePage(record.article, settings));
  }
  const ids = orderGroups(actions.groups.map(parseGroupName).filter((id): id is GroupId => id !== undefined));
  for (const id of ids) work.groups.push({ id, files: await buildGroup(view, id, settings, head, concurrency) });
  return work;
}

/**
 * Make these site keys what the state says now: rewrite what it produces, delete what it does not.
 * Used after a lease was taken over (the old holder's late writes, if any, are overwritten once its
 * time is surely up) and by the reconcile (for keys that are missing).
 */
export async function repairKeys(view: StateView, keys: Iterable<string>, settings: Settings, head: Head, concurrency: number): Promise<SiteWork> {
  const work = noSiteWork();
  const groups = new Map<string, GroupId>();
  const complete = publishedPages(head, settings);
  await mapLimit([...new Set(keys)], concurrency, async (key) => {
    const slug = slugOfPageKey(key);
    if (slug !== undefined) {
      const claim = await view.read(STATE.slug(slug));
      const record = claim && (await view.read(STATE.record(keyHash(claim.key))));
      if (record?.public && record.article.slug === slug) work.pages.set(key, articlePage(record.article, settings));
      else work.deletes.push(key);
      return;
    }
    if (key.startsWith(MEDIA_PREFIX)) {
      const ref = await view.read(STATE.media(key));
      if (ref && ref.users.length > 0) work.mediaPut.push(key);
      else work.deletes.push(key);
      return;
    }
    const id = groupOfSiteKey(key);
    const exists =
      id !== undefined &&
      (id.kind === 'main' ||
        id.kind === 'static' ||
        id.kind === 'sitemap' ||
        id.kind === 'news' ||
        (id.kind === 'archive' && id.n <= complete) ||
        (id.kind === 'sitemap-articles' && id.n <= articleShards(head)) ||
        (id.kind === 'sitemap-tags' && id.n <= tagShards(head)) ||
        (id.kind === 'tag' && (await view.read(timelineDir(tagTimeline(id.slug)))) !== undefined));
    if (id && exists) groups.set(groupName(id), id);
    else work.deletes.push(key);
  });
  for (const id of orderGroups(groups.values())) work.groups.push({ id, files: await buildGroup(view, id, settings, head, concurrency) });
  return work;
}

/** Every site key the state produces: group files, public pages, published media. The only O(archive) reads. */
export async function producedKeys(view: StateView, head: Head, settings: Settings, concurrency: number): Promise<Set<string>> {
  const tagSlugs = tagSlugsListed(await view.store.list(STATE.timelines, KEYS));
  const keys = new Set<string>();
  for (const id of allGroups(head, settings, tagSlugs)) {
    for (const key of groupFiles(id)) keys.add(key);
  }
  const shards = await mapLimit(
    Array.from({ length: articleShards(head) }, (_, i) => i + 1),
    concurrency,
    (n) => view.read(STATE.sitemapShard(n)),
  );
  const articles = new URL(PAGES_PREFIX, settings.url).href;
  for (const shard of shards) for (const u of shard?.urls ?? []) if (u.loc.startsWith(articles)) keys.add(pageKey(u.loc.slice(articles.length).replace(/\/$/, '')));
  const refs = await mapLimit(
    (await view.store.list(STATE.mediaRefs, KEYS)).map((i) => listedAs(STATE.media, i.key)),
    concurrency,
    (key) => view.read(key),
  );
  for (const ref of refs) if (ref && ref.users.length > 0) keys.add(ref.key);
  return keys;
}

/** How often a scan that does not ask for one reconciles the site anyway (a local build's "daily schedule"). */
export const RECONCILE_EVERY_MS = 24 * 60 * 60_000;

/** The content's media/ as listed now (keys and ETags), hashed: the head keeps it from the last reconcile. */
export async function mediaListed(content: Store): Promise<string> {
  return hash((await content.list(MEDIA_PREFIX)).map((info) => `${info.key} ${info.etag}`).join('\n'));
}

/**
 * Whether a scan that did not ask for a reconcile makes one: the last is a day old (or unknown), the site
 * has no front page (a new or emptied output folder), or the content's media/ changed since (an image added
 * for an article already published is put on the site by the reconcile). Listing the whole site on every
 * build made a no-op build O(archive); what a cycle publishes it writes and deletes itself, so the
 * reconcile only mends what was done to the site, or to media/, from outside.
 */
export async function reconcileDue(site: Store, head: Head, now: Date, media: string): Promise<boolean> {
  const since = now.getTime() - Date.parse(head.reconciled ?? '');
  if (!(since < RECONCILE_EVERY_MS) || head.media !== media) return true;
  return (await site.head(FRONT_PAGE)) === undefined;
}

/**
 * The reconcile: list the site, delete every managed key nothing produces (a page left by a lost state,
 * an old manifest, a tag feed of a tag that is gone), and write back every produced key that is missing.
 */
export async function reconcileSite(io: Stores, ctx: Pick<CycleContext, 'settings' | 'concurrency'>, head: Head): Promise<{ written: string[]; deleted: string[] }> {
  const { settings, concurrency } = ctx;
  const view = new StateView(io.state);
  const produced = await producedKeys(view, head, settings, concurrency);
  const listed = new Set((await io.site.list('', KEYS)).map((info) => info.key));
  const work = await repairKeys(
    view,
    [...produced].filter((key) => !listed.has(key)),
    settings,
    head,
    concurrency,
  );
  work.deletes.push(...[...listed].filter((key) => isManagedSiteKey(key) && !produced.has(key)));
  // Named first: a reconcile that stalls mid-write and lands late after a takeover is redone (intents.ts).
  return writeNamed(io, work, concurrency);
}
