import { describe, expect, it } from 'vitest';
import { settingsHash } from '../../../functions/core/hash.ts';
import { keyHash } from '../../../functions/core/keys.ts';
import { type Head, STATE } from '../../../functions/core/state/state.ts';
import { applyOutcomes, loadForApply } from '../../../functions/publish/cycle/apply.ts';
import { loadTops, planGroups } from '../../../functions/publish/cycle/plan.ts';
import { parseHere, readOutcomes } from '../../../functions/publish/cycle/read.ts';
import { selectKeys } from '../../../functions/publish/cycle/select.ts';
import { StateView } from '../../../functions/publish/cycle/state-view.ts';
import { NOW, testSettings } from '../../helpers/content.ts';
import { memorySite } from '../../helpers/engine.ts';

/** The phases of one cycle, run by hand on a published MemoryStore site, up to the plan. */
async function cycle(s: Awaited<ReturnType<typeof memorySite>>, keys: string[], overrides: Record<string, unknown> = {}) {
  const settings = testSettings(overrides);
  const view = new StateView(s.state);
  const head = (await view.base(STATE.head)) as Head;
  const outcomes = await readOutcomes(s.content, view, keys, { settings, now: NOW, parse: parseHere, concurrency: 4 });
  await loadForApply(view, outcomes, { settings, concurrency: 4 }, head);
  const applied = applyOutcomes(view, outcomes, { settings, now: NOW }, head);
  const plan = planGroups(applied, await loadTops(view, applied.timelines, settings, 4), head, settings);
  return { view, head, outcomes, applied, plan, settings };
}

describe('the phases of a publish', () => {
  it('select: a scan finds exactly the files whose ETag differs from the one processed, and the files that are gone', async () => {
    const s = await memorySite();
    for (const n of [1, 2, 3]) await s.article(`s-${n}.md`, { title: `Story ${n}`, date: `2026-11-0${n}` });
    await s.publish();
    await s.article('s-2.md', { title: 'Story 2, edited', date: '2026-11-02' });
    await s.article('s-4.md', { title: 'Story 4', date: '2026-11-04' });
    await s.remove('s-3.md');
    const keys = await selectKeys(s.content, new StateView(s.state), { keys: [], scan: true, full: false }, NOW, 4);
    expect(keys).toEqual(['articles/s-2.md', 'articles/s-3.md', 'articles/s-4.md']);
  });

  it('apply: a slug another file holds rejects the newcomer, naming the holder; the holder keeps it', async () => {
    const s = await memorySite();
    await s.article('first.md', { title: 'First', date: '2026-11-01', slug: 'story' });
    await s.publish();
    const second = await s.article('second.md', { title: 'Second', date: '2026-11-02', slug: 'story' });
    const { applied, view } = await cycle(s, [second]);
    expect(applied.rejected.map((e) => e.message)).toEqual(['articles/second.md: slug "story" is already used by articles/first.md; set a different slug: in the front matter']);
    // Only the claim changes: it remembers the refused file, to look at it again when the holder lets go.
    expect(view.writes().map((w) => [w.key, w.body && JSON.parse(w.body)])).toEqual([['slugs/story.json', { key: 'articles/first.md', waiting: [second] }]]);
  });

  it('apply: articles public for the first time take the next first-publication places, oldest first', async () => {
    const s = await memorySite({ feed_size: 2 });
    await s.article('a.md', { title: 'A', date: '2026-11-01' });
    await s.publish({ now: NOW });
    const late = await s.article('late.md', { title: 'Late', date: '2026-11-03' });
    const early = await s.article('early.md', { title: 'Early', date: '2026-11-02' });
    const { applied, view } = await cycle(s, [late, early], { feed_size: 2 });
    expect(applied.head.nextSeq).toBe(3);
    const seqOf = (key: string) => view.peek<{ seq?: number }>(STATE.record(keyHash(key)))?.seq;
    expect([seqOf(early), seqOf(late)]).toEqual([1, 2]);
    expect(applied.archivePages).toEqual(new Set([1, 2]));
  });

  it('apply: a draft and an embargo go on the schedule, with the time the embargo lifts', async () => {
    const s = await memorySite();
    await s.publish();
    const draft = await s.article('notes.md', { title: 'Notes', date: '2026-11-01', draft: true });
    const embargo = await s.article('budget.md', { title: 'Budget', date: '2026-12-24T06:00:00Z' });
    const { view } = await cycle(s, [draft, embargo]);
    const schedule = view.peek<{ drafts: { key: string }[]; embargoed: { key: string; at: string }[] }>(STATE.schedule);
    expect(schedule?.drafts.map((d) => d.key)).toEqual([draft]);
    expect(schedule?.embargoed.map((e) => [e.key, e.at])).toEqual([[embargo, '2026-12-24T06:00:00Z']]);
  });

  it('plan: an edit to an article outside every feed rebuilds its archive page and sitemap shard, not the feeds', async () => {
    const s = await memorySite({ feed_size: 2 });
    for (let n = 1; n <= 6; n++) await s.article(`s-${n}.md`, { title: `Story ${n}`, date: `2026-11-0${n}`, tags: ['Tag'] });
    await s.publish();
    const old = await s.article('s-1.md', { title: 'Story 1, corrected', date: '2026-11-01', tags: ['Tag'] });
    const { plan } = await cycle(s, [old], { feed_size: 2 });
    expect(plan.groups.map((g) => JSON.stringify(g))).toEqual([JSON.stringify({ kind: 'sitemap-articles', n: 1 }), JSON.stringify({ kind: 'archive', n: 1 })]);
  });

  it("plan: a new article rebuilds the site's and its tag's feeds, and the archive page it completes", async () => {
    const s = await memorySite({ feed_size: 2 });
    await s.article('s-1.md', { title: 'Story 1', date: '2026-11-01', tags: ['Tag'] });
    await s.publish();
    const key = await s.article('s-2.md', { title: 'Story 2', date: '2026-11-02', tags: ['Tag'] });
    const { plan, head, settings } = await cycle(s, [key], { feed_size: 2 });
    expect(head.settings).toBe(settingsHash(settings));
    expect(plan.groups.map((g) => ('n' in g ? `${g.kind}:${g.n}` : 'slug' in g ? `${g.kind}:${g.slug}` : g.kind))).toEqual(['sitemap-articles:1', 'archive:1', 'tag:tag', 'main']);
  });
});
