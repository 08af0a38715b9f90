import { mapLimit } from '../../core/concurrency.ts';
import { type ArticleError, type FeedCheckError, type Notice, SettingsError } from '../../core/errors.ts';
import { settingsHash } from '../../core/hash.ts';
import { ARTICLES_PREFIX, type GroupId, groupName, isManagedSiteKey, KEYS, keyHash, pageKey, parseGroupName } from '../../core/keys.ts';
import { headersFor } from '../../core/output/objects.ts';
import { articlePage } from '../../core/output/pages.ts';
import { parseSettings, type Settings } from '../../core/settings.ts';
import {
  type ArticleRecord,
  type FanItem,
  type FanPhase,
  type Head,
  listedAs,
  type MediaRef,
  type RebuildPlan,
  type RebuildProgress,
  readState,
  STATE,
  STATE_VERSION,
  StateError,
  stateInFlux,
  tagSlugsListed,
  trustedFile,
} from '../../core/state/state.ts';
import type { Store, Stores } from '../../stores/store.ts';
import type { CycleContext, CycleResult } from '../context.ts';
import { buildGroups } from '../cycle/build.ts';
import { allGroups, compareGroups } from '../cycle/plan.ts';
import { StateView } from '../cycle/state-view.ts';
import { applyStateWrites, writeHead } from '../protocol/commit.ts';
import { withIntent, writeNamed } from '../protocol/intents.ts';
import { mediaListed, producedKeys } from '../protocol/repair.ts';
import { FAN_OUT_MS, type FanOut, fanned, planFan, recordsFanned } from './fan-out.ts';
import { index, readBatch } from './index.ts';
import { readPlan, unchangedRecords, writeRecords } from './records.ts';
import { renderBatch } from './render.ts';

/**
 * The full rebuild: when there is no state (a first publish, or state that could not be read), when the
 * settings or the renderer changed, and on demand. It is work in steps, each committed as a checkpoint in
 * the head (`head.rebuild`), so that a rebuild of any size finishes through a chain of holders, each doing
 * what its time allows and the next going on from the last checkpoint, never from nothing:
 *
 * 1. render: article files in key order, a batch at a time, into rebuild/<n>.json (records with their
 *    HTML); the checkpoint is the last file rendered. The current state is untouched, so incremental
 *    publishes go on meanwhile (publish.ts), with the settings it was built with;
 * 2. index: from the batches' metadata alone, first-publication places, every timeline, archive page,
 *    sitemap shard, tag, media reference and slug claim, and the plan of which record each batch gives;
 * 3. records: each batch's records at their own keys, with their claims, and their pages, while the article
 *    is in hand; then the state is whole again and the new settings are kept with it;
 * 4. site: published media, then every group from the state, one checkpoint each (archive pages one at a
 *    time, so memory holds one page of articles); incremental publishes go on meanwhile, on the new state
 *    with the new settings; then a reconcile deletes whatever nothing produces, and the head lets the
 *    rebuild go.
 *
 * What changed in the content behind the cursor while it ran is found by the scan the publish queues after
 * a rebuild that spanned holders. A settings change during a rebuild starts it over.
 */
export interface RebuildOptions {
  /** Article files per batch: each batch is one checkpoint. */
  batchSize: number;
  /** True when the holder should stop at the next checkpoint (its time is nearly up). */
  outOfTime: () => boolean;
  /** site.yaml as this holder read it: kept with the state once its records are written. */
  siteYaml: string;
  /** Where the render step of a large archive is fanned out (the state machine); none: the chain renders every batch. */
  fanOut?: FanOut;
}

export const REBUILD_BATCH = 256;

/** Groups of the site step made ahead of the one being written (each holds at most a feed's worth of articles). */
const GROUPS_AHEAD = 3;

/** `madeUp`: the fan-out's batches this holder made, the fan-out having failed them (their files named by their bounds), with their step. */
export type RebuildResult = CycleResult & { head: Head; etag: string; resumed: boolean; done: boolean; madeUp: (FanItem & { phase: FanPhase })[] };

export async function rebuild(io: Stores, ctx: CycleContext, prior: { head?: Head; etag?: string }, options: RebuildOptions): Promise<RebuildResult> {
  const target = settingsHash(ctx.settings);
  const resumed = prior.head?.rebuild?.settings === target;
  // A first publish has no old version of any file: the render step reads none (a GET per article saved).
  const fresh = !resumed && (await io.state.list(STATE.records, { ...KEYS, limit: 1 })).length === 0;
  let head = resumed ? (prior.head as Head) : begin(prior.head, target, fresh);
  let etag = resumed ? (prior.etag as string) : await writeHead(io.state, head, prior.etag);
  const rejected: ArticleError[] = [];
  const notices: Notice[] = [];
  const feedFailures: FeedCheckError[] = [];
  const written: string[] = [];
  const madeUp: RebuildResult['madeUp'] = [];
  let rendered = 0;
  let worked = false; // every holder gets somewhere, however little time it was given
  const checkpoint = async (progress: Partial<RebuildProgress>, from: Head = head) => {
    head = { ...from, rebuild: { ...(head.rebuild as RebuildProgress), ...progress } };
    etag = await writeHead(io.state, head, etag);
    worked = true;
  };
  const result = (done: boolean): RebuildResult => ({ full: true, rendered, rejected, feedFailures, notices, written: written.sort(), deleted: [], head, etag, resumed, done, madeUp });
  const stop = () => worked && options.outOfTime();

  if (progress(head).step === 'render') {
    const { cursor, fan } = progress(head);
    if (fan) {
      // The fan-out's children make the batches; the holder waits for them, and makes up what they did not.
      const made = await fanned(io, ctx, progress(head), options.fanOut, rejected, options.outOfTime);
      rendered += made.made;
      madeUp.push(...made.madeUp.map((item) => ({ ...item, phase: 'render' as const })));
      if (!made.done) return result(false);
    } else {
      // With their ETags, unless there is no old version to compare them with (a first publish).
      const listed = await io.content.list(ARTICLES_PREFIX, { ...(progress(head).fresh ? KEYS : {}), ...(cursor !== undefined ? { startAfter: cursor } : {}) });
      const keys = listed.map((i) => i.key);
      if (cursor === undefined && options.fanOut && keys.length >= options.fanOut.minFiles) {
        const run = `g${head.generation}-${ctx.now.getTime().toString(36)}`;
        const items = planFan(keys, options.batchSize);
        await io.state.put(STATE.fanItems(run), JSON.stringify(items), headersFor(STATE.fanItems(run)));
        await checkpoint({ fan: { run, batches: items.length, until: new Date(ctx.now.getTime() + FAN_OUT_MS).toISOString() } });
        await options.fanOut.start(run, STATE.fanItems(run), 'render');
        return result(false);
      }
      const etags = new Map(listed.map((i) => [i.key, i.etag]));
      for (let at = 0; at < keys.length; at += options.batchSize) {
        if (stop()) return result(false);
        await ctx.lease.keep();
        const slice = keys.slice(at, at + options.batchSize);
        const n = progress(head).batches + 1;
        rendered += await renderBatch(io, ctx, n, slice, etags, progress(head), rejected);
        await checkpoint({ cursor: slice.at(-1) as string, batches: n });
      }
    }
    // Nothing more is parsed in this rebuild: the render threads' memory goes before the index step's comes.
    await ctx.releaseParse?.();
    // From here the state is remade: it answers to the new settings, and serves no incremental publish.
    await checkpoint({ step: 'index', ...(fan ? { batches: fan.batches } : {}) }, { ...head, settings: target });
  }
  if (progress(head).step === 'index') {
    if (stop()) return result(false);
    const indexed = await index(io, ctx, progress(head).batches, head, rejected, notices);
    await checkpoint({ step: 'records', batches: indexed.batches, done: 0 }, indexed.head);
  }
  if (progress(head).step === 'records') {
    const { fan, batches } = progress(head);
    if (fan && options.fanOut && fan.records === undefined && progress(head).done === 0) {
      // A fanned-out render step's archive: its records step is fanned out too, a batch an item.
      const items: FanItem[] = Array.from({ length: batches }, (_, i) => ({ n: i + 1 }));
      await io.state.put(STATE.fanItems(fan.run, 'records'), JSON.stringify(items), headersFor(STATE.fanItems(fan.run, 'records')));
      await checkpoint({ fan: { ...fan, records: new Date(ctx.now.getTime() + FAN_OUT_MS).toISOString() } });
      await options.fanOut.start(fan.run, STATE.fanItems(fan.run, 'records'), 'records');
      return result(false);
    }
    if (fan?.records !== undefined) {
      const made = await recordsFanned(io, ctx, progress(head), options.fanOut, options.outOfTime);
      written.push(...made.written);
      madeUp.push(...made.madeUp.map((item) => ({ ...item, phase: 'records' as const })));
      if (!made.done) return result(false);
      await checkpoint({ done: batches });
    }
    const plan = await readPlan(io);
    for (let n = progress(head).done + 1; n <= progress(head).batches; n++) {
      if (stop()) return result(false);
      await ctx.lease.keep();
      written.push(...(await writeRecords(io, ctx, n, plan, progress(head))));
      await checkpoint({ done: n });
    }
    // The state is whole again, under the new settings, which are kept with it: from the site step on it
    // serves incremental publishes (publish.ts), and a settings change from here keeps it serving.
    await io.state.put(STATE.served, JSON.stringify({ yaml: options.siteYaml, fingerprint: target }), headersFor(STATE.served));
    // `from` and `touched` stay while the records step left unchanged records as they were: their pages are the site step's
    const { cursor: _rendered, from, touched, ...records } = progress(head);
    head = { ...head, rebuild: { ...records, ...(from !== undefined && touched !== 'all' ? { from, ...(touched ? { touched } : {}) } : {}) } };
    await checkpoint({ step: 'site', done: 0 });
  }
  // The site: the pages of unchanged records, a batch at a time (done: 1 ... batches), published media (done:
  // batches + 1), then each group in order (the cursor names the last written, so a tag that publishes
  // meanwhile add or remove moves no other group's turn), then the reconcile.
  const view = new StateView(io.state);
  const { batches, from } = progress(head);
  if (from !== undefined && progress(head).done < batches) {
    const plan = await readPlan(io);
    for (let n = progress(head).done + 1; n <= batches; n++) {
      if (stop()) return result(false);
      await ctx.lease.keep();
      written.push(...(await writeUnchangedPages(io, ctx, n, plan, progress(head))));
      await checkpoint({ done: n });
    }
  }
  if (progress(head).done <= batches) {
    if (stop()) return result(false);
    await ctx.lease.keep();
    // Listed before the media are written: a file added after them is a change the next scan reconciles for.
    const media = await mediaListed(io.content);
    written.push(...(await writeMedia(io, ctx, view)));
    await checkpoint({ done: batches + 1, media });
  }
  const last = progress(head).cursor === undefined ? undefined : parseGroupName(progress(head).cursor as string);
  const groups = allGroups(head, ctx.settings, tagSlugsListed(await io.state.list(STATE.timelines, KEYS))).filter((id) => last === undefined || compareGroups(id, last) > 0);
  const titles = new Map<string, string>(); // each tag's title, read once for every group that shows it
  // The next GROUPS_AHEAD groups are read and made while one is written: through S3 a group's reads, feeds and
  // writes no longer wait on each other (the site step of a 1,000-article rebuild through s3rver, medians of
  // three: 7.5 -> 6.8 s, and of a first publish 6.6 -> 5.4 s). Only reads are made ahead: each group is still
  // written and checkpointed in its turn, and nothing but the rebuild writes the state meanwhile (it holds the
  // lease; cycles run before it), so what was read ahead still holds.
  const make = (id: GroupId) => {
    const view = new StateView(io.state);
    const failed: FeedCheckError[] = [];
    const built = buildGroups(view, [id], ctx.settings, head, ctx.concurrency, true, failed, titles);
    built.catch(() => {}); // awaited in its turn, or settled and dropped when the holder stops
    return { id, view, failed, built };
  };
  const ahead = groups.slice(0, GROUPS_AHEAD).map(make);
  for (let at = 0; at < groups.length; at++) {
    if (stop()) {
      await Promise.allSettled(ahead.map((a) => a.built)); // no read of this holder outlives it
      return result(false);
    }
    await ctx.lease.keep();
    const { id, view: groupView, failed, built: building } = ahead.shift() as ReturnType<typeof make>;
    const next = groups[at + GROUPS_AHEAD];
    if (next) ahead.push(make(next));
    const [built] = await building;
    feedFailures.push(...failed);
    if (built) {
      written.push(...(await writeNamed(io, { mediaPut: [], mediaDelete: [], pages: new Map(), groups: [{ id, files: built.files }], deletes: [] }, ctx.concurrency)).written);
      // Conditional on the versions read, as a cycle's: a holder whose lease has gone cannot land a stale manifest.
      await applyStateWrites(io.state, groupView.writes(), false, ctx.concurrency);
    }
    await checkpoint({ cursor: groupName(id) });
  }
  const produced = await producedKeys(view, head, ctx.settings, ctx.concurrency);
  const extra = (await io.site.list('', KEYS)).map((i) => i.key).filter((key) => isManagedSiteKey(key) && !produced.has(key));
  await withIntent(io.state, extra, () => mapLimit(extra, ctx.concurrency, (key) => io.site.delete(key)));
  // The batches go before the head lets go (a holder cut off here leaves a head that finishes again, not garbage).
  await mapLimit(
    (await io.state.list(STATE.rebuildBatches, KEYS)).map((i) => i.key),
    ctx.concurrency,
    (key) => io.state.delete(key),
  );
  const { rebuild: done, ...finished } = head;
  head = { ...finished, generation: head.generation + 1, reconciled: ctx.now.toISOString(), ...(done?.media !== undefined ? { media: done.media } : {}) };
  etag = await writeHead(io.state, head, etag);
  return { ...result(true), deleted: extra.sort() };
}

/**
 * The settings the current state was built with, as site.yaml said then, while the head still has their
 * fingerprint (a new renderer changes the fingerprint but not the yaml: the state still serves); undefined
 * when not kept, no longer readable, or not this state's.
 */
export async function servedSettings(state: Store, head: Head, siteUrl: string | undefined): Promise<Settings | undefined> {
  const object = await state.get(STATE.served);
  if (!object) return undefined;
  try {
    const served = readState(STATE.served, object.body);
    return served.fingerprint === head.settings ? parseSettings(Buffer.from(served.yaml), siteUrl) : undefined;
  } catch (err) {
    if (err instanceof StateError || err instanceof SettingsError) return undefined;
    throw err;
  }
}

const progress = (head: Head): RebuildProgress => head.rebuild as RebuildProgress;

/**
 * A new rebuild's head. While the current state is whole (no rebuild was remaking it), it keeps serving:
 * its settings and counters stay until the index step. Otherwise the rebuild starts from an empty state.
 */
function begin(prior: Head | undefined, target: string, fresh: boolean): Head {
  const rebuild: RebuildProgress = { step: 'render', settings: target, batches: 0, done: 0, ...(fresh ? { fresh } : {}) };
  if (prior && !stateInFlux(prior) && prior.settings !== '') return { ...prior, rebuild: { ...rebuild, from: prior.generation } };
  if (prior && !stateInFlux(prior)) return { ...prior, rebuild };
  return {
    v: STATE_VERSION,
    settings: '', // no settings: an empty or half-remade state serves nothing until the rebuild is done
    generation: (prior?.generation ?? 0) + 1,
    nextSeq: 0,
    nextTagSeq: 0,
    public: 0,
    rebuild,
    ...(prior?.recheck ? { recheck: prior.recheck } : {}),
  };
}

/**
 * The site step's pages of batch n's unchanged records (their records were left as they were). Made from the
 * batch, but for a file a publish has changed since the render step: from the record the state has now (the
 * publish may have edited, moved or taken down the article, and written its page itself).
 */
async function writeUnchangedPages(io: Stores, ctx: CycleContext, n: number, plan: RebuildPlan, progress: RebuildProgress): Promise<string[]> {
  const batch = await readBatch(io, STATE.rebuildBatch(n, progress.fan?.run));
  const unchanged = [...unchangedRecords(batch, plan, n, () => true)];
  const view = new StateView(io.state);
  const current = await mapLimit(unchanged, ctx.concurrency, async (r) => (trustedFile(progress, keyHash(r.key)) ? r : await view.read(STATE.record(keyHash(r.key)))));
  const records = current.filter((r): r is ArticleRecord => r?.public === true);
  const pages = records.map((r) => pageKey(r.article.slug));
  await withIntent(io.state, pages, () => mapLimit(records, ctx.concurrency, (r) => io.site.put(pageKey(r.article.slug), articlePage(r.article, ctx.settings), headersFor(pageKey(r.article.slug)))));
  return pages;
}

/** Every lead image a public article uses, copied to the site. */
async function writeMedia(io: Stores, ctx: CycleContext, view: StateView): Promise<string[]> {
  const refs = (await io.state.list(STATE.mediaRefs, KEYS)).map((i) => listedAs(STATE.media, i.key));
  const media = (await mapLimit(refs, ctx.concurrency, (key) => view.read(key))).filter((r): r is MediaRef => r !== undefined && r !== null && r.users.length > 0).map((r) => r.key);
  return (await writeNamed(io, { mediaPut: media, mediaDelete: [], pages: new Map(), groups: [], deletes: [] }, ctx.concurrency)).written;
}
