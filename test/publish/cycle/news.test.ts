import { describe, expect, it } from 'vitest';
import { MAIN_TIMELINE } from '../../../functions/core/keys.ts';
import { STATE } from '../../../functions/core/state/state.ts';
import { refreshNews } from '../../../functions/publish/cycle/news.ts';
import { StateView } from '../../../functions/publish/cycle/state-view.ts';
import { NOW } from '../../helpers/content.ts';
import { cycle } from '../../helpers/cycle.ts';
import { memorySite } from '../../helpers/engine.ts';

const hours = (h: number) => new Date(NOW.getTime() + h * 3_600_000);
const iso = (h: number) => hours(h).toISOString().replace('.000Z', 'Z');
const NOTHING = { changed: new Set<string>(), mainTouched: false };

/** A site published at NOW with stories first published 1, 20 and 40 hours before. */
async function published() {
  const s = await memorySite();
  await s.article('fresh.md', { title: 'Fresh', date: iso(-1) });
  await s.article('day.md', { title: 'A day old', date: iso(-20) });
  await s.article('older.md', { title: 'Nearly two days old', date: iso(-40) });
  await s.publish();
  return s;
}

const titles = (view: StateView) => view.peek(STATE.news)?.items.map((i) => i.title);

describe('the news index, as a cycle keeps it', () => {
  it('follows the clock: with no article changed, a story two days old leaves it at the first cycle after', async () => {
    // Prepare
    const s = await published();
    const view = new StateView(s.state);
    // Act: nine hours on, the story of 40 hours has passed 48
    const changed = await refreshNews(view, NOTHING, hours(9));
    // Assess
    expect(changed).toBe(true);
    expect(titles(view)).toEqual(['Fresh', 'A day old']);
    expect(view.writes().map((w) => w.key)).toEqual([STATE.news]);
  });

  it('is left alone while nothing changed and nothing aged out: one read, nothing staged', async () => {
    const s = await published();
    const view = new StateView(s.state);
    expect(await refreshNews(view, NOTHING, hours(7))).toBe(false);
    expect(view.writes()).toEqual([]);
    expect(view.loaded(STATE.news)).toBe(true);
    expect(view.loaded(STATE.mainDir)).toBe(false);
  });

  it('takes the new title of an article it holds that this cycle corrected', async () => {
    // Prepare
    const s = await published();
    const key = await s.article('day.md', { title: 'A day old, corrected', date: iso(-20) });
    const { view, applied } = await cycle(s, [key]);
    // Act
    const changed = await refreshNews(view, { changed: applied.changed, mainTouched: applied.timelines.has(MAIN_TIMELINE) }, NOW);
    // Assess
    expect(changed).toBe(true);
    expect(titles(view)).toEqual(['Fresh', 'A day old, corrected', 'Nearly two days old']);
  });

  it('stays as it was when a story filed now is dated before the window', async () => {
    const s = await published();
    const key = await s.article('archive.md', { title: 'From the archive', date: '2025-01-01' });
    const { view, applied } = await cycle(s, [key]);
    expect(applied.timelines.has(MAIN_TIMELINE)).toBe(true);
    expect(await refreshNews(view, { changed: applied.changed, mainTouched: true }, NOW)).toBe(false);
    expect(view.isStaged(STATE.news)).toBe(false);
  });

  it('adds a story filed now inside the window in its place, newest first', async () => {
    const s = await published();
    const key = await s.article('morning.md', { title: 'This morning', date: iso(-3) });
    const { view, applied } = await cycle(s, [key]);
    expect(await refreshNews(view, { changed: applied.changed, mainTouched: true }, NOW)).toBe(true);
    expect(titles(view)).toEqual(['Fresh', 'This morning', 'A day old', 'Nearly two days old']);
  });
});
