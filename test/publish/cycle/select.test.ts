import { describe, expect, it } from 'vitest';
import { selectKeys } from '../../../functions/publish/cycle/select.ts';
import { StateView } from '../../../functions/publish/cycle/state-view.ts';
import { NOW } from '../../helpers/content.ts';
import { memorySite } from '../../helpers/engine.ts';

describe('selecting the keys a cycle looks at', () => {
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
});
