import { describe, expect, it } from 'vitest';
import { STATE, StateError } from '../../../functions/core/state/state.ts';
import { StateView } from '../../../functions/publish/cycle/state-view.ts';
import { MemoryStore } from '../../../functions/stores/memory-store.ts';

const JSON_TYPE = { contentType: 'application/json' };
const claim = (key: string) => ({ key });

/** A state store holding two slug claims and a tag shard. */
async function stateWith(): Promise<{ state: MemoryStore; etags: Record<string, string> }> {
  const state = new MemoryStore();
  const etags: Record<string, string> = {};
  for (const [key, value] of [
    [STATE.slug('kept'), claim('articles/kept.md')],
    [STATE.slug('moved'), claim('articles/moved.md')],
    [STATE.tagShard(1), { slugs: ['a'] }],
  ] as const) {
    etags[key] = (await state.put(key, JSON.stringify(value), JSON_TYPE)).etag;
  }
  return { state, etags };
}

describe("a cycle's view of the state", () => {
  it('refuses to stage a key it has not read, so no write goes out without the version it replaces', async () => {
    // Prepare
    const { state } = await stateWith();
    const view = new StateView(state);
    // Act and Assess
    expect(() => view.stage(STATE.slug('kept'), claim('articles/other.md'))).toThrow(new StateError(STATE.slug('kept'), 'was staged without being read first (a bug)'));
    await view.base(STATE.slug('kept'));
    view.stage(STATE.slug('kept'), claim('articles/other.md'));
    expect(view.isStaged(STATE.slug('kept'))).toBe(true);
  });

  it('refuses to peek at a key it has not loaded, naming the key', async () => {
    const view = new StateView(new MemoryStore());
    expect(() => view.peek(STATE.schedule)).toThrow(`${STATE.schedule}: was used without being loaded first (a bug)`);
    await view.base(STATE.schedule);
    expect(view.peek(STATE.schedule)).toBeUndefined();
  });

  it('gives each write the ETag it replaces: the one read, "*" for a new key, none for a hint', async () => {
    // Prepare
    const { state, etags } = await stateWith();
    const view = new StateView(state);
    await view.base(STATE.slug('moved'));
    await view.base(STATE.slug('kept'));
    await view.base(STATE.slug('new'));
    // Act
    view.stage(STATE.slug('moved'), claim('articles/renamed.md'));
    view.stage(STATE.slug('kept'), null);
    view.stage(STATE.slug('new'), claim('articles/new.md'));
    view.stageNew(STATE.timelineChunk('main', 7), [{ h: 'h', p: '2026-11-20T00:00:00Z', id: 'urn:x' }]);
    view.stageNew(STATE.seen('h', '"abc"'), {}, true);
    // Assess: sorted by key, each with its condition
    expect(view.writes()).toEqual([
      { key: 'seen/h.abc', body: '{}', expect: '' },
      { key: STATE.slug('kept'), body: null, expect: etags[STATE.slug('kept')] },
      { key: STATE.slug('moved'), body: '{"key":"articles/renamed.md"}', expect: etags[STATE.slug('moved')] },
      { key: STATE.slug('new'), body: '{"key":"articles/new.md"}', expect: '*' },
      { key: STATE.timelineChunk('main', 7), body: '[{"h":"h","p":"2026-11-20T00:00:00Z","id":"urn:x"}]', expect: '*' },
    ]);
  });

  it('writes nothing for a value staged unchanged or a delete of what is not there', async () => {
    const { state } = await stateWith();
    const view = new StateView(state);
    await view.base(STATE.tagShard(1));
    await view.base(STATE.slug('absent'));
    view.stage(STATE.tagShard(1), { slugs: ['a'] });
    view.stage(STATE.slug('absent'), null);
    view.stageNew(STATE.timelineChunk('main', 3), null);
    expect(view.writes()).toEqual([]);
  });

  it('answers what this cycle staged, while base still answers what is committed', async () => {
    const { state } = await stateWith();
    const view = new StateView(state);
    await view.base(STATE.slug('kept'));
    view.stage(STATE.slug('kept'), claim('articles/other.md'));
    expect(await view.read(STATE.slug('kept'))).toEqual(claim('articles/other.md'));
    expect(view.peek(STATE.slug('kept'))).toEqual(claim('articles/other.md'));
    expect(await view.readOnce(STATE.slug('kept'))).toEqual(claim('articles/other.md'));
    expect(await view.base(STATE.slug('kept'))).toEqual(claim('articles/kept.md'));
    view.stage(STATE.slug('kept'), null);
    expect(await view.read(STATE.slug('kept'))).toBeUndefined();
  });

  it('forgets what it staged when the cycle starts over, and keeps what it read', async () => {
    const { state } = await stateWith();
    const view = new StateView(state);
    await view.base(STATE.slug('kept'));
    view.stage(STATE.slug('kept'), null);
    view.stageNew(STATE.seen('h', 'e'), {}, true);
    view.reset();
    expect(view.writes()).toEqual([]);
    expect(view.loaded(STATE.slug('kept'))).toBe(true);
    expect(view.peek(STATE.slug('kept'))).toEqual(claim('articles/kept.md'));
  });

  it('reads each object once, with its ETag, and a later change in the store is not seen by this cycle', async () => {
    const { state, etags } = await stateWith();
    const view = new StateView(state);
    await view.base(STATE.slug('kept'));
    await state.put(STATE.slug('kept'), JSON.stringify(claim('articles/thief.md')), JSON_TYPE);
    expect(await view.read(STATE.slug('kept'))).toEqual(claim('articles/kept.md'));
    expect(view.etagOf(STATE.slug('kept'))).toBe(etags[STATE.slug('kept')]);
  });

  it('passes on a StateError naming the key when an object it reads is not what this version wrote', async () => {
    const state = new MemoryStore();
    await state.put(STATE.schedule, '{"drafts": [', JSON_TYPE);
    const view = new StateView(state);
    await expect(view.base(STATE.schedule)).rejects.toThrow(new StateError(STATE.schedule, 'is not JSON (truncated or overwritten?)'));
    await expect(view.readOnce(STATE.schedule)).rejects.toBeInstanceOf(StateError);
  });

  it('keeps objects read once only while they fit in 16 MiB, and reads the others again when asked', async () => {
    // Prepare: three groups of 6 MiB each and a small one; the view reads each once
    const state = new MemoryStore();
    const MiB = 1024 * 1024;
    const big = (n: number, size: number) => ({ files: { [`archive/${n}/rss.xml`]: String(n).repeat(size) } });
    const keys = [1, 2, 3].map((n) => STATE.group(`archive:${n}`));
    for (const [i, key] of keys.entries()) await state.put(key, JSON.stringify(big(i + 1, 6 * MiB)), JSON_TYPE);
    const small = STATE.group('static');
    await state.put(small, JSON.stringify(big(9, 3 * MiB)), JSON_TYPE);
    const view = new StateView(state);
    for (const key of [...keys, small]) await view.readOnce(key);
    // Act: every object changes in the store, and the view is asked again
    for (const key of [...keys, small]) await state.put(key, JSON.stringify({ files: {} }), JSON_TYPE);
    const again = await Promise.all([...keys, small].map(async (key) => Object.keys((await view.readOnce(key))?.files ?? {}).length));
    // Assess: the first two (12 MiB) and the small one (15 MiB in all) were kept; the third would have passed 16 MiB
    expect(again).toEqual([1, 1, 0, 1]);
  });
});
