import { mapLimit } from '../../core/concurrency.ts';
import { pageHash } from '../../core/hash.ts';
import { keyHash, pageKey } from '../../core/keys.ts';
import { headersFor } from '../../core/output/objects.ts';
import { articlePage } from '../../core/output/pages.ts';
import { type ArticleRecord, type RebuildBatch, type RebuildPlan, type RebuildProgress, readState, recordInOrder, type SlugClaim, STATE, trustedFile } from '../../core/state/state.ts';
import type { Stores } from '../../stores/store.ts';
import type { CycleContext } from '../context.ts';
import { MAX_WAITING } from '../cycle/claims.ts';
import { withIntent } from '../protocol/intents.ts';
import { readBatch } from './index.ts';

// The rebuild's records step: each batch's planned records at their own keys, with their claims and pages. The
// one code the chain's holders, a fan-out's children and a holder making up a child's batches write records with.

export async function readPlan(io: Pick<Stores, 'state'>): Promise<RebuildPlan> {
  const object = await io.state.get(STATE.rebuildPlan);
  return object ? readState(STATE.rebuildPlan, object.body) : { batches: [] };
}

/**
 * The records step: batch n's planned records at their own keys, with their places, and their pages (named
 * first). Each claim names the files refused it, which wait on it; one the old state has as it would be
 * written is left as it is.
 */
export async function writeRecords(io: Stores, ctx: Pick<CycleContext, 'settings' | 'concurrency'>, n: number, plan: RebuildPlan, progress: RebuildProgress, named = true): Promise<string[]> {
  const places = new Map(plan.batches[n - 1] ?? []);
  const batch = await readBatch(io, STATE.rebuildBatch(n, progress.fan?.run));
  // A publish since the render step may have deleted a file's marker or let its claim go (the file edited or
  // deleted behind the cursor): that file is not taken as held, and the scan after the rebuild finds what changed.
  const trusted = (key: string) => trustedFile(progress, keyHash(key));
  const held = new Set(batch.held?.filter(trusted));
  const unchanged = unchangedRecords(batch, plan, n, trusted);
  const records = batch.records.filter((r) => places.has(r.key) && !unchanged.has(r));
  // An unchanged record stands as it is (its page waits for the site step); a claim it holds is written only to name the files waiting on it
  await mapLimit([...unchanged], ctx.concurrency, async (r) => {
    for (const claim of [STATE.slug(r.article.slug), STATE.id(r.article.id)]) {
      const waiting = plan.waiting?.[claim]?.slice(-MAX_WAITING);
      if (waiting) await io.state.put(claim, JSON.stringify({ key: r.key, waiting } satisfies SlugClaim), headersFor(claim));
    }
  });
  const pages = records.filter((r) => r.public).map((r) => pageKey(r.article.slug));
  // A holder names its pages first (one cut off is redone from the state); a fan-out's child does not: its batch is
  // made again whole, by the state machine's retry or the holder, and holders would only queue its live intents.
  await (named ? withIntent : (_state: unknown, _keys: unknown, write: () => Promise<unknown>) => write())(io.state, pages, () =>
    mapLimit(records, ctx.concurrency, async (r) => {
      const h = keyHash(r.key);
      const seq = places.get(r.key);
      let page: string | undefined;
      if (r.public) {
        page = pageHash(r.article);
        await io.site.put(pageKey(r.article.slug), articlePage(r.article, ctx.settings), headersFor(pageKey(r.article.slug)));
      }
      const { seq: _rendered, ...rest } = r; // the place is the plan's
      const record = recordInOrder({ ...rest, ...(seq !== null && seq !== undefined ? { seq } : {}), ...(page ? { page } : {}) });
      await io.state.put(STATE.record(h), JSON.stringify(record), headersFor(STATE.record(h)));
      if (!held.has(r.key)) await io.state.put(STATE.seen(h, r.etag), JSON.stringify({}), headersFor(STATE.seen(h, r.etag)));
      for (const claim of [STATE.slug(r.article.slug), STATE.id(r.article.id)]) {
        const waiting = plan.waiting?.[claim]?.slice(-MAX_WAITING);
        if (held.has(r.key) && !waiting) continue;
        await io.state.put(claim, JSON.stringify({ key: r.key, ...(waiting ? { waiting } : {}) } satisfies SlugClaim), headersFor(claim));
      }
    }),
  );
  return pages;
}

/**
 * The records of batch n the old state has exactly as the records step would write them (`same`, with the
 * place the plan gives), of the files `trusted` (no publish has changed them since the render step): left as they are.
 */
export function unchangedRecords(batch: RebuildBatch, plan: RebuildPlan, n: number, trusted: (key: string) => boolean): Set<ArticleRecord> {
  if (!batch.same) return new Set();
  const places = new Map(plan.batches[n - 1] ?? []);
  const same = new Set(batch.same.filter(trusted));
  return new Set(batch.records.filter((r) => same.has(r.key) && places.has(r.key) && places.get(r.key) === (r.seq ?? null)));
}
