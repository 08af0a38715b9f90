import type { FeedCheckError } from '../../core/errors.ts';
import { groupName, MAIN_TIMELINE } from '../../core/keys.ts';
import type { Settings } from '../../core/settings.ts';
import { type Head, type Journal, noteTouched, STATE } from '../../core/state/state.ts';
import type { Stores } from '../../stores/store.ts';
import type { CycleContext, CycleResult } from '../context.ts';
import { applyStateWrites, commitJournal } from '../protocol/commit.ts';
import { ask, writeRequest } from '../protocol/requests.ts';
import { applyOutcomes, loadForApply } from './apply.ts';
import { buildGroups, buildPages } from './build.ts';
import { refreshNews } from './news.ts';
import { completePages, loadTops, needsOpenArchive, planGroups } from './plan.ts';
import { readOutcomes } from './read.ts';
import { StateView } from './state-view.ts';
import { isEmptyWork, type SiteWork, writeInOrder } from './write.ts';

/**
 * One incremental cycle, as its phases: read the named articles, apply what was found to the state
 * (pure), plan the stale groups (pure), build pages and groups from the state, commit the journal,
 * then write the state and the site in order. Nothing reaches the site before the commit, and every
 * write after it is something the next holder would redo from the journal if this one died.
 */
export async function runCycle(io: Stores, ctx: CycleContext, keys: readonly string[], head: Head, headEtag: string): Promise<CycleResult & { head: Head; etag: string }> {
  const view = new StateView(io.state);
  const outcomes = await readOutcomes(io.content, view, keys, ctx);
  await loadForApply(view, outcomes, ctx, head);
  const applied = applyOutcomes(view, outcomes, ctx, head);
  const tops = await loadTops(view, new Set([...applied.timelines, MAIN_TIMELINE]), ctx.settings, ctx.concurrency);
  applied.head = await withOpenArchive(view, applied.head, ctx.settings, tops.after.get(MAIN_TIMELINE) ?? []);
  // The news sitemap follows the clock as well as the content: articles age out of its two days.
  const news = await refreshNews(view, { changed: applied.changed, mainTouched: applied.timelines.has(MAIN_TIMELINE) }, ctx.now);
  const plan = planGroups(applied, tops, head, ctx.settings, news);
  const pages = buildPages(view, applied.pages, ctx.settings);
  const feedFailures: FeedCheckError[] = [];
  const built = await buildGroups(view, plan.groups, ctx.settings, applied.head, ctx.concurrency, false, feedFailures);
  // The records of groups whose files go (tags that are gone, an open archive page no longer published) go with them.
  for (const id of plan.gone) {
    const key = STATE.group(groupName(id));
    await view.base(key);
    view.stage(key, null);
  }
  const work: SiteWork = {
    mediaPut: [...applied.mediaPut].sort(),
    mediaDelete: [...applied.mediaDelete].sort(),
    pages,
    groups: built.map((g) => ({ id: g.id, files: new Map(g.changed.map((key) => [key, g.files.get(key) as string])) })),
    deletes: [...new Set([...applied.deletes, ...plan.deletes])].sort(),
  };
  const writes = view.writes();
  const result = { full: false, rendered: applied.rendered, rejected: applied.rejected, feedFailures, notices: applied.notices };
  if (writes.length === 0 && isEmptyWork(work)) return { ...result, written: [], deleted: [], head, etag: headEtag };

  const journal: Journal = {
    generation: head.generation + 1,
    state: writes,
    site: {
      mediaPut: work.mediaPut,
      mediaDelete: work.mediaDelete,
      pages: [...applied.pages.keys()].sort(),
      groups: plan.groups.map(groupName),
      deletes: work.deletes,
    },
  };
  ctx.lease.check();
  // Files refused for a slug or id this cycle lets go: a request before the commit, so no crash can lose them.
  if (applied.requeue.size > 0) await writeRequest(io.state, ask.keys([...applied.requeue].sort()));
  // A rebuild under way learns which files this publish changed: its batches stand for every other one.
  const committed = await commitJournal(io.state, noteTouched(applied.head, writes), headEtag, journal);
  await applyStateWrites(io.state, writes, false, ctx.concurrency);
  const { written, deleted } = await writeInOrder(io.site, io.content, work, ctx.concurrency);
  // Done: a head naming a journal that is gone means its cycle finished.
  await io.state.delete(committed.journalKey);
  return { ...result, written, deleted, head: committed.head, etag: committed.etag };
}

/** The head with `openArchive` decided from the open page as this cycle leaves it. */
async function withOpenArchive(view: StateView, head: Head, settings: Settings, mainTop: readonly string[]): Promise<Head> {
  const page = await view.read(STATE.archivePage(completePages(head, settings) + 1));
  const { openArchive: _was, ...rest } = head;
  return needsOpenArchive(head, settings, page?.members ?? [], mainTop) ? { ...rest, openArchive: true } : rest;
}
