import type { Entry, TimelineDir } from './state.ts';

type ChunkRef = TimelineDir['chunks'][number];

/**
 * A timeline: every public article of one scope (the site, or one tag) in feed order, newest first,
 * kept as a directory plus chunks of at most CHUNK_SIZE entries each. Adding or removing one article
 * touches one chunk and the directory, so a publish never reads the whole archive; a feed's newest N
 * come from the first chunk or two. Pure: the caller loads the chunks `chunksFor` names, then applies.
 */
export const CHUNK_SIZE = 400;

export const emptyDir = (): TimelineDir => ({ chunks: [], next: 0, count: 0 });

/** Newest first by first publication, then by id, then by hash: a total order. */
export function compareEntries(a: Entry, b: Entry): number {
  if (a.p !== b.p) return a.p < b.p ? 1 : -1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.h < b.h ? -1 : a.h > b.h ? 1 : 0;
}

/** The chunk an entry belongs in (undefined for an empty timeline). */
function locate(dir: TimelineDir, e: Entry): number | undefined {
  for (const ref of dir.chunks) if (compareEntries(e, ref.last) <= 0) return ref.c;
  return dir.chunks.at(-1)?.c;
}

/** The chunks `apply` needs loaded to remove and insert these entries. */
export function chunksFor(dir: TimelineDir, entries: readonly Entry[]): number[] {
  const ids = new Set<number>();
  for (const e of entries) {
    const c = locate(dir, e);
    if (c !== undefined) ids.add(c);
  }
  return [...ids];
}

export interface TimelineChange {
  dir: TimelineDir;
  /** Chunks to write (new or changed), by id. */
  write: Map<number, Entry[]>;
  /** Chunks that became empty and go. */
  remove: number[];
}

/**
 * Remove then insert entries. `loaded` must hold every chunk `chunksFor(dir, [...removes, ...inserts])`
 * names. Removing an entry that is not there is a no-op (a replayed or repeated change).
 */
export function applyTimeline(dir: TimelineDir, loaded: ReadonlyMap<number, readonly Entry[]>, removes: readonly Entry[], inserts: readonly Entry[]): TimelineChange {
  const next: TimelineDir = { chunks: dir.chunks.map((r) => ({ ...r })), next: dir.next, count: dir.count };
  const chunks = new Map<number, Entry[]>();
  const get = (c: number): Entry[] => {
    let chunk = chunks.get(c);
    if (!chunk) {
      const stored = loaded.get(c);
      if (!stored) throw new Error(`timeline chunk ${c} was not loaded`);
      chunk = [...stored];
      chunks.set(c, chunk);
    }
    return chunk;
  };
  for (const e of removes) {
    const c = locate(next, e);
    if (c === undefined) continue;
    const chunk = get(c);
    const at = chunk.findIndex((x) => x.h === e.h);
    if (at < 0) continue;
    chunk.splice(at, 1);
    next.count--;
  }
  for (const e of [...inserts].sort(compareEntries)) {
    let c = locate(next, e);
    if (c === undefined) {
      c = next.next++;
      next.chunks.push({ c, last: e, n: 0 });
      chunks.set(c, []);
    }
    const chunk = get(c);
    const existing = chunk.findIndex((x) => x.h === e.h);
    if (existing >= 0) {
      chunk.splice(existing, 1);
      next.count--;
    }
    let at = chunk.findIndex((x) => compareEntries(e, x) < 0);
    if (at < 0) at = chunk.length;
    chunk.splice(at, 0, e);
    next.count++;
    // Bounds stay as loaded until the end (a split sets its two), so every entry lands in a chunk
    // `chunksFor` named: the entries of a chunk all stay newer than the next chunk's.
    if (chunk.length > CHUNK_SIZE) split(next, chunks, c);
  }
  const remove: number[] = [];
  for (const [c, chunk] of chunks) {
    const index = next.chunks.findIndex((r) => r.c === c);
    if (chunk.length === 0) {
      if (index >= 0) next.chunks.splice(index, 1);
      chunks.delete(c);
      if (loaded.has(c)) remove.push(c);
      continue;
    }
    const ref = next.chunks[index] as ChunkRef;
    ref.last = chunk.at(-1) as Entry;
    ref.n = chunk.length;
  }
  return { dir: next, write: chunks, remove };
}

/** Split an over-full chunk in two; the older half gets a new id and goes right after it. */
function split(dir: TimelineDir, chunks: Map<number, Entry[]>, c: number): void {
  const chunk = chunks.get(c) as Entry[];
  const older = chunk.splice(Math.ceil(chunk.length / 2));
  const id = dir.next++;
  chunks.set(id, older);
  const index = dir.chunks.findIndex((r) => r.c === c);
  const ref = dir.chunks[index] as ChunkRef;
  ref.last = chunk.at(-1) as Entry;
  ref.n = chunk.length;
  dir.chunks.splice(index + 1, 0, { c: id, last: older.at(-1) as Entry, n: older.length });
}

/** The newest `n` entries, reading as few chunks as needed. */
export async function newest(dir: TimelineDir, n: number, read: (c: number) => Promise<readonly Entry[]>): Promise<Entry[]> {
  const out: Entry[] = [];
  for (const ref of dir.chunks) {
    if (out.length >= n) break;
    out.push(...(await read(ref.c)));
  }
  return out.slice(0, n);
}

/**
 * The newest entries first published after `after` (exclusive), at most `max`: chunks are read only while
 * the one before ended inside the window (each chunk's oldest entry is in the directory).
 */
export async function newestSince(dir: TimelineDir, after: string, max: number, read: (c: number) => Promise<readonly Entry[]>): Promise<Entry[]> {
  const out: Entry[] = [];
  const cutoff = new Date(after).getTime();
  for (const ref of dir.chunks) {
    if (out.length >= max) break;
    const chunk = await read(ref.c);
    for (const e of chunk) {
      if (new Date(e.p).getTime() <= cutoff || out.length >= max) return out;
      out.push(e);
    }
  }
  return out;
}

/** A timeline built whole from entries (a full rebuild): chunks filled to CHUNK_SIZE / 2, so the next inserts fit. */
export function buildTimeline(entries: readonly Entry[]): { dir: TimelineDir; chunks: Map<number, Entry[]> } {
  const sorted = [...entries].sort(compareEntries);
  const dir = emptyDir();
  const chunks = new Map<number, Entry[]>();
  const size = CHUNK_SIZE / 2;
  for (let i = 0; i < sorted.length; i += size) {
    const chunk = sorted.slice(i, i + size);
    const c = dir.next++;
    chunks.set(c, chunk);
    dir.chunks.push({ c, last: chunk.at(-1) as Entry, n: chunk.length });
  }
  dir.count = sorted.length;
  return { dir, chunks };
}
