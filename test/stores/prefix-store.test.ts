import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/stores/memory-store.ts';
import { PrefixStore } from '../../functions/stores/prefix-store.ts';
import { storeContract } from '../contracts/store-contract.ts';

// A generation of the state is a PrefixStore over the state store: it must answer as any store does.
storeContract('PrefixStore over a MemoryStore (gen/7/)', async () => ({ store: new PrefixStore(new MemoryStore(), 'gen/7/'), close: async () => {} }));

describe('PrefixStore', () => {
  it("keeps each prefix apart: one generation never sees or changes another's objects", async () => {
    // Prepare
    const inner = new MemoryStore();
    const one = new PrefixStore(inner, 'gen/1/');
    const two = new PrefixStore(inner, 'gen/2/');
    await one.put('articles/a.json', 'first', { contentType: 'application/json' });
    await two.put('articles/a.json', 'second', { contentType: 'application/json' });
    // Act
    await two.delete('articles/a.json');
    // Assess
    expect(Buffer.from((await one.get('articles/a.json'))!.body).toString()).toBe('first');
    expect(await two.get('articles/a.json')).toBeUndefined();
    expect((await inner.list('')).map((i) => i.key)).toEqual(['gen/1/articles/a.json']);
    expect((await one.list('articles/')).map((i) => i.key)).toEqual(['articles/a.json']);
  });
});
