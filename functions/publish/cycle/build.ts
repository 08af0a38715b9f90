import type { Article } from '../../core/article/article.ts';

import { tagSlug } from '../../core/article/tags.ts';

import { mapLimit } from '../../core/concurrency.ts';

import { FeedCheckError } from '../../core/errors.ts';

import { hash, pageHash } from '../../core/hash.ts';

import { type GroupId, groupName, MAIN_TIMELINE, pageKey, tagTimeline } from '../../core/keys.ts';

import { checkFeeds } from '../../core/output/check.ts';

import { FEED_BYTES } from '../../core/output/feed-budget.ts';

import { archiveFiles, articleSitemapFiles, mainFiles, newsSitemapFiles, sitemapIndexFiles, staticFiles, tagFiles, tagSitemapFiles } from '../../core/output/groups.ts';

import { articlePage } from '../../core/output/pages.ts';

import type { Settings } from '../../core/settings.ts';

import { type ArticleRecord, type Entry, type GroupState, type Head, recordInOrder, STATE, StateError, type TimelineDir, timelineDir } from '../../core/state/state.ts';

import { newest } from '../../core/state/timeline.ts';

import { articleShards, publishedPages, tagShards } from './plan.ts';

import type { StateView } from './state-view.ts';

/**
 * Build output groups and pages from the state, and only from it: a group is made of the article
 * versions the state knows, never of a newer file that has not been processed yet (a story set to
 * draft a moment ago cannot slip into an archive page before its own publish takes it down).
 */

/** The article versions of these entries, in their order. */
async function articlesOf(view: StateView, entries: readonly Entry[], concurrency: number): Promise<Article[]> {
  return mapLimit(entries, concurrency, (e) => articleOf(view, e));
}

async function articleOf(view: StateView, e: Entry): Promise<Article> {
  const record = await view.readOnce(STATE.record(e.h));
  if (!record) throw new StateError(STATE.record(e.h), 'is named by an index but missing');
  return record.article;
}

/**
 * A feed's articles, in their order, holding at most about `htmlBudget` bytes of article HTML: records are
 * read `limit` at a time, and once the HTML kept would pass the budget, every later article is kept without
 * its HTML, and `fullAtMost` says how many carry it. The feeds never give those their full content anyway:
 * an article's HTML is no more bytes than its content in any format, so the documents' byte budget is spent
 * before it (feeds.ts); the group's pages list titles and summaries only. A group of long articles thus
 * never holds them all, whatever feed_size is.
 */
async function feedArticlesOf(view: StateView, entries: readonly Entry[], concurrency: number, htmlBudget: number): Promise<{ articles: Article[]; fullAtMost: number }> {
  const articles: Article[] = [];
  let kept = 0;
  let fullAtMost: number | undefined;
  for (let at = 0; at < entries.length; at += concurrency) {
    for (const article of await articlesOf(view, entries.slice(at, at + concurrency), concurrency)) {
      if (fullAtMost === undefined) {
        kept += Buffer.byteLength(article.html);
        if (kept <= htmlBudget) {
          articles.push(article);
          continue;
        }
        fullAtMost = articles.length;
      }
      articles.push({ ...article, html: '' });
    }
  }
  return { articles, fullAtMost: fullAtMost ?? articles.length };
}

/**
 * The title of every tag these articles carry, by slug, as the state holds it (TagDir.name): the one
 * place the feeds' categories and the tag pages get a tag's name from. `known` carries titles already
 * read across groups (a full rebuild reads each tag's directory once, not once per archive page).
 */
async function tagTitlesOf(view: StateView, articles: readonly Article[], concurrency: number, known: Map<string, string> = new Map()): Promise<Map<string, string>> {
  const slugs = new Set(articles.flatMap((a) => a.tags.map(tagSlug)));
  const titles = new Map<string, string>();
  await mapLimit([...slugs], concurrency, async (slug) => {
    let title = known.get(slug);
    if (title === undefined) {
      title = (await view.read(STATE.tagDir(slug)))?.name;
      if (title !== undefined) known.set(slug, title);
    }
    if (title !== undefined) titles.set(slug, title);
  });
  return titles;
}

/**
 * A group's files from the state as this cycle leaves it; an empty map for a tag that is gone. A feed
 * that fails its parse-back is never written: the group's feeds are left out (their previous, good
 * versions stay on the site) and the failure goes to `failed`, so it is reported and never stops the publish.
 */
export async function buildGroup(
  view: StateView,
  id: GroupId,
  settings: Settings,
  head: Head,
  concurrency: number,
  failed: FeedCheckError[] = [],
  known: Map<string, string> = new Map(),
): Promise<Map<string, string>> {
  // Only as much article HTML as a feed document can carry (FEED_BYTES); none when feeds carry summaries.
  const feedArticles = (entries: readonly Entry[]) => feedArticlesOf(view, entries, concurrency, settings.feedContent === 'full' ? FEED_BYTES : 0);
  const top = async (name: string, dir: TimelineDir) => feedArticles(await newest(dir, settings.feedSize, async (c) => (await view.read(STATE.timelineChunk(name, c))) ?? []));
  const options = async ({ articles, fullAtMost }: { articles: Article[]; fullAtMost: number }) => ({ titles: await tagTitlesOf(view, articles, concurrency, known), fullAtMost });
  let files: Map<string, string>;
  switch (id.kind) {
    case 'main': {
      const dir = await view.read(timelineDir(MAIN_TIMELINE));
      const feed = dir ? await top(MAIN_TIMELINE, dir) : { articles: [], fullAtMost: 0 };
      files = mainFiles(feed.articles, settings, publishedPages(head, settings), await options(feed));
      break;
    }
    case 'tag': {
      const dir = await view.read(STATE.tagDir(id.slug));
      if (!dir) return new Map();
      known.set(id.slug, dir.name);
      const feed = await top(tagTimeline(id.slug), dir);
      files = tagFiles(id.slug, dir.name, feed.articles, settings, await options(feed));
      break;
    }
    case 'archive': {
      const page = await view.read(STATE.archivePage(id.n));
      const feed = await feedArticles(page?.members ?? []);
      files = archiveFiles(id.n, feed.articles, settings, publishedPages(head, settings), await options(feed));
      break;
    }
    case 'sitemap-articles': {
      const shard = await view.read(STATE.sitemapShard(id.n));
      files = articleSitemapFiles(id.n, shard?.urls ?? [], settings);
      break;
    }
    case 'sitemap-tags': {
      const shard = await view.read(STATE.tagShard(id.n));
      files = tagSitemapFiles(id.n, shard?.slugs ?? [], settings);
      break;
    }
    case 'sitemap':
      files = sitemapIndexFiles(articleShards(head), tagShards(head), settings);
      break;
    case 'news':
      // From the state's index (refreshNews keeps it current), never the clock: a replay writes the same bytes.
      files = newsSitemapFiles((await view.read(STATE.news))?.items ?? [], settings);
      break;
    case 'static':
      files = staticFiles(settings);
      break;
  }
  try {
    checkFeeds(files); // every feed parsed back before it can be written
  } catch (err) {
    if (!(err instanceof FeedCheckError)) throw err;
    failed.push(err);
    // The whole group stays as it was: its pages and browser view list what its feeds list.
    files.clear();
  }
  return files;
}

export interface BuiltGroup {
  id: GroupId;
  /** Every file of the group. */
  files: Map<string, string>;
  /** The files whose bytes differ from what was last written (all of them when `force`). */
  changed: string[];
}

/** Build groups and stage their file hashes; `force` writes every file (a repair), not only the changed. */
export async function buildGroups(
  view: StateView,
  ids: readonly GroupId[],
  settings: Settings,
  head: Head,
  concurrency: number,
  force = false,
  failed: FeedCheckError[] = [],
  titles: Map<string, string> = new Map(),
): Promise<BuiltGroup[]> {
  const built: BuiltGroup[] = [];
  for (const id of ids) {
    // One group at a time: a rebuild never holds every feed of the archive in memory.
    const failures = failed.length;
    const files = await buildGroup(view, id, settings, head, concurrency, failed, titles);
    const stateKey = STATE.group(groupName(id));
    const before = (await view.read(stateKey))?.files ?? {};
    // A group left out after a failed parse-back keeps the hashes of the versions still on the site.
    const kept = failed.length > failures;
    const hashes: Record<string, string> = kept ? { ...before } : {};
    const changed: string[] = [];
    for (const [key, body] of files) {
      hashes[key] = hash(body);
      if (force || before[key] !== hashes[key]) changed.push(key);
    }
    view.stage(stateKey, files.size > 0 || kept ? ({ files: hashes } satisfies GroupState) : null);
    built.push({ id, files, changed });
  }
  return built;
}

/** Render pages; the page hash (pageHash) goes into the staged record, and only a changed page is written. */
export function buildPages(view: StateView, pages: ReadonlyMap<string, ArticleRecord>, settings: Settings, force = false): Map<string, string> {
  const out = new Map<string, string>();
  for (const [h, record] of pages) {
    const page = pageHash(record.article);
    if (force || record.page !== page) out.set(pageKey(record.article.slug), articlePage(record.article, settings));
    view.stage(STATE.record(h), recordInOrder({ ...record, page }));
  }
  return out;
}
