import { createHash } from 'node:crypto';

import {
  compareKeys,
  type DeleteOptions,
  type GetOptions,
  type ListOptions,
  type ObjectInfo,
  PreconditionFailedError,
  type PutOptions,
  pageOf,
  type Store,
  type StoredObject,
  type TooLarge,
} from './store.ts';

/** A store in memory: `wirefeed check` publishes into one, so it validates everything and writes nothing. */
export class MemoryStore implements Store {
  readonly #objects = new Map<string, StoredObject>();

  describe(key: string): string {
    return `memory:${key}`;
  }

  get(key: string): Promise<StoredObject | undefined>;
  get(key: string, options: GetOptions): Promise<StoredObject | TooLarge | undefined>;
  async get(key: string, options: GetOptions = {}): Promise<StoredObject | TooLarge | undefined> {
    const object = this.#objects.get(key);
    const over = object !== undefined && options.maxBytes !== undefined && object.body.byteLength > options.maxBytes;
    return over ? { tooLarge: true, size: object.body.byteLength } : object;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const object = this.#objects.get(key);
    return object && { key, etag: object.etag, size: object.body.byteLength, ...(object.contentType ? { contentType: object.contentType } : {}) };
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions): Promise<{ etag: string }> {
    options.signal?.throwIfAborted();
    const current = this.#objects.get(key);
    if (options.ifNoneMatch === '*' && current) throw new PreconditionFailedError(key);
    if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) throw new PreconditionFailedError(key);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const object = { body: bytes, etag: etagOf(bytes), contentType: options.contentType };
    this.#objects.set(key, object);
    return { etag: object.etag };
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    if (options.ifMatch !== undefined && this.#objects.get(key)?.etag !== options.ifMatch) throw new PreconditionFailedError(key);
    this.#objects.delete(key);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ObjectInfo[]> {
    const keys = pageOf(
      [...this.#objects.keys()]
        .filter((k) => k.startsWith(prefix))
        .sort(compareKeys)
        .map((key) => ({ key })),
      options,
    );
    return Promise.all(keys.map(async ({ key }) => (await this.head(key)) as ObjectInfo));
  }
}

/** An S3-style ETag: the MD5 of the bytes, quoted. */
function etagOf(bytes: Uint8Array): string {
  return `"${createHash('md5').update(bytes).digest('hex')}"`;
}
