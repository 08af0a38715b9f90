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
  /** Only keys after this one, in key order: a long walk goes on where the last page ended. */
  startAfter?: string;
  /** At most this many (the first in key order). */
  limit?: number;
}

/**
 * Key order, the one every store lists in: by code point, which is S3's UTF-8 byte order (plain `<` compares
 * UTF-16 units, and disagrees for characters beyond U+FFFF), so a walk that goes on after a key skips nothing.
 */
export function compareKeys(a: string, b: string): number {
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
const SURROGATE = /[\uD800-\uDFFF]/;

/** A sorted listing cut to what `startAfter` and `limit` ask (for the stores that list everything first). */
export function pageOf<T extends { key: string }>(sorted: readonly T[], options: ListOptions): T[] {
  const from = options.startAfter === undefined ? 0 : sorted.findIndex((i) => compareKeys(i.key, options.startAfter as string) > 0);
  const start = from < 0 ? sorted.length : from;
  return sorted.slice(start, options.limit === undefined ? undefined : start + options.limit);
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
   * Every object under the prefix, all pages followed, sorted by key (compareKeys). `keysOnly`: the caller needs
   * the keys alone, so a store that pays for each ETag (the filesystem's stat) may leave etag and size empty;
   * `startAfter` and `limit`: one page of a long walk.
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
