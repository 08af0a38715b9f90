import { describe, expect, it } from 'vitest';
import { settingsHash } from '../../../functions/core/hash.ts';
import { groupName } from '../../../functions/core/keys.ts';
import { type Head, STATE_VERSION } from '../../../functions/core/state/state.ts';
import { allGroups, needsOpenArchive } from '../../../functions/publish/cycle/plan.ts';
import { ask } from '../../../functions/publish/protocol/requests.ts';
import { testSettings } from '../../helpers/content.ts';
import { cycle } from '../../helpers/cycle.ts';
import { memorySite } from '../../helpers/engine.ts';

describe('planning the stale groups', () => {
  it('plan: an edit to an article outside every feed rebuilds its archive page and sitemap shard, not the feeds', async () => {
    const s = await memorySite({ feed_size: 2 });
    for (let n = 1; n <= 6; n++) await s.article(`s-${n}.md`, { title: `Story ${n}`, date: `2026-11-0${n}`, tags: ['Tag'] });
    await s.publish();
    const old = await s.article('s-1.md', { title: 'Story 1, corrected', date: '2026-11-01', tags: ['Tag'] });
    const { plan } = await cycle(s, [old], { feed_size: 2 });
    expect(plan.groups.map((g) => JSON.stringify(g))).toEqual([JSON.stringify({ kind: 'sitemap-articles', n: 1 }), JSON.stringify({ kind: 'archive', n: 1 })]);
  });

  it("plan: a new article rebuilds the site's and its tag's feeds, and the archive page it completes", async () => {
    const s = await memorySite({ feed_size: 2 });
    await s.article('s-1.md', { title: 'Story 1', date: '2026-11-01', tags: ['Tag'] });
    await s.publish();
    const key = await s.article('s-2.md', { title: 'Story 2', date: '2026-11-02', tags: ['Tag'] });
    const { plan, head, settings } = await cycle(s, [key], { feed_size: 2 });
    expect(head.settings).toBe(settingsHash(settings));
    expect(plan.groups.map((g) => ('n' in g ? `${g.kind}:${g.n}` : 'slug' in g ? `${g.kind}:${g.slug}` : g.kind))).toEqual(['sitemap-articles:1', 'archive:1', 'tag:tag', 'main']);
  });

  it('publishes the open archive page only while it holds an article the site feed does not show', () => {
    const settings = testSettings({ feed_size: 2 });
    // Five places given: pages 1 and 2 complete, page 3 open with the fifth article
    expect(needsOpenArchive({ nextSeq: 5 }, settings, [{ h: 'late' }], ['new', 'newer'])).toBe(true);
    expect(needsOpenArchive({ nextSeq: 5 }, settings, [{ h: 'new' }], ['new', 'newer'])).toBe(false);
    expect(needsOpenArchive({ nextSeq: 4 }, settings, [{ h: 'late' }], ['new', 'newer'])).toBe(false);
  });

  it('writes the open archive page again when it is needed again, after its files went with it no longer needed', async () => {
    // Prepare: four stories fill pages 1 and 2; a late-dated fifth opens page 3, which is published (the feeds do not show it)
    const s = await memorySite({ feed_size: 2 });
    for (let n = 1; n <= 4; n++) await s.article(`s-${n}.md`, { title: `Story ${n}`, date: `2026-11-0${n}` });
    await s.publish();
    const late = await s.article('late.md', { title: 'Late story', date: '2026-10-01' });
    // Each by its key, as an upload's event is (a scan may reconcile, which writes any missing file anyway)
    const byKey = { request: ask.keys([late]) };
    await s.publish(byKey);
    expect(await s.text('archive/3/feed.json')).toBeDefined();
    // Act: the story moves to the top of the feeds (page 3 is not needed: its files go), then back as it was
    await s.article('late.md', { title: 'Late story', date: '2026-11-10' });
    await s.publish(byKey);
    const gone = await s.text('archive/3/feed.json');
    await s.article('late.md', { title: 'Late story', date: '2026-10-01' });
    await s.publish(byKey);
    // Assess: the page is there again, and the feeds' next-archive link leads to it
    expect(gone).toBeUndefined();
    expect(await s.text('archive/3/feed.json')).toBeDefined();
    expect(JSON.parse((await s.text('feed.json')) ?? '{}').next_url).toMatch(/archive\/3\/feed\.json$/);
  });

  it('lists every group the state produces in the order they are written, the site feeds last', () => {
    const settings = testSettings({ feed_size: 2 });
    const head: Head = { v: STATE_VERSION, settings: '', generation: 1, nextSeq: 5, nextTagSeq: 2, public: 5, openArchive: true };
    const names = allGroups(head, settings, ['port', 'election']).map(groupName);
    expect(names).toEqual(['static', 'news', 'sitemap-articles:1', 'sitemap-tags:1', 'sitemap', 'archive:1', 'archive:2', 'archive:3', 'tag:election', 'tag:port', 'main']);
    expect(allGroups({ ...head, openArchive: false }, settings, []).map(groupName)).not.toContain('archive:3');
  });
});
