import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import { mapLimit } from '../concurrency.ts';
import { PreconditionFailedError, StoreError, type DeleteOptions, type ListOptions, type ObjectInfo, type PutOptions, type Store, type StoredObject } from './store.ts';

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
    options.signal?.throwIfAborted();
    const full = this.#resolve(key);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const write = async (): Promise<{ etag: string }> => {
      if (options.ifMatch !== undefined || options.ifNoneMatch !== undefined) {
        const current = await this.#stat(key);
        if (options.ifNoneMatch === '*' && current !== undefined) throw new PreconditionFailedError(key);
        if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) throw new PreconditionFailedError(key);
      }
      await this.#write(key, full, bytes);
      const written = await this.#stat(key);
      return { etag: written?.etag ?? '""' };
    };
    // A conditional write checks and renames under the key's lock, so two writers (threads of one
    // process, or two processes) cannot both win; a plain write is one atomic rename.
    return options.ifMatch !== undefined || options.ifNoneMatch !== undefined ? exclusive(full, write) : write();
  }

  async #write(key: string, full: string, bytes: Uint8Array): Promise<void> {
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
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    const full = this.#resolve(key);
    if (options.ifMatch === undefined) return rm(full, { force: true });
    await exclusive(full, async () => {
      if ((await this.#stat(key))?.etag !== options.ifMatch) throw new PreconditionFailedError(key);
      await rm(full, { force: true });
    });
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ObjectInfo[]> {
    // Walk only the folder the prefix names, not the whole store.
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    let names: string[];
    if (options.keysOnly) return this.#keys(folder, prefix);
    try {
      names = await readdir(this.#resolveFolder(folder), { recursive: true });
    } catch (err) {
      if (isMissing(err)) return [];
      throw new StoreError(this.root, 'could not be listed', { cause: err });
    }
    const keys = names
      .map((n) => folder + n.split(path.sep).join('/'))
      .filter((k) => k.startsWith(prefix) && !k.endsWith('.tmp') && !k.endsWith(LOCK))
      .sort();
    // A folder, or a file gone since it was listed, has no stat: it is left out. Listing reads no file.
    const infos = await mapLimit(keys, 32, async (key): Promise<ObjectInfo | undefined> => {
      const info = await this.#stat(key).catch(() => undefined);
      return info && { key, etag: info.etag, size: info.size, lastModified: info.mtime };
    });
    return infos.filter((info): info is ObjectInfo => info !== undefined);
  }

  /** Keys alone: a folder walk that stats no file (a listing of 100,000 markers reads no inode). */
  async #keys(folder: string, prefix: string): Promise<ObjectInfo[]> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(this.#resolveFolder(folder), { recursive: true, withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return [];
      throw new StoreError(this.root, 'could not be listed', { cause: err });
    }
    return entries
      .filter((e) => e.isFile())
      .map((e) => path.relative(this.root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
      .filter((k) => k.startsWith(prefix) && !k.endsWith('.tmp') && !k.endsWith(LOCK))
      .sort()
      .map((key) => ({ key, etag: '', size: 0 }));
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

const LOCK = '.wirefeed-lock';
/** A lock older than this was left by a process that died holding it (a check-and-rename takes milliseconds). */
const STALE_LOCK_MS = 10_000;
const inProcess = new Map<string, Promise<unknown>>();

/**
 * Run `work` holding the key's lock: within this process a queue per file, across processes a lock file
 * created with O_EXCL beside it (removed after; a stale one, left by a killed process, is broken).
 */
async function exclusive<T>(full: string, work: () => Promise<T>): Promise<T> {
  const previous = inProcess.get(full) ?? Promise.resolve();
  const run = previous.then(
    () => withLockFile(full, work),
    () => withLockFile(full, work),
  );
  const settled = run.catch(() => undefined);
  inProcess.set(full, settled);
  void settled.then(() => {
    if (inProcess.get(full) === settled) inProcess.delete(full);
  });
  return run;
}

async function withLockFile<T>(full: string, work: () => Promise<T>): Promise<T> {
  const lock = `${full}${LOCK}`;
  await mkdir(path.dirname(full), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      await (await open(lock, 'wx')).close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new StoreError(full, 'could not be locked', { cause: err });
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > STALE_LOCK_MS) await rm(lock, { force: true });
      else if (attempt > 2_000) throw new StoreError(full, `is locked by another process (${lock})`);
      else await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 10));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
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
