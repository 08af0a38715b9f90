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
  /** Every site key they name. */
  keys: Set<string>;
}

export async function readPending(out: Store, limit: number): Promise<Pending> {
  const markers = (await out.list(PENDING_PREFIX)).map((info) => info.key);
  const keys = new Set<string>();
  const bodies = await mapLimit(markers, limit, (key) => out.get(key));
  for (const body of bodies) {
    try {
      for (const key of JSON.parse(Buffer.from(body?.body ?? '[]').toString('utf8')) as unknown[]) if (typeof key === 'string') keys.add(key);
    } catch {
      // An unreadable marker names nothing; the next full rebuild repairs whatever it meant.
    }
  }
  return { markers, keys };
}

/** Record the keys about to change; undefined (and no request) when there are none. */
export async function writeMarker(out: Store, keys: readonly string[]): Promise<string | undefined> {
  if (keys.length === 0) return undefined;
  const marker = `${PENDING_PREFIX}${Date.now()}-${Math.random().toString(36).slice(2, 10)}.json`;
  await out.put(marker, JSON.stringify(keys), headersFor(marker));
  return marker;
}
