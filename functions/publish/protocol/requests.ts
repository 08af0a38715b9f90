import { randomBytes } from 'node:crypto';
import { mapLimit } from '../../core/concurrency.ts';
import { KEYS, STATE } from '../../core/keys.ts';
import { headersFor } from '../../core/output/objects.ts';
import type { Store } from '../../stores/store.ts';

/**
 * Durable requests: every publish first writes what it was asked to do into the state store, then
 * tries for the lease. A publish that finds the lease held returns at once (the event is safe: the
 * holder drains every request before it lets go, and a new holder drains what a dead one left), so no
 * event is ever lost and none waits for a queue's visibility timeout.
 */
export interface Work {
  /** Content keys named by events. */
  keys: string[];
  /** Compare every article with the state (a local build, the daily reconcile, `wirefeed publish`). */
  scan: boolean;
  /** Rebuild everything. */
  full: boolean;
}

export const noWork = (): Work => ({ keys: [], scan: false, full: false });

export const hasWork = (work: Work): boolean => work.keys.length > 0 || work.scan || work.full;

function mergeWork(a: Work, b: Work): Work {
  return { keys: [...new Set([...a.keys, ...b.keys])].sort(), scan: a.scan || b.scan, full: a.full || b.full };
}

/** Record a request; its key sorts by time, so the oldest are drained first. */
export async function writeRequest(state: Store, work: Work): Promise<string> {
  const key = `${STATE.requests}${Date.now().toString().padStart(15, '0')}-${randomBytes(5).toString('hex')}.json`;
  await state.put(key, JSON.stringify(work), headersFor(key));
  return key;
}

export interface Drained {
  /** The request objects read: deleted once the commit that did their work is in place. */
  keys: string[];
  work: Work;
  /** Intents a holder left (intents.ts): site writes it may not have finished. */
  intents: string[];
}

/** Every request waiting, merged. An unreadable one asks for a scan: whatever it named is then found. */
export async function drainRequests(state: Store, limit: number): Promise<Drained> {
  const listed = (await state.list(STATE.requests, KEYS)).map((info) => info.key);
  const intents = listed.filter(isIntent);
  const keys = listed.filter((key) => !isIntent(key));
  const bodies = await mapLimit(keys, limit, (key) => state.get(key));
  let work = noWork();
  for (const object of bodies) {
    if (!object) continue; // drained by someone else since the listing
    work = mergeWork(work, readWork(object.body));
  }
  return { keys, work, intents };
}

const isIntent = (key: string): boolean => key.startsWith(STATE.intents);

/** Whether any request waits (intents, which rechecks keep until their time, are not requests). */
export async function requestsWaiting(state: Store): Promise<boolean> {
  return (await state.list(STATE.requests, KEYS)).some((info) => !isIntent(info.key));
}

function readWork(bytes: Uint8Array): Work {
  try {
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<Work>;
    const keys = Array.isArray(value.keys) ? value.keys.filter((k): k is string => typeof k === 'string') : [];
    return { keys, scan: value.scan === true || !Array.isArray(value.keys), full: value.full === true };
  } catch {
    return { keys: [], scan: true, full: false };
  }
}

export async function deleteRequests(state: Store, keys: readonly string[], limit: number): Promise<void> {
  await mapLimit(keys, limit, (key) => state.delete(key));
}
