import type { DeleteOptions, PutOptions, Store } from '../../functions/stores/store.ts';
import { PassThroughStore } from './pass-through-store.ts';

/**
 * A store that writes down each write it lands, in order, in a log it may share with other stores
 * ("site put feed.json", "state delete journal/…"): order-of-events tests read it, and nothing waits on time.
 */
export class RecordingStore extends PassThroughStore {
  readonly #name: string;
  readonly log: string[];
  constructor(inner: Store, name: string, log: string[] = []) {
    super(inner);
    this.#name = name;
    this.log = log;
  }
  override async put(key: string, body: Uint8Array | string, options: PutOptions): Promise<{ etag: string }> {
    const written = await this.inner.put(key, body, options);
    this.log.push(`${this.#name} put ${key}`);
    return written;
  }
  override async delete(key: string, options?: DeleteOptions): Promise<void> {
    await this.inner.delete(key, options);
    this.log.push(`${this.#name} delete ${key}`);
  }
}

/** The place of the first and the last entry of the log that match, to compare phases by. */
export function span(log: readonly string[], match: (entry: string) => boolean): { first: number; last: number } {
  const at = log.flatMap((entry, i) => (match(entry) ? [i] : []));
  if (at.length === 0) throw new Error('no entry of the log matches');
  return { first: at[0] as number, last: at.at(-1) as number };
}
