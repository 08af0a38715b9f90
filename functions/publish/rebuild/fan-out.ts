import type { ArticleError } from '../../core/errors.ts';
import { settingsHash } from '../../core/hash.ts';
import { ARTICLES_PREFIX, KEYS, SITE_FILE } from '../../core/keys.ts';
import { headersFor } from '../../core/output/objects.ts';
import { parseSettings } from '../../core/settings.ts';
import { type FanItem, type RebuildProgress, readState, STATE, StateError } from '../../core/state/state.ts';
import { compareKeys, type ObjectInfo, type Store, type Stores } from '../../stores/store.ts';
import type { CycleContext, Parse } from '../context.ts';
import { parseHere } from '../cycle/read.ts';
import { renderBatch } from './render.ts';

/**
 * The render step of a large archive's rebuild, fanned out (on AWS, the state machine's Distributed Map): the
 * holder that begins the rebuild writes the batches as items (rebuild/<run>/items.json) and starts the fan-out;
 * its children render batches into the run (`renderItems`), taking no lease, while holders go on publishing
 * incremental work on the current state and wait; once every batch is there the rebuild goes on from its index
 * step, as after a chain's render step. A child that failed for good leaves its batches to the holder, which
 * makes them once the fan-out is over (`endFanOut`) or out of time.
 */
export interface FanOut {
  /** Archives of at least this many files have their render step fanned out; smaller ones render in the chain. */
  minFiles: number;
  /** Start the fan-out of this run over these items (a state key). Idempotent by run: a holder that finds the run waiting starts it again. */
  start: (run: string, items: string) => Promise<void>;
}

/**
 * How long a fan-out may take before the holders make its missing batches themselves: the state machine's
 * timeout (FAN_OUT_RUN_MS) and a Lambda's longest run, after which no child of it can still be writing.
 */
export const FAN_OUT_RUN_MS = 2 * 60 * 60_000;
export const FAN_OUT_MS = FAN_OUT_RUN_MS + 15 * 60_000;

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

/** What a child did: records rendered and files rejected; `stale` when its run is no longer the rebuild's (nothing written). */
export interface Rendered {
  rendered: number;
  rejected: ArticleError[];
  stale?: true;
}

/**
 * A fan-out's child: its items' batches rendered into the run. It takes no lease (it writes the run's batches
 * alone, which no holder writes while the fan-out has time), and writes nothing when the rebuild is no longer
 * that run (the settings changed, and the rebuild began again).
 */
export async function renderItems(
  io: Pick<Stores, 'content' | 'state'>,
  options: { now: Date; siteUrl?: string; parse?: Parse; concurrency?: number },
  run: string,
  items: readonly FanItem[],
): Promise<Rendered> {
  const stale: Rendered = { rendered: 0, rejected: [], stale: true };
  const progress = await progressOf(io.state);
  if (progress?.step !== 'render' || progress.fan?.run !== run) return stale;
  const settings = parseSettings((await io.content.get(SITE_FILE))?.body, options.siteUrl);
  if (progress.settings !== settingsHash(settings)) return stale;
  const ctx = { settings, now: options.now, parse: options.parse ?? parseHere, concurrency: options.concurrency ?? 16 };
  const rejected: ArticleError[] = [];
  let rendered = 0;
  for (const item of items) rendered += await renderItem(io, ctx, item, progress, rejected);
  return { rendered, rejected };
}

/** The fan-out is over: its last state says so (`failed` when batches may be missing), and the next holder goes on. */
export async function endFanOut(state: Store, run: string, failed: boolean): Promise<void> {
  await state.put(STATE.fanEnded(run), JSON.stringify({ failed }), headersFor(STATE.fanEnded(run)));
}

/**
 * A holder's part while the render step is fanned out: true once every batch of the run is there. Until the
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
): Promise<{ done: boolean; rendered: number; madeUp: FanItem[] }> {
  const fan = progress.fan as NonNullable<RebuildProgress['fan']>;
  const folder = STATE.rebuildSummaries(fan.run);
  const made = new Set((await io.state.list(folder, KEYS)).map((i) => Number(i.key.slice(folder.length, -'.json'.length))));
  const missing = (n: number) => n <= fan.batches && !made.has(n);
  if (![...Array(fan.batches).keys()].some((i) => missing(i + 1))) return { done: true, rendered: 0, madeUp: [] };
  const over = (await io.state.get(STATE.fanEnded(fan.run))) !== undefined || ctx.now.toISOString() >= fan.until;
  if (!over) {
    await fanOut?.start(fan.run, STATE.fanItems(fan.run));
    return { done: false, rendered: 0, madeUp: [] };
  }
  const object = await io.state.get(STATE.fanItems(fan.run));
  if (!object) throw new StateError(STATE.fanItems(fan.run), 'is missing: the fan-out cannot be finished');
  const madeUp: FanItem[] = [];
  let rendered = 0;
  for (const item of readState(STATE.fanItems(fan.run), object.body).filter((i) => missing(i.n))) {
    if (madeUp.length > 0 && outOfTime()) return { done: false, rendered, madeUp };
    await ctx.lease.keep();
    rendered += await renderItem(io, ctx, item, progress, rejected);
    madeUp.push(item);
  }
  return { done: true, rendered, madeUp };
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

/** The rebuild's progress as the head says now; none when there is no readable head. */
async function progressOf(state: Store): Promise<RebuildProgress | undefined> {
  const object = await state.get(STATE.head);
  if (!object) return undefined;
  try {
    return readState(STATE.head, object.body).rebuild;
  } catch (err) {
    if (err instanceof StateError) return undefined;
    throw err;
  }
}
