import { randomBytes } from 'node:crypto';
import { mapLimit } from '../../core/concurrency.ts';
import { KEYS } from '../../core/keys.ts';
import { headersFor } from '../../core/output/objects.ts';
import { STATE } from '../../core/state/state.ts';
import type { Store } from '../../stores/store.ts';

/**
 * Durable requests: every publish first writes what it was asked to do into the state store, then
 * tries for the lease. A publish that finds the lease held returns at once (the event is safe: the
 * holder drains every request before it lets go, and a new holder drains what a dead one left), so no
 * event is ever lost and none waits for a queue's visibility timeout.
 */
/**
 * What a publish is asked to do, the one shape from the event to the drain: an S3 event's keys, the minute
 * tick (no keys: what the clock made due), a scan, a full rebuild. Written durably before anything else,
 * merged with what others asked, drained by the holder.
 */
export interface Request {
  /** Content keys named by events. */
  keys: string[];
  /** Compare every article with the state (a local build, `wirefeed publish`, the daily reconcile). */
  scan: boolean;
  /**
   * With a scan: list the whole site and mend it (the daily reconcile). Without it a scan reconciles only
   * when the last reconcile is a day old, the site has no front page or media/ changed (reconcileDue, repair.ts).
   */
  reconcile: boolean;
  /** Rebuild everything. */
  full: boolean;
}

/** The requests there are: for these content keys (none: what the clock made due), a scan with or without a reconcile, a full rebuild. */
export const ask = {
  keys: (keys: readonly string[] = []): Request => ({ keys: [...keys], scan: false, reconcile: false, full: false }),
  /** What changed in the content: a local build, `wirefeed publish`, serve's first build. */
  changes: (): Request => ({ keys: [], scan: true, reconcile: false, full: false }),
  scan: (): Request => ({ keys: [], scan: true, reconcile: true, full: false }),
  full: (): Request => ({ keys: [], scan: false, reconcile: false, full: true }),
};

export const asksAnything = (request: Request): boolean => request.keys.length > 0 || request.scan || request.full;

function merge(a: Request, b: Request): Request {
  return { keys: [...new Set([...a.keys, ...b.keys])].sort(), scan: a.scan || b.scan, reconcile: a.reconcile || b.reconcile, full: a.full || b.full };
}

/** Record a request; its key sorts by time, so the oldest are drained first. */
export async function writeRequest(state: Store, request: Request): Promise<string> {
  const key = `${STATE.requests}${Date.now().toString().padStart(15, '0')}-${randomBytes(5).toString('hex')}.json`;
  await state.put(key, JSON.stringify(request), headersFor(key));
  return key;
}

export interface Drained {
  /** The request objects read: deleted once the commit that did their work is in place. */
  keys: string[];
  /** What they ask, merged. */
  request: Request;
  /** Intents a holder left (intents.ts): site writes it may not have finished. */
  intents: string[];
}

/** Every request waiting, merged. An unreadable one asks for a scan: whatever it named is then found. */
export async function drainRequests(state: Store, concurrency: number): Promise<Drained> {
  const listed = (await state.list(STATE.requests, KEYS)).map((info) => info.key);
  const intents = listed.filter(isIntent);
  const keys = listed.filter((key) => !isIntent(key));
  const bodies = await mapLimit(keys, concurrency, (key) => state.get(key));
  let request = ask.keys();
  for (const object of bodies) {
    if (!object) continue; // drained by someone else since the listing
    request = merge(request, readRequest(object.body));
  }
  return { keys, request, intents };
}

const isIntent = (key: string): boolean => key.startsWith(STATE.intents);

/** Whether any request waits (intents, which rechecks keep until their time, are not requests). */
export async function requestsWaiting(state: Store): Promise<boolean> {
  return (await state.list(STATE.requests, KEYS)).some((info) => !isIntent(info.key));
}

function readRequest(bytes: Uint8Array): Request {
  try {
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<Request>;
    const keys = Array.isArray(value.keys) ? value.keys.filter((k): k is string => typeof k === 'string') : [];
    const scan = value.scan === true || !Array.isArray(value.keys);
    // A request written before `reconcile` existed: its scan reconciled.
    return { keys, scan, reconcile: scan && value.reconcile !== false, full: value.full === true };
  } catch {
    return ask.scan();
  }
}

export async function deleteRequests(state: Store, keys: readonly string[], concurrency: number): Promise<void> {
  await mapLimit(keys, concurrency, (key) => state.delete(key));
}
