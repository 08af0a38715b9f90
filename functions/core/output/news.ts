import { toIso } from '../article/dates.ts';
import type { Entry, NewsIndex, NewsItem } from '../state/state.ts';

/**
 * The Google News sitemap (/sitemap-news.xml): the articles first published in the last two days, at most
 * 1,000 of them, newest first, as Google's news sitemap protocol asks. Its members change with time as well
 * as with content, so the state keeps them (with the title each needs) in one small object, `news.json`:
 * a publish or the minute tick works out the next one from the main timeline's newest entries (already
 * in hand for the main feed) and reads only the records of articles new to it. Pure: time is passed in.
 */

/** Google's limits: articles published in the last two days, at most 1,000 URLs per news sitemap. */
const NEWS_WINDOW_MS = 2 * 24 * 3600 * 1000;
export const NEWS_MAX = 1000;

/** The oldest first-publication time still in the window at `now` (exclusive), in the timeline's format. */
export function newsCutoff(now: Date): string {
  return toIso(now.getTime() - NEWS_WINDOW_MS);
}

/** Whether an item published at `p` is in the window whose cutoff is `cutoff`. */
export const inNewsWindow = (p: string, cutoff: string): boolean => new Date(p).getTime() > new Date(cutoff).getTime();

/** Whether any item of the index has aged out by `now`: the minute tick's question, answered without a read. */
export function agedOut(index: NewsIndex, now: Date): boolean {
  const cutoff = newsCutoff(now);
  return index.items.some((i) => !inNewsWindow(i.p, cutoff));
}

/**
 * The next index: the window's entries (newest first, already cut to the window and NEWS_MAX), each with
 * the loc and title `known` gives (the prior index's, for articles that did not change) or `fresh` reads.
 */
export async function nextNewsIndex(window: readonly Entry[], known: ReadonlyMap<string, NewsItem>, fresh: (h: string) => Promise<{ loc: string; title: string } | undefined>): Promise<NewsIndex> {
  const items: NewsItem[] = [];
  for (const e of window) {
    const prior = known.get(e.h);
    if (prior && prior.p === e.p && prior.id === e.id) {
      items.push(prior);
      continue;
    }
    const article = await fresh(e.h);
    if (article) items.push({ h: e.h, p: e.p, id: e.id, loc: article.loc, title: article.title });
  }
  return { items };
}

/**
 * Google News names languages by ISO 639 code, with zh-cn and zh-tw for Chinese: the site's BCP 47 tag
 * (en-GB, pt-BR, zh-Hant) reduced to that.
 */
export function newsLanguage(tag: string): string {
  const [primary = 'en', ...rest] = tag.toLowerCase().split('-');
  if (primary !== 'zh') return primary;
  return rest.some((s) => s === 'hant' || s === 'tw' || s === 'hk' || s === 'mo') ? 'zh-tw' : 'zh-cn';
}
