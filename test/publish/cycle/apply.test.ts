import { describe, expect, it } from 'vitest';
import { keyHash } from '../../../functions/core/keys.ts';
import { STATE } from '../../../functions/core/state/state.ts';
import { NOW } from '../../helpers/content.ts';
import { cycle } from '../../helpers/cycle.ts';
import { memorySite } from '../../helpers/engine.ts';

describe('applying what was read to the state', () => {
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

  it('apply: a file removed lets its slug and id go, takes its page down and leaves every timeline', async () => {
    // Prepare
    const s = await memorySite();
    await s.article('a.md', { title: 'A', date: '2026-11-01', tags: ['Port'] });
    const b = await s.article('b.md', { title: 'B', date: '2026-11-02', tags: ['Port'] });
    await s.publish();
    await s.remove('b.md');
    // Act
    const { applied, view, head } = await cycle(s, [b]);
    // Assess
    expect([...applied.deletes]).toEqual(['articles/b/index.html']);
    expect(applied.head.public).toBe(head.public - 1);
    expect(view.peek(STATE.slug('b'))).toBeUndefined();
    expect(view.peek(STATE.record(keyHash(b)))).toBeUndefined();
    expect(view.peek(STATE.mainDir)?.count).toBe(1);
    expect(view.peek(STATE.tagDir('port'))?.count).toBe(1);
    expect([...applied.timelines].sort()).toEqual(['main', 'tag-port']);
  });
});
