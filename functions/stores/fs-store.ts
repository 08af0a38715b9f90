import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import { mapLimit } from '../concurrency.ts';
import { PreconditionFailedError, StoreError, type ObjectInfo, type PutOptions, type Store, type StoredObject } from './store.ts';

/**
 * The local filesystem standing in for a bucket. Writes go to a temporary file and are renamed into
 * place, so a reader (the local server) never sees half a feed. Content types are not kept: files are
 * served by name, as the local server maps extensions itself.
 */
export class FsStore implements Store {
  readonly root: string;
  readonly #folders = new Set<string>();
  constructor(root: string) {
    this.root = path.resolve(root);
  }

  describe(key: string): string {
    return path.join(this.root, key);
  }

  /** Refuse any key that would leave the root: nothing is ever written outside --out. */
  #resolve(key: string): string {
    const full = path.resolve(this.root, key);
    if (key.startsWith('/') || key.includes('\\') || key.includes('\0') || !full.startsWith(this.root + path.sep)) {
      throw new StoreError(this.root, `key "${key}" would leave the store's folder and is refused`);
    }
    return full;
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const body = await this.#read(key);
    if (body === undefined) return undefined;
    const info = await this.#stat(key);
    return info ? { body, etag: info.etag } : undefined;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const info = await this.#stat(key);
    if (!info) return undefined;
    const contentType = TEXT.test(key) ? undefined : await sniffType(await this.#read(key));
    return { key, etag: info.etag, size: info.size, lastModified: info.mtime, ...(contentType ? { contentType } : {}) };
  }

  /**
   * A file's ETag from its metadata, so listing a large folder reads no file: the inode (every put
   * renames a new file into place), the size and the modification time in nanoseconds.
   */
  async #stat(key: string): Promise<{ etag: string; size: number; mtime: Date } | undefined> {
    try {
      const info = await stat(this.#resolve(key), { bigint: true });
      if (!info.isFile()) return undefined;
      return { etag: `"${info.ino}-${info.size}-${info.mtimeNs}"`, size: Number(info.size), mtime: new Date(Number(info.mtimeMs)) };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw new StoreError(this.describe(key), 'could not be read', { cause: err });
    }
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions): Promise<{ etag: string }> {
    const full = this.#resolve(key);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    if (options.ifMatch !== undefined || options.ifNoneMatch !== undefined) {
      // Not atomic across processes; the local build has one writer. S3 enforces it for real.
      const current = await this.#stat(key);
      if (options.ifNoneMatch === '*' && current !== undefined) throw new PreconditionFailedError(key);
      if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) {
        throw new PreconditionFailedError(key);
      }
    }
    try {
      const folder = path.dirname(full);
      if (!this.#folders.has(folder)) {
        await mkdir(folder, { recursive: true });
        this.#folders.add(folder); // a full build writes thousands of files into known folders
      }
      const temp = `${full}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(temp, bytes);
      await rename(temp, full);
    } catch (err) {
      throw new StoreError(this.describe(key), 'could not be written', { cause: err });
    }
    const written = await this.#stat(key);
    return { etag: written?.etag ?? '""' };
  }

  async delete(key: string): Promise<void> {
    await rm(this.#resolve(key), { force: true });
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    // Walk only the folder the prefix names, not the whole store.
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    let names: string[];
    try {
      names = await readdir(this.#resolveFolder(folder), { recursive: true });
    } catch (err) {
      if (isMissing(err)) return [];
      throw new StoreError(this.root, 'could not be listed', { cause: err });
    }
    const keys = names
      .map((n) => folder + n.split(path.sep).join('/'))
      .filter((k) => k.startsWith(prefix) && !k.endsWith('.tmp'))
      .sort();
    // A folder, or a file gone since it was listed, has no head: it is left out.
    const infos = await mapLimit(keys, 32, (key) => this.head(key).catch(() => undefined));
    return infos.filter((info): info is ObjectInfo => info !== undefined);
  }

  #resolveFolder(folder: string): string {
    return folder === '' ? this.root : this.#resolve(folder.slice(0, -1));
  }

  async #read(key: string): Promise<Uint8Array | undefined> {
    const full = this.#resolve(key);
    try {
      return await readFile(full);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw new StoreError(this.describe(key), 'could not be read', { cause: err });
    }
  }
}


function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

// Text the publisher reads by name; anything else (images under media/) gets its type from its bytes.
const TEXT = /\.(md|markdown|ya?ml|json|html|xml|xsl|txt)$/i;

/** A file keeps no Content-Type, so one is read from its first bytes (never from its extension). */
async function sniffType(body: Uint8Array | undefined): Promise<string | undefined> {
  return body === undefined ? undefined : (await fileTypeFromBuffer(body))?.mime;
}
