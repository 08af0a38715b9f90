import { describe, expect, it } from 'vitest';
import { LocatedError } from '../../functions/core/errors.ts';
import { MemoryStore } from '../../functions/stores/memory-store.ts';
import { isTooLarge, PreconditionFailedError, StoreError } from '../../functions/stores/store.ts';

// The port's own behaviour: what get answers for an object over the bound, and its two errors.
// What every store must do is test/contracts/store-contract.ts, run by each store's test file.

describe('isTooLarge', () => {
  it('tells an object over the bound from one read whole and from a missing key', async () => {
    // Prepare
    const store = new MemoryStore();
    await store.put('articles/long.md', 'x'.repeat(11), { contentType: 'text/markdown' });
    await store.put('articles/short.md', 'x'.repeat(10), { contentType: 'text/markdown' });

    // Act
    const [long, short, missing] = await Promise.all(['articles/long.md', 'articles/short.md', 'articles/none.md'].map((key) => store.get(key, { maxBytes: 10 })));

    // Assess
    expect([isTooLarge(long), isTooLarge(short), isTooLarge(missing)]).toEqual([true, false, false]);
    expect(long).toEqual({ tooLarge: true, size: 11 });
  });
});

describe('the errors a store throws', () => {
  it('a lost conditional write names the key and says what happened, keeping its cause', () => {
    // Prepare
    const cause = new Error('412 PreconditionFailed');

    // Act
    const error = new PreconditionFailedError('.wirefeed/lease.json', { cause });

    // Assess
    expect(error).toBeInstanceOf(LocatedError);
    expect(error).toMatchObject({ name: 'PreconditionFailedError', key: '.wirefeed/lease.json', file: '.wirefeed/lease.json', cause });
    expect(error.message).toBe('.wirefeed/lease.json: changed since it was read (precondition failed)');
  });

  it('an I/O failure names its location first and keeps the problem and cause apart', () => {
    // Prepare
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });

    // Act
    const error = new StoreError('s3://news-site/feed.json', 'could not be written (connect ECONNREFUSED 127.0.0.1:9)', { cause });

    // Assess
    expect(error).toBeInstanceOf(LocatedError);
    expect(error).toMatchObject({ name: 'StoreError', location: 's3://news-site/feed.json', problem: 'could not be written (connect ECONNREFUSED 127.0.0.1:9)', cause });
    expect(error.message).toBe('s3://news-site/feed.json: could not be written (connect ECONNREFUSED 127.0.0.1:9)');
  });
});
