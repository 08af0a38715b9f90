import { type Head, STATE } from '../../functions/core/state/state.ts';
import { applyOutcomes, loadForApply } from '../../functions/publish/cycle/apply.ts';
import { loadTops, planGroups } from '../../functions/publish/cycle/plan.ts';
import { parseHere, readOutcomes } from '../../functions/publish/cycle/read.ts';
import { StateView } from '../../functions/publish/cycle/state-view.ts';
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
