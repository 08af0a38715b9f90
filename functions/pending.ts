import { headersFor } from './core/objects.ts';
import { mapLimit } from './concurrency.ts';
import type { Store } from './stores/store.ts';

/**
 * Markers of publishes under way, or failed midway, in the site store. Before its first write a
 * publish records every key it is about to change; it removes the marker once its manifest is in
 * place. A marker that stays names what a failed publish may have left half-done, so the next
 * publish rewrites those keys (or deletes them, when nothing produces them any more).
 */
export const PENDING_PREFIX = '.wirefeed/pending/';

export interface Pending {
  /** The marker objects read: delete them once the repair is written. */
  markers: string[];
  /** Every site key they name (pages, deletions). */
  keys: Set<string>;
  /** Every output group they name: rebuilt and rewritten whole. */
  groups: Set<string>;
}

/** What a marker records. */
export interface Intent {
  keys: readonly string[];
  groups: readonly string[];
}

export async function readPending(out: Store, limit: number): Promise<Pending> {
  const markers = (await out.list(PENDING_PREFIX)).map((info) => info.key);
  const keys = new Set<string>();
  const groups = new Set<string>();
  const bodies = await mapLimit(markers, limit, (key) => out.get(key));
  for (const body of bodies) {
    try {
      const intent = JSON.parse(Buffer.from(body?.body ?? '{}').toString('utf8')) as Partial<Intent>;
      for (const key of intent.keys ?? []) if (typeof key === 'string') keys.add(key);
      for (const id of intent.groups ?? []) if (typeof id === 'string') groups.add(id);
    } catch {
      // An unreadable marker names nothing; the next full rebuild repairs whatever it meant.
    }
  }
  return { markers, keys, groups };
}

/** Record what is about to change; undefined (and no request) when nothing is. */
export async function writeMarker(out: Store, intent: Intent): Promise<string | undefined> {
  if (intent.keys.length === 0 && intent.groups.length === 0) return undefined;
  const marker = `${PENDING_PREFIX}${Date.now()}-${Math.random().toString(36).slice(2, 10)}.json`;
  await out.put(marker, JSON.stringify(intent), headersFor(marker));
  return marker;
}
