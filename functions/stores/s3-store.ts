import type { Readable } from 'node:stream';

import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';

import {
  compareKeys,
  type DeleteOptions,
  type GetOptions,
  type ListOptions,
  type ObjectInfo,
  PreconditionFailedError,
  type PutOptions,
  type Store,
  type StoredObject,
  StoreError,
  type TooLarge,
} from './store.ts';

/**
 * A bucket, or a folder of one (`s3://BUCKET/PREFIX`), as a Store. Keys in the Store API are relative
 * to the prefix: with prefix `content/`, key `posts/a.md` is the object `content/posts/a.md`.
 *
 * Bodies are sent as Buffers (so the SDK can retry a request: it never retries a stream), always with
 * a Content-Type, never with an ACL (the bucket's policy decides who reads; ACLs are disabled on new
 * buckets and a request carrying one then fails).
 */
export class S3Store implements Store {
  readonly bucket: string;
  /** '' or ending in '/'. */
  readonly prefix: string;
  readonly #s3: S3Client;

  /** `prefix` may be given with or without its trailing slash: `content` and `content/` are the same folder. */
  constructor(s3: S3Client, bucket: string, prefix = '') {
    this.#s3 = s3;
    this.bucket = bucket;
    const trimmed = prefix.replace(/^\/+/, '');
    this.prefix = trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
  }

  describe(key: string): string {
    return `s3://${this.bucket}/${this.prefix}${key}`;
  }

  get(key: string): Promise<StoredObject | undefined>;
  get(key: string, options: GetOptions): Promise<StoredObject | TooLarge | undefined>;
  async get(key: string, options: GetOptions = {}): Promise<StoredObject | TooLarge | undefined> {
    try {
      if (options.maxBytes !== undefined) return await this.#getUpTo(key, options.maxBytes);
      const res = await this.#s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.#key(key) }));
      if (!res.Body) throw new Error('GetObject answered without a body');
      return { body: await res.Body.transformToByteArray(), ...metaOf(res) };
    } catch (err) {
      if (isMissingKey(err)) return undefined;
      throw new StoreError(this.describe(key), 'could not be read', { cause: err });
    }
  }

  /**
   * No more than `maxBytes` + 1 bytes of the object: one GET of that range, whose Content-Range gives the
   * object's full size, so a larger one is known before its bytes are read and its answer is dropped. S3
   * refuses any range of an empty object (416 InvalidRange): that one is read with a plain GET, as bounded.
   */
  async #getUpTo(key: string, maxBytes: number): Promise<StoredObject | TooLarge> {
    const input = { Bucket: this.bucket, Key: this.#key(key) };
    let res: GetObjectCommandOutput;
    try {
      res = await this.#s3.send(new GetObjectCommand({ ...input, Range: `bytes=0-${maxBytes}` }));
    } catch (err) {
      if (nameOf(err) !== 'InvalidRange' && statusOf(err) !== 416) throw err;
      res = await this.#s3.send(new GetObjectCommand(input));
    }
    if (!res.Body) throw new Error('GetObject answered without a body');
    // In Node the SDK's body is the HTTP response itself: one that is not read to its end is destroyed.
    const body = await readUpTo(res.Body as unknown as Readable, sizeOf(res), maxBytes);
    return body instanceof Uint8Array ? { body, ...metaOf(res) } : body;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const res = await this.#s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.#key(key) }));
      return {
        key,
        etag: res.ETag ?? '',
        size: res.ContentLength ?? 0,
        ...(res.ContentType ? { contentType: res.ContentType } : {}),
        ...(res.LastModified ? { lastModified: res.LastModified } : {}),
      };
    } catch (err) {
      // HEAD answers carry no body, so a missing key is a bare 404 the SDK names "NotFound".
      if (isMissingKey(err)) return undefined;
      throw new StoreError(this.describe(key), 'could not be read', { cause: err });
    }
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions): Promise<{ etag: string }> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const input: PutObjectCommandInput = {
      Bucket: this.bucket,
      Key: this.#key(key),
      Body: bytes,
      ContentType: options.contentType,
      ...(options.cacheControl !== undefined ? { CacheControl: options.cacheControl } : {}),
      ...(options.ifMatch !== undefined ? { IfMatch: options.ifMatch } : {}),
      ...(options.ifNoneMatch !== undefined ? { IfNoneMatch: options.ifNoneMatch } : {}),
    };
    try {
      const res = await this.#s3.send(new PutObjectCommand(input), sendOptions(options.signal));
      if (!res.ETag) throw new Error('PutObject answered without an ETag');
      return { etag: res.ETag };
    } catch (err) {
      const conditional = options.ifMatch !== undefined || options.ifNoneMatch !== undefined;
      if (conditional && isConditionLost(err, options.ifMatch !== undefined)) {
        throw new PreconditionFailedError(key, { cause: err });
      }
      throw new StoreError(this.describe(key), 'could not be written', { cause: err });
    }
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    const input = { Bucket: this.bucket, Key: this.#key(key), ...(options.ifMatch !== undefined ? { IfMatch: options.ifMatch } : {}) };
    try {
      // S3 answers 204 whether or not the key existed (without If-Match).
      await this.#s3.send(new DeleteObjectCommand(input), sendOptions(options.signal));
    } catch (err) {
      if (options.ifMatch !== undefined && isConditionLost(err, true)) throw new PreconditionFailedError(key, { cause: err });
      throw new StoreError(this.describe(key), 'could not be deleted', { cause: err });
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ObjectInfo[]> {
    const infos: ObjectInfo[] = [];
    let token: string | undefined;
    try {
      do {
        const page = new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.#key(prefix),
          ContinuationToken: token,
          // S3 walks in UTF-8 byte order, compareKeys's order: it starts after the key itself, and stops at the limit.
          ...(options.startAfter !== undefined && token === undefined ? { StartAfter: this.#key(options.startAfter) } : {}),
          ...(options.limit !== undefined ? { MaxKeys: Math.min(1000, options.limit - infos.length) } : {}),
        });
        const res = await this.#s3.send(page);
        for (const object of res.Contents ?? []) {
          if (object.Key === undefined || !object.Key.startsWith(this.prefix)) continue;
          // A server that compares in another order than S3 (s3rver uses UTF-16) may repeat the key it started after.
          if (options.startAfter !== undefined && compareKeys(object.Key.slice(this.prefix.length), options.startAfter) <= 0) continue;
          infos.push({
            key: object.Key.slice(this.prefix.length),
            etag: object.ETag ?? '',
            size: object.Size ?? 0,
            ...(object.LastModified ? { lastModified: object.LastModified } : {}),
          });
        }
        // A truncated page without a token would loop forever: stop rather than trust it.
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token && (options.limit === undefined || infos.length < options.limit));
    } catch (err) {
      throw new StoreError(this.describe(prefix), 'could not be listed', { cause: err });
    }
    // S3 lists in UTF-8 byte order; sort as FsStore does so both stores agree.
    return infos.sort((a, b) => compareKeys(a.key, b.key));
  }

  #key(key: string): string {
    return this.prefix + key;
  }
}

function metaOf(res: GetObjectCommandOutput): { etag: string; contentType?: string } {
  return { etag: res.ETag ?? '', ...(res.ContentType ? { contentType: res.ContentType } : {}) };
}

/** The whole object's size: from Content-Range (bytes 0-99/12345) for a part, else the Content-Length. */
function sizeOf(res: GetObjectCommandOutput): number | undefined {
  const total = /\/(\d+)$/.exec(res.ContentRange ?? '')?.[1];
  return total !== undefined ? Number(total) : res.ContentRange === undefined ? res.ContentLength : undefined;
}

/**
 * A body's bytes, or TooLarge once the object is known to be over `maxBytes`: from its size before a
 * byte is read, or, should the size be unknown or wrong, as soon as the bytes pass the bound. Either way
 * the connection is dropped there, so no more of the object is downloaded.
 */
async function readUpTo(stream: Readable, size: number | undefined, maxBytes: number): Promise<Uint8Array | TooLarge> {
  if (size !== undefined && size > maxBytes) {
    stream.destroy();
    return { tooLarge: true, size };
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    total += chunk.byteLength;
    if (total > maxBytes) {
      stream.destroy();
      return { tooLarge: true, size: Math.max(total, size ?? 0) };
    }
  }
  return Buffer.concat(chunks, total);
}

/** The SDK stops the request, and does not retry it, once the signal fires. */
function sendOptions(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal ? { abortSignal: signal } : {};
}

interface SdkError {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

function statusOf(err: unknown): number | undefined {
  return (err as SdkError | undefined)?.$metadata?.httpStatusCode;
}

function nameOf(err: unknown): string | undefined {
  return (err as SdkError | undefined)?.name;
}

/** NoSuchKey (GET), NotFound (HEAD), or any other 404 — except a missing bucket, which is a real failure. */
function isMissingKey(err: unknown): boolean {
  const name = nameOf(err);
  if (name === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(err) === 404;
}

/**
 * The condition of a conditional PutObject did not hold:
 * - 412 PreconditionFailed: the ETag no longer matches (If-Match), or the key exists (If-None-Match: *).
 * - 409 ConditionalRequestConflict: S3 was completing another conditional write to the same key at the
 *   same moment; S3's advice is to re-read and retry, exactly what a PreconditionFailedError asks of
 *   the caller, so it is reported the same way rather than as an I/O failure.
 * - 404 NoSuchKey with If-Match: the object the caller read has been deleted since, so it "changed".
 */
function isConditionLost(err: unknown, ifMatch: boolean): boolean {
  const name = nameOf(err);
  const status = statusOf(err);
  if (name === 'PreconditionFailed' || status === 412) return true;
  if (name === 'ConditionalRequestConflict') return true;
  return ifMatch && name !== 'NoSuchBucket' && (name === 'NoSuchKey' || status === 404);
}
