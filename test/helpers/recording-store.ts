import type { DeleteOptions, GetOptions, ListOptions, ObjectInfo, PutOptions, Store, StoredObject, TooLarge } from '../../functions/stores/store.ts';

/**
 * A store that writes down each write it lands, in order, in a log it may share with other stores
 * ("site put feed.json", "state delete journal/…"): order-of-events tests read it, and nothing waits on time.
 */
export class RecordingStore implements Store {
  readonly #inner: Store;
  readonly #name: string;
  readonly log: string[];
  constructor(inner: Store, name: string, log: string[] = []) {
    this.#inner = inner;
    this.#name = name;
    this.log = log;
  }
  get(key: string): Promise<StoredObject | undefined>;
  get(key: string, options: GetOptions): Promise<StoredObject | TooLarge | undefined>;
  get(key: string, options: GetOptions = {}): Promise<StoredObject | TooLarge | undefined> {
    return this.#inner.get(key, options);
  }
  head(key: string): Promise<ObjectInfo | undefined> {
    return this.#inner.head(key);
  }
  list(prefix: string, options?: ListOptions): Promise<ObjectInfo[]> {
    return this.#inner.list(prefix, options);
  }
  async put(key: string, body: Uint8Array | string, options: PutOptions): Promise<{ etag: string }> {
    const written = await this.#inner.put(key, body, options);
    this.log.push(`${this.#name} put ${key}`);
    return written;
  }
  async delete(key: string, options?: DeleteOptions): Promise<void> {
    await this.#inner.delete(key, options);
    this.log.push(`${this.#name} delete ${key}`);
  }
  describe(key: string): string {
    return this.#inner.describe(key);
  }
}

/** The place of the first and the last entry of the log that match, to compare phases by. */
export function span(log: readonly string[], match: (entry: string) => boolean): { first: number; last: number } {
  const at = log.flatMap((entry, i) => (match(entry) ? [i] : []));
  if (at.length === 0) throw new Error('no entry of the log matches');
  return { first: at[0] as number, last: at.at(-1) as number };
}
