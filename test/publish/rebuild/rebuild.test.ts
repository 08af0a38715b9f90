import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { settingsHash } from '../../../functions/core/hash.ts';
import { keyHash } from '../../../functions/core/keys.ts';
import { type Head, STATE } from '../../../functions/core/state/state.ts';
import type { Parse } from '../../../functions/publish/context.ts';
import { parseHere } from '../../../functions/publish/cycle/read.ts';
import { writeHead } from '../../../functions/publish/protocol/commit.ts';
import { ask, writeRequest } from '../../../functions/publish/protocol/requests.ts';
import { publish } from '../../../functions/publish/publish.ts';
import { type RebuildOptions, rebuild, servedSettings } from '../../../functions/publish/rebuild/rebuild.ts';
import type { PutOptions, Store } from '../../../functions/stores/store.ts';
import { NOW, SITE_SETTINGS, testSettings } from '../../helpers/content.ts';
import { headOf, holderContext, releaseLeases } from '../../helpers/cycle.ts';
import { CountingStore, type MemorySite, memorySite, objectsOf } from '../../helpers/engine.ts';
import { parseJsonFeed } from '../../helpers/feeds.ts';
import { RecordingStore } from '../../helpers/recording-store.ts';

afterEach(releaseLeases);

const SITE_YAML = { contentType: 'application/yaml' };

/** One holder with all the time it needs, as the command line is; site.yaml as the site has it. */
async function whole(s: MemorySite, options: Partial<RebuildOptions> = {}): Promise<RebuildOptions> {
  return { batchSize: 256, outOfTime: () => false, siteYaml: Buffer.from((await s.content.get('site.yaml'))?.body ?? '').toString('utf8'), ...options };
}

/** Stories A and B published, A tagged Port. */
async function published(): Promise<MemorySite> {
  const s = await memorySite();
  await s.article('a.md', { title: 'Story A', date: '2026-11-20', tags: ['Port'] });
  await s.article('b.md', { title: 'Story B', date: '2026-11-21' });
  await s.publish();
  return s;
}

describe('the full rebuild', () => {
  it('builds the whole site and state from the content alone, and leaves a head that is no longer rebuilding', async () => {
    // Prepare: content only
    const s = await memorySite();
    await s.article('a.md', { title: 'Story A', date: '2026-11-20', tags: ['Port'] });
    await s.article('b.md', { title: 'Story B', date: '2026-11-21' });
    // Act
    const result = await rebuild({ content: s.content, site: s.site, state: s.state }, await holderContext(s), {}, await whole(s));
    // Assess
    expect(result.full).toBe(true);
    expect(result.resumed).toBe(false);
    expect(result.rendered).toBe(2);
    expect(await s.titles()).toEqual(['Story B', 'Story A']);
    expect(await s.titles('tags/port/')).toEqual(['Story A']);
    expect(result.written).toContain('articles/a/index.html');
    expect(result.head.rebuild).toBeUndefined();
    expect((await headOf(s)).head).toEqual(result.head);
    expect(await s.state.list(STATE.rebuildBatches)).toEqual([]);
    expect(await s.state.list(STATE.intents)).toEqual([]);
  });

  it('reads no old record of any file on a first publish, and each file’s when the state lost its head but not its records', async () => {
    // Prepare: stories A and B, unpublished; and published, then the state's head lost
    const first = await memorySite();
    await first.article('a.md', { title: 'Story A', date: '2026-11-20', tags: ['Port'] });
    await first.article('b.md', { title: 'Story B', date: '2026-11-21' });
    const lost = await published();
    await lost.state.delete(STATE.head);
    /** The records a holder reads in its render step (one batch: out of time, it stops at the index step). */
    const recordsRead = async (s: MemorySite) => {
      const state = new CountingStore(s.state);
      await publish({ content: s.content, site: s.site, state }, { now: NOW, remainingMs: () => 0 });
      expect((await headOf(s)).head.rebuild?.step).toBe('index');
      return [...state.keys.read].filter((k) => k.startsWith(STATE.records)).sort();
    };
    // Act
    const read = { first: await recordsRead(first), lost: await recordsRead(lost) };
    await first.publish();
    await lost.publish();
    // Assess
    expect(read.first).toEqual([]);
    expect(read.lost).toEqual([STATE.record(keyHash('articles/a.md')), STATE.record(keyHash('articles/b.md'))].sort());
    expect(await first.titles()).toEqual(['Story B', 'Story A']);
    expect(await objectsOf(lost.site)).toEqual(await objectsOf(first.site));
  });

  it('removes state nothing holds any more (a deleted file, its marker and claims), and keeps the requests and journals it does not own', async () => {
    // Prepare: story B's file is gone; a request waits
    const s = await published();
    const b = await s.remove('b.md');
    const idClaims = async () => (await s.state.list(STATE.ids)).length;
    expect(await idClaims()).toBe(2);
    const request = await writeRequest(s.state, ask.keys(['articles/c.md']));
    const { head, etag } = await headOf(s);
    const state = new CountingStore(s.state);
    // Act
    await rebuild({ content: s.content, site: s.site, state }, await holderContext(s), { head, etag }, await whole(s));
    // Assess
    expect(await s.state.get(STATE.record(keyHash(b)))).toBeUndefined();
    expect(await s.state.list(`${STATE.seenPrefix}${keyHash(b)}`)).toEqual([]);
    expect(await idClaims()).toBe(1);
    expect(await s.state.get(STATE.slug('b'))).toBeUndefined();
    expect(await s.state.get(STATE.record(keyHash('articles/a.md')))).toBeDefined();
    expect(await s.state.get(request)).toBeDefined();
    expect(await s.site.get('articles/b/index.html')).toBeUndefined();
    expect(await s.titles()).toEqual(['Story A']);
  });

  it('keeps the last good version of a file that no longer parses, and names it', async () => {
    const s = await published();
    await s.content.put('articles/b.md', '---\ntitle: [unclosed\n---\nBody', { contentType: 'text/markdown' });
    const { head, etag } = await headOf(s);
    const result = await rebuild({ content: s.content, site: s.site, state: s.state }, await holderContext(s), { head, etag }, await whole(s));
    expect(result.rejected.map((e) => e.file)).toEqual(['articles/b.md']);
    expect(await s.titles()).toEqual(['Story B', 'Story A']);
    expect(await s.text('articles/b/index.html')).toContain('Story B');
  });

  it('goes on from a checkpoint in its site step: the groups are written from the state, and the content is not read again', async () => {
    // Prepare: a rebuild's records are done (its site step next); the feeds went missing; story B was edited since
    const s = await published();
    const { head, etag } = await headOf(s);
    const progress = { step: 'site', settings: settingsHash(testSettings()), batches: 1, done: 0 } as const;
    const resumedEtag = await writeHead(s.state, { ...head, rebuild: progress }, etag);
    await s.site.delete('feed.json');
    await s.article('b.md', { title: 'Story B, edited since', date: '2026-11-21' });
    // Act
    const result = await rebuild({ content: s.content, site: s.site, state: s.state }, await holderContext(s), { head: { ...head, rebuild: progress }, etag: resumedEtag }, await whole(s));
    // Assess: what the state knew is back; the edit waits for the scan the publish queues after a resumed rebuild
    expect(result.resumed).toBe(true);
    expect(result.done).toBe(true);
    expect(result.rendered).toBe(0);
    expect(await s.titles()).toEqual(['Story B', 'Story A']);
    expect(result.head.rebuild).toBeUndefined();
  });

  it('starts over when the settings changed since it began, and from an empty state when it had begun remaking it', async () => {
    for (const step of ['render', 'records'] as const) {
      // Prepare: a rebuild to other settings was under way
      const s = await published();
      const { head, etag } = await headOf(s);
      const progress = { step, settings: 'other settings', batches: 1, done: 0 };
      const leftEtag = await writeHead(s.state, { ...head, rebuild: progress }, etag);
      await s.article('b.md', { title: 'Story B, edited since', date: '2026-11-21' });
      // Act: cut off after its first checkpoint
      const result = await rebuild(
        { content: s.content, site: s.site, state: s.state },
        await holderContext(s),
        { head: { ...head, rebuild: progress }, etag: leftEtag },
        await whole(s, { batchSize: 1, outOfTime: () => true }),
      );
      // Assess: rendering again from the first file; the state serves on only if the old rebuild had not touched it
      expect(result.resumed, step).toBe(false);
      expect(result.done, step).toBe(false);
      expect(result.rendered, step).toBe(1);
      // (rendering against a state that serves, it notes the generation it began at: see RebuildProgress.from)
      expect(result.head.rebuild, step).toEqual({
        step: 'render',
        settings: settingsHash(testSettings()),
        cursor: 'articles/a.md',
        batches: 1,
        done: 0,
        ...(step === 'render' ? { from: head.generation } : {}),
      });
      expect(result.head.settings, step).toBe(step === 'render' ? head.settings : '');
    }
  });

  it('says in the head that it is rebuilding before any other write, checkpoints each batch and step, and carries the rechecks it found', async () => {
    // Prepare: a recheck is queued; every head written is kept
    const s = await published();
    const { head, etag } = await headOf(s);
    const recheck = [{ key: STATE.intent('000000000000001-ab.json'), after: NOW.toISOString() }];
    const withRecheck = await writeHead(s.state, { ...head, recheck }, etag);
    const log: string[] = [];
    const heads: Head[] = [];
    const state = new (class extends RecordingStore {
      override put(key: string, body: Uint8Array | string, options: PutOptions) {
        if (key === STATE.head) heads.push(JSON.parse(String(body)) as Head);
        return super.put(key, body, options);
      }
    })(s.state, 'state', log);
    // Act
    const result = await rebuild(
      { content: s.content, site: new RecordingStore(s.site, 'site', log), state },
      await holderContext(s),
      { head: { ...head, recheck }, etag: withRecheck },
      await whole(s, { batchSize: 1 }),
    );
    // Assess: two files, two render batches; two record batches; media and the groups one by one
    expect(log[0]).toBe(`state put ${STATE.head}`);
    const steps = heads.map((h) => (h.rebuild ? `${h.rebuild.step}:${h.rebuild.step === 'render' ? h.rebuild.batches : h.rebuild.done}` : 'done'));
    expect(steps.slice(0, 8)).toEqual(['render:0', 'render:1', 'render:2', 'index:0', 'records:0', 'records:1', 'records:2', 'site:0']);
    expect(steps.at(-1)).toBe('done');
    for (const h of heads) expect(h.recheck).toEqual(recheck);
    expect(result.head).toEqual(heads.at(-1));
  });
});

describe('the settings the state was built with', () => {
  it('are kept by a rebuild and served while the head has their fingerprint; none when torn, foreign or another state’s; a store failure fails', async () => {
    // Prepare
    const s = await published();
    const { head } = await headOf(s);
    // Act and Assess
    expect((await servedSettings(s.state, head, undefined))?.title).toBe(testSettings().title);
    expect(await servedSettings(s.state, { ...head, settings: 'another fingerprint' }, undefined)).toBeUndefined();
    await s.state.put(STATE.served, '{"yaml":', { contentType: 'application/json' });
    expect(await servedSettings(s.state, head, undefined)).toBeUndefined();
    const failing = { ...s.state, get: () => Promise.reject(new Error('503 Slow Down (injected: a fault a local server cannot make)')) } as unknown as typeof s.state;
    await expect(servedSettings(failing, head, undefined)).rejects.toThrow(/Slow Down/);
  });
});

describe('a rebuild for new settings', () => {
  /** Every object of a store but the lease and the head (a holder's, and a count of publishes). */
  const objects = (store: Store) => objectsOf(store, [STATE.head]);
  const parsing =
    (parsed: string[]): Parse =>
    (file, bytes, settings) => {
      parsed.push(file);
      return parseHere(file, bytes, settings);
    };

  it('reads and parses again only the files that changed while the site URL and renderer are the same, and ends as a rebuild from nothing', async () => {
    // Prepare: story B edited, then a new site title
    const s = await published();
    await s.article('b.md', { title: 'Story B, corrected', date: '2026-11-21' });
    await s.content.put('site.yaml', stringify({ ...SITE_SETTINGS, title: 'The Renamed Wire' }), SITE_YAML);
    const content = new CountingStore(s.content);
    // Act
    const parsed: string[] = [];
    await publish({ content, site: s.site, state: s.state }, { now: NOW, parse: parsing(parsed) });
    // Assess: A's record was reused (its file, at the ETag the listing gives, not even read), B read and parsed; the site and state are a fresh publish's, byte for byte
    expect(parsed).toEqual(['articles/b.md']);
    expect([...content.keys.read].filter((k) => k.startsWith('articles/'))).toEqual(['articles/b.md']);
    expect(await s.text('articles/a/index.html')).toContain('The Renamed Wire');
    const fresh = await memorySite({ title: 'The Renamed Wire' });
    await fresh.article('a.md', { title: 'Story A', date: '2026-11-20', tags: ['Port'] });
    await fresh.article('b.md', { title: 'Story B, corrected', date: '2026-11-21' });
    await fresh.publish();
    expect(await objects(s.site)).toEqual(await objects(fresh.site));
    expect(await objects(s.state)).toEqual(await objects(fresh.state));
  });

  it('parses every file again when the site URL changes, since each page URL and absolute link moves', async () => {
    // Prepare
    const s = await published();
    await s.content.put('site.yaml', stringify({ ...SITE_SETTINGS, url: 'https://wire.example/' }), SITE_YAML);
    // Act
    const parsed: string[] = [];
    await s.publish({ parse: parsing(parsed) });
    // Assess
    expect(parsed.sort()).toEqual(['articles/a.md', 'articles/b.md']);
    expect(parseJsonFeed((await s.text('feed.json')) ?? '').items.map((i) => i.url)).toEqual(['https://wire.example/articles/b/', 'https://wire.example/articles/a/']);
  });

  it('lets what parses go once its render step has parsed the last file, before the index step begins', async () => {
    // Prepare: a renamed site, so every file is rendered again; the parses and the release written down in one log
    const s = await published();
    await s.content.put('site.yaml', stringify({ ...SITE_SETTINGS, url: 'https://wire.example/' }), SITE_YAML);
    const log: string[] = [];
    const state = new RecordingStore(s.state, 'state', log);
    // Act
    await publish({ content: s.content, site: s.site, state }, { now: NOW, parse: parsing(log), releaseParse: async () => void log.push('released') });
    // Assess: both files parsed, then the release, before the first index written
    const released = log.indexOf('released');
    expect(log.slice(0, released).filter((e) => e.startsWith('articles/'))).toHaveLength(2);
    expect(log.slice(released).some((e) => e.startsWith('articles/'))).toBe(false);
    expect(log.slice(0, released).some((e) => e.startsWith(`state put ${STATE.timelines}`))).toBe(false);
    expect(log.slice(released).some((e) => e.startsWith(`state put ${STATE.timelines}`))).toBe(true);
  });

  it('leaves an unchanged file’s record, marker and claims as they are and writes its page once the state serves again; a changed file gets all of them', async () => {
    // Prepare: story B edited, then a new site title; the stores write down each write, in one log
    const s = await published();
    await s.article('b.md', { title: 'Story B, corrected', date: '2026-11-21' });
    await s.content.put('site.yaml', stringify({ ...SITE_SETTINGS, title: 'The Renamed Wire' }), SITE_YAML);
    const log: string[] = [];
    const state = new RecordingStore(s.state, 'state', log);
    const site = new RecordingStore(s.site, 'site', log);
    // Act
    await publish({ content: s.content, site, state }, { now: NOW });
    // Assess
    const [a, b] = [keyHash('articles/a.md'), keyHash('articles/b.md')];
    const written = log.filter((w) => w.startsWith('state put ') && !w.includes('rebuild/')).map((w) => w.slice('state put '.length));
    expect(written.filter((k) => k.includes(a) || k === STATE.slug('a'))).toEqual([]);
    // A's page waits for the site step: it is written after the records step's checkpoint (B's before it)
    const pageOf = (slug: string) => log.indexOf(`site put articles/${slug}/index.html`);
    const siteStep = log.findIndex((w, i) => w === 'state put head.json' && i > pageOf('b'));
    expect(pageOf('a')).toBeGreaterThan(siteStep);
    expect(pageOf('b')).toBeLessThan(siteStep);
    expect(written).toEqual(expect.arrayContaining([STATE.record(b), STATE.slug('b'), expect.stringContaining(`${STATE.seenPrefix}${b}`)]));
    expect(await s.state.get(STATE.slug('a'))).toBeDefined();
    expect(await s.state.list(`${STATE.seenPrefix}${a}`)).toHaveLength(1);
    expect(await s.text('articles/a/index.html')).toContain('The Renamed Wire');
  });

  it('keeps a file refused a slug waiting on it, so deleting the file that has it publishes the other at once', async () => {
    // Prepare: a copy wanting story A's slug, first seen by a rebuild, which refuses it
    const s = await published();
    await s.article('copy.md', { title: 'The copy', date: '2026-11-22', slug: 'a' });
    await s.content.put('site.yaml', stringify({ ...SITE_SETTINGS, title: 'The Renamed Wire' }), SITE_YAML);
    expect((await s.publish()).rejected.map((e) => e.file)).toEqual(['articles/copy.md']);
    expect(await s.titles()).toEqual(['Story B', 'Story A']);
    // Act: story A's file is deleted, and its event alone is published
    await s.remove('a.md');
    await s.publish({ request: ask.keys(['articles/a.md']) });
    // Assess
    expect(await s.titles()).toEqual(['The copy', 'Story B']);
    expect(await s.text('articles/a/index.html')).toContain('The copy');
  });

  it('keeps every story on the archive page it was first published on, a backdated one too, and a page whose stories have gone', async () => {
    // Prepare: three stories over pages of two, then one backdated, then the newest deleted
    const s = await memorySite({ feed_size: 2 });
    for (const d of ['20', '21', '22']) await s.article(`story-${d}.md`, { title: `Story ${d}`, date: `2026-11-${d}` });
    await s.publish();
    await s.article('backdated.md', { title: 'Backdated', date: '2026-11-19' });
    await s.publish({ request: ask.keys(['articles/backdated.md']) });
    await s.article('story-23.md', { title: 'Story 23', date: '2026-11-23' });
    await s.publish({ request: ask.keys(['articles/story-23.md']) });
    await s.remove('story-23.md');
    await s.publish({ request: ask.keys(['articles/story-23.md']) });
    const page = async (n: number) => {
      const text = await s.text(`archive/${n}/feed.json`);
      return text === undefined ? undefined : parseJsonFeed(text).items.map((i) => i.title);
    };
    const before = [await page(1), await page(2), await page(3)];
    expect(before[1]).toEqual(['Story 22', 'Backdated']);
    // Act: a rebuild for a new title
    await s.content.put('site.yaml', stringify({ ...SITE_SETTINGS, feed_size: 2, title: 'The Renamed Wire' }), SITE_YAML);
    await s.publish();
    // Assess
    expect([await page(1), await page(2), await page(3)]).toEqual(before);
    expect(await s.text('archive/2/feed.json')).toContain('The Renamed Wire');
  });
});
