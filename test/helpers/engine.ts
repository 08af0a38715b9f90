import { stringify } from 'yaml';
import { STATE } from '../../functions/core/state/state.ts';
import { type PublishOptions, type PublishReport, publish } from '../../functions/publish/publish.ts';
import { MemoryStore } from '../../functions/stores/memory-store.ts';
import type { DeleteOptions, GetOptions, ListOptions, ObjectInfo, PutOptions, Store, StoredObject, TooLarge } from '../../functions/stores/store.ts';
import { articleText, NOW, SITE_SETTINGS } from './content.ts';
import { parseJsonFeed } from './feeds.ts';

/** Three MemoryStores and the few things the engine's tests do with them. */
export interface MemorySite {
  content: MemoryStore;
  site: MemoryStore;
  state: MemoryStore;
  article(name: string, fields: Record<string, unknown>, body?: string): Promise<string>;
  /** Delete an article file; its content key. */
  remove(name: string): Promise<string>;
  publish(options?: Partial<PublishOptions>): Promise<PublishReport>;
  text(key: string): Promise<string | undefined>;
  /** The JSON feed's titles, newest first. */
  titles(folder?: string): Promise<string[]>;
  keys(store?: Store): Promise<string[]>;
}

export async function memorySite(settings: Record<string, unknown> = {}): Promise<MemorySite> {
  const content = new MemoryStore();
  const site = new MemoryStore();
  const state = new MemoryStore();
  await content.put('site.yaml', stringify({ ...SITE_SETTINGS, ...settings }), { contentType: 'application/yaml' });
  const text = async (key: string, store: Store = site) => {
    const object = await store.get(key);
    return object ? Buffer.from(object.body).toString('utf8') : undefined;
  };
  return {
    content,
    site,
    state,
    async article(name, fields, body) {
      const key = `articles/${name}`;
      await content.put(key, articleText(fields, body), { contentType: 'text/markdown' });
      return key;
    },
    async remove(name) {
      await content.delete(`articles/${name}`);
      return `articles/${name}`;
    },
    publish: (options = {}) => publish({ content, site, state }, { now: NOW, ...options }),
    text: (key) => text(key),
    async titles(folder = '') {
      const json = await text(`${folder}feed.json`);
      return json ? parseJsonFeed(json).items.map((i) => i.title ?? '') : [];
    },
    keys: async (store = site) => (await store.list('')).map((i) => i.key),
  };
}

/** How many more writes the stores of one "process" may make before it dies. */
export interface Budget {
  left: number;
}

/**
 * A store of a process that dies: once the shared budget of writes is spent, every request fails, as
 * if the process had been killed (nothing of it runs again, not even its attempt to release the lease),
 * until `revive()` (a paused process waking up). FOR TESTS ONLY: a crash, injected client-side.
 */
export class DyingStore implements Store {
  readonly #inner: Store;
  readonly #budget: Budget;
  constructor(inner: Store, budget: Budget) {
    this.#inner = inner;
    this.#budget = budget;
  }
  #check(write: boolean): void {
    if (this.#budget.left < 0 || (write && this.#budget.left === 0)) {
      this.#budget.left = -1;
      throw new Error('killed (injected: the process died here)');
    }
    if (write) this.#budget.left--;
  }
  get(key: string): Promise<StoredObject | undefined>;
  get(key: string, options: GetOptions): Promise<StoredObject | TooLarge | undefined>;
  async get(key: string, options: GetOptions = {}): Promise<StoredObject | TooLarge | undefined> {
    this.#check(false);
    return this.#inner.get(key, options);
  }
  async head(key: string): Promise<ObjectInfo | undefined> {
    this.#check(false);
    return this.#inner.head(key);
  }
  async list(prefix: string, options?: ListOptions): Promise<ObjectInfo[]> {
    this.#check(false);
    return this.#inner.list(prefix, options);
  }
  async put(key: string, body: Uint8Array | string, options: PutOptions): Promise<{ etag: string }> {
    this.#check(true);
    return this.#inner.put(key, body, options);
  }
  async delete(key: string, options?: DeleteOptions): Promise<void> {
    this.#check(true);
    return this.#inner.delete(key, options);
  }
  describe(key: string): string {
    return this.#inner.describe(key);
  }
}

/**
 * A process that stalls (a GC pause, SIGSTOP, a laptop asleep): its first write of one key stops on the wire,
 * and from then on every write of its stores waits too (its lease renewals included), until the test lets
 * it go. Writes that have passed their holder's guard land when it wakes, whatever has happened since, as
 * requests already sent do. FOR TESTS ONLY: a stall, injected client-side.
 */
export class Stall {
  readonly #key: string;
  #state: 'running' | 'stalled' | 'woken' = 'running';
  #wake!: () => void;
  readonly #woken = new Promise<void>((resolve) => (this.#wake = resolve));
  #reached!: () => void;
  /** Resolves when the stalling write has been sent. */
  readonly reached = new Promise<void>((resolve) => (this.#reached = resolve));
  constructor(key: string) {
    this.#key = key;
  }
  /** The process wakes up: everything it had sent lands. */
  release(): void {
    this.#state = 'woken';
    this.#wake();
  }
  /** The store as this process uses it. */
  wrap(inner: Store): Store {
    const write = async <T>(key: string, options: { signal?: AbortSignal } | undefined, send: (options: Record<string, unknown>) => Promise<T>): Promise<T> => {
      if (this.#state === 'running' && key === this.#key) {
        this.#state = 'stalled';
        this.#reached();
      }
      if (this.#state !== 'stalled') return send({ ...options });
      await this.#woken;
      const { signal: _sent, ...rest } = options ?? {}; // already on the wire: an abort now cannot call it back
      return send(rest);
    };
    return {
      get: (key) => inner.get(key),
      head: (key) => inner.head(key),
      list: (prefix, options) => inner.list(prefix, options),
      describe: (key) => inner.describe(key),
      put: (key, body, options) => write(key, options, (o) => inner.put(key, body, { ...options, ...o, signal: o.signal as AbortSignal | undefined } as PutOptions)),
      delete: (key, options) => write(key, options, (o) => inner.delete(key, { ...o } as DeleteOptions)),
    };
  }
}

/** Count every request a publish makes, by store and kind. */
export class CountingStore implements Store {
  readonly #inner: Store;
  readonly keys = { read: new Set<string>(), written: new Set<string>(), listed: new Set<string>() };
  constructor(inner: Store) {
    this.#inner = inner;
  }
  reset(): void {
    for (const set of Object.values(this.keys)) set.clear();
  }
  get(key: string): Promise<StoredObject | undefined>;
  get(key: string, options: GetOptions): Promise<StoredObject | TooLarge | undefined>;
  get(key: string, options: GetOptions = {}): Promise<StoredObject | TooLarge | undefined> {
    this.keys.read.add(key);
    return this.#inner.get(key, options);
  }
  head(key: string) {
    this.keys.read.add(key);
    return this.#inner.head(key);
  }
  list(prefix: string, options?: ListOptions) {
    this.keys.listed.add(prefix);
    return this.#inner.list(prefix, options);
  }
  put(key: string, body: Uint8Array | string, options: PutOptions) {
    this.keys.written.add(key);
    return this.#inner.put(key, body, options);
  }
  delete(key: string, options?: DeleteOptions) {
    this.keys.written.add(key);
    return this.#inner.delete(key, options);
  }
  describe(key: string): string {
    return this.#inner.describe(key);
  }
}

/** Every object of a store, key by key, as text; the lease aside (it is the holder's, not the site's), and any other key `except` names. */
export async function objectsOf(store: Store, except: readonly string[] = []): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const { key } of await store.list('')) {
    if (key === STATE.lease || except.includes(key)) continue;
    out[key] = Buffer.from((await store.get(key))?.body ?? '').toString('utf8');
  }
  return out;
}
