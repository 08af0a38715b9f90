import { afterEach, describe, expect, it } from 'vitest';
import { keyHash } from '../../../functions/core/keys.ts';
import { type Head, STATE } from '../../../functions/core/state/state.ts';
import { writeHead } from '../../../functions/publish/protocol/commit.ts';
import { ask, writeRequest } from '../../../functions/publish/protocol/requests.ts';
import { rebuild } from '../../../functions/publish/rebuild/rebuild.ts';
import type { PutOptions } from '../../../functions/stores/store.ts';
import { NOW } from '../../helpers/content.ts';
import { headOf, holderContext, releaseLeases } from '../../helpers/cycle.ts';
import { type MemorySite, memorySite } from '../../helpers/engine.ts';
import { RecordingStore } from '../../helpers/recording-store.ts';

afterEach(releaseLeases);

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
    const result = await rebuild({ content: s.content, site: s.site, state: s.state }, await holderContext(s), {});
    // Assess
    expect(result.full).toBe(true);
    expect(result.resumed).toBe(false);
    expect(result.rendered).toBe(2);
    expect(await s.titles()).toEqual(['Story B', 'Story A']);
    expect(await s.titles('tags/port/')).toEqual(['Story A']);
    expect(result.written).toContain('articles/a/index.html');
    expect(result.head.rebuilding).toBeUndefined();
    expect((await headOf(s)).head).toEqual(result.head);
    expect(await s.state.list(STATE.rebuildBatches)).toEqual([]);
    expect(await s.state.list(STATE.intents)).toEqual([]);
  });

  it('removes state nothing holds any more (a deleted file, its claims), and keeps the requests and journals it does not own', async () => {
    // Prepare: story B's file is gone; a request waits
    const s = await published();
    await s.remove('b.md');
    const request = await writeRequest(s.state, ask.keys(['articles/c.md']));
    const { head, etag } = await headOf(s);
    // Act
    await rebuild({ content: s.content, site: s.site, state: s.state }, await holderContext(s), { head, etag });
    // Assess
    expect(await s.state.get(STATE.record(keyHash('articles/b.md')))).toBeUndefined();
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
    const result = await rebuild({ content: s.content, site: s.site, state: s.state }, await holderContext(s), { head, etag });
    expect(result.rejected.map((e) => e.file)).toEqual(['articles/b.md']);
    expect(await s.titles()).toEqual(['Story B', 'Story A']);
    expect(await s.text('articles/b/index.html')).toContain('Story B');
  });

  it('resumes a rebuild that died writing the site: the site is written from the state, and the content is not read again', async () => {
    // Prepare: a rebuild's state is done ('site'); pages and feeds went missing; story B was edited since
    const s = await published();
    const { head, etag } = await headOf(s);
    const resumedEtag = await writeHead(s.state, { ...head, rebuilding: 'site' }, etag);
    await s.site.delete('articles/a/index.html');
    await s.site.delete('feed.json');
    await s.article('b.md', { title: 'Story B, edited since', date: '2026-11-21' });
    // Act
    const result = await rebuild({ content: s.content, site: s.site, state: s.state }, await holderContext(s), { head: { ...head, rebuilding: 'site' }, etag: resumedEtag });
    // Assess: what the state knew is back; the edit waits for the scan the publish queues after a resume
    expect(result.resumed).toBe(true);
    expect(result.rendered).toBe(0);
    expect(await s.text('articles/a/index.html')).toContain('Story A');
    expect(await s.titles()).toEqual(['Story B', 'Story A']);
    expect(result.head.rebuilding).toBeUndefined();
  });

  it('starts over when it died while the state was being made, or the settings changed since', async () => {
    for (const [left, overrides] of [
      ['state', {}],
      ['site', { title: 'Renamed Wire' }],
    ] as const) {
      // Prepare
      const s = await published();
      const { head, etag } = await headOf(s);
      const leftEtag = await writeHead(s.state, { ...head, rebuilding: left }, etag);
      await s.article('b.md', { title: 'Story B, edited since', date: '2026-11-21' });
      // Act
      const result = await rebuild({ content: s.content, site: s.site, state: s.state }, await holderContext(s, overrides), { head: { ...head, rebuilding: left }, etag: leftEtag });
      // Assess
      expect(result.resumed, left).toBe(false);
      expect(result.rendered, left).toBe(2);
      expect(await s.titles(), left).toEqual(['Story B, edited since', 'Story A']);
    }
  });

  it('says in the head that it is rebuilding before any other write, through each step, and carries the rechecks it found', async () => {
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
    const result = await rebuild({ content: s.content, site: new RecordingStore(s.site, 'site', log), state }, await holderContext(s), { head: { ...head, recheck }, etag: withRecheck });
    // Assess
    expect(log[0]).toBe(`state put ${STATE.head}`);
    expect(heads.map((h) => h.rebuilding)).toEqual(['state', 'site', undefined]);
    for (const h of heads) expect(h.recheck).toEqual(recheck);
    expect(result.head).toEqual(heads.at(-1));
  });
});
