import { describe, expect, it } from 'vitest';
import { STATE } from '../../../functions/core/state/state.ts';
import { noSiteWork } from '../../../functions/publish/cycle/write.ts';
import { readIntent, withIntent, writeNamed } from '../../../functions/publish/protocol/intents.ts';
import { MemoryStore } from '../../../functions/stores/memory-store.ts';
import { type Budget, DyingStore } from '../../helpers/engine.ts';
import { RecordingStore } from '../../helpers/recording-store.ts';

const intentsIn = async (state: MemoryStore) => (await state.list(STATE.intents)).map((i) => i.key);

describe('intents', () => {
  it('name the site keys in the state before the writes, and are removed once they have landed', async () => {
    // Prepare
    const log: string[] = [];
    const state = new MemoryStore();
    const site = new RecordingStore(new MemoryStore(), 'site', log);
    let namedDuringWrite: string[] | undefined;
    // Act
    const result = await withIntent(new RecordingStore(state, 'state', log), ['feed.json', 'articles/a/index.html', 'feed.json'], async () => {
      const [intent] = await intentsIn(state);
      namedDuringWrite = intent === undefined ? undefined : await readIntent(state, intent);
      await site.put('articles/a/index.html', '<p>a</p>', { contentType: 'text/html' });
      await site.put('feed.json', '{}', { contentType: 'application/feed+json' });
      return 'written';
    });
    // Assess: the keys once each, in order; the intent is gone after the last write
    expect(result).toBe('written');
    expect(namedDuringWrite).toEqual(['articles/a/index.html', 'feed.json']);
    expect(log.map((e) => e.replace(/intent\/.*/, 'intent/…'))).toEqual(['state put requests/intent/…', 'site put articles/a/index.html', 'site put feed.json', 'state delete requests/intent/…']);
    expect(await intentsIn(state)).toEqual([]);
  });

  it('are left in place, keys and all, when a write fails, for the next holder to redo', async () => {
    const state = new MemoryStore();
    const failing = withIntent(state, ['tags/a/rss.xml'], async () => {
      throw new Error('the site store refused the write');
    });
    await expect(failing).rejects.toThrow('the site store refused the write');
    const [left] = await intentsIn(state);
    expect(await readIntent(state, left!)).toEqual(['tags/a/rss.xml']);
  });

  it('are not written for work that touches no site key', async () => {
    const state = new RecordingStore(new MemoryStore(), 'state');
    expect(await withIntent(state, [], async () => 'nothing')).toBe('nothing');
    expect(state.log).toEqual([]);
  });

  it("name every key of a piece of site work: media, pages, groups' files and deletions (a holder that dies mid-write leaves them all)", async () => {
    // Prepare: a site store whose process dies at its first write (injected client-side)
    const state = new MemoryStore();
    const content = new MemoryStore();
    const budget: Budget = { left: 0 };
    const work = noSiteWork();
    work.mediaPut = ['media/new.jpg'];
    work.mediaDelete = ['media/old.jpg'];
    work.pages.set('articles/a/index.html', '<p>a</p>');
    work.groups.push({ id: { kind: 'tag', slug: 'port' }, files: new Map([['tags/port/feed.json', '{}']]) });
    work.deletes = ['articles/gone/index.html'];
    await content.put('media/new.jpg', Buffer.from([0xff, 0xd8]), { contentType: 'image/jpeg' });
    // Act
    const dying = writeNamed({ site: new DyingStore(new MemoryStore(), budget), content, state }, work, 4);
    // Assess
    await expect(dying).rejects.toThrow(/killed/);
    const [left] = await intentsIn(state);
    expect(await readIntent(state, left!)).toEqual(['articles/a/index.html', 'articles/gone/index.html', 'media/new.jpg', 'media/old.jpg', 'tags/port/feed.json']);
  });

  it('read as nothing once removed', async () => {
    expect(await readIntent(new MemoryStore(), STATE.intent('000000000000001-ab.json'))).toBeUndefined();
  });
});
