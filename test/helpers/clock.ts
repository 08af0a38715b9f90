import { LEASE_TIMING, type LeaseClock, type LeaseTiming } from '../../functions/publish/protocol/lease.ts';

/**
 * A clock that moves only when a test moves it: the lease's deadline, expiry and timers follow it, so a
 * test about time never races a busy machine. `advance` fires every timer that falls due, in time order,
 * and lets the promises they start settle before it returns.
 */
export class ManualClock implements LeaseClock {
  #now = 0;
  #wall: number;
  #timers: { at: number; every?: number; fn: () => void; live: boolean }[] = [];

  constructor(wall = Date.UTC(2026, 10, 24, 12)) {
    this.#wall = wall;
  }

  now(): number {
    return this.#now;
  }

  wall(): number {
    return this.#wall + this.#now;
  }

  after(ms: number, fn: () => void): { cancel(): void } {
    const timer = { at: this.#now + ms, fn, live: true };
    this.#timers.push(timer);
    return { cancel: () => this.#cancel(timer) };
  }

  every(ms: number, fn: () => void): { cancel(): void } {
    const timer = { at: this.#now + ms, every: ms, fn, live: true };
    this.#timers.push(timer);
    return { cancel: () => this.#cancel(timer) };
  }

  #cancel(timer: { live: boolean }): void {
    timer.live = false;
  }

  async advance(ms: number): Promise<void> {
    const until = this.#now + ms;
    for (;;) {
      this.#timers = this.#timers.filter((t) => t.live);
      const due = this.#timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#now = Math.max(this.#now, due.at);
      if (due.every) due.at += due.every;
      else due.live = false;
      due.fn();
      await settle();
    }
    this.#now = until;
    await settle();
  }
}

/** Let the promise chains started so far run to their next real wait (MemoryStore answers in microtasks). */
async function settle(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Lease timings on one clock the test moves by hand: SHORT for a holder that is to die (its lease lapses
 * when the test calls `lapse`), LIVE for one that must never lose its lease by accident on a busy machine.
 */
export function leaseClocks(): { SHORT: LeaseTiming; LIVE: LeaseTiming; lapse: () => Promise<void> } {
  const clock = new ManualClock();
  const SHORT = { ttlMs: 300, skewMs: 50, marginMs: 50, clock };
  const LIVE = { ...LEASE_TIMING, clock };
  // A lease is taken over once its expiry plus the taker's allowance for clock skew has passed.
  return { SHORT, LIVE, lapse: () => clock.advance(SHORT.ttlMs + LIVE.skewMs + 1) };
}
