import { MAIN_TIMELINE } from '../../core/keys.ts';

import { agedOut, NEWS_MAX, newsCutoff, nextNewsIndex } from '../../core/output/news.ts';

import { type NewsItem, STATE, timelineDir } from '../../core/state/state.ts';

import { newestSince } from '../../core/state/timeline.ts';

import type { StateView } from './state-view.ts';

/**
 * Bring the state's news index (news.json, the Google News sitemap's members) up to `now`, staging it when
 * it changes; true when it did (the news group is then stale). Cheap on every cycle: one small read, and
 * unless an article changed or one aged out of the window, nothing more. Otherwise the main timeline's
 * newest chunks (those the main feed reads) and the records of articles the index does not hold yet.
 */
export async function refreshNews(view: StateView, changes: { changed: ReadonlySet<string>; mainTouched: boolean }, now: Date): Promise<boolean> {
  const prior = await view.read(STATE.news);
  if (prior && !changes.mainTouched && !agedOut(prior, now) && !prior.items.some((i) => changes.changed.has(i.h))) return false;
  const dir = await view.read(timelineDir(MAIN_TIMELINE));
  const chunk = async (c: number) => (await view.read(STATE.timelineChunk(MAIN_TIMELINE, c))) ?? [];
  const window = dir ? await newestSince(dir, newsCutoff(now), NEWS_MAX, chunk) : [];
  // What the index holds stays, unless this cycle changed the article (a new title).
  const known = new Map<string, NewsItem>((prior?.items ?? []).filter((i) => !changes.changed.has(i.h)).map((i) => [i.h, i]));
  const next = await nextNewsIndex(window, known, async (h) => {
    const record = await view.read(STATE.record(h));
    return record?.public ? { loc: record.article.url, title: record.article.title } : undefined;
  });
  if (prior && JSON.stringify(prior) === JSON.stringify(next)) return false;
  view.stage(STATE.news, next);
  return true;
}
