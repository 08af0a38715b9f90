import type { ArticleError } from '../../core/errors.ts';
import { settingsHash } from '../../core/hash.ts';
import { ARTICLES_PREFIX, KEYS, SITE_FILE } from '../../core/keys.ts';
import { headersFor } from '../../core/output/objects.ts';
import { parseSettings } from '../../core/settings.ts';
import { type FanItem, type FanPhase, type RebuildPlan, type RebuildProgress, readState, STATE, StateError } from '../../core/state/state.ts';
import { compareKeys, type ObjectInfo, type Store, type Stores } from '../../stores/store.ts';
import type { CycleContext, Parse } from '../context.ts';
import { parseHere } from '../cycle/read.ts';
import { readPlan, writeRecords } from './records.ts';
import { renderBatch } from './render.ts';

/**
 * The render and records steps of a large archive's rebuild, fanned out (on AWS, the state machine's Distributed
 * Map): the holder that begins the rebuild writes the batches as items (rebuild/<run>/items.json) and starts the
 * fan-out; its children render batches into the run (`renderItems`), taking no lease, while holders go on
 * publishing incremental work on the current state and wait; once every batch is there the rebuild goes on from its
 * index step, as after a chain's render step. After the index step, the records step is fanned out the same way
 * (rebuild/<run>/records/items.json: `writeItems`), each batch's records, claims and pages being its own (the plan
 * gives every claim to one file); the state is being remade meanwhile, so no holder writes it. A child that failed
 * for good leaves its batches to the holder, which makes them once the step is over (the state machine writes its
 * end, rebuild/<run>/[records/]ended.json) or out of time.
 */
export interface FanOut {
  /** Archives of at least this many files have their render step fanned out; smaller ones render in the chain. */
  minFiles: number;
  /**
   * Start the fan-out of this run's step (`phase`) over these items (a state key). Idempotent by run and phase: a
   * holder that finds the step waiting starts it again.
   */
  start: (run: string, items: string, phase: FanPhase) => Promise<void>;
}

/**
 * How long a fan-out may take before the holders make its missing batches themselves: the state machine's
 * timeout (FAN_OUT_RUN_MS) and a Lambda's longest run, after which no child of it can still be writing.
 */
export const FAN_OUT_RUN_MS = 2 * 60 * 60_000;
export const FAN_OUT_MS = FAN_OUT_RUN_MS + 15 * 60_000;

/**
 * A child started within a Lambda's longest run of its step's deadline could still be writing when the holders
 * make its batches after it: it makes none (its batches are the holders' then). The deadline is taken before the
 * execution starts, so no child can begin later than this whatever the start's delay.
 */
const late = (now: Date, until: string) => now.getTime() > Date.parse(until) - (FAN_OUT_MS - FAN_OUT_RUN_MS);

/** The items of a fan-out: batches of `size` listed files, each named by its bounds (a batch's input stays small, whatever its keys). */
export function planFan(keys: readonly string[], size: number): FanItem[] {
  const items: FanItem[] = [];
  for (let at = 0; at < keys.length; at += size) {
    const after = keys[at - 1];
    const last = at + size < keys.length ? { last: keys[at + size - 1] as string } : {};
    items.push({ n: items.length + 1, ...(after !== undefined ? { after } : {}), ...last });
  }
  return items;
}

/** What a child made (records rendered, or pages written) and the files it rejected; `stale` when it made nothing, its run no longer the rebuild's or its time too late. */
export interface Made {
  made: number;
  rejected: ArticleError[];
  stale?: true;
}

/** The deadline of a step of the fan-out, when that step is fanned out. */
const deadlineOf = (fan: RebuildProgress['fan'], phase: FanPhase): string | undefined => (phase === 'render' ? fan?.until : fan?.records);

/**
 * A child's own run: the rebuild's progress and settings when its step of `run` is the one under way, in time,
 * with the settings site.yaml gives; undefined when it is not (the settings changed, and the rebuild began again).
 */
async function ownRun(io: Pick<Stores, 'content' | 'state'>, options: { now: Date; siteUrl?: string }, run: string, phase: FanPhase) {
  const progress = await rebuildProgressOf(io.state);
  const until = deadlineOf(progress?.fan, phase);
  if (progress?.step !== phase || progress.fan?.run !== run || until === undefined || late(options.now, until)) return undefined;
  const settings = parseSettings((await io.content.get(SITE_FILE))?.body, options.siteUrl);
  return progress.settings === settingsHash(settings) ? { progress, settings } : undefined;
}

/**
 * A fan-out's child: its items' batches rendered into the run. It takes no lease (it writes the run's batches
 * alone, which no holder writes while the fan-out has time).
 */
export async function renderItems(
  io: Pick<Stores, 'content' | 'state'>,
  options: { now: Date; siteUrl?: string; parse?: Parse; concurrency?: number },
  run: string,
  items: readonly FanItem[],
): Promise<Made> {
  const own = await ownRun(io, options, run, 'render');
  if (!own) return { made: 0, rejected: [], stale: true };
  const ctx = { settings: own.settings, now: options.now, parse: options.parse ?? parseHere, concurrency: options.concurrency ?? 16 };
  const rejected: ArticleError[] = [];
  let made = 0;
  for (const item of items) made += await renderItem(io, ctx, item, own.progress, rejected);
  return { made, rejected };
}

/**
 * A fan-out's child of the records step: its batches' records, claims and pages written, each batch then marked
 * done. It takes no lease: no holder writes the state while the records step is fanned out (it is being remade).
 */
export async function writeItems(io: Stores, options: { now: Date; siteUrl?: string; concurrency?: number }, run: string, items: readonly FanItem[]): Promise<Made> {
  const own = await ownRun(io, options, run, 'records');
  if (!own) return { made: 0, rejected: [], stale: true };
  const plan = await readPlan(io);
  let made = 0;
  for (const item of items) made += (await writeItem(io, { settings: own.settings, concurrency: options.concurrency ?? 16 }, run, item, plan, own.progress, false)).length;
  return { made, rejected: [] };
}

async function writeItem(io: Stores, ctx: Pick<CycleContext, 'settings' | 'concurrency'>, run: string, item: FanItem, plan: RebuildPlan, progress: RebuildProgress, named: boolean): Promise<string[]> {
  const pages = await writeRecords(io, ctx, item.n, plan, progress, named);
  await io.state.put(STATE.fanDone(run, item.n), JSON.stringify({}), headersFor(STATE.fanDone(run, item.n)));
  return pages;
}

/** What a holder's part in a fanned-out step did: `done` once every batch is there; the batches it made itself. */
export interface Waited {
  done: boolean;
  made: number;
  written: string[];
  madeUp: FanItem[];
}

/**
 * A holder's part while the render step is fanned out: done once every batch of the run is there. Until the
 * fan-out is over or out of time, it waits (and starts the run again, in case the holder that began it was cut
 * off before it could); after, it makes the missing batches itself, each from the content as it is now,
 * going on in the next holder when its time runs out.
 */
export async function fanned(
  io: Pick<Stores, 'content' | 'state'>,
  ctx: Pick<CycleContext, 'settings' | 'now' | 'parse' | 'concurrency' | 'lease'>,
  progress: RebuildProgress,
  fanOut: FanOut | undefined,
  rejected: ArticleError[],
  outOfTime: () => boolean,
): Promise<Waited> {
  return waitFor(io, ctx, progress, 'render', fanOut, outOfTime, async (item) => ({ made: await renderItem(io, ctx, item, progress, rejected), written: [] }));
}

/** The same, for the records step: done once every batch's records are written; the pages it wrote itself. */
export async function recordsFanned(io: Stores, ctx: CycleContext, progress: RebuildProgress, fanOut: FanOut | undefined, outOfTime: () => boolean): Promise<Waited> {
  const run = progress.fan?.run as string;
  let plan: RebuildPlan | undefined; // read only when there is a batch to make: at a million articles it is tens of MB
  return waitFor(io, ctx, progress, 'records', fanOut, outOfTime, async (item) => {
    plan ??= await readPlan(io);
    const written = await writeItem(io, ctx, run, item, plan, progress, true);
    return { made: written.length, written };
  });
}

async function waitFor(
  io: Pick<Stores, 'state'>,
  ctx: Pick<CycleContext, 'now' | 'lease'>,
  progress: RebuildProgress,
  phase: FanPhase,
  fanOut: FanOut | undefined,
  outOfTime: () => boolean,
  make: (item: FanItem) => Promise<{ made: number; written: string[] }>,
): Promise<Waited> {
  const fan = progress.fan as NonNullable<RebuildProgress['fan']>;
  const until = deadlineOf(fan, phase) as string;
  // What says a batch is made: its summary (written after the batch), or its records' done marker.
  const folder = phase === 'render' ? STATE.rebuildSummaries(fan.run) : STATE.fanDoneFolder(fan.run);
  const made = new Set((await io.state.list(folder, KEYS)).map((i) => Number(i.key.slice(folder.length, -'.json'.length))));
  const count = phase === 'render' ? fan.batches : progress.batches; // the records step's items are its batches
  const missing = (n: number) => n <= count && !made.has(n);
  const waited: Waited = { done: true, made: 0, written: [], madeUp: [] };
  if (![...Array(count).keys()].some((i) => missing(i + 1))) return waited;
  const over = (await io.state.get(STATE.fanEnded(fan.run, phase))) !== undefined || ctx.now.toISOString() >= until;
  if (!over) {
    await fanOut?.start(fan.run, STATE.fanItems(fan.run, phase), phase);
    return { ...waited, done: false };
  }
  for (const item of (await itemsOf(io.state, fan.run, phase)).filter((i) => missing(i.n))) {
    if (waited.madeUp.length > 0 && outOfTime()) return { ...waited, done: false };
    await ctx.lease.keep();
    const { made: n, written } = await make(item);
    waited.made += n;
    waited.written.push(...written);
    waited.madeUp.push(item);
  }
  return waited;
}

/** A run's items for a step: what its state machine's item reader reads. */
async function itemsOf(state: Store, run: string, phase: FanPhase): Promise<FanItem[]> {
  const key = STATE.fanItems(run, phase);
  const object = await state.get(key);
  if (!object) throw new StateError(key, 'is missing: the fan-out cannot be finished');
  return readState(key, object.body);
}

async function renderItem(
  io: Pick<Stores, 'content' | 'state'>,
  ctx: Pick<CycleContext, 'settings' | 'now' | 'parse' | 'concurrency'>,
  item: FanItem,
  progress: RebuildProgress,
  rejected: ArticleError[],
): Promise<number> {
  const listed = await itemFiles(io.content, item, progress.fresh === true);
  return renderBatch(
    io,
    ctx,
    item.n,
    listed.map((i) => i.key),
    new Map(listed.map((i) => [i.key, i.etag])),
    progress,
    rejected,
  );
}

const PAGE = 1000;

/** The files of an item as the content lists them now: after `after`, up to `last` or the end (with their ETags, unless the state is fresh). */
async function itemFiles(content: Store, item: FanItem, fresh: boolean): Promise<ObjectInfo[]> {
  const files: ObjectInfo[] = [];
  let after = item.after;
  for (;;) {
    const page = await content.list(ARTICLES_PREFIX, { ...(fresh ? KEYS : {}), ...(after !== undefined ? { startAfter: after } : {}), limit: PAGE });
    for (const info of page) {
      if (item.last !== undefined && compareKeys(info.key, item.last) > 0) return files;
      files.push(info);
    }
    if (page.length < PAGE) return files;
    after = page.at(-1)?.key;
  }
}

/** The rebuild's progress as the head says now; none when there is no readable head (the next publish rebuilds it, or says why not). */
export async function rebuildProgressOf(state: Store): Promise<RebuildProgress | undefined> {
  const object = await state.get(STATE.head);
  if (!object) return undefined;
  try {
    return readState(STATE.head, object.body).rebuild;
  } catch (err) {
    if (err instanceof StateError) return undefined;
    throw err;
  }
}
