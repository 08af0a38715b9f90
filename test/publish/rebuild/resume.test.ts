import { beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { keyHash } from '../../../functions/core/keys.ts';
import { type Head, STATE } from '../../../functions/core/state/state.ts';
import type { LeaseTiming } from '../../../functions/publish/protocol/lease.ts';
import { ask, type Request } from '../../../functions/publish/protocol/requests.ts';
import { type PublishOptions, publish } from '../../../functions/publish/publish.ts';
import type { Store } from '../../../functions/stores/store.ts';
import { leaseClocks } from '../../helpers/clock.ts';
import { NOW, SITE_SETTINGS } from '../../helpers/content.ts';
import { type Budget, DyingStore, type MemorySite, objectsOf } from '../../helpers/engine.ts';
import {
  BATCH,
  both,
  type Change,
  correction,
  headOf,
  LATE_AND_CORRECTION,
  late,
  NEW_SETTINGS,
  newsroom as newsroomOf,
  SITE_YAML,
  settled,
  uninterrupted as uninterruptedOf,
} from '../../helpers/newsroom.ts';
import { RecordingStore } from '../../helpers/recording-store.ts';

// A full rebuild as a chain of holders, each cut off (its time running out, or killed): the chain ends where
// one uninterrupted rebuild ends, byte for byte, and publishing goes on while it runs.

let SHORT: LeaseTiming;
let LIVE: LeaseTiming;
let lapse: () => Promise<void>;
beforeEach(() => {
  ({ SHORT, LIVE, lapse } = leaseClocks());
});
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const objects = (store: Store) => objectsOf(store);
const newsroom = () => newsroomOf(LIVE);
const uninterrupted = (change?: Change) => uninterruptedOf(LIVE, change);

/** A holder that finds itself out of time at its first checkpoint: one batch or step each. */
const cutOff = (request: Request): Partial<PublishOptions> => ({ request, remainingMs: () => 0, rebuildBatch: BATCH, lease: LIVE });

/** The newsroom given the new settings, its rebuild carried by cut-off holders until `until` holds of its progress. */
async function rebuildingUntil(until: (progress: Head['rebuild']) => boolean): Promise<MemorySite> {
  const s = await newsroom();
  await s.content.put('site.yaml', stringify(NEW_SETTINGS), SITE_YAML);
  let holders = 0;
  do await s.publish(cutOff(holders++ === 0 ? ask.keys(['site.yaml']) : ask.keys()));
  while (!until((await headOf(s)).rebuild) && holders < 100);
  return s;
}

/** The minute ticks, each a cut-off holder (`tick`), until the site is settled (or `done` says so). */
async function ticks(s: MemorySite, tick = () => s.publish(cutOff(ask.keys())), done = () => settled(s)): Promise<void> {
  for (let n = 0; !(await done()) && n < 100; n++) await tick();
}

describe('a rebuild cut off again and again', () => {
  it('is finished by a chain of holders, each going on from the last checkpoint, and ends byte for byte as one uninterrupted rebuild', async () => {
    // Prepare
    const reference = await uninterrupted();
    const s = await newsroom();
    await s.content.put('site.yaml', stringify(NEW_SETTINGS), SITE_YAML);
    // Act: the site.yaml event, then the minute ticks, each holder out of time at its first checkpoint
    let holders = 0;
    do {
      await s.publish(cutOff(holders++ === 0 ? ask.keys(['site.yaml']) : ask.keys()));
      expect(holders).toBeLessThan(100);
    } while (!(await settled(s)));
    // Assess: 17 files in batches of two, each step a holder; then one more for the scan after
    expect(holders).toBeGreaterThan(20);
    expect(await objects(s.site)).toEqual(await objects(reference.site));
    expect(await objects(s.state)).toEqual(await objects(reference.state));
    expect(await s.titles()).toEqual(['Story 13', 'Story 12', 'Story 11', 'Story 10']);
  });

  it.each([20261207, 7, 424242])('is finished however its holders are killed, wherever they are in their writes (seed %i)', async (first) => {
    // Prepare
    const reference = await uninterrupted();
    await reference.publish({ now: at(5), request: ask.keys(), lease: LIVE });
    let seed = first;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const s = await newsroom();
    await s.content.put('site.yaml', stringify(NEW_SETTINGS), SITE_YAML);
    // Act: each holder dies after 5-60 writes; the next takes over once its lease has lapsed
    let killed = 0;
    for (let holder = 0; holder < 200 && (holder === 0 || !(await settled(s))); holder++) {
      const budget: Budget = { left: 5 + Math.floor(random() * 55) };
      const dying = { content: s.content, site: new DyingStore(s.site, budget), state: new DyingStore(s.state, budget) };
      const died = await publish(dying, { now: NOW, request: holder === 0 ? ask.keys(['site.yaml']) : ask.keys(), rebuildBatch: BATCH, lease: SHORT }).then(
        () => false,
        () => true,
      );
      if (died) {
        killed++;
        await lapse();
      }
    }
    // The rechecks a takeover schedules are done by the tick after the dead holders' time is surely up
    await s.publish({ now: at(5), request: ask.keys(), lease: LIVE });
    // Assess
    expect(killed).toBeGreaterThan(3);
    expect(await objects(s.site)).toEqual(await objects(reference.site));
    // The state too; the reference's head still names its last cycle's journal, done and gone, as a head may
    const { [STATE.head]: _head, ...state } = await objects(reference.state);
    expect(await objects(s.state)).toEqual({ ...state, [STATE.head]: JSON.stringify({ ...(await headOf(reference)), journal: undefined }) });
  });
});

describe('publishing during a rebuild', () => {
  it('puts an article uploaded meanwhile live before the rebuild ends (with the settings the site has until then), and keeps it and every edit in the rebuilt site', async () => {
    // Prepare: the rebuild to the new settings has begun (a holder rendered its first batch and ran out of time)
    const s = await newsroom();
    await s.content.put('site.yaml', stringify(NEW_SETTINGS), SITE_YAML);
    await s.publish(cutOff(ask.keys(['site.yaml'])));
    expect((await headOf(s)).rebuild?.step).toBe('render');
    // Act: a new story, and an edit of one the rebuild has already rendered
    const report = await s.publish(cutOff(ask.keys(await LATE_AND_CORRECTION(s))));
    // Assess: live at once, with the old settings, while the rebuild still renders
    expect(report.rejected).toEqual([]);
    expect((await headOf(s)).rebuild?.step).toBe('render');
    expect(await s.text('articles/zz-late/index.html')).toContain('Late story');
    expect(await s.titles()).toEqual(['Late story', 'Story 13', 'Story 12']);
    expect(await s.text('feed.json')).toContain(SITE_SETTINGS.title);
    expect(await s.text('articles/story-01/index.html')).toContain('Story 1, corrected');
    // Act: the ticks finish the rebuild
    await ticks(s);
    // Assess: the rebuilt site is the content's, with the new settings, byte for byte
    const reference = await uninterrupted(LATE_AND_CORRECTION);
    expect(await s.titles()).toEqual(['Late story', 'Story 13', 'Story 12', 'Story 11']);
    expect(await s.text('feed.json')).toContain(NEW_SETTINGS.title);
    expect(await objects(s.site)).toEqual(await objects(reference.site));
    // The state too; the reference's head still names its last cycle's journal, done and gone, as a head may
    const { [STATE.head]: _head, ...state } = await objects(reference.state);
    expect(await objects(s.state)).toEqual({ ...state, [STATE.head]: JSON.stringify({ ...(await headOf(reference)), journal: undefined }) });
  });

  it('puts an article uploaded while the rebuild writes its groups live before it ends, with the new settings, and a tag it brings too', async () => {
    // Prepare: cut off until the rebuild is in its site step, its media and first groups written
    const s = await rebuildingUntil((r) => r?.step === 'site' && r.cursor !== undefined);
    // Act: a new story with a tag no other has, and an edit
    const change = both(late(['Harbour strike']), correction);
    await s.publish(cutOff(ask.keys(await change(s))));
    // Assess: live at once, with the new settings, the rebuild still under way
    expect((await headOf(s)).rebuild?.step).toBe('site');
    expect(await s.text('articles/zz-late/index.html')).toContain(NEW_SETTINGS.title);
    expect((await s.titles()).slice(0, 1)).toEqual(['Late story']);
    expect(await s.titles('tags/harbour-strike/')).toEqual(['Late story']);
    expect(await s.text('articles/story-01/index.html')).toContain('Story 1, corrected');
    // Act: the ticks finish the rebuild
    await ticks(s);
    // Assess: the rebuilt site is the content's, byte for byte
    const reference = await uninterrupted(change);
    expect(await objects(s.site)).toEqual(await objects(reference.site));
  });

  it('puts an article uploaded while the state is being remade live as soon as it serves again, before the rebuild ends', async () => {
    // Prepare: cut off until the rebuild remakes the state (its records step)
    const s = await rebuildingUntil((r) => r?.step === 'records');
    // Act: a new story's event, while no cycle can run; then the ticks, until its page is there
    await s.publish(cutOff(ask.keys(await late(['Port'])(s))));
    expect(await s.text('articles/zz-late/index.html')).toBeUndefined();
    await ticks(s, undefined, async () => (await s.text('articles/zz-late/index.html')) !== undefined);
    // Assess: live, with the new settings, in the site step, the rebuild not yet done
    expect((await headOf(s)).rebuild?.step).toBe('site');
    expect(await s.text('articles/zz-late/index.html')).toContain(NEW_SETTINGS.title);
    expect((await s.titles()).slice(0, 1)).toEqual(['Late story']);
    await ticks(s);
    const reference = await uninterrupted(late(['Port']));
    expect(await objects(s.site)).toEqual(await objects(reference.site));
  });

  it('writes again only the records of the files a publish changed during the render step; every other unchanged record stands', async () => {
    // Prepare: the rebuild has rendered story 1, unchanged since the state had it
    const s = await rebuildingUntil((r) => (r?.cursor ?? '') >= 'articles/story-01.md');
    // Act: story 1 edited and a new story published during the render step; then the ticks, each state write logged
    const changed = await LATE_AND_CORRECTION(s);
    await s.publish(cutOff(ask.keys(changed)));
    expect((await headOf(s)).rebuild).toMatchObject({ step: 'render', touched: changed.map(keyHash).sort() });
    const log: string[] = [];
    const state = new RecordingStore(s.state, 'state', log);
    await ticks(s, () => publish({ content: s.content, site: s.site, state }, { now: NOW, ...cutOff(ask.keys()) }));
    // Assess: of the files' records, markers and claims, only those two files' were written
    const files = new Map((await s.content.list('articles/')).map((i) => [keyHash(i.key), i.key]));
    const fileOf = async (key: string): Promise<string | undefined> => {
      const claim = key.startsWith(STATE.slugs) || key.startsWith(STATE.ids);
      if (claim) return JSON.parse(Buffer.from((await s.state.get(key))?.body ?? '{}').toString('utf8')).key;
      const prefix = [STATE.records, STATE.seenPrefix].find((p) => key.startsWith(p));
      return prefix === undefined ? undefined : files.get(key.slice(prefix.length).split('.')[0] as string);
    };
    const written = new Set(await Promise.all(log.filter((w) => w.startsWith('state put ')).map((w) => fileOf(w.slice('state put '.length)))));
    written.delete(undefined);
    expect([...written].sort()).toEqual([...changed].sort());
    const reference = await uninterrupted(LATE_AND_CORRECTION);
    expect(await objects(s.site)).toEqual(await objects(reference.site));
    const { [STATE.head]: _head, ...referenceState } = await objects(reference.state);
    const { [STATE.head]: _own, ...ownState } = await objects(s.state);
    expect(ownState).toEqual(referenceState);
  });

  it('takes down an article deleted after the rebuild rendered it, though its version was the one the state had', async () => {
    // Prepare: the rebuild has rendered story 1, unchanged since the state had it
    const s = await rebuildingUntil((r) => (r?.cursor ?? '') >= 'articles/story-01.md');
    expect((await headOf(s)).rebuild?.step).toBe('render');
    // Act: story 1 is deleted, its event published during the render step; then the ticks finish the rebuild
    const takeDown: Change = async (site) => [await site.remove('story-01.md')];
    await s.publish(cutOff(ask.keys(await takeDown(s))));
    await ticks(s);
    // Assess
    expect(await s.text('articles/story-01/index.html')).toBeUndefined();
    expect(await s.titles('tags/election/')).not.toContain('Story 1');
    const reference = await uninterrupted(takeDown);
    expect(await objects(s.site)).toEqual(await objects(reference.site));
  });

  it('keeps an article edited or taken down while the rebuild writes the pages of unchanged ones as the publish left it', async () => {
    // Prepare: cut off until the rebuild is in its site step, the first batch of unchanged records' pages written
    const s = await rebuildingUntil((r) => r?.step === 'site');
    expect((await headOf(s)).rebuild?.done).toBeLessThan((await headOf(s)).rebuild?.batches ?? 0);
    // Act: story 12 (in a later batch) is taken down, story 10 retitled, during the site step; then the ticks
    const change: Change = async (site) => [await site.remove('story-12.md'), await site.article('story-10.md', { title: 'Story 10, corrected', date: '2026-11-10', tags: ['Port'] })];
    await s.publish(cutOff(ask.keys(await change(s))));
    await ticks(s);
    // Assess
    expect(await s.text('articles/story-12/index.html')).toBeUndefined();
    expect(await s.text('articles/story-10/index.html')).toContain('Story 10, corrected');
    const reference = await uninterrupted(change);
    expect(await objects(s.site)).toEqual(await objects(reference.site));
  });
});
