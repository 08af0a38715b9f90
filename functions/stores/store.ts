import { LocatedError } from '../core/errors.ts';

/**
 * The one port between wirefeed's core and the world. Keys use '/' and never start with it.
 * FsStore (the embedded default) and S3Store implement it; test/store-contract.ts says what it means.
 */
export interface StoredObject {
  body: Uint8Array;
  /** The object's ETag as the store reports it, quotes included (S3 style). */
  etag: string;
  contentType?: string;
}

export interface ObjectInfo {
  key: string;
  etag: string;
  size: number;
  contentType?: string;
  lastModified?: Date;
}

export interface PutOptions {
  /** Always set, charset included where it is text: S3 would otherwise serve binary/octet-stream. */
  contentType: string;
  cacheControl?: string;
  /** Replace only if the current object still has this ETag (optimistic locking). */
  ifMatch?: string;
  /** '*': create only if no object has this key yet. */
  ifNoneMatch?: '*';
  /** Abort the request (and every retry) when this fires: a lease holder's writes stop at its deadline. */
  signal?: AbortSignal;
}

export interface DeleteOptions {
  /** Delete only if the current object still has this ETag; a missing object fails the condition too. */
  ifMatch?: string;
  signal?: AbortSignal;
}

export interface GetOptions {
  /**
   * Read no more than this many bytes: a larger object is never read whole (its size is checked first, and
   * a read that runs past the bound stops there), and get answers TooLarge instead of its bytes.
   */
  maxBytes?: number;
}

/** What get answers, with `maxBytes`, for an object larger than that. */
export interface TooLarge {
  tooLarge: true;
  /** The object's size in bytes, as the store reports it. */
  size: number;
}

export interface ListOptions {
  keysOnly?: boolean;
}

export interface Store {
  /** undefined: no such key. */
  get(key: string): Promise<StoredObject | undefined>;
  /** undefined: no such key; TooLarge: the object is over `maxBytes`, and its bytes were not read. */
  get(key: string, options: GetOptions): Promise<StoredObject | TooLarge | undefined>;
  /** undefined: no such key. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Throws PreconditionFailedError when ifMatch/ifNoneMatch does not hold. */
  put(key: string, body: Uint8Array | string, options: PutOptions): Promise<{ etag: string }>;
  /**
   * Deleting a missing key is not an error (S3 semantics), unless `ifMatch` is given: then a missing
   * key or another ETag throws PreconditionFailedError and nothing is deleted.
   */
  delete(key: string, options?: DeleteOptions): Promise<void>;
  /**
   * Every object under the prefix, all pages followed, sorted by key. `keysOnly`: the caller needs the
   * keys alone, so a store that pays for each ETag (the filesystem's stat) may leave etag and size empty.
   */
  list(prefix: string, options?: ListOptions): Promise<ObjectInfo[]>;
  /** A human-readable location for messages: a path or an s3:// URL. */
  describe(key: string): string;
}

/** The three stores a publish works with. */
export interface Stores {
  /** Where the newsroom writes: articles/*.md, site.yaml, media/. Only read. */
  content: Store;
  /** The public output. */
  site: Store;
  /** The publisher's private state: never the site store, never under the output folder. */
  state: Store;
}

export const isTooLarge = (object: object | undefined): object is TooLarge => object !== undefined && 'tooLarge' in object;

/** A conditional put lost: someone else wrote the key first. The caller re-reads and retries. */
export class PreconditionFailedError extends LocatedError {
  override name = 'PreconditionFailedError';
  constructor(key: string, options?: ErrorOptions) {
    super(key, 'changed since it was read (precondition failed)', options);
  }

  get key(): string {
    return this.file;
  }
}

/** An I/O failure that is not about one article: the run stops, the previous output stays. */
export class StoreError extends LocatedError {
  override name = 'StoreError';
  get location(): string {
    return this.file;
  }
}
