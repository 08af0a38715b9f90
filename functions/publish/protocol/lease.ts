import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';

import { headersFor } from '../../core/output/objects.ts';
import { STATE } from '../../core/state/state.ts';
import { type DeleteOptions, type ListOptions, type ObjectInfo, PreconditionFailedError, type PutOptions, type Store, type StoredObject } from '../../stores/store.ts';

/**
 * The single-writer lease in the state store: one publish at a time writes the site and the state.
 *
 * - Acquire: create the lease object with If-None-Match: *, or take over one whose expiry has passed
 *   (by more than SKEW, for clocks that disagree) with If-Match on the ETag read.
 * - Renew: every TTL/3, If-Match on our own ETag; a failed condition means another publish took it.
 * - The bound that makes it safe: the holder's own deadline is TTL - MARGIN after it *sent* its last
 *   successful acquire or renew, by its monotonic clock, so it always passes before anyone else may take
 *   over. Every write goes through `guard`, which refuses to start past the deadline and aborts
 *   in flight (no retries) when it comes.
 * - Release: a conditional delete, so we never delete a lease someone else holds.
 */
export interface LeaseTiming {
  /** How long a lease lives without renewal. */
  ttlMs: number;
  /** How far apart two machines' clocks may be. */
  skewMs: number;
  /** How long before its expiry the holder stops writing. */
  marginMs: number;
  /** @default SYSTEM_CLOCK */
  clock?: LeaseClock;
}

/**
 * The lease's sense of time: a monotonic clock for the holder's own deadline, the wall clock for the expiry
 * others read, and the timers that renew and that stop writes at the deadline. Tests pass a clock they move
 * by hand, so no lease depends on how fast a busy machine runs.
 */
export interface LeaseClock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Wall-clock milliseconds since the epoch. */
  wall(): number;
  /** Run `fn` once after `ms`; never keeps the process alive. */
  after(ms: number, fn: () => void): { cancel(): void };
  /** Run `fn` every `ms`; never keeps the process alive. */
  every(ms: number, fn: () => void): { cancel(): void };
}

const SYSTEM_CLOCK: LeaseClock = {
  now: () => performance.now(),
  wall: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    timer.unref();
    return { cancel: () => clearInterval(timer) };
  },
};

export const LEASE_TIMING: LeaseTiming = { ttlMs: 30_000, skewMs: 5_000, marginMs: 5_000 };

/** From WIREFEED_LEASE_SECONDS (tests and operators); the defaults otherwise. */
export function leaseTiming(seconds: string | undefined): LeaseTiming {
  const ttl = Number(seconds);
  if (!seconds || !Number.isFinite(ttl) || ttl <= 0) return LEASE_TIMING;
  const ttlMs = ttl * 1000;
  return { ttlMs, skewMs: Math.min(LEASE_TIMING.skewMs, ttlMs / 6), marginMs: Math.min(LEASE_TIMING.marginMs, ttlMs / 6) };
}

interface LeaseBody {
  holder: string;
  /** Wall-clock expiry, RFC 3339: others may take over once their clock passes it plus SKEW. */
  expires: string;
}

export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

export class Lease {
  readonly holder: string;
  /** The previous holder's lease had expired: it may have died mid-write, or still be writing. */
  readonly tookOver: boolean;
  readonly #store: Store;
  readonly #timing: LeaseTiming;
  readonly #controller = new AbortController();
  #etag: string;
  readonly #clock: LeaseClock;
  #deadline = 0;
  #timer: { cancel(): void } | undefined;
  #renewing: { cancel(): void } | undefined;
  /** The renewal in flight: two at once would race each other's If-Match and lose the lease. */
  #renewal: Promise<void> | undefined;

  private constructor(store: Store, holder: string, etag: string, sentAt: number, tookOver: boolean, timing: LeaseTiming) {
    this.#store = store;
    this.holder = holder;
    this.#etag = etag;
    this.tookOver = tookOver;
    this.#timing = timing;
    this.#clock = timing.clock ?? SYSTEM_CLOCK;
    // Every guarded write listens on this signal while it is in flight: many at once is the normal case.
    setMaxListeners(0, this.#controller.signal);
    this.#extend(sentAt);
    this.#renewing = this.#clock.every(timing.ttlMs / 3, () => void this.renew().catch(() => undefined));
  }

  /** Take the lease, or learn who holds it. */
  static async acquire(store: Store, timing: LeaseTiming = LEASE_TIMING): Promise<Lease | { busy: string }> {
    const holder = `${process.pid}-${randomBytes(6).toString('hex')}`;
    const clock = timing.clock ?? SYSTEM_CLOCK;
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await store.get(STATE.lease);
      const held = current ? readBody(current) : undefined;
      if (current && held && Date.parse(held.expires) + timing.skewMs > clock.wall()) return { busy: held.holder };
      const sentAt = clock.now();
      try {
        const { etag } = await store.put(STATE.lease, body(holder, timing, clock), {
          ...headersFor(STATE.lease),
          ...(current ? { ifMatch: current.etag } : { ifNoneMatch: '*' }),
        });
        return new Lease(store, holder, etag, sentAt, current !== undefined, timing);
      } catch (err) {
        if (!(err instanceof PreconditionFailedError)) throw err;
        // Another publish took it between our read and our write: read again.
      }
    }
    return { busy: 'another publish' };
  }

  /** Fires when the deadline passes or the lease is lost: every guarded write stops. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  alive(): boolean {
    return !this.#controller.signal.aborted && this.#clock.now() < this.#deadline;
  }

  /** Throw unless the lease is still ours with time to spare. */
  check(): void {
    if (!this.alive()) throw new LeaseLostError('the publishing lease expired or was taken over; the next publish finishes this one');
  }

  renew(): Promise<void> {
    this.#renewal ??= this.#renew().finally(() => (this.#renewal = undefined));
    return this.#renewal;
  }

  async #renew(): Promise<void> {
    if (this.#controller.signal.aborted) return;
    const sentAt = this.#clock.now();
    try {
      const { etag } = await this.#store.put(STATE.lease, body(this.holder, this.#timing, this.#clock), { ...headersFor(STATE.lease), ifMatch: this.#etag, signal: this.signal });
      this.#etag = etag;
      this.#extend(sentAt);
    } catch (err) {
      if (!(err instanceof PreconditionFailedError)) throw err;
      this.#lose();
      throw new LeaseLostError('another publish took the publishing lease over', { cause: err });
    }
  }

  /** Renew now if a third of the lease has gone: called between batches of long work. */
  async keep(): Promise<void> {
    this.check();
    if (this.#deadline - this.#clock.now() < (this.#timing.ttlMs * 2) / 3 - this.#timing.marginMs) await this.renew();
  }

  async release(): Promise<void> {
    this.#stop();
    // A renewal in flight would change the ETag under the delete below, which would then leave the
    // lease standing for its whole time to live: let it land first.
    await this.#renewal?.catch(() => undefined);
    // From here on nothing of this holder writes: a straggler's guarded write is refused, not sent.
    this.#controller.abort(new LeaseLostError('the publishing lease was released'));
    try {
      await this.#store.delete(STATE.lease, { ifMatch: this.#etag });
    } catch (err) {
      if (!(err instanceof PreconditionFailedError)) throw err; // someone took it over: theirs now
    }
  }

  /** A store whose writes stop at the deadline (refused before they start, aborted in flight). */
  guard(store: Store): Store {
    return guarded(store, this);
  }

  #extend(sentAt: number): void {
    this.#deadline = sentAt + this.#timing.ttlMs - this.#timing.marginMs;
    this.#timer?.cancel();
    this.#timer = this.#clock.after(Math.max(0, this.#deadline - this.#clock.now()), () => this.#lose());
  }

  #lose(): void {
    this.#stop();
    this.#controller.abort(new LeaseLostError('the publishing lease expired or was taken over'));
  }

  #stop(): void {
    this.#timer?.cancel();
    this.#renewing?.cancel();
  }
}

function body(holder: string, timing: LeaseTiming, clock: LeaseClock): string {
  return JSON.stringify({ holder, expires: new Date(clock.wall() + timing.ttlMs).toISOString() } satisfies LeaseBody);
}

function readBody(object: StoredObject): LeaseBody | undefined {
  try {
    const value = JSON.parse(Buffer.from(object.body).toString('utf8')) as Partial<LeaseBody>;
    return typeof value.holder === 'string' && typeof value.expires === 'string' && !Number.isNaN(Date.parse(value.expires)) ? (value as LeaseBody) : undefined;
  } catch {
    return undefined; // unreadable: treated as expired, so a torn lease never blocks publishing
  }
}

function guarded(store: Store, lease: Lease): Store {
  const signal = (own?: AbortSignal) => (own ? AbortSignal.any([own, lease.signal]) : lease.signal);
  return {
    get: (key: string) => store.get(key),
    head: (key: string): Promise<ObjectInfo | undefined> => store.head(key),
    list: (prefix: string, options?: ListOptions) => store.list(prefix, options),
    describe: (key: string) => store.describe(key),
    put: async (key: string, bytes: Uint8Array | string, options: PutOptions) => {
      lease.check();
      return store.put(key, bytes, { ...options, signal: signal(options.signal) });
    },
    delete: async (key: string, options: DeleteOptions = {}) => {
      lease.check();
      return store.delete(key, { ...options, signal: signal(options.signal) });
    },
  };
}
