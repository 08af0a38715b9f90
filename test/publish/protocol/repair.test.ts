import { describe, expect, it } from 'vitest';
import { type Head, STATE } from '../../../functions/core/state/state.ts';
import { StateView } from '../../../functions/publish/cycle/state-view.ts';
import { producedKeys, readJournal, reconcileSite, repairKeys } from '../../../functions/publish/protocol/repair.ts';
import { testSettings } from '../../helpers/content.ts';
import { type MemorySite, memorySite } from '../../helpers/engine.ts';
import { RecordingStore, span } from '../../helpers/recording-store.ts';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]);
const settings = (overrides: Record<string, unknown> = {}) => testSettings(overrides);

/** Three stories (feeds of two: one complete archive page), one tagged Port with a lead image, and a draft. */
async function published(): Promise<{ s: MemorySite; head: Head }> {
  const s = await memorySite({ feed_size: 2 });
  await s.content.put('media/harbour.jpg', JPEG, { contentType: 'image/jpeg' });
  await s.article('a.md', { title: 'Story A', date: '2026-11-20', tags: ['Port'], image: { url: '/media/harbour.jpg', alt: 'The harbour' } });
  await s.article('b.md', { title: 'Story B', date: '2026-11-21' });
  await s.article('c.md', { title: 'Story C', date: '2026-11-22' });
  await s.article('notes.md', { title: 'Notes', date: '2026-11-22', draft: true });
  await s.publish();
  const view = new StateView(s.state);
  return { s, head: (await view.base(STATE.head)) as Head };
}

describe('repairing site keys from the state', () => {
  it('produces exactly the keys a publish wrote: every group, every public page, every image in use', async () => {
    // Prepare
    const { s, head } = await published();
    // Act
    const produced = await producedKeys(new StateView(s.state), head, settings({ feed_size: 2 }), 4);
    // Assess
    expect([...produced].sort()).toEqual(await s.keys());
    expect(produced.has('articles/notes/index.html')).toBe(false);
    expect(produced.has('media/harbour.jpg')).toBe(true);
  });

  it('writes back what the state produces and deletes what it does not, key by key', async () => {
    // Prepare
    const { s, head } = await published();
    const keys = [
      'articles/a/index.html', // public: rewritten
      'articles/notes/index.html', // a draft's page: deleted
      'articles/nobody/index.html', // no claim: deleted
      'media/harbour.jpg', // in use: copied
      'media/unused.jpg', // used by none: deleted
      'tags/port/rss.xml', // a tag there is: its group
      'tags/gone/rss.xml', // a tag that is gone: deleted
      'archive/1/feed.json', // a complete page: its group
      'archive/2/feed.json', // not published: deleted
      'sitemap-9.xml', // past the shards: deleted
    ];
    // Act
    const work = await repairKeys(new StateView(s.state), keys, settings({ feed_size: 2 }), head, 4);
    // Assess
    expect([...work.pages.keys()]).toEqual(['articles/a/index.html']);
    expect(work.pages.get('articles/a/index.html')).toContain('Story A');
    expect(work.mediaPut).toEqual(['media/harbour.jpg']);
    expect([...work.deletes].sort()).toEqual(['archive/2/feed.json', 'articles/nobody/index.html', 'articles/notes/index.html', 'media/unused.jpg', 'sitemap-9.xml', 'tags/gone/rss.xml']);
    expect(work.groups.map((g) => g.id)).toEqual([
      { kind: 'archive', n: 1 },
      { kind: 'tag', slug: 'port' },
    ]);
  });

  it('reads a journal that is gone as nothing (its cycle finished)', async () => {
    const { s } = await published();
    expect(await readJournal(s.state, STATE.journal('000000000001-ab.json'))).toBeUndefined();
  });
});

describe('the reconcile', () => {
  it("deletes the managed keys nothing produces, writes back the produced ones missing, and leaves others' files alone", async () => {
    // Prepare: a stray page, an old manifest, a gone tag's feed, a file of the site owner's, a lost feed and a lost image
    const { s, head } = await published();
    const before = await s.keys();
    await s.site.put('articles/gone/index.html', '<p>old</p>', { contentType: 'text/html' });
    await s.site.put('.wirefeed/manifest.json', '{}', { contentType: 'application/json' });
    await s.site.put('tags/old/feed.json', '{}', { contentType: 'application/feed+json' });
    await s.site.put('CNAME', 'news.example.org', { contentType: 'text/plain' });
    await s.site.delete('tags/port/rss.xml');
    await s.site.delete('media/harbour.jpg');
    const log: string[] = [];
    const io = { content: s.content, site: new RecordingStore(s.site, 'site', log), state: new RecordingStore(s.state, 'state', log) };
    // Act
    const result = await reconcileSite(io, { settings: settings({ feed_size: 2 }), concurrency: 4 }, head);
    // Assess
    expect(result.deleted).toEqual(['.wirefeed/manifest.json', 'articles/gone/index.html', 'tags/old/feed.json']);
    expect(result.written).toEqual(['media/harbour.jpg', 'tags/port/atom.xml', 'tags/port/feed.html', 'tags/port/feed.json', 'tags/port/index.html', 'tags/port/rss.xml']);
    expect(await s.keys()).toEqual([...before, 'CNAME'].sort());
    // Named in an intent first, removed last
    const intent = span(log, (e) => e.includes(STATE.intents));
    const site = span(log, (e) => e.startsWith('site '));
    expect(log[intent.first]).toMatch(/^state put requests\/intent\//);
    expect(log[intent.last]).toMatch(/^state delete requests\/intent\//);
    expect(intent.first).toBeLessThan(site.first);
    expect(site.last).toBeLessThan(intent.last);
  });

  it('writes and deletes nothing on a site that is as the state says', async () => {
    const { s, head } = await published();
    const log: string[] = [];
    const io = { content: s.content, site: new RecordingStore(s.site, 'site', log), state: new RecordingStore(s.state, 'state', log) };
    expect(await reconcileSite(io, { settings: settings({ feed_size: 2 }), concurrency: 4 }, head)).toEqual({ written: [], deleted: [] });
    expect(log).toEqual([]);
  });
});
