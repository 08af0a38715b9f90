import { type Head, STATE } from '../../functions/core/state/state.ts';
import type { CycleContext } from '../../functions/publish/context.ts';
import { applyOutcomes, loadForApply } from '../../functions/publish/cycle/apply.ts';
import { loadTops, planGroups } from '../../functions/publish/cycle/plan.ts';
import { parseHere, readOutcomes } from '../../functions/publish/cycle/read.ts';
import { StateView } from '../../functions/publish/cycle/state-view.ts';
import { LEASE_TIMING, Lease } from '../../functions/publish/protocol/lease.ts';
import { ManualClock } from './clock.ts';
import { NOW, testSettings } from './content.ts';
import type { MemorySite } from './engine.ts';

/** The phases of one cycle, run by hand on a published MemoryStore site, up to the plan. */
export async function cycle(s: MemorySite, keys: string[], overrides: Record<string, unknown> = {}) {
  const settings = testSettings(overrides);
  const view = new StateView(s.state);
  const head = (await view.base(STATE.head)) as Head;
  const outcomes = await readOutcomes(s.content, view, keys, { settings, now: NOW, parse: parseHere, concurrency: 4 });
  await loadForApply(view, outcomes, { settings, concurrency: 4 }, head);
  const applied = applyOutcomes(view, outcomes, { settings, now: NOW }, head);
  const plan = planGroups(applied, await loadTops(view, applied.timelines, settings, 4), head, settings);
  return { view, head, outcomes, applied, plan, settings };
}

/** The head as the state holds it now, with its ETag: what a holder reads as it starts. */
export async function headOf(s: MemorySite): Promise<{ head: Head; etag: string }> {
  const view = new StateView(s.state);
  const head = (await view.base(STATE.head)) as Head;
  return { head, etag: view.etagOf(STATE.head) as string };
}

const held: Lease[] = [];

/**
 * What a holder's phases are given on this site: the settings, `now`, this thread's parse and the lease,
 * taken on a clock that never moves (it lasts the test). Let go with `releaseLeases` after each test.
 */
export async function holderContext(s: MemorySite, overrides: Record<string, unknown> = {}, now: Date = NOW): Promise<CycleContext> {
  const lease = await Lease.acquire(s.state, { ...LEASE_TIMING, clock: new ManualClock() });
  if (!(lease instanceof Lease)) throw new Error(`the lease is held by ${lease.busy}`);
  held.push(lease);
  return { settings: testSettings(overrides), now, parse: parseHere, concurrency: 4, lease };
}

/** Release every lease holderContext took (a released one again is harmless). */
export async function releaseLeases(): Promise<void> {
  for (const lease of held.splice(0)) await lease.release();
}
