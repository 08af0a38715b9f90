import { ArticleError, FeedCheckError } from '../errors.ts';
import { FEEDS } from '../keys.ts';
import { countItems } from '../output/check.ts';
import { siteScope } from '../output/feed-scope.ts';
import { buildFeeds } from '../output/feeds.ts';
import { articlePage } from '../output/pages.ts';
import type { Settings } from '../settings.ts';
import { type Article, parseArticle } from './article.ts';

/**
 * What one article may put on the site. The 2 MB input limit does not bound the output (escaping grows
 * text: 1.9 MB of "<" is 8 MB of HTML), so the rendered page and each one-item feed are measured too.
 * Far above any real report; documented in README ("Writing articles").
 */
export const MAX_PAGE_BYTES = 4 * 1024 * 1024;
export const MAX_FEED_ITEM_BYTES = 4 * 1024 * 1024;

const FORMATS = { [FEEDS.rss]: 'RSS', [FEEDS.atom]: 'Atom', [FEEDS.json]: 'JSON Feed' } as const;

/** Parse an article, then prove its output: what the publisher (and each render worker) runs per file. */
export function parsePublishable(file: string, bytes: Uint8Array, settings: Settings): Article {
  const article = parseArticle(file, bytes, settings);
  checkArticleOutput(article, settings);
  return article;
}

/**
 * The article's page and its own one-item feeds (RSS, Atom, JSON Feed, built by the real writers) are
 * within bounds and parse back with one item each. A failure is this article's rejection, found before
 * the article is in any feed, so a feed shared with other articles is never the one that breaks.
 */
function checkArticleOutput(article: Article, settings: Settings): void {
  let page: number;
  try {
    page = Buffer.byteLength(articlePage(article, settings));
  } catch (err) {
    throw new ArticleError(article.file, `its page cannot be written (${(err as Error).message})`, { cause: err });
  }
  if (page > MAX_PAGE_BYTES) throw new ArticleError(article.file, `its page would be ${megabytes(page)}; the limit is ${megabytes(MAX_PAGE_BYTES)}: shorten the article or split it`);
  let feeds: Record<string, string>;
  try {
    feeds = { ...buildFeeds([article], settings, siteScope(settings), { budget: Infinity }) }; // the whole item, measured below
  } catch (err) {
    throw new ArticleError(article.file, `its feed item cannot be written (${(err as Error).message})`, { cause: err });
  }
  for (const [name, body] of Object.entries(feeds)) {
    const format = FORMATS[name as keyof typeof FORMATS] ?? name;
    const size = Buffer.byteLength(body);
    if (size > MAX_FEED_ITEM_BYTES) {
      throw new ArticleError(article.file, `its ${format} item would be ${megabytes(size)}; the limit is ${megabytes(MAX_FEED_ITEM_BYTES)}: shorten the article or split it`);
    }
    let items: number;
    try {
      items = countItems(name, body);
    } catch (err) {
      if (!(err instanceof FeedCheckError)) throw err;
      throw new ArticleError(article.file, `its ${format} item does not parse back (${err.detail}); the article is not published`, { cause: err });
    }
    if (items !== 1) throw new ArticleError(article.file, `its ${format} item does not parse back (${items} items instead of 1); the article is not published`);
  }
}

const megabytes = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
