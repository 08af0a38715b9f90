import type { DeleteOptions, GetOptions, ListOptions, ObjectInfo, PutOptions, Store, StoredObject, TooLarge } from '../../functions/stores/store.ts';

/** A store that passes every call to another: the test stores that watch or log writes override what they watch. */
export class PassThroughStore implements Store {
  protected readonly inner: Store;
  constructor(inner: Store) {
    this.inner = inner;
  }
  get(key: string): Promise<StoredObject | undefined>;
  get(key: string, options: GetOptions): Promise<StoredObject | TooLarge | undefined>;
  get(key: string, options: GetOptions = {}): Promise<StoredObject | TooLarge | undefined> {
    return this.inner.get(key, options);
  }
  head(key: string): Promise<ObjectInfo | undefined> {
    return this.inner.head(key);
  }
  list(prefix: string, options?: ListOptions): Promise<ObjectInfo[]> {
    return this.inner.list(prefix, options);
  }
  put(key: string, body: Uint8Array | string, options: PutOptions): Promise<{ etag: string }> {
    return this.inner.put(key, body, options);
  }
  delete(key: string, options?: DeleteOptions): Promise<void> {
    return this.inner.delete(key, options);
  }
  describe(key: string): string {
    return this.inner.describe(key);
  }
}
