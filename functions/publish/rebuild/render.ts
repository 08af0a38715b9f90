import { isPublic } from '../../core/article/article.ts';
import { mapLimit } from '../../core/concurrency.ts';
import { ArticleError } from '../../core/errors.ts';
import { pageHash, renderHash } from '../../core/hash.ts';
import { isArticleKey } from '../../core/keys.ts';
import { headersFor } from '../../core/output/objects.ts';
import { type ArticleRecord, type RebuildBatch, type RebuildProgress, recordInOrder, STATE } from '../../core/state/state.ts';
import type { Stores } from '../../stores/store.ts';
import type { CycleContext } from '../context.ts';
import { readArticle } from '../cycle/read.ts';
import { readMedia } from '../media.ts';
import { lastGoodOf, priorRecord } from './index.ts';

/**
 * The render step's batch n: these files' records with their HTML (rebuild/<n>.json), then the same without
 * it (the summary the index step reads), under the fan-out's run when there is one. The one code a holder of
 * the chain, a fan-out's child and a holder making up a fan-out's missing batch all render with.
 * Returns how many records it wrote.
 */
export async function renderBatch(
  io: Pick<Stores, 'content' | 'state'>,
  ctx: Pick<CycleContext, 'settings' | 'now' | 'parse' | 'concurrency'>,
  n: number,
  keys: readonly string[],
  etags: ReadonlyMap<string, string>,
  progress: RebuildProgress,
  rejected: ArticleError[],
): Promise<number> {
  const run = progress.fan?.run;
  const refused: ArticleError[] = [];
  const batch = await render(io, ctx, keys.filter(isArticleKey), etags, refused, progress);
  rejected.push(...refused);
  await io.state.put(STATE.rebuildBatch(n, run), JSON.stringify(batch), headersFor(STATE.rebuildBatch(n, run)));
  // The index step needs no `held`; in a fan-out it reports the batch's rejections (a child's go only to its log).
  const summary: RebuildBatch = {
    records: batch.records.map((r) => ({ ...r, article: { ...r.article, html: '' } })),
    ...(run !== undefined && refused.length > 0 ? { rejected: refused.map((e) => ({ file: e.file, problem: e.problem })) } : {}),
  };
  await io.state.put(STATE.rebuildSummary(n, run), JSON.stringify(summary), headersFor(STATE.rebuildSummary(n, run)));
  return batch.records.length;
}

/**
 * These files' records with their HTML. A file the old state has at the ETag the listing gives, parsed under
 * the same renderHash, is neither read nor parsed again: a rebuild for a new title or feed size costs a read of
 * each record rather than of the file, the Markdown, sanitising and feed checks. One broken file is a
 * rejection, never a stop.
 */
async function render(
  io: Pick<Stores, 'content' | 'state'>,
  ctx: Pick<CycleContext, 'settings' | 'now' | 'parse' | 'concurrency'>,
  keys: readonly string[],
  etags: ReadonlyMap<string, string>,
  rejected: ArticleError[],
  progress: RebuildProgress,
): Promise<RebuildBatch> {
  // A state a rebuild was remaking may lack a record's marker or claims: nothing is taken as held.
  const whole = progress.from !== undefined;
  const rendered = renderHash(ctx.settings);
  const held: string[] = [];
  const same: string[] = [];
  const records = await mapLimit(keys, ctx.concurrency, async (key): Promise<ArticleRecord | undefined> => {
    const prior = progress.fresh ? undefined : await priorRecord(io, key);
    const reused = prior !== undefined && prior.etag === etags.get(key) && prior.rendered === rendered ? prior : undefined;
    const object = reused ?? (await readArticle(io.content, key));
    if (!object) return undefined;
    const record = await (async (): Promise<ArticleRecord | undefined> => {
      try {
        if (object instanceof ArticleError) throw object;
        const parsed = 'body' in object ? await ctx.parse(key, object.body, ctx.settings) : object.article;
        // The image is looked at again either way: the file in media/ may have changed or gone.
        const { article, media } = await readMedia(parsed, ctx.settings, io.content);
        // Fields in the order a publish cycle gives them (apply.ts): the same state is the same bytes.
        return { key, etag: object.etag, rendered, article, public: isPublic(article, ctx.now), ...(prior?.seq !== undefined ? { seq: prior.seq } : {}), ...(media ? { media } : {}) };
      } catch (err) {
        if (!(err instanceof ArticleError)) throw err;
        rejected.push(err);
        return lastGoodOf(prior, ctx);
      }
    })();
    if (whole && record && prior?.etag === record.etag && prior.article.slug === record.article.slug && prior.article.id === record.article.id) {
      held.push(key);
      const written = recordInOrder({ ...record, ...(record.public ? { page: pageHash(record.article) } : {}) });
      if (JSON.stringify(written) === JSON.stringify(recordInOrder(prior))) same.push(key);
    }
    return record;
  });
  return {
    records: records.filter((r): r is ArticleRecord => r !== undefined),
    ...(held.length > 0 ? { held: held.sort() } : {}),
    ...(same.length > 0 ? { same: same.sort() } : {}),
  };
}
