import { describe, expect, it } from 'vitest';
import { STATE } from '../../../functions/core/state/state.ts';
import { ask, asksAnything, deleteRequests, drainRequests, requestsWaiting, writeRequest } from '../../../functions/publish/protocol/requests.ts';
import { MemoryStore } from '../../../functions/stores/memory-store.ts';

const JSON_TYPE = { contentType: 'application/json' };

describe('durable requests', () => {
  it('merges every waiting request into one: the keys once each, in order, a scan or a rebuild if any asks', async () => {
    // Prepare
    const state = new MemoryStore();
    const written = [
      await writeRequest(state, ask.keys(['articles/b.md', 'articles/a.md'])),
      await writeRequest(state, ask.keys(['articles/a.md', 'articles/c.md'])),
      await writeRequest(state, ask.scan()),
      await writeRequest(state, ask.full()),
    ];
    // Act
    const drained = await drainRequests(state, 4);
    // Assess
    expect(drained.request).toEqual({ keys: ['articles/a.md', 'articles/b.md', 'articles/c.md'], scan: true, reconcile: true, full: true });
    expect(drained.keys).toEqual([...written].sort());
    expect(drained.intents).toEqual([]);
  });

  it('asks for nothing more than what was written: keys alone are neither a scan nor a rebuild', async () => {
    const state = new MemoryStore();
    await writeRequest(state, ask.keys(['articles/a.md']));
    expect((await drainRequests(state, 4)).request).toEqual({ keys: ['articles/a.md'], scan: false, reconcile: false, full: false });
  });

  it.each([
    ['cut short', '{"keys": ["articles/a'],
    ['not JSON at all', 'SQS message body'],
    ['without a list of keys', '{"full": false}'],
    ['with its keys as one string', '{"keys": "articles/a.md"}'],
  ])('takes a request that is %s as a scan, so whatever it named is still found', async (_what, body) => {
    // Prepare
    const state = new MemoryStore();
    await state.put(`${STATE.requests}0-torn.json`, body, JSON_TYPE);
    await writeRequest(state, ask.keys(['articles/b.md']));
    // Act
    const drained = await drainRequests(state, 4);
    // Assess
    expect(drained.request).toEqual({ keys: ['articles/b.md'], scan: true, reconcile: true, full: false });
    expect(drained.keys).toContain(`${STATE.requests}0-torn.json`);
  });

  it.each([
    ['a scan written before a scan could leave out the reconcile', '{"keys": [], "scan": true, "full": false}', true],
    ['a scan for changes alone', JSON.stringify(ask.changes()), false],
  ])('reads %s as it was meant', async (_what, body, reconcile) => {
    const state = new MemoryStore();
    await state.put(`${STATE.requests}0-old.json`, body, JSON_TYPE);
    expect((await drainRequests(state, 4)).request).toEqual({ keys: [], scan: true, reconcile, full: false });
  });

  it('keeps the string keys of a request whose list holds other things too', async () => {
    const state = new MemoryStore();
    await state.put(`${STATE.requests}0-mixed.json`, JSON.stringify({ keys: ['articles/a.md', 7, null, { key: 'x' }], scan: 'yes' }), JSON_TYPE);
    expect((await drainRequests(state, 4)).request).toEqual({ keys: ['articles/a.md'], scan: false, reconcile: false, full: false });
  });

  it('lists the intents a holder left apart from the requests, and an intent alone is no request waiting', async () => {
    // Prepare
    const state = new MemoryStore();
    const intent = STATE.intent('000000000000001-ab.json');
    await state.put(intent, JSON.stringify({ site: ['articles/a/index.html'] }), JSON_TYPE);
    // Act
    const waitingBefore = await requestsWaiting(state);
    const before = await drainRequests(state, 4);
    const request = await writeRequest(state, ask.keys([]));
    const after = await drainRequests(state, 4);
    // Assess
    expect(waitingBefore).toBe(false);
    expect(before).toEqual({ keys: [], request: { keys: [], scan: false, reconcile: false, full: false }, intents: [intent] });
    expect(after.keys).toEqual([request]);
    expect(after.intents).toEqual([intent]);
    expect(await requestsWaiting(state)).toBe(true);
  });

  it('deletes only the requests drained: one written since waits for the next holder', async () => {
    const state = new MemoryStore();
    await writeRequest(state, ask.keys(['articles/a.md']));
    const drained = await drainRequests(state, 4);
    const later = await writeRequest(state, ask.keys(['articles/b.md']));
    await deleteRequests(state, drained.keys, 4);
    expect((await state.list(STATE.requests)).map((i) => i.key)).toEqual([later]);
    expect((await drainRequests(state, 4)).request.keys).toEqual(['articles/b.md']);
  });

  it('says a request asks something only when it names a key, a scan or a rebuild (the minute tick names nothing)', () => {
    expect(asksAnything(ask.keys())).toBe(false);
    expect(asksAnything(ask.keys(['articles/a.md']))).toBe(true);
    expect(asksAnything(ask.scan())).toBe(true);
    expect(asksAnything(ask.full())).toBe(true);
  });
});
