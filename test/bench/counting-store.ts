// A Store that counts what passes through it: calls by kind and body bytes each way. The benchmarks wrap
// FsStore in it where no S3 server is in the way (the 100,000-article state is built on the filesystem:
// seeding it through s3rver would take most of an hour). One call is one request here: a list() is one
// LIST however many keys it returns (S3 pages every 1,000 keys), and a list or head moves no body bytes.
import { type DeleteOptions, type GetOptions, isTooLarge, type ListOptions, type ObjectInfo, type PutOptions, type Store, type StoredObject, type TooLarge } from '../../functions/stores/store.ts';

export interface StoreCounts {
  get: number;
  put: number;
  delete: number;
  head: number;
  list: number;
  /** Keys returned by every list() call (what S3 would page through, 1,000 a request). */
  listed: number;
  bytesRead: number;
  bytesWritten: number;
}

export const zeroStoreCounts = (): StoreCounts => ({ get: 0, put: 0, delete: 0, head: 0, list: 0, listed: 0, bytesRead: 0, bytesWritten: 0 });

export class CountingStore implements Store {
  readonly #inner: Store;
  readonly counts: StoreCounts;

  /** `counts` may be shared between stores: one tally for a publish's content, site and state. */
  constructor(inner: Store, counts: StoreCounts = zeroStoreCounts()) {
    this.#inner = inner;
    this.counts = counts;
  }

  describe(key: string): string {
    return this.#inner.describe(key);
  }

  get(key: string): Promise<StoredObject | undefined>;
  get(key: string, options: GetOptions): Promise<StoredObject | TooLarge | undefined>;
  async get(key: string, options: GetOptions = {}): Promise<StoredObject | TooLarge | undefined> {
    this.counts.get++;
    const object = await this.#inner.get(key, options);
    this.counts.bytesRead += object === undefined || isTooLarge(object) ? 0 : object.body.byteLength;
    return object;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    this.counts.head++;
    return this.#inner.head(key);
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions): Promise<{ etag: string }> {
    this.counts.put++;
    this.counts.bytesWritten += typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    return this.#inner.put(key, body, options);
  }

  async delete(key: string, options?: DeleteOptions): Promise<void> {
    this.counts.delete++;
    return this.#inner.delete(key, options);
  }

  async list(prefix: string, options?: ListOptions): Promise<ObjectInfo[]> {
    this.counts.list++;
    const listed = await this.#inner.list(prefix, options);
    this.counts.listed += listed.length;
    return listed;
  }
}
