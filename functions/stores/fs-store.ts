import { randomBytes } from 'node:crypto';

import fs, { type BigIntStats } from 'node:fs';
import { mkdir, open, readdir, rm, rmdir, stat } from 'node:fs/promises';

import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';

import {
  compareKeys,
  type DeleteOptions,
  type GetOptions,
  isTooLarge,
  type ListOptions,
  type ObjectInfo,
  PreconditionFailedError,
  type PutOptions,
  pageOf,
  type Store,
  type StoredObject,
  StoreError,
  type TooLarge,
} from './store.ts';

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

  get(key: string): Promise<StoredObject | undefined>;
  get(key: string, options: GetOptions): Promise<StoredObject | TooLarge | undefined>;
  async get(key: string, options: GetOptions = {}): Promise<StoredObject | TooLarge | undefined> {
    // One open file gives both the bytes and the ETag (fstat), so they describe the same file.
    const read = await this.#read(key, options.maxBytes);
    return read && (isTooLarge(read) ? read : { body: read.body, etag: etagOf(read.stats) });
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const info = await this.#stat(key);
    if (!info) return undefined;
    const read = TEXT.test(key) ? undefined : await this.#read(key);
    const contentType = read && !isTooLarge(read) ? await sniffType(read.body) : undefined;
    return { ...info, ...(contentType ? { contentType } : {}) };
  }

  /**
   * A file's ETag from its metadata, so listing a large folder reads no file: the inode (every put
   * renames a new file into place), the size and the modification time in nanoseconds.
   */
  async #stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const info = await statBig(this.#resolve(key));
      return info.isFile() ? infoOf(key, info) : undefined;
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
      return { etag: etagOf(await this.#write(key, full, bytes)) };
    };
    // A conditional write checks and renames under the key's lock, so two writers (threads of one
    // process, or two processes) cannot both win; a plain write is one atomic rename.
    return options.ifMatch !== undefined || options.ifNoneMatch !== undefined ? exclusive(full, write) : write();
  }

  /** Write a temporary file and rename it into place; its stats (taken before the rename, which keeps them) give the ETag. */
  async #write(key: string, full: string, bytes: Uint8Array): Promise<BigIntStats> {
    try {
      const folder = path.dirname(full);
      // Unique without a random draw per file: this process's tag, then a counter.
      const temp = `${full}.${TEMP_TAG}${(tempSeq++).toString(36)}.tmp`;
      const small = bytes.byteLength <= SYNC_WRITE_BYTES;
      for (let attempt = 0; ; attempt++) {
        // A small file tries its folder first and makes it only when that fails: a rebuild's pages go into
        // folders that mostly exist already, and a mkdir for each was a quarter of the main thread's time
        // writing them (a new folder costs one failed open instead).
        const unmade = !this.#folders.has(folder);
        const optimistic = unmade && small && attempt === 0;
        if (unmade && !optimistic) {
          await makeFolder(folder);
          this.#folders.add(folder); // a full build writes thousands of files into known folders
        }
        try {
          if (small) return writeSmall(temp, full, bytes);
          const stats = await writeWithStat(temp, bytes);
          // The temporary file keeps the folder from being pruned until the rename has put the file there.
          await new Promise<void>((resolve, reject) => fs.rename(temp, full, (err) => (err ? reject(err) : resolve())));
          return stats;
        } catch (err) {
          // A delete of the folder's last file pruned it in between (this process or another): make it again.
          // An optimistic try into a folder not made yet goes on to makeFolder, whose error names the folder.
          const code = (err as NodeJS.ErrnoException).code;
          if ((code !== 'ENOENT' && !(code === 'ENOTDIR' && optimistic)) || attempt >= 10) throw err;
          this.#folders.delete(folder);
        }
      }
    } catch (err) {
      throw new StoreError(this.describe(key), 'could not be written', { cause: err });
    }
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    const full = this.#resolve(key);
    if (options.ifMatch === undefined) await unlink(full);
    else {
      await exclusive(full, async () => {
        if ((await this.#stat(key))?.etag !== options.ifMatch) throw new PreconditionFailedError(key);
        await unlink(full);
      });
    }
    await this.#prune(path.dirname(full));
  }

  /**
   * Remove the folders a delete left empty, up to the root (never the root itself), as a bucket has no
   * folders to leave behind. Another write may be filling one of them at this moment: rmdir then fails
   * (not empty) and that is the end of it; a write whose folder goes makes it again (see #write).
   */
  async #prune(folder: string): Promise<void> {
    for (let at = folder; at.startsWith(this.root + path.sep); at = path.dirname(at)) {
      this.#folders.delete(at); // before the rmdir: a write from now on makes sure of its folder
      try {
        await rmdir(at);
      } catch {
        return; // not empty, gone already, or not ours to remove: the delete itself succeeded
      }
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ObjectInfo[]> {
    // Walk only the folder the prefix names, not the whole store.
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const entries = await this.#walk(folder, (dir) => readdir(dir, { recursive: true, withFileTypes: true }));
    if (options.keysOnly)
      return pageOf(
        this.#keysOf(
          entries.filter((e) => e.isFile()).map((e) => this.#keyOf(e)),
          prefix,
        ),
        options,
      );
    // The entries' types spare a stat per name (a walk by names stats each to know a folder: 0.6 s at
    // 100,000 files). A symbolic link is followed, into a folder too, as the walk by names does: then it is that walk.
    const names = entries.some((e) => e.isSymbolicLink())
      ? (await this.#walk(folder, (dir) => readdir(dir, { recursive: true }))).map((n) => folder + n.split(path.sep).join('/'))
      : entries.filter((e) => e.isFile()).map((e) => this.#keyOf(e));
    const keys = pageOf(this.#keysOf(names, prefix), options).map((i) => i.key);
    // A folder, or a file gone since it was listed, has no stat: it is left out. Listing reads no file.
    // Stats are taken in place, a thousand at a time with a turn of the event loop between: one async stat
    // per file (a thread-pool round trip and a promise each) was twice the time, and a scan of 100,000
    // article files is every local build's first step.
    const infos: ObjectInfo[] = [];
    for (let at = 0; at < keys.length; at += STATS_AT_ONCE) {
      if (at > 0) await new Promise((resolve) => setImmediate(resolve));
      for (const key of keys.slice(at, at + STATS_AT_ONCE)) {
        let info: BigIntStats | undefined;
        try {
          info = fs.statSync(this.#resolve(key), { bigint: true, throwIfNoEntry: false });
        } catch {
          continue; // gone behind a folder removed since the walk, or unreadable: left out
        }
        if (info?.isFile()) infos.push(infoOf(key, info));
      }
    }
    return infos;
  }

  /** An entry's key, straight from its folder (under the root by construction): no path.relative per file. */
  #keyOf(e: import('node:fs').Dirent): string {
    const folderKey = e.parentPath.length > this.root.length ? e.parentPath.slice(this.root.length + 1) : '';
    const key = folderKey === '' ? e.name : `${folderKey}/${e.name}`;
    return path.sep === '/' ? key : key.split(path.sep).join('/');
  }

  /** The keys a listing of `prefix` gives, in order: not a write's temporary file or a lock. */
  #keysOf(keys: string[], prefix: string): ObjectInfo[] {
    return keys
      .filter((k) => k.startsWith(prefix) && !k.endsWith('.tmp') && !k.endsWith(LOCK))
      .sort(compareKeys)
      .map((key) => ({ key, etag: '', size: 0 }));
  }

  /**
   * A recursive readdir of a folder; [] when the folder itself is missing. A subfolder removed during the
   * walk (a delete emptied it, and #prune took it away) fails the whole readdir: that is no reason to
   * list nothing, so the walk starts again.
   */
  async #walk<T>(folder: string, readdirOf: (dir: string) => Promise<T[]>): Promise<T[]> {
    const dir = this.#resolveFolder(folder);
    for (let attempt = 0; ; attempt++) {
      try {
        return await readdirOf(dir);
      } catch (err) {
        if (isMissing(err) && !(await isFolder(dir))) return [];
        if (!isMissing(err) || attempt >= 10) throw new StoreError(this.root, 'could not be listed', { cause: err });
      }
    }
  }

  #resolveFolder(folder: string): string {
    return folder === '' ? this.root : this.#resolve(folder.slice(0, -1));
  }

  async #read(key: string, maxBytes?: number): Promise<{ body: Buffer; stats: BigIntStats } | TooLarge | undefined> {
    const full = this.#resolve(key);
    try {
      return await readWithStat(full, maxBytes);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw new StoreError(this.describe(key), 'could not be read', { cause: err });
    }
  }
}

const LOCK = '.wirefeed-lock';
const TEMP_TAG = `${process.pid.toString(36)}-${randomBytes(3).toString('hex')}-`;
let tempSeq = 0;

// A publish makes hundreds of thousands of small file operations: a file of up to SYNC_WRITE_BYTES is read and
// written with the synchronous calls (readSmall, writeSmall), the rest with fs's callback API, which costs the
// main thread a fraction of what fs/promises does (no FileHandle per file), with the same semantics.

/** A file's ETag: its inode, size and modification time in nanoseconds (see #stat). */
const etagOf = (info: BigIntStats): string => `"${info.ino}-${info.size}-${info.mtimeNs}"`;

/** What a listing or a head says of a file, from its stats. */
const infoOf = (key: string, info: BigIntStats): ObjectInfo => ({ key, etag: etagOf(info), size: Number(info.size), lastModified: new Date(Number(info.mtimeMs)) });

const statBig = (full: string): Promise<BigIntStats> => new Promise((resolve, reject) => fs.stat(full, { bigint: true }, (err, info) => (err ? reject(err) : resolve(info))));

/** Remove a file; a missing one is not an error (S3 semantics). */
const unlink = (full: string): Promise<void> => new Promise((resolve, reject) => fs.unlink(full, (err) => (err && !isMissing(err) ? reject(err) : resolve())));

/** Whether a path is a folder (a missing or unreadable one is not). */
export const isFolder = (dir: string): Promise<boolean> =>
  stat(dir).then(
    (info) => info.isDirectory(),
    () => false,
  );

const closeFd = (fd: number): Promise<void> => new Promise((resolve) => fs.close(fd, () => resolve()));

/** Files stat'ed in one turn of the event loop by a listing (a few milliseconds). */
const STATS_AT_ONCE = 1000;

/** fs.read takes at most this many bytes at once (2 GiB - 1); a larger length throws. */
const MAX_READ = 2 ** 31 - 1;

/**
 * A file's bytes and the stats of that same open file; undefined when it is not a regular file (a named pipe
 * too, at once). With `maxBytes`, a larger file is measured (fstat) and not read: TooLarge, with its size. A
 * file of up to SYNC_WRITE_BYTES is read with the synchronous calls, a larger one in turns.
 */
export async function readWithStat(full: string, maxBytes?: number): Promise<{ body: Buffer; stats: BigIntStats } | TooLarge | undefined> {
  const small = readSmall(full, maxBytes);
  return small === LARGE ? readInTurns(full, maxBytes) : small;
}

/** readWithStat for a file larger than SYNC_WRITE_BYTES, with fs's callback API: the main thread never waits on its reads. */
function readInTurns(full: string, maxBytes?: number): Promise<{ body: Buffer; stats: BigIntStats } | TooLarge | undefined> {
  return new Promise((resolve, reject) => {
    fs.open(full, 'r', (err, fd) => {
      if (err) return reject(err);
      const done = (value: { body: Buffer; stats: BigIntStats } | TooLarge | undefined) => void closeFd(fd).then(() => resolve(value));
      const fail = (e: unknown) => void closeFd(fd).then(() => reject(e));
      const tooLarge = (read: number) => fs.fstat(fd, (err, now) => done({ tooLarge: true, size: Math.max(read, err ? 0 : now.size) }));
      fs.fstat(fd, { bigint: true }, (err, stats) => {
        if (err) return fail(err);
        if (!stats.isFile()) return done(undefined);
        const size = Number(stats.size);
        if (maxBytes !== undefined && size > maxBytes) return tooLarge(0);
        // Read to the end, whatever the size said: a file edited in place may have grown since, but
        // never past the bound. Anything thrown here (a length fs.read refuses, a buffer too large to
        // allocate) must reject: a throw inside an fs callback would end the process.
        const chunks: Buffer[] = [];
        let total = 0;
        const next = (length: number) => {
          try {
            const buffer = Buffer.allocUnsafe(length);
            fs.read(fd, buffer, 0, length, total, (err, n) => {
              if (err) return fail(err);
              try {
                if (n > 0) {
                  chunks.push(n === length ? buffer : buffer.subarray(0, n));
                  total += n;
                  return maxBytes !== undefined && total > maxBytes ? tooLarge(total) : next(64 * 1024);
                }
                done({ body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total), stats });
              } catch (e) {
                fail(e);
              }
            });
          } catch (e) {
            fail(e);
          }
        };
        next(Math.min(Math.max(1, size), MAX_READ));
      });
    });
  });
}

/**
 * Files up to this size are written with the synchronous calls: five system calls in a row cost the main
 * thread a fraction of five thread-pool round trips (a cold build writes five small files per article, and
 * its records step was bound by the main thread's share of them), and block it for microseconds only.
 */
const SYNC_WRITE_BYTES = 256 * 1024;

/** writeWithStat and the rename, in one go: the stats of the file as written, then renamed into place. */
function writeSmall(temp: string, full: string, bytes: Uint8Array): BigIntStats {
  const fd = fs.openSync(temp, 'w');
  let stats: BigIntStats;
  try {
    for (let done = 0; done < bytes.byteLength; ) done += fs.writeSync(fd, bytes, done, bytes.byteLength - done);
    stats = fs.fstatSync(fd, { bigint: true });
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, full);
  return stats;
}

const LARGE = Symbol('larger than SYNC_WRITE_BYTES');

/**
 * readWithStat for a file of at most SYNC_WRITE_BYTES, with the synchronous calls (as writeSmall, and for
 * the same reason: a rebuild reads every record and article); LARGE for a larger one (readInTurns).
 */
function readSmall(full: string, maxBytes?: number): { body: Buffer; stats: BigIntStats } | TooLarge | undefined | typeof LARGE {
  // Non-blocking: a FIFO under the key would otherwise hold the thread until something writes to it.
  const fd = fs.openSync(full, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const stats = fs.fstatSync(fd, { bigint: true });
    if (!stats.isFile()) return undefined;
    const size = Number(stats.size);
    if (size > SYNC_WRITE_BYTES) return LARGE;
    if (maxBytes !== undefined && size > maxBytes) return { tooLarge: true, size };
    // To the end, whatever the size said (an edit in place may have grown the file since), within the bound.
    const chunks: Buffer[] = [];
    let total = 0;
    for (let length = Math.max(1, size); ; length = 64 * 1024) {
      const buffer = Buffer.allocUnsafe(length);
      const n = fs.readSync(fd, buffer, 0, length, total);
      if (n === 0) break;
      chunks.push(n === length ? buffer : buffer.subarray(0, n));
      total += n;
      if (maxBytes !== undefined && total > maxBytes) return { tooLarge: true, size: total };
    }
    return { body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total), stats };
  } finally {
    fs.closeSync(fd);
  }
}

/** Write a new file whole and return its stats (taken on the open file, before it is closed). */
function writeWithStat(full: string, bytes: Uint8Array): Promise<BigIntStats> {
  return new Promise((resolve, reject) => {
    fs.open(full, 'w', (err, fd) => {
      if (err) return reject(err);
      const fail = (e: unknown) => void closeFd(fd).then(() => reject(e));
      let done = 0;
      const next = () => {
        if (done < bytes.byteLength) {
          fs.write(fd, bytes, done, bytes.byteLength - done, null, (err, n) => {
            if (err) return fail(err);
            done += n;
            next();
          });
          return;
        }
        fs.fstat(fd, { bigint: true }, (err, stats) => {
          if (err) return fail(err);
          fs.close(fd, (err) => (err ? reject(err) : resolve(stats)));
        });
      };
      next();
    });
  });
}
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
  await makeFolder(path.dirname(full));
  for (let attempt = 0; ; attempt++) {
    try {
      await (await open(lock, 'wx')).close();
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // The folder was pruned (its last file deleted) since it was made: make it again.
      if (code === 'ENOENT' && attempt < 10) {
        await makeFolder(path.dirname(full));
        continue;
      }
      if (code !== 'EEXIST') throw new StoreError(full, 'could not be locked', { cause: err });
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
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

/**
 * mkdir -p that survives a concurrent prune (FsStore.delete): mkdir can find a folder, then fail with
 * ENOENT when it checks it, because the folder's last file was deleted and the folder removed meanwhile.
 */
async function makeFolder(folder: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(folder, { recursive: true });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 10) throw err;
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
