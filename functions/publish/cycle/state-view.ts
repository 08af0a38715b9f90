import { readState, StateError, type StateKey, type StateWrite } from '../../core/state/state.ts';
import type { Store } from '../../stores/store.ts';

interface Read {
  /** The ETag read; undefined: there was no object. */
  etag: string | undefined;
  value: unknown;
}

/**
 * How many bytes of objects read with `readOnce` a view keeps for the rest of its cycle: every record a
 * cycle builds from, as a rule (so two groups that list one article read it once), but never hundreds of
 * long articles at once.
 */
const KEEP_BYTES = 16 * 1024 * 1024;

/**
 * The state as one cycle sees it: what the store holds (read once, with its ETag), with this cycle's
 * changes staged on top. Phases read through it and stage replacements; nothing reaches the store until
 * the cycle's journal is committed, and then every write is conditional on the ETag read here, so a
 * writer that lost its lease can never overwrite a newer commit.
 */
export class StateView {
  readonly store: Store;
  readonly #base = new Map<string, Read>();
  readonly #staged = new Map<string, unknown>();
  /** Read with readOnce and kept while they fit in KEEP_BYTES. */
  readonly #kept = new Map<string, Read>();
  #keptBytes = 0;
  /** Keys written without a condition: hints such as the seen/ markers, wrong at worst by one re-read. */
  readonly #hints = new Set<string>();

  constructor(store: Store) {
    this.store = store;
  }

  /** The committed value (undefined when absent), ignoring what this cycle staged. */
  async base<T>(key: StateKey<T>): Promise<T | undefined> {
    let read = this.#base.get(key) ?? this.#kept.get(key);
    if (read) this.#base.set(key, read);
    else {
      const object = await this.store.get(key);
      read = { etag: object?.etag, value: object ? readState(key, object.body) : undefined };
      this.#base.set(key, read);
    }
    return read.value as T | undefined;
  }

  /** The loaded value as this cycle leaves it, synchronously: the key must have been read (the apply phase is pure over what was loaded). */
  peek<T>(key: StateKey<T>): T | undefined {
    if (this.#staged.has(key)) return (this.#staged.get(key) ?? undefined) as T | undefined;
    const read = this.#base.get(key);
    if (!read) throw new StateError(key, 'was used without being loaded first (a bug)');
    return read.value as T | undefined;
  }

  /** The ETag the committed value was read with (undefined: absent or not read). */
  etagOf(key: string): string | undefined {
    return this.#base.get(key)?.etag;
  }

  /** Whether the committed value of this key has been read. */
  loaded(key: string): boolean {
    return this.#base.has(key);
  }

  /** The value as this cycle will leave it. */
  async read<T>(key: StateKey<T>): Promise<T | undefined> {
    if (this.#staged.has(key)) return (this.#staged.get(key) ?? undefined) as T | undefined;
    return this.base(key);
  }

  /**
   * The value as this cycle leaves it, for large objects read only to build output (article records, whose
   * HTML may be megabytes): what is fetched is kept only while the view's kept objects fit in KEEP_BYTES, so
   * a cycle that reads hundreds of long articles never holds them all. Loaded or staged keys are answered
   * from memory.
   */
  async readOnce<T>(key: StateKey<T>): Promise<T | undefined> {
    if (this.#staged.has(key)) return (this.#staged.get(key) ?? undefined) as T | undefined;
    const read = this.#base.get(key) ?? this.#kept.get(key);
    if (read) return read.value as T | undefined;
    const object = await this.store.get(key);
    const value = object ? readState(key, object.body) : undefined;
    const size = object?.body.byteLength ?? 0;
    if (this.#keptBytes + size <= KEEP_BYTES) {
      this.#kept.set(key, { etag: object?.etag, value });
      this.#keptBytes += size;
    }
    return value;
  }

  /** Stage a replacement (null: delete). The key must have been read, so its write can name the version it replaces. */
  stage<T>(key: StateKey<T>, value: T | null): void {
    if (!this.#base.has(key) && !this.#hints.has(key)) throw new StateError(key, 'was staged without being read first (a bug)');
    this.#staged.set(key, value);
  }

  /** Stage a key known to be new (a fresh chunk id), or a hint written without a condition. */
  stageNew<T>(key: StateKey<T>, value: T | null, hint = false): void {
    if (hint) this.#hints.add(key);
    else if (!this.#base.has(key)) this.#base.set(key, { etag: undefined, value: undefined });
    this.#staged.set(key, value);
  }

  isStaged(key: string): boolean {
    return this.#staged.has(key);
  }

  /** This cycle's changes, each with the ETag it replaces ('*': absent; '' for a hint). */
  writes(): StateWrite[] {
    const out: StateWrite[] = [];
    for (const [key, value] of this.#staged) {
      const read = this.#base.get(key);
      const body = value === null ? null : JSON.stringify(value);
      if (body === null && read?.etag === undefined && !this.#hints.has(key)) continue; // deleting what is not there
      if (!this.#hints.has(key) && read && body !== null && read.value !== undefined && JSON.stringify(read.value) === body) continue; // unchanged
      out.push({ key, body, expect: this.#hints.has(key) ? '' : (read?.etag ?? '*') });
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Forget what was staged (the cycle starts over). */
  reset(): void {
    this.#staged.clear();
    this.#hints.clear();
  }
}
