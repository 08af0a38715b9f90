import { afterEach, describe, expect, it } from 'vitest';
import { STATE } from '../../../functions/core/state/state.ts';
import { runCycle } from '../../../functions/publish/cycle/cycle.ts';
import { writeHead } from '../../../functions/publish/protocol/commit.ts';
import { recover } from '../../../functions/publish/protocol/recover.ts';
import { NOW } from '../../helpers/content.ts';
import { headOf, holderContext, releaseLeases } from '../../helpers/cycle.ts';
import { DyingStore, type MemorySite, memorySite } from '../../helpers/engine.ts';
import { RecordingStore } from '../../helpers/recording-store.ts';

const JSON_TYPE = { contentType: 'application/json' };
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
const OLD_FEED = '{"version":"https://jsonfeed.org/version/1.1","items":[]}';

afterEach(releaseLeases);

/** A holder at `now` on the site, its site writes logged; recover() as a publish calls it, with what it logs. */
async function recoverAt(s: MemorySite, now: Date, intents: string[] = []) {
  const ctx = await holderContext(s, {}, now);
  const site = new RecordingStore(s.site, 'site');
  const messages: string[] = [];
  const { head, etag } = await headOf(s);
  const next = await recover({ content: s.content, site, state: s.state }, ctx, head, etag, intents, (_level, message) => messages.push(message));
  await ctx.lease.release();
  return { before: head, ...next, siteLog: site.log, messages };
}

/** A site with story A published, and story B's cycle dead right after its commit (journal and head written, nothing else). */
async function diedAfterCommit(): Promise<{ s: MemorySite; journal: string }> {
  const s = await memorySite();
  await s.article('a.md', { title: 'Story A', date: '2026-11-20' });
  await s.publish();
  const key = await s.article('b.md', { title: 'Story B', date: '2026-11-21' });
  const { head, etag } = await headOf(s);
  const ctx = await holderContext(s);
  // Two state writes, the journal and the head, then the process dies (injected client-side)
  const dying = { content: s.content, site: s.site, state: new DyingStore(s.state, { left: 2 }) };
  await expect(runCycle(dying, ctx, [key], head, etag)).rejects.toThrow(/killed/);
  await ctx.lease.release();
  const journal = (await headOf(s)).head.journal as string;
  return { s, journal };
}

describe('recovery', () => {
  it('finishes a cycle whose journal the head still names, and queues it for a recheck two minutes on', async () => {
    // Prepare
    const { s, journal } = await diedAfterCommit();
    expect(await s.titles()).toEqual(['Story A']);
    // Act
    const { head, messages } = await recoverAt(s, NOW);
    // Assess
    expect(await s.titles()).toEqual(['Story B', 'Story A']);
    expect(await s.text('articles/b/index.html')).toContain('Story B');
    expect(head.journal).toBeUndefined();
    expect(head.recheck).toEqual([{ key: journal, after: minutes(2).toISOString() }]);
    expect((await headOf(s)).head).toEqual(head);
    expect(await s.state.get(journal)).toBeDefined(); // kept until its recheck
    expect(messages).toEqual(['finishing a publish that did not complete']);
  });

  it('redoes a due recheck from the state (a late write of the dead holder is overwritten) and then removes its journal', async () => {
    // Prepare: recovered, then an old feed lands late
    const { s, journal } = await diedAfterCommit();
    await recoverAt(s, NOW);
    await s.site.put('feed.json', OLD_FEED, { contentType: 'application/feed+json' });
    // Act: a minute on, the recheck is not due; three minutes on, it is
    const early = await recoverAt(s, minutes(1));
    const feedMeanwhile = await s.text('feed.json');
    const due = await recoverAt(s, minutes(3));
    // Assess
    expect(early.siteLog).toEqual([]);
    expect(early.head).toBe(early.before);
    expect(feedMeanwhile).toBe(OLD_FEED);
    expect(await s.titles()).toEqual(['Story B', 'Story A']);
    expect(due.head.recheck).toBeUndefined();
    expect(await s.state.get(journal)).toBeUndefined();
  });

  it('redoes the keys of an intent left behind from the state, and queues it for a recheck', async () => {
    // Prepare: a reconcile named a stray page and the feed, and died; the feed is stale meanwhile
    const s = await memorySite();
    await s.article('a.md', { title: 'Story A', date: '2026-11-20' });
    await s.publish();
    await s.site.put('articles/stray/index.html', '<p>stray</p>', { contentType: 'text/html' });
    await s.site.put('feed.json', OLD_FEED, { contentType: 'application/feed+json' });
    const intent = STATE.intent('000000000000001-ab.json');
    await s.state.put(intent, JSON.stringify({ site: ['articles/stray/index.html', 'feed.json'] }), JSON_TYPE);
    // Act
    const { head, messages } = await recoverAt(s, NOW, [intent]);
    // Assess
    expect(await s.titles()).toEqual(['Story A']);
    expect(await s.site.get('articles/stray/index.html')).toBeUndefined();
    expect(head.recheck).toEqual([{ key: intent, after: minutes(2).toISOString() }]);
    expect(await s.state.get(intent)).toBeDefined();
    expect(messages).toEqual(['redoing site writes a publish did not finish']);
  });

  it('does not redo an intent already queued for a recheck before its time', async () => {
    const s = await memorySite();
    await s.publish();
    const intent = STATE.intent('000000000000001-ab.json');
    await s.state.put(intent, JSON.stringify({ site: ['feed.json'] }), JSON_TYPE);
    await recoverAt(s, NOW, [intent]);
    await s.site.put('feed.json', OLD_FEED, { contentType: 'application/feed+json' });
    const again = await recoverAt(s, minutes(1), [intent]);
    expect(again.siteLog).toEqual([]);
    expect(again.head.recheck).toEqual([{ key: intent, after: minutes(2).toISOString() }]);
  });

  it('redoes nothing while a rebuild remakes the state (its records step), and keeps every recheck for after it', async () => {
    // Prepare: a journal left, a due recheck of an intent, and a rebuild in its records step
    const { s, journal } = await diedAfterCommit();
    const intent = STATE.intent('000000000000001-ab.json');
    await s.state.put(intent, JSON.stringify({ site: ['feed.json'] }), JSON_TYPE);
    const { head, etag } = await headOf(s);
    await writeHead(s.state, { ...head, rebuild: { step: 'records', settings: head.settings, batches: 1, done: 0 }, recheck: [{ key: intent, after: NOW.toISOString() }] }, etag);
    // Act
    const recovered = await recoverAt(s, minutes(3));
    // Assess
    expect(recovered.siteLog).toEqual([]);
    expect(await s.titles()).toEqual(['Story A']);
    expect(recovered.head.journal).toBeUndefined();
    expect(recovered.head.recheck).toEqual([
      { key: intent, after: NOW.toISOString() },
      { key: journal, after: minutes(5).toISOString() },
    ]);
    expect(await s.state.get(intent)).toBeDefined();
  });

  it('writes nothing when nothing was left', async () => {
    const s = await memorySite();
    await s.publish();
    const state = new RecordingStore(s.state, 'state');
    const { head, etag } = await headOf(s);
    const ctx = await holderContext(s);
    const next = await recover({ content: s.content, site: s.site, state }, ctx, head, etag, [], () => undefined);
    expect(next).toEqual({ head, etag });
    expect(state.log).toEqual([]);
  });
});
