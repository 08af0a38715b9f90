import { type DeleteOptions, type GetOptions, type ListOptions, type ObjectInfo, PreconditionFailedError, type PutOptions, type Store, type StoredObject, type TooLarge } from './store.ts';

/**
 * A store seen under a key prefix: every key is the inner store's `prefix + key`, and listings come back
 * without the prefix. The state's generations (gen/<n>/) are such views of one state store, so the same
 * code reads and writes any of them.
 */
export class PrefixStore implements Store {
  readonly #inner: Store;
  readonly prefix: string;

  constructor(inner: Store, prefix: string) {
    this.#inner = inner;
    this.prefix = prefix;
  }

  get(key: string): Promise<StoredObject | undefined>;
  get(key: string, options: GetOptions): Promise<StoredObject | TooLarge | undefined>;
  get(key: string, options?: GetOptions): Promise<StoredObject | TooLarge | undefined> {
    return options ? this.#inner.get(this.prefix + key, options) : this.#inner.get(this.prefix + key);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const info = await this.#inner.head(this.prefix + key);
    return info && { ...info, key };
  }

  put(key: string, body: Uint8Array | string, options: PutOptions): Promise<{ etag: string }> {
    return this.#inner.put(this.prefix + key, body, options).catch((err: unknown) => refused(key, err));
  }

  delete(key: string, options?: DeleteOptions): Promise<void> {
    return this.#inner.delete(this.prefix + key, options).catch((err: unknown) => refused(key, err));
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ObjectInfo[]> {
    const listed = await this.#inner.list(this.prefix + prefix, { ...options, ...(options.startAfter !== undefined ? { startAfter: this.prefix + options.startAfter } : {}) });
    return listed.map((info) => ({ ...info, key: info.key.slice(this.prefix.length) }));
  }

  describe(key: string): string {
    return this.#inner.describe(this.prefix + key);
  }
}

/** A failed condition names the key as this store's caller knows it. */
function refused(key: string, err: unknown): never {
  if (err instanceof PreconditionFailedError) throw new PreconditionFailedError(key, { cause: err });
  throw err;
}
