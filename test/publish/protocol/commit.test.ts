import { describe, expect, it } from 'vitest';
import { type Head, type Journal, readState, STATE, STATE_VERSION, StateError } from '../../../functions/core/state/state.ts';
import { applyStateWrites, commitJournal, writeHead } from '../../../functions/publish/protocol/commit.ts';
import { LeaseLostError } from '../../../functions/publish/protocol/lease.ts';
import { MemoryStore } from '../../../functions/stores/memory-store.ts';
import { RecordingStore } from '../../helpers/recording-store.ts';

const JSON_TYPE = { contentType: 'application/json' };
const HEAD: Head = { v: STATE_VERSION, settings: 'abc', generation: 7, nextSeq: 0, nextTagSeq: 0, public: 0 };
const SITE = { mediaPut: [], mediaDelete: [], pages: [], groups: ['main'], deletes: [] };
const text = async (state: MemoryStore, key: string) => {
  const object = await state.get(key);
  return object && Buffer.from(object.body).toString('utf8');
};

/** A state store with a head, read as a cycle starts. */
async function committed(): Promise<{ state: MemoryStore; etag: string }> {
  const state = new MemoryStore();
  const etag = await writeHead(state, HEAD, undefined);
  return { state, etag };
}

describe('the commit', () => {
  it('writes the journal first, then the head naming it, one generation on', async () => {
    // Prepare
    const { state, etag } = await committed();
    const recorded = new RecordingStore(state, 'state');
    const journal: Journal = { generation: 8, state: [{ key: STATE.tagShard(1), body: '{"slugs":["a"]}', expect: '*' }], site: SITE };
    // Act
    const done = await commitJournal(recorded, HEAD, etag, journal);
    // Assess
    expect(recorded.log).toEqual([`state put ${done.journalKey}`, `state put ${STATE.head}`]);
    expect(done.journalKey.startsWith(STATE.journals)).toBe(true);
    expect(readState(STATE.head, (await state.get(STATE.head))!.body)).toEqual({ ...HEAD, generation: 8, journal: done.journalKey });
    expect(done.etag).toBe((await state.head(STATE.head))!.etag);
    expect(JSON.parse((await text(state, done.journalKey))!)).toEqual(journal);
  });

  it('stops with LeaseLostError when another publish committed since the head was read, leaving its head in place', async () => {
    // Prepare: the head this cycle read is replaced by another publish's commit
    const { state, etag } = await committed();
    await writeHead(state, { ...HEAD, generation: 8 }, etag);
    const theirs = await text(state, STATE.head);
    // Act
    const commit = commitJournal(state, HEAD, etag, { generation: 8, state: [], site: SITE });
    // Assess
    await expect(commit).rejects.toBeInstanceOf(LeaseLostError);
    expect(await text(state, STATE.head)).toBe(theirs);
  });

  it('lets only one of two first publishes create the head', async () => {
    const state = new MemoryStore();
    await writeHead(state, HEAD, undefined);
    await expect(writeHead(state, { ...HEAD, settings: 'other' }, undefined)).rejects.toThrow(/another publish committed first/);
    expect(readState(STATE.head, (await state.get(STATE.head))!.body).settings).toBe('abc');
  });
});

describe("a journal's state writes", () => {
  it('land each on the version it replaces: a change, a new key, a deletion and a hint written without condition', async () => {
    // Prepare
    const state = new MemoryStore();
    const claim = (await state.put(STATE.slug('a'), '{"key":"articles/a.md"}', JSON_TYPE)).etag;
    const gone = (await state.put(STATE.slug('b'), '{"key":"articles/b.md"}', JSON_TYPE)).etag;
    await state.put(STATE.seen('h', 'old'), '{}', JSON_TYPE);
    // Act
    await applyStateWrites(
      state,
      [
        { key: STATE.slug('a'), body: '{"key":"articles/a2.md"}', expect: claim },
        { key: STATE.slug('b'), body: null, expect: gone },
        { key: STATE.slug('c'), body: '{"key":"articles/c.md"}', expect: '*' },
        { key: STATE.seen('h', 'old'), body: null, expect: '' },
        { key: STATE.seen('h', 'new'), body: '{}', expect: '' },
      ],
      false,
      4,
    );
    // Assess
    expect((await state.list('')).map((i) => i.key)).toEqual(['seen/h.new', STATE.slug('a'), STATE.slug('c')]);
    expect(await text(state, STATE.slug('a'))).toBe('{"key":"articles/a2.md"}');
  });

  it('are refused when an object changed under the writer: its lease is gone, and the newer object stays', async () => {
    // Prepare: the claim this cycle read is replaced by a newer commit
    const state = new MemoryStore();
    const read = (await state.put(STATE.slug('a'), '{"key":"articles/a.md"}', JSON_TYPE)).etag;
    await state.put(STATE.slug('a'), '{"key":"articles/newer.md"}', JSON_TYPE);
    // Act
    const stale = applyStateWrites(state, [{ key: STATE.slug('a'), body: '{"key":"articles/old.md"}', expect: read }], false, 4);
    // Assess
    await expect(stale).rejects.toThrow(new LeaseLostError(`${STATE.slug('a')} changed under this publish: its lease is gone`));
    expect(await text(state, STATE.slug('a'))).toBe('{"key":"articles/newer.md"}');
  });

  it('refuse a key that is new to the writer but was created since', async () => {
    const state = new MemoryStore();
    await state.put(STATE.slug('a'), '{"key":"articles/first.md"}', JSON_TYPE);
    await expect(applyStateWrites(state, [{ key: STATE.slug('a'), body: '{"key":"articles/second.md"}', expect: '*' }], false, 4)).rejects.toBeInstanceOf(LeaseLostError);
  });

  it('replayed, accept what already landed (a write with its bytes there, a deletion done) and finish the rest', async () => {
    // Prepare: a journal whose first two writes landed before its holder died
    const state = new MemoryStore();
    const a = (await state.put(STATE.slug('a'), '{"key":"articles/a.md"}', JSON_TYPE)).etag;
    const b = (await state.put(STATE.slug('b'), '{"key":"articles/b.md"}', JSON_TYPE)).etag;
    const c = (await state.put(STATE.slug('c'), '{"key":"articles/c.md"}', JSON_TYPE)).etag;
    const writes = [
      { key: STATE.slug('a'), body: '{"key":"articles/a2.md"}', expect: a },
      { key: STATE.slug('b'), body: null, expect: b },
      { key: STATE.slug('c'), body: '{"key":"articles/c2.md"}', expect: c },
      { key: STATE.slug('d'), body: '{"key":"articles/d.md"}', expect: '*' },
    ];
    await state.put(STATE.slug('a'), '{"key":"articles/a2.md"}', JSON_TYPE);
    await state.delete(STATE.slug('b'));
    await state.put(STATE.slug('d'), '{"key":"articles/d.md"}', JSON_TYPE);
    // Act
    await applyStateWrites(state, writes, true, 4);
    // Assess
    expect(await text(state, STATE.slug('a'))).toBe('{"key":"articles/a2.md"}');
    expect(await state.get(STATE.slug('b'))).toBeUndefined();
    expect(await text(state, STATE.slug('c'))).toBe('{"key":"articles/c2.md"}');
    expect(await text(state, STATE.slug('d'))).toBe('{"key":"articles/d.md"}');
  });

  it('replayed, refuse an object that holds neither the version replaced nor the one intended, naming it', async () => {
    const state = new MemoryStore();
    const a = (await state.put(STATE.slug('a'), '{"key":"articles/a.md"}', JSON_TYPE)).etag;
    await state.put(STATE.slug('a'), '{"key":"articles/someone-else.md"}', JSON_TYPE);
    const replay = applyStateWrites(state, [{ key: STATE.slug('a'), body: '{"key":"articles/a2.md"}', expect: a }], true, 4);
    await expect(replay).rejects.toThrow(new StateError(STATE.slug('a'), 'changed since the journal that writes it was committed'));
    expect(await text(state, STATE.slug('a'))).toBe('{"key":"articles/someone-else.md"}');
  });
});
