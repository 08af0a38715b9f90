import { beforeEach, describe, expect, it } from 'vitest';
import { STATE } from '../../../functions/core/state/state.ts';
import { Lease, LeaseLostError, type LeaseTiming } from '../../../functions/publish/protocol/lease.ts';
import { MemoryStore } from '../../../functions/stores/memory-store.ts';
import type { Store } from '../../../functions/stores/store.ts';
import { ManualClock } from '../../helpers/clock.ts';
import { type Budget, DyingStore } from '../../helpers/engine.ts';

// The lease's clocks (its monotonic deadline, the wall-clock expiry) and timers (renewal, deadline) follow a
// clock the test moves by hand: a busy machine can neither starve a renewal nor stretch a sleep past a deadline.
let clock: ManualClock;
let SHORT: LeaseTiming;
beforeEach(() => {
  clock = new ManualClock();
  SHORT = { ttlMs: 300, skewMs: 50, marginMs: 50, clock };
});
const sleep = (ms: number) => clock.advance(ms);

async function take(store: Store, timing = SHORT): Promise<Lease> {
  const lease = await Lease.acquire(store, timing);
  if (!(lease instanceof Lease)) throw new Error(`the lease is held by ${lease.busy}`);
  return lease;
}

describe('the publishing lease', () => {
  it('lets one publish hold it at a time, and the next take it once it is released', async () => {
    // Prepare
    const state = new MemoryStore();
    const first = await take(state);
    // Act
    const second = await Lease.acquire(state, SHORT);
    await first.release();
    const third = await Lease.acquire(state, SHORT);
    // Assess
    expect(second).toEqual({ busy: first.holder });
    expect(third).toBeInstanceOf(Lease);
    expect((third as Lease).tookOver).toBe(false); // released cleanly: nothing to fear from the first
    await (third as Lease).release();
    expect(await state.get(STATE.lease)).toBeUndefined();
  });

  it('stays with a holder that keeps renewing it, long past its time to live', async () => {
    const state = new MemoryStore();
    const holder = await take(state);
    await sleep(SHORT.ttlMs * 3);
    expect(holder.alive()).toBe(true);
    expect(await Lease.acquire(state, SHORT)).toEqual({ busy: holder.holder });
    await holder.release();
  });

  it('survives renewals that overlap (a long build renewing between batches while the timer renews too)', async () => {
    const state = new MemoryStore();
    const holder = await take(state);
    await Promise.all([holder.renew(), holder.renew(), holder.keep(), holder.renew()]);
    expect(holder.alive()).toBe(true);
    expect(await Lease.acquire(state, SHORT)).toEqual({ busy: holder.holder });
    await holder.release();
  });

  it("is taken over once a dead holder's lease has expired, and says so", async () => {
    // Prepare: a holder whose process dies (its renewals fail)
    const state = new MemoryStore();
    const budget: Budget = { left: 1 };
    const dead = await take(new DyingStore(state, budget));
    budget.left = -1;
    expect(await Lease.acquire(state, SHORT)).toEqual({ busy: dead.holder });
    // Act
    await sleep(SHORT.ttlMs + SHORT.skewMs + 50);
    const next = await take(state);
    // Assess
    expect(next.tookOver).toBe(true);
    expect(dead.alive()).toBe(false);
    await next.release();
  });

  it("stops its holder's writes at its deadline, before anyone may take over", async () => {
    // Prepare: a holder that cannot renew
    const state = new MemoryStore();
    const budget: Budget = { left: 1 };
    const holder = await take(new DyingStore(state, budget));
    budget.left = -1;
    const site = holder.guard(new MemoryStore());
    await site.put('rss.xml', 'early', { contentType: 'application/rss+xml' });
    await sleep(SHORT.ttlMs - SHORT.marginMs - 1);
    await site.put('rss.xml', 'just in time', { contentType: 'application/rss+xml' });
    // Act
    await sleep(1);
    // Assess: refused before it starts, and the lease could not yet have been taken over
    await expect(site.put('rss.xml', 'late', { contentType: 'application/rss+xml' })).rejects.toBeInstanceOf(LeaseLostError);
    await expect(site.delete('rss.xml')).rejects.toBeInstanceOf(LeaseLostError);
    expect(await Lease.acquire(state, SHORT)).toEqual({ busy: holder.holder });
  });

  it('never deletes a lease someone else now holds, when a paused holder wakes up and releases', async () => {
    // Prepare: a holder pauses past its lease; another takes over
    const state = new MemoryStore();
    const budget: Budget = { left: 1 };
    const paused = await take(new DyingStore(state, budget));
    budget.left = -1;
    await sleep(SHORT.ttlMs + SHORT.skewMs + 50);
    const next = await take(state);
    // Act: the first wakes up
    budget.left = 10;
    await paused.release();
    // Assess
    expect(await Lease.acquire(state, SHORT)).toEqual({ busy: next.holder });
    await next.release();
  });

  it('lets a renewal in flight land before it lets go, so the lease is really gone when it is released', async () => {
    // Prepare: a store that applies a lease write at once but answers it only when the test says so
    const state = new MemoryStore();
    const answer: { release?: () => void } = {};
    const slow: Store = {
      get: (key) => state.get(key),
      head: (key) => state.head(key),
      list: (prefix) => state.list(prefix),
      describe: (key) => state.describe(key),
      delete: (key, options) => state.delete(key, options),
      put: async (key, body, options) => {
        const written = await state.put(key, body, options);
        if (key === STATE.lease && options.ifMatch !== undefined) await new Promise<void>((resolve) => (answer.release = resolve));
        return written;
      },
    };
    const holder = await take(slow);
    await sleep(10); // a renewal a little later: a new expiry, a new ETag
    const renewal = holder.renew();
    while (!answer.release) await Promise.resolve(); // landed, its answer still on the wire
    // Act
    const released = holder.release();
    answer.release?.();
    await Promise.all([renewal, released]);
    // Assess: released, not left standing for its time to live
    expect(await state.get(STATE.lease)).toBeUndefined();
    expect(await Lease.acquire(state, SHORT)).toBeInstanceOf(Lease);
  });

  it('refuses every write of its holder once released, so nothing lands after another publish takes the lease', async () => {
    // Prepare
    const state = new MemoryStore();
    const holder = await take(state);
    const site = holder.guard(new MemoryStore());
    // Act
    await holder.release();
    const next = await take(state);
    // Assess
    await expect(site.put('articles/a/index.html', 'late', { contentType: 'text/html' })).rejects.toBeInstanceOf(LeaseLostError);
    expect(next.tookOver).toBe(false);
    await next.release();
  });
});
