import { afterEach, describe, expect, it } from 'vitest';
import { STATE } from '../../../functions/core/state/state.ts';
import { runCycle } from '../../../functions/publish/cycle/cycle.ts';
import { writeHead } from '../../../functions/publish/protocol/commit.ts';
import { LeaseLostError } from '../../../functions/publish/protocol/lease.ts';
import { ask } from '../../../functions/publish/protocol/requests.ts';
import { headOf, holderContext, releaseLeases } from '../../helpers/cycle.ts';
import { type MemorySite, memorySite } from '../../helpers/engine.ts';
import { RecordingStore, span } from '../../helpers/recording-store.ts';

afterEach(releaseLeases);

/** What a holder has when it starts a cycle on a published site: the head and its ETag, its context, and stores that log every write in one list. */
async function holding(s: MemorySite) {
  const log: string[] = [];
  const ctx = await holderContext(s);
  const { head, etag } = await headOf(s);
  const io = { content: s.content, site: new RecordingStore(s.site, 'site', log), state: new RecordingStore(s.state, 'state', log) };
  return { log, lease: ctx.lease, head, etag, io, ctx };
}

describe('one cycle', () => {
  it('writes nothing to the site before its commit, the state after it, and removes its journal once the site is written', async () => {
    // Prepare
    const s = await memorySite();
    await s.article('a.md', { title: 'Story A', date: '2026-11-20' });
    await s.publish();
    const key = await s.article('b.md', { title: 'Story B', date: '2026-11-21' });
    const { log, head, etag, io, ctx } = await holding(s);
    // Act
    const result = await runCycle(io, ctx, [key], head, etag);
    // Assess
    const journal = span(log, (e) => e.startsWith('state put journal/'));
    const commit = span(log, (e) => e === `state put ${STATE.head}`);
    const state = span(log, (e) => e.startsWith('state ') && !e.includes('journal/') && !e.endsWith(STATE.head));
    const site = span(log, (e) => e.startsWith('site '));
    const done = span(log, (e) => e.startsWith('state delete journal/'));
    expect(journal.last).toBeLessThan(commit.first);
    expect(commit.last).toBeLessThan(state.first);
    expect(state.last).toBeLessThan(site.first);
    expect(site.last).toBeLessThan(done.first);
    expect(result.written).toContain('articles/b/index.html');
    expect(result.head).toEqual({ ...head, generation: head.generation + 1, nextSeq: 2, public: 2, journal: result.head.journal });
    expect(await s.state.list(STATE.journals)).toEqual([]);
    expect(await s.titles()).toEqual(['Story B', 'Story A']);
  });

  it('writes nothing at all, and keeps the head, when what it reads is what was processed', async () => {
    const s = await memorySite();
    const key = await s.article('a.md', { title: 'Story A', date: '2026-11-20' });
    await s.publish();
    const { log, head, etag, io, ctx } = await holding(s);
    const result = await runCycle(io, ctx, [key], head, etag);
    expect(log).toEqual([]);
    expect(result.etag).toBe(etag);
    expect(result.head).toBe(head);
  });

  it('writes nothing to the site when another publish committed since it read the head', async () => {
    // Prepare: the head changes under this cycle
    const s = await memorySite();
    await s.article('a.md', { title: 'Story A', date: '2026-11-20' });
    await s.publish();
    const key = await s.article('b.md', { title: 'Story B', date: '2026-11-21' });
    const { log, head, etag, io, ctx } = await holding(s);
    await writeHead(s.state, { ...head, generation: head.generation + 1 }, etag);
    // Act
    const cycle = runCycle(io, ctx, [key], head, etag);
    // Assess
    await expect(cycle).rejects.toBeInstanceOf(LeaseLostError);
    expect(log.filter((e) => e.startsWith('site '))).toEqual([]);
    expect(await s.titles()).toEqual(['Story A']);
  });

  it('writes nothing once its lease is gone', async () => {
    const s = await memorySite();
    await s.publish();
    const key = await s.article('a.md', { title: 'Story A', date: '2026-11-20' });
    const { log, lease, head, etag, io, ctx } = await holding(s);
    await lease.release();
    await expect(runCycle(io, ctx, [key], head, etag)).rejects.toBeInstanceOf(LeaseLostError);
    expect(log).toEqual([]);
  });

  it('asks, before its commit, for another look at a file that waited on a slug this cycle lets go', async () => {
    // Prepare: the new file of a renamed story was refused while the old one held its slug
    const s = await memorySite();
    const old = await s.article('old-name.md', { title: 'The story', date: '2026-11-20', slug: 'the-story' });
    await s.publish();
    const renamed = await s.article('new-name.md', { title: 'The story, renamed', date: '2026-11-20', slug: 'the-story' });
    await s.publish({ request: ask.keys([renamed]) });
    await s.remove('old-name.md');
    const { log, head, etag, io, ctx } = await holding(s);
    // Act: the cycle for the old file's deletion
    await runCycle(io, ctx, [old], head, etag);
    // Assess: the request naming the waiting file is durable before the head moves
    const [request] = await s.state.list(STATE.requests);
    expect(JSON.parse(Buffer.from((await s.state.get(request!.key))!.body).toString())).toEqual(ask.keys([renamed]));
    expect(log.indexOf(`state put ${request!.key}`)).toBeLessThan(log.indexOf(`state put ${STATE.head}`));
  });
});
