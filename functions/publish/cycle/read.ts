import { type Article, articleTooLarge, isPublic, MAX_ARTICLE_BYTES } from '../../core/article/article.ts';
import { parsePublishable } from '../../core/article/article-output.ts';
import { mapLimit } from '../../core/concurrency.ts';
import { ArticleError } from '../../core/errors.ts';
import { renderHash } from '../../core/hash.ts';
import { keyHash } from '../../core/keys.ts';
import { type ArticleRecord, STATE } from '../../core/state/state.ts';
import { isTooLarge, type Store, type StoredObject } from '../../stores/store.ts';
import type { CycleContext, Parse } from '../context.ts';
import { type MediaFacts, readMedia } from '../media.ts';
import type { StateView } from './state-view.ts';

/**
 * Parse on this thread, one article at a time, each on a turn of the event loop of its own. Parsing is CPU
 * work: run back to back for every article a batch has read (sixteen 2 MB articles can block a loaded machine
 * for half a minute), it would starve the lease's renewal timer and the holder would lose its lease mid-publish.
 */
export const parseHere: Parse = (file, bytes, settings) => {
  const parsed = inTurn.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(() => parsePublishable(file, bytes, settings));
  inTurn = parsed.then(
    () => undefined,
    () => undefined,
  );
  return parsed;
};
let inTurn: Promise<void> = Promise.resolve();

/** What reading one content key found, against what the state last processed of it. */
export type Outcome =
  | { key: string; h: string; kind: 'unchanged'; record: ArticleRecord }
  /** The same version, but its time came (an embargo lifted) or went (it expired). */
  | { key: string; h: string; kind: 'time'; record: ArticleRecord }
  | { key: string; h: string; kind: 'removed'; record: ArticleRecord }
  | { key: string; h: string; kind: 'rejected'; error: ArticleError; record?: ArticleRecord }
  /** `rendered`: the renderHash it was parsed under. */
  | { key: string; h: string; kind: 'parsed'; article: Article; etag: string; rendered: string; media?: MediaFacts; record?: ArticleRecord };

/**
 * Read the current version of each key, never trusting an event's order: a replayed or late event
 * reads the same object and finds nothing to do. One broken article is an outcome, never a stop.
 */
export async function readOutcomes(content: Store, view: StateView, keys: readonly string[], options: Pick<CycleContext, 'settings' | 'now' | 'parse' | 'concurrency'>): Promise<Outcome[]> {
  const outcomes = await mapLimit([...keys].sort(), options.concurrency, async (key): Promise<Outcome | undefined> => {
    const h = keyHash(key);
    const record = await view.base(STATE.record(h));
    const object = await readArticle(content, key);
    if (!object) return record ? { key, h, kind: 'removed', record } : undefined;
    if (object instanceof ArticleError) return { key, h, kind: 'rejected', error: object, ...(record ? { record } : {}) };
    if (record && record.etag === object.etag) {
      return { key, h, kind: isPublic(record.article, options.now) === record.public ? 'unchanged' : 'time', record };
    }
    try {
      const { article, media } = await readMedia(await options.parse(key, object.body, options.settings), options.settings, content);
      return { key, h, kind: 'parsed', article, etag: object.etag, rendered: renderHash(options.settings), ...(media ? { media } : {}), ...(record ? { record } : {}) };
    } catch (err) {
      if (err instanceof ArticleError) return { key, h, kind: 'rejected', error: err, ...(record ? { record } : {}) };
      throw err;
    }
  });
  return outcomes.filter((o): o is Outcome => o !== undefined);
}

/**
 * An article file's bytes, read no further than the article limit: a larger file is its rejection,
 * measured by the store and never read whole (a 2 GB file costs a stat, not 2 GB of memory).
 */
export async function readArticle(content: Store, key: string): Promise<StoredObject | ArticleError | undefined> {
  const object = await content.get(key, { maxBytes: MAX_ARTICLE_BYTES });
  return isTooLarge(object) ? articleTooLarge(key, object.size) : object;
}
