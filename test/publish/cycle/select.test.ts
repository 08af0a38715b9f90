import { describe, expect, it } from 'vitest';
import { selectKeys } from '../../../functions/publish/cycle/select.ts';
import { StateView } from '../../../functions/publish/cycle/state-view.ts';
import { ask } from '../../../functions/publish/protocol/requests.ts';
import { NOW } from '../../helpers/content.ts';
import { CountingStore, memorySite } from '../../helpers/engine.ts';

describe('selecting the keys a cycle looks at', () => {
  it('select: a scan finds exactly the files whose ETag differs from the one processed, and the files that are gone', async () => {
    const s = await memorySite();
    for (const n of [1, 2, 3]) await s.article(`s-${n}.md`, { title: `Story ${n}`, date: `2026-11-0${n}` });
    await s.publish();
    await s.article('s-2.md', { title: 'Story 2, edited', date: '2026-11-02' });
    await s.article('s-4.md', { title: 'Story 4', date: '2026-11-04' });
    await s.remove('s-3.md');
    const keys = await selectKeys(s.content, new StateView(s.state), ask.changes(), NOW, 4);
    expect(keys).toEqual(['articles/s-2.md', 'articles/s-3.md', 'articles/s-4.md']);
  });

  it('looks at a file whose embargo has lifted or whose expiry has come without being asked, and at no other', async () => {
    // Prepare: an embargo to noon tomorrow, a story expiring at noon today, an ordinary one
    const s = await memorySite();
    const embargoed = await s.article('embargoed.md', { title: 'Embargoed', date: '2026-11-26T12:00:00Z' });
    const expiring = await s.article('expiring.md', { title: 'Expiring', date: '2026-11-20', expires: '2026-11-25T18:00:00Z' });
    await s.article('plain.md', { title: 'Plain', date: '2026-11-20' });
    await s.publish();
    const at = (iso: string) => selectKeys(s.content, new StateView(s.state), ask.keys(), new Date(iso), 4);
    // Act and Assess
    expect(await at('2026-11-25T17:59:00Z')).toEqual([]);
    expect(await at('2026-11-25T18:00:00Z')).toEqual([expiring]);
    expect(await at('2026-11-26T12:00:00Z')).toEqual([embargoed, expiring]);
  });

  it('looks only at article files among the keys it is asked about, and lists no folder unless it scans', async () => {
    const s = await memorySite();
    await s.publish();
    const content = new CountingStore(s.content);
    const state = new CountingStore(s.state);
    const keys = await selectKeys(content, new StateView(state), ask.keys(['site.yaml', 'media/a.jpg', 'articles/.draft.md', 'articles/notes.txt', 'articles/b.md', 'articles/a.md']), NOW, 4);
    expect(keys).toEqual(['articles/a.md', 'articles/b.md']);
    expect([...content.keys.listed, ...state.keys.listed]).toEqual([]);
  });
});
