import { beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type FanItem, type FanPhase, STATE } from '../../../functions/core/state/state.ts';
import type { LeaseTiming } from '../../../functions/publish/protocol/lease.ts';
import { ask } from '../../../functions/publish/protocol/requests.ts';
import { type PublishOptions, publish } from '../../../functions/publish/publish.ts';
import { FAN_OUT_MS, type FanOut, type Made, renderItems, writeItems } from '../../../functions/publish/rebuild/fan-out.ts';
import { leaseClocks } from '../../helpers/clock.ts';
import { NOW } from '../../helpers/content.ts';
import { type Budget, DyingStore, type MemorySite, objectsOf } from '../../helpers/engine.ts';
import { BATCH, headOf, LATE_AND_CORRECTION, NEW_SETTINGS, newsroom, SITE_YAML, settled, uninterrupted } from '../../helpers/newsroom.ts';
import { endOfStep } from '../../helpers/state-machine-player.ts';

// A rebuild whose render step is fanned out (the state machine's children, played here by calling the child's
// code concurrently): it ends byte for byte where the chain's ends, publishing goes on while the children work,
// and what a child failed to render is made by the holders, never lost.

let LIVE: LeaseTiming;
let SHORT: LeaseTiming;
let lapse: () => Promise<void>;
beforeEach(() => {
  ({ LIVE, SHORT, lapse } = leaseClocks());
});

/** A start the publisher asked of the state machine: the run, its step, its items' key. */
interface Start {
  run: string;
  items: string;
  phase: FanPhase;
}

/** The publisher's side of the state machine: the starts it was asked for. */
function stateMachine(): FanOut & { runs: Start[] } {
  const runs: Start[] = [];
  return { minFiles: 1, runs, start: async (run, items, phase) => void runs.push({ run, items, phase }) };
}

/** A holder with all the time it needs, the fan-out configured: the event of `keys`, or a minute tick. */
const holder = (fanOut: FanOut, keys: string[] = [], minutes = 0): Partial<PublishOptions> => ({
  request: ask.keys(keys),
  rebuildBatch: BATCH,
  lease: LIVE,
  fanOut,
  now: new Date(NOW.getTime() + minutes * 60_000),
});

/** The run's items, as the state machine's item reader reads them. */
async function itemsOf(s: MemorySite, key: string): Promise<FanItem[]> {
  return JSON.parse(Buffer.from((await s.state.get(key))?.body ?? '[]').toString('utf8')) as FanItem[];
}

/** The map's children of a step, `perChild` items each (its item batcher), all at once; the items in `fail` are never made. */
async function children(s: MemorySite, start: Start, fail: ReadonlySet<number> = new Set(), perChild = 2): Promise<Made[]> {
  const items = (await itemsOf(s, start.items)).filter((i) => !fail.has(i.n));
  const batches: FanItem[][] = [];
  for (let at = 0; at < items.length; at += perChild) batches.push(items.slice(at, at + perChild));
  return Promise.all(batches.map((batch) => (start.phase === 'render' ? renderItems : writeItems)(s, { now: NOW, concurrency: 4 }, start.run, batch)));
}

/** The newest start of this step. */
const startOf = (fanOut: ReturnType<typeof stateMachine>, phase: FanPhase) => fanOut.runs.filter((r) => r.phase === phase).at(-1) as Start;

/** The state machine's execution of the newest start of `phase`, played: its children (those of `fail` failing for good), then its end. */
async function execution(s: MemorySite, fanOut: ReturnType<typeof stateMachine>, phase: FanPhase, fail: ReadonlySet<number> = new Set()): Promise<Made[]> {
  const start = startOf(fanOut, phase);
  const made = await children(s, start, fail);
  await endOfStep(s.state, start.run, fail.size > 0, phase);
  return made;
}

/** The newsroom given the new settings, its site.yaml event taken by a holder that fans the render step out. */
async function fannedOut(fanOut: FanOut): Promise<MemorySite> {
  const s = await newsroom(LIVE);
  await s.content.put('site.yaml', stringify(NEW_SETTINGS), SITE_YAML);
  await s.publish(holder(fanOut, ['site.yaml']));
  return s;
}

/** Both steps' executions played, each followed by the publisher told to go on. */
async function bothSteps(s: MemorySite, fanOut: ReturnType<typeof stateMachine>, fail: { render?: Set<number>; records?: Set<number> } = {}): Promise<Made[]> {
  const rendered = await execution(s, fanOut, 'render', fail.render);
  await s.publish(holder(fanOut));
  await execution(s, fanOut, 'records', fail.records);
  await s.publish(holder(fanOut));
  return rendered;
}

const objects = (s: MemorySite) => Promise.all([objectsOf(s.site), objectsOf(s.state)]);

describe('a fanned-out rebuild', () => {
  it('renders nothing in the holder: it writes the batches as items, starts the fan-out, and waits for it, starting it again each time', async () => {
    // Prepare
    const fanOut = stateMachine();
    // Act
    const s = await fannedOut(fanOut);
    await s.publish(holder(fanOut));
    // Assess: 17 files in batches of two, none rendered yet; the same run asked for twice (starting is idempotent by run)
    const { rebuild } = await headOf(s);
    expect(rebuild?.step).toBe('render');
    expect(rebuild?.fan?.batches).toBe(9);
    expect(fanOut.runs.map((r) => r.run)).toEqual([rebuild?.fan?.run, rebuild?.fan?.run]);
    const items = await itemsOf(s, fanOut.runs[0]?.items as string);
    expect(items.map((i) => i.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(items[0]).toEqual({ n: 1, last: 'articles/draft.md' });
    expect(items[1]).toEqual({ n: 2, after: 'articles/draft.md', last: 'articles/story-01.md' });
    expect(items[8]).toEqual({ n: 9, after: 'articles/story-13.md' }); // to the end: a file added meanwhile is rendered
    expect((await s.state.list(STATE.rebuildSummaries(rebuild?.fan?.run))).length).toBe(0);
  });

  it('ends byte for byte as the chain ends once its children have rendered every batch, then written every batch of records', async () => {
    // Prepare
    const reference = await uninterrupted(LIVE);
    const fanOut = stateMachine();
    const s = await fannedOut(fanOut);
    // Act: the render step's execution, the publisher told (it runs the index step and fans the records step out), the records step's execution
    const rendered = await bothSteps(s, fanOut);
    // Assess: the broken file is named by the child that met it; the records step was one batch an item
    expect(rendered.flatMap((r) => r.rejected.map((e) => e.file))).toEqual(['articles/broken.md']);
    expect(rendered.reduce((sum, r) => sum + r.made, 0)).toBe(16);
    const { run } = startOf(fanOut, 'render');
    expect(startOf(fanOut, 'records')).toEqual({ run, phase: 'records', items: `rebuild/${run}/records/items.json` });
    expect(await settled(s)).toBe(true);
    expect(await objects(s)).toEqual(await objects(reference));
    expect(await s.titles()).toEqual(['Story 13', 'Story 12', 'Story 11', 'Story 10']);
  });

  it('reports the files its children rejected in the publish that runs the index step, as the chain reports its own', async () => {
    // Prepare
    const fanOut = stateMachine();
    const s = await fannedOut(fanOut);
    await execution(s, fanOut, 'render');
    // Act
    const report = await s.publish(holder(fanOut));
    // Assess
    expect(report.rejected.map((e) => [e.file, e.problem])).toEqual([['articles/broken.md', expect.stringContaining('YAML')]]);
  });

  it("has a child started within a Lambda's longest run of its step's deadline make nothing: its batches are the holders' then", async () => {
    // Prepare
    const fanOut = stateMachine();
    const s = await fannedOut(fanOut);
    const start = startOf(fanOut, 'render');
    const until = Date.parse((await headOf(s)).rebuild?.fan?.until ?? '');
    const [item] = await itemsOf(s, start.items);
    const child = (minutes: number) => renderItems(s, { now: new Date(until - minutes * 60_000) }, start.run, [item as FanItem]);
    // Act
    const late = await child(14);
    const inTime = await child(16);
    // Assess
    expect(late).toEqual({ made: 0, rejected: [], stale: true });
    expect(inTime.made).toBe(1);
  });

  it('goes on to the next step as soon as every batch is there, without waiting for the end', async () => {
    // Prepare
    const reference = await uninterrupted(LIVE);
    const fanOut = stateMachine();
    const s = await fannedOut(fanOut);
    // Act
    await children(s, startOf(fanOut, 'render'));
    await s.publish(holder(fanOut));
    expect((await headOf(s)).rebuild).toMatchObject({ step: 'records', done: 0 });
    expect((await itemsOf(s, startOf(fanOut, 'records').items)).map((i) => i.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await children(s, startOf(fanOut, 'records'));
    await s.publish(holder(fanOut));
    // Assess
    expect(await objects(s)).toEqual(await objects(reference));
  });

  it('keeps publishing while its children render: an article uploaded meanwhile is live at once, and in the rebuilt site', async () => {
    // Prepare
    const fanOut = stateMachine();
    const s = await fannedOut(fanOut);
    const run = startOf(fanOut, 'render');
    // Act: half the children are done, then a new story and a correction arrive
    const items = await itemsOf(s, run.items);
    await children(s, run, new Set(items.filter((i) => i.n > 4).map((i) => i.n)));
    await s.publish(holder(fanOut, await LATE_AND_CORRECTION(s)));
    // Assess: live at once, with the settings the site has until the switch
    expect((await headOf(s)).rebuild?.step).toBe('render');
    expect(await s.titles()).toEqual(['Late story', 'Story 13', 'Story 12']);
    expect(await s.text('articles/story-01/index.html')).toContain('Story 1, corrected');
    // Act: the other children, the end, the records step's execution, and the ticks
    await children(s, run, new Set(items.filter((i) => i.n <= 4).map((i) => i.n)));
    await endOfStep(s.state, run.run, false);
    await s.publish(holder(fanOut));
    await execution(s, fanOut, 'records');
    for (let tick = 0; tick < 5 && !(await settled(s)); tick++) await s.publish(holder(fanOut));
    // Assess: the rebuilt site is the content's, with the new settings, byte for byte
    const reference = await uninterrupted(LIVE, LATE_AND_CORRECTION);
    expect(await objectsOf(s.site)).toEqual(await objectsOf(reference.site));
    // The state too, but for its head: its generation counts the cycles run, and this site ran more
    const { [STATE.head]: _head, ...state } = await objectsOf(reference.state);
    expect(await objectsOf(s.state, [STATE.head])).toEqual(state);
    expect(await s.titles()).toEqual(['Late story', 'Story 13', 'Story 12', 'Story 11']);
  });

  it('has the holder make the batches a child failed for good, in either step, once that step is over, and names them', async () => {
    // Prepare
    const reference = await uninterrupted(LIVE);
    const fanOut = stateMachine();
    const s = await fannedOut(fanOut);
    await children(s, startOf(fanOut, 'render'), new Set([3, 4]));
    const logged: { message: string; fields?: Record<string, unknown> }[] = [];
    const log = (_level: string, message: string, fields?: Record<string, unknown>) => void logged.push({ message, ...(fields ? { fields } : {}) });
    const named = () => logged.filter((l) => l.message.startsWith('the fan-out did not make these batches')).map((l) => ((l.fields?.batches ?? []) as FanItem[]).map((i) => [i.n, i.after, i.last]));
    // Act: a tick before the end waits; the end, failed; a tick after it
    await s.publish({ ...holder(fanOut), log });
    expect((await headOf(s)).rebuild?.step).toBe('render');
    await endOfStep(s.state, startOf(fanOut, 'render').run, true);
    const report = await s.publish({ ...holder(fanOut), log });
    // Act: the records step's execution, its children failing batch 5 for good
    await execution(s, fanOut, 'records', new Set([5]));
    await s.publish({ ...holder(fanOut), log });
    // Assess
    expect(report.rendered).toBe(4);
    expect(named()).toEqual([
      [
        [3, 'articles/story-01.md', 'articles/story-03.md'],
        [4, 'articles/story-03.md', 'articles/story-05.md'],
      ],
      [[5, undefined, undefined]],
    ]);
    expect(await objects(s)).toEqual(await objects(reference));
  });

  it("is finished by the holders when its executions never end (lost), once each step's time is up", async () => {
    // Prepare
    const reference = await uninterrupted(LIVE);
    const fanOut = stateMachine();
    const s = await fannedOut(fanOut);
    const minutes = FAN_OUT_MS / 60_000;
    // Act: a tick just before the render step's time is up, then one after (it renders, and fans the records out); the same for the records step
    await s.publish(holder(fanOut, [], minutes - 1));
    expect((await headOf(s)).rebuild?.step).toBe('render');
    await s.publish(holder(fanOut, [], minutes));
    expect((await headOf(s)).rebuild?.step).toBe('records');
    await s.publish(holder(fanOut, [], 2 * minutes - 1));
    expect((await headOf(s)).rebuild?.step).toBe('records');
    await s.publish(holder(fanOut, [], 2 * minutes));
    // Assess
    expect(await settled(s)).toBe(true);
    expect(await objectsOf(s.site)).toEqual(await objectsOf(reference.site));
  });

  it('writes nothing from a child of a run the rebuild no longer is (the settings changed again and the rebuild began anew)', async () => {
    // Prepare
    const fanOut = stateMachine();
    const s = await fannedOut(fanOut);
    const stale = startOf(fanOut, 'render');
    await s.content.put('site.yaml', stringify({ ...NEW_SETTINGS, title: 'The Wire, Again' }), SITE_YAML);
    await s.publish(holder(fanOut, ['site.yaml'], 1));
    const before = await objectsOf(s.state);
    // Act
    const rendered = await children(s, stale);
    const written = await children(s, { ...stale, phase: 'records' });
    // Assess
    expect([...rendered, ...written].every((r) => r.stale === true && r.made === 0)).toBe(true);
    expect(await objectsOf(s.state)).toEqual(before);
    expect(fanOut.runs.at(-1)?.run).not.toBe(stale.run);
  });

  it.each([20261208, 77, 4242])('ends as the content says however its children and holders die at random writes, while the newsroom edits (seed %i)', async (first) => {
    // Prepare
    const reference = await uninterrupted(LIVE, LATE_AND_CORRECTION);
    let seed = first;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const fanOut = stateMachine();
    const s = await newsroom(LIVE);
    await s.content.put('site.yaml', stringify(NEW_SETTINGS), SITE_YAML);
    const dying = () => {
      const budget: Budget = { left: 4 + Math.floor(random() * 40) };
      return { content: s.content, site: new DyingStore(s.site, budget), state: new DyingStore(s.state, budget) };
    };
    const survived = (work: Promise<unknown>) =>
      work.then(
        () => true,
        () => false,
      );
    let changed = false;
    let killed = 0;
    // Act: the site.yaml event, then at random: children of the newest step (some dying mid-write), the step's end,
    // holders dying mid-write (the next takes over once the lease lapses), and the newsroom's change, published by key
    const keys: string[][] = [['site.yaml']];
    const ended = new Set<string>(); // no child of a step runs after its end (the failure path waits them out)
    const open = () => fanOut.runs.filter((r) => !ended.has(`${r.run}/${r.phase}`)).at(-1);
    for (let turn = 0; turn < 80; turn++) {
      const roll = random();
      const start = open();
      if (start && roll < 0.4) {
        const items = await itemsOf(s, start.items);
        const some = items.filter(() => random() < 0.5);
        const io = dying();
        const child = start.phase === 'render' ? renderItems(io, { now: NOW, concurrency: 2 }, start.run, some) : writeItems(io, { now: NOW, concurrency: 2 }, start.run, some);
        if (!(await survived(child))) killed++;
      } else if (start && roll < 0.5) {
        await endOfStep(s.state, start.run, true, start.phase);
        ended.add(`${start.run}/${start.phase}`);
      } else {
        if (!changed && roll > 0.9) {
          keys.push(await LATE_AND_CORRECTION(s));
          changed = true;
        }
        const request = ask.keys(keys.shift() ?? []);
        if (!(await survived(publish(dying(), { now: NOW, request, rebuildBatch: BATCH, lease: SHORT, fanOut })))) {
          killed++;
          await lapse();
        }
      }
    }
    if (!changed) keys.push(await LATE_AND_CORRECTION(s));
    // Then every step's executions end, and holders with all their time take the rest (the ends written again as each step starts)
    for (let tick = 0; tick < 20 && !(await settled(s)); tick++) {
      for (const start of fanOut.runs) await endOfStep(s.state, start.run, true, start.phase);
      await s.publish(holder(fanOut, keys.shift() ?? []));
    }
    await s.publish(holder(fanOut, [], 5)); // the rechecks a takeover scheduled, once the dead holders' time is surely up
    // Assess
    expect(killed).toBeGreaterThan(2);
    expect(await settled(s)).toBe(true);
    expect(await objectsOf(s.site)).toEqual(await objectsOf(reference.site));
  });
});
