import { randomBytes } from 'node:crypto';

import { headersFor } from '../../core/output/objects.ts';

import { type Intent, listedAs, readState, STATE } from '../../core/state/state.ts';

import type { Store } from '../../stores/store.ts';

import { type SiteWork, writeInOrder } from '../cycle/write.ts';

/**
 * Intents: site writes made outside a cycle's journal (a reconcile writing back what is missing, a
 * rebuild's pages and groups) are named in the state before they are made, and the name is removed once
 * every one of them has landed. One that is still there was left by a holder that died, gave up, or may
 * still be writing (a stall): the next holder redoes its keys from the state, and once more when that
 * holder's time is surely up (recover.ts), so a late write never stands. A cycle's writes need none:
 * its journal names them.
 */
export async function withIntent<T>(state: Store, keys: Iterable<string>, write: () => Promise<T>): Promise<T> {
  const site = [...new Set(keys)].sort();
  if (site.length === 0) return write();
  const key = STATE.intent(`${Date.now().toString().padStart(15, '0')}-${randomBytes(5).toString('hex')}.json`);
  await state.put(key, JSON.stringify({ site } satisfies Intent), headersFor(key));
  const result = await write();
  await state.delete(key);
  return result;
}

/** Every site key a piece of site work writes or deletes. */
function keysOfWork(work: SiteWork): string[] {
  return [...work.mediaPut, ...work.mediaDelete, ...work.pages.keys(), ...work.groups.flatMap((g) => [...g.files.keys()]), ...work.deletes];
}

/** writeInOrder, its keys named first in an intent. */
export async function writeNamed(io: { site: Store; content: Store; state: Store }, work: SiteWork, concurrency: number): Promise<{ written: string[]; deleted: string[] }> {
  return withIntent(io.state, keysOfWork(work), () => writeInOrder(io.site, io.content, work, concurrency));
}

/** An intent's site keys, or undefined when it is gone. */
export async function readIntent(state: Store, key: string): Promise<string[] | undefined> {
  const object = await state.get(key);
  return object ? readState(listedAs(STATE.intent, key), object.body).site : undefined;
}
