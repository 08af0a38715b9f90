import { groupFiles, keyHash, pageKey, parseGroupName } from '../../core/keys.ts';
import { type ArticleRecord, type Head, type Journal, type Recheck, STATE, stateInFlux } from '../../core/state/state.ts';
import type { Stores } from '../../stores/store.ts';
import type { CycleContext } from '../context.ts';
import { StateView } from '../cycle/state-view.ts';
import { writeInOrder } from '../cycle/write.ts';
import { writeHead } from './commit.ts';
import { readIntent } from './intents.ts';
import { readJournal, repairKeys, replayJournal } from './repair.ts';

/**
 * How long after a holder's unfinished work is found its site keys are redone once more. Its guarded
 * writes stop at its deadline (before its lease can be taken over), but one already on the wire can still
 * land: S3 drops a connection idle for 20 s and the client gives up on a request after 30 s (s3-client.ts),
 * so two minutes is past every bound a live writer has.
 */
const RECHECK_AFTER_MS = 120_000;

export type Log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

/**
 * Finish what earlier holders left: a committed journal still named by the head is replayed; intents
 * (site writes outside a journal) still in the state are redone from the state. Either means its holder
 * did not finish: it died, gave up, or is stalled and may still land a write, so each is also queued for
 * a recheck that redoes its site keys once more after RECHECK_AFTER_MS. Rechecks that are due run here.
 * Nothing is redone while a rebuild remakes the state (it rewrites every key); its rechecks wait for it.
 */
export async function recover(io: Stores, ctx: CycleContext, head: Head, etag: string, intents: readonly string[], log: Log): Promise<{ head: Head; etag: string }> {
  const queued = head.recheck ?? [];
  const after = new Date(ctx.now.getTime() + RECHECK_AFTER_MS).toISOString();
  const added: Recheck[] = [];
  let next = head;
  if (head.journal) {
    const journal = await readJournal(io.state, head.journal);
    if (journal) {
      log('info', 'finishing a publish that did not complete', { journal: head.journal, tookOver: ctx.lease.tookOver });
      if (!stateInFlux(head)) await replayJournal(io, ctx, journal, head);
      added.push({ key: head.journal, after });
    }
    const { journal: _replayed, ...rest } = next;
    next = rest;
  }
  const named = new Set(queued.map((r) => r.key));
  for (const key of intents) {
    if (named.has(key)) continue;
    const keys = await readIntent(io.state, key);
    if (!keys) continue;
    log('info', 'redoing site writes a publish did not finish', { intent: key, keys: keys.length, tookOver: ctx.lease.tookOver });
    if (!stateInFlux(head)) await redo(io, ctx, keys, head);
    added.push({ key, after });
  }
  let rechecks = [...queued, ...added];
  const due = stateInFlux(head) ? [] : rechecks.filter((r) => r.after <= ctx.now.toISOString());
  for (const r of due) {
    const keys = await siteKeysIn(io, r.key);
    if (keys) await redo(io, ctx, keys, head);
  }
  if (due.length === 0 && added.length === 0 && next === head) return { head, etag };
  rechecks = rechecks.filter((r) => !due.includes(r));
  const { recheck: _was, ...rest } = next;
  next = rechecks.length > 0 ? { ...rest, recheck: rechecks } : rest;
  const written = await writeHead(io.state, next, etag);
  // Only once the head no longer names them: a crash before this redoes them again, which is harmless.
  for (const r of due) await io.state.delete(r.key);
  return { head: next, etag: written };
}

/** Make these site keys what the state says now. */
async function redo(io: Stores, ctx: CycleContext, keys: readonly string[], head: Head): Promise<void> {
  const work = await repairKeys(new StateView(io.state), keys, ctx.settings, head, ctx.concurrency);
  await writeInOrder(io.site, io.content, work, ctx.concurrency);
}

/** The site keys a journal or an intent names, or undefined when it is gone. */
async function siteKeysIn(io: Stores, key: string): Promise<string[] | undefined> {
  if (key.startsWith(STATE.intents)) return readIntent(io.state, key);
  const journal = await readJournal(io.state, key);
  return journal && siteKeysOf(journal);
}

/** Every site key a journal's cycle may have written or deleted. */
function siteKeysOf(journal: Journal): string[] {
  const keys = [...journal.site.mediaPut, ...journal.site.mediaDelete, ...journal.site.deletes];
  for (const name of journal.site.groups) {
    const id = parseGroupName(name);
    if (id) keys.push(...groupFiles(id));
  }
  const pages = new Set(journal.site.pages);
  for (const w of journal.state) {
    if (!w.body || !w.key.startsWith(STATE.records)) continue;
    try {
      const record = JSON.parse(w.body) as ArticleRecord;
      if (pages.has(keyHash(record.key))) keys.push(pageKey(record.article.slug));
    } catch {
      // a journal is written whole or not at all; nothing to name from a torn one
    }
  }
  return keys;
}
