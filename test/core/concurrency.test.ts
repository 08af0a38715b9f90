import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../functions/core/concurrency.ts';

/** A promise and its resolver, so a test decides when work finishes (no timers). */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('mapLimit', () => {
  it('keeps the input order and never has more than `limit` items in flight', async () => {
    // Prepare
    let inFlight = 0;
    let most = 0;
    // Act
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await Promise.resolve();
      inFlight--;
      return n * 10;
    });
    // Assess
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });

  it('after a failure starts no further item, and rejects only once the items already started have finished', async () => {
    // Prepare: item 0 fails at once while item 1 is still in flight; items 2 and 3 wait their turn
    const slow = deferred();
    const started: number[] = [];
    const events: string[] = [];
    // Act
    const run = mapLimit([0, 1, 2, 3], 2, async (n) => {
      started.push(n);
      if (n === 0) throw new Error('write 0 failed');
      if (n === 1) await slow.promise;
      events.push(`item ${n} finished`);
    }).catch((err: Error) => events.push(`rejected: ${err.message}`));
    await Promise.resolve();
    await Promise.resolve();
    events.push('item 1 released');
    slow.resolve();
    await run;
    // Assess: a publisher that gives up leaves no write running behind its back
    expect(started).toEqual([0, 1]);
    expect(events).toEqual(['item 1 released', 'item 1 finished', 'rejected: write 0 failed']);
  });
});
