import { randomBytes } from 'node:crypto';
import { mapLimit } from '../../core/concurrency.ts';

import { headersFor } from '../../core/output/objects.ts';
import { type Head, type Journal, STATE, StateError, type StateWrite } from '../../core/state/state.ts';
import { PreconditionFailedError, type Store } from '../../stores/store.ts';
import { LeaseLostError } from './lease.ts';

/**
 * The commit: the journal (every state change of the cycle, and what it does to the site) is written,
 * then the head is replaced with If-Match on the ETag read at the start, pointing at it. From that
 * moment the cycle is decided: whoever holds the lease next and finds the head naming a journal that
 * still exists replays it. A head write that fails its condition means another publish committed
 * since: this one has lost its lease and stops, having written nothing to the site.
 */
export async function commitJournal(state: Store, head: Head, headEtag: string | undefined, journal: Journal): Promise<{ head: Head; etag: string; journalKey: string }> {
  const journalKey = STATE.journal(`${String(journal.generation).padStart(12, '0')}-${randomBytes(4).toString('hex')}.json`);
  await state.put(journalKey, JSON.stringify(journal), headersFor(journalKey));
  const next: Head = { ...head, generation: journal.generation, journal: journalKey };
  const etag = await writeHead(state, next, headEtag);
  return { head: next, etag, journalKey };
}

/** Replace the head, conditional on the version read (or on there being none). */
export async function writeHead(state: Store, head: Head, etag: string | undefined): Promise<string> {
  try {
    const written = await state.put(STATE.head, JSON.stringify(head), { ...headersFor(STATE.head), ...(etag ? { ifMatch: etag } : { ifNoneMatch: '*' }) });
    return written.etag;
  } catch (err) {
    if (err instanceof PreconditionFailedError) throw new LeaseLostError('another publish committed first; this one stops and the next repairs');
    throw err;
  }
}

/**
 * Write a journal's state changes, each conditional on the version it replaces, so a writer whose lease
 * is gone can never overwrite a newer commit with an older one. Replaying, a failed condition whose
 * object already holds the intended bytes is a write that landed before: done.
 */
export async function applyStateWrites(state: Store, writes: readonly StateWrite[], replaying: boolean, concurrency: number): Promise<void> {
  await mapLimit(writes, concurrency, async (w) => {
    try {
      if (w.body === null) {
        await state.delete(w.key, w.expect === '' || w.expect === '*' ? {} : { ifMatch: w.expect });
      } else {
        const condition = w.expect === '' ? {} : w.expect === '*' ? { ifNoneMatch: '*' as const } : { ifMatch: w.expect };
        await state.put(w.key, w.body, { ...headersFor(w.key), ...condition });
      }
    } catch (err) {
      if (!(err instanceof PreconditionFailedError)) throw err;
      if (!replaying) throw new LeaseLostError(`${w.key} changed under this publish: its lease is gone`);
      const current = await state.get(w.key);
      const landed = w.body === null ? current === undefined : current !== undefined && Buffer.from(current.body).toString('utf8') === w.body;
      if (!landed) throw new StateError(w.key, 'changed since the journal that writes it was committed', { cause: err });
    }
  });
}
