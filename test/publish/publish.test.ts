import { beforeEach, describe, expect, it } from 'vitest';
import { ArticleError, FeedCheckError } from '../../functions/core/errors.ts';
import { type Head, STATE } from '../../functions/core/state/state.ts';
import type { LeaseTiming } from '../../functions/publish/protocol/lease.ts';
import { RECONCILE_EVERY_MS } from '../../functions/publish/protocol/repair.ts';
import { ask } from '../../functions/publish/protocol/requests.ts';
import { MAX_KEYS_PER_CYCLE, problemsOf, publish } from '../../functions/publish/publish.ts';
import { leaseClocks } from '../helpers/clock.ts';
import { NOW } from '../helpers/content.ts';
import { type Budget, CountingStore, DyingStore, type MemorySite, memorySite, Stall } from '../helpers/engine.ts';
import { parseJsonFeed } from '../helpers/feeds.ts';

// Leases in these tests follow a clock the test moves by hand (a dying holder's short lease lapses when the
// test says so, a live holder's never does by accident on a busy machine); every publish of a test shares it.
let SHORT: LeaseTiming;
let LIVE: LeaseTiming;
let lapse: () => Promise<void>;
beforeEach(() => {
  ({ SHORT, LIVE, lapse } = leaseClocks());
});
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]);
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

describe('a publish that dies midway', () => {
  it("is finished by the next publish, and its site writes are redone once more after the dead holder's time is surely up", async () => {
    // Prepare: two stories published; a third one's publish dies right after its commit: it wrote its
    // request, its lease, its journal and the head naming it, and nothing more
    const s = await memorySite();
    await s.article('first.md', { title: 'First story', date: '2026-11-20' });
    await s.article('second.md', { title: 'Second story', date: '2026-11-21' });
    await s.publish();
    const third = await s.article('third.md', { title: 'Third story', date: '2026-11-22' });
    const budget: Budget = { left: 4 };
    const dying = { content: s.content, site: new DyingStore(s.site, budget), state: new DyingStore(s.state, budget) };
    await expect(publish(dying, { now: NOW, request: ask.keys([third]), lease: SHORT })).rejects.toThrow(/killed/);
    expect(await s.titles()).toEqual(['Second story', 'First story']);
    expect((JSON.parse(Buffer.from((await s.state.get(STATE.head))!.body).toString()) as Head).journal).toBeDefined();

    // Act: after the dead holder's lease has lapsed, any publish (the minute tick) takes over
    await lapse();
    const tick = await s.publish({ request: ask.keys([]), lease: LIVE });

    // Assess: the third story is live everywhere, and the takeover scheduled a second pass
    expect(tick.queued).toBe(false);
    expect(await s.titles()).toEqual(['Third story', 'Second story', 'First story']);
    const recheck = (JSON.parse(Buffer.from((await s.state.get(STATE.head))!.body).toString()) as Head).recheck;
    expect(recheck).toBeDefined();

    // Act: a late write of the dead holder lands (here: an old feed), then the tick after its time is up
    await s.site.put('feed.json', '{"version":"https://jsonfeed.org/version/1.1","items":[]}', { contentType: 'application/feed+json' });
    await s.publish({ now: at(3), request: ask.keys([]), lease: LIVE });

    // Assess: redone from the committed state, and the second pass is done with
    expect(await s.titles()).toEqual(['Third story', 'Second story', 'First story']);
    expect((JSON.parse(Buffer.from((await s.state.get(STATE.head))!.body).toString()) as Head).recheck).toBeUndefined();
    expect(await s.state.list(STATE.journals)).toEqual([]);
  });

  it('at any point, leaves a site that the next publish makes equal to the content', async () => {
    // Prepare: for every number of writes a dying publish gets through, a fresh site
    for (let writes = 0; writes < 40; writes += 3) {
      const s = await memorySite({ feed_size: 2 });
      for (let i = 1; i <= 4; i++) await s.article(`s-${i}.md`, { title: `Story ${i}`, date: `2026-11-0${i}`, tags: ['Tag'] });
      await s.publish();
      const changed = [await s.article('s-2.md', { title: 'Story 2, corrected', date: '2026-11-02', tags: ['Other'] }), await s.article('s-5.md', { title: 'Story 5', date: '2026-11-05' })];
      await s.remove('s-1.md');
      const budget: Budget = { left: writes };
      const dying = { content: s.content, site: new DyingStore(s.site, budget), state: new DyingStore(s.state, budget) };
      // Act
      const died = await publish(dying, { now: NOW, request: ask.keys([...changed, 'articles/s-1.md']), lease: SHORT }).then(
        () => false,
        () => true,
      );
      // A publish that died never acknowledged its event, so SQS delivers it again (after the lease lapses).
      if (died) await lapse();
      await s.publish({ request: ask.keys(died ? [...changed, 'articles/s-1.md'] : []), lease: LIVE });
      // Assess
      expect(await s.titles(), `died after ${writes} writes`).toEqual(['Story 5', 'Story 4']);
      expect(await s.titles('tags/other/'), `died after ${writes} writes`).toEqual(['Story 2, corrected']);
      expect(await s.text('articles/s-1/index.html'), `died after ${writes} writes`).toBeUndefined();
      expect(await s.text('articles/s-2/index.html'), `died after ${writes} writes`).toContain('Story 2, corrected');
      if (!died) break;
    }
  });
});

describe('a publish that stalls mid-write', () => {
  it("never brings a retracted article back: a reconcile's late write-back of its page is redone once its writer's time is up", async () => {
    // Prepare: a story published, then its page lost from the site, so a reconcile writes it back; that
    // write stalls on the wire (a laptop asleep) while its holder's lease lapses
    const s = await memorySite();
    const story = await s.article('story.md', { title: 'A story', date: '2026-11-20' });
    await s.publish();
    await s.site.delete('articles/story/index.html');
    const stall = new Stall('articles/story/index.html');
    const reconcile = publish({ content: s.content, site: stall.wrap(s.site), state: stall.wrap(s.state) }, { now: NOW, request: ask.scan(), lease: SHORT }).catch((err: Error) => err);
    await stall.reached;
    // Act: the newsroom retracts the story; a publish takes the lapsed lease over and takes it down
    await s.remove('story.md');
    const retracting = s.publish({ now: at(1), request: ask.keys([story]), waitMs: 60_000, lease: LIVE });
    await lapse();
    const retract = await retracting;
    expect(retract.queued).toBe(false);
    expect(await s.text('articles/story/index.html')).toBeUndefined();
    // ... and then the stalled write lands
    stall.release();
    expect(await reconcile).toBeInstanceOf(Error); // its lease was gone: it stops there
    expect(await s.text('articles/story/index.html')).toContain('A story');
    // Act: the minute tick once the stalled writer's time is surely up
    await s.publish({ now: at(4), request: ask.keys([]), lease: LIVE });
    // Assess: the retracted page is gone again, and nothing is left to recheck
    expect(await s.text('articles/story/index.html')).toBeUndefined();
    expect(await s.titles()).toEqual([]);
    expect((JSON.parse(Buffer.from((await s.state.get(STATE.head))!.body).toString()) as Head).recheck).toBeUndefined();
    expect(await s.state.list(STATE.intents)).toEqual([]);
  });
});

describe('requests', () => {
  it('a publish that finds the lease held hands its work to the holder and returns at once; nothing is lost', async () => {
    // Prepare: a publish holds the lease
    const s = await memorySite();
    const key = await s.article('a.md', { title: 'A story', date: '2026-11-20' });
    const { Lease } = await import('../../functions/publish/protocol/lease.ts');
    const holder = await Lease.acquire(s.state);
    if (!(holder instanceof Lease)) throw new Error('no lease');
    // Act
    const queued = await s.publish({ request: ask.keys([key]) });
    await holder.release();
    const next = await s.publish({ request: ask.keys([]) });
    // Assess
    expect(queued.queued).toBe(true);
    expect(queued.written).toEqual([]);
    expect(next.queued).toBe(false);
    expect(await s.titles()).toEqual(['A story']);
    expect(await s.state.list(STATE.requests)).toEqual([]);
  });

  it('a holder short of time starts no new cycle and leaves the rest queued, which the next publish does', async () => {
    // Prepare: more articles than one cycle takes
    const s = await memorySite();
    await s.publish();
    const keys: string[] = [];
    for (let i = 0; i < MAX_KEYS_PER_CYCLE + 3; i++) keys.push(await s.article(`s-${i}.md`, { title: `Story ${i}`, date: '2026-11-20' }));
    // Act: a Lambda with 30 s left
    const short = await s.publish({ request: ask.keys(keys), remainingMs: () => 30_000 });
    const left = await s.state.list(STATE.requests);
    const next = await s.publish({ request: ask.keys([]) });
    // Assess
    expect(short.attempts).toBe(1);
    expect(left).toHaveLength(1);
    expect(next.public).toBe(MAX_KEYS_PER_CYCLE + 3);
    expect(await s.state.list(STATE.requests)).toEqual([]);
  });

  it('an unreadable request asks for a scan, so whatever it named is still found', async () => {
    const s = await memorySite();
    await s.publish();
    await s.article('a.md', { title: 'A story', date: '2026-11-20' });
    await s.state.put(`${STATE.requests}0-torn.json`, '{"keys": ["articles/a', { contentType: 'application/json' });
    await s.publish({ request: ask.keys([]) });
    expect(await s.titles()).toEqual(['A story']);
  });
});

describe('what the site shows', () => {
  it('is only what was processed: a story set to draft, not yet published, never slips into a rebuilt archive page', async () => {
    // Prepare: four stories, feeds of two, so archive page 1 holds the two oldest
    const s = await memorySite({ feed_size: 2 });
    for (let i = 1; i <= 4; i++) await s.article(`s-${i}.md`, { title: `Story ${i}`, date: `2026-11-0${i}` }, `Public text ${i}.\n`);
    await s.publish();
    // The newsroom makes story 1 a draft with private notes; its event has not been handled yet
    await s.article('s-1.md', { title: 'Story 1', date: '2026-11-01', draft: true }, 'PRIVATE NOTES: the source is the minister.\n');
    // Act: story 2, on the same archive page, is corrected and published
    const two = await s.article('s-2.md', { title: 'Story 2, corrected', date: '2026-11-02' }, 'Public text 2, corrected.\n');
    await s.publish({ request: ask.keys([two]) });
    // Assess: the archive page was rebuilt from what the state knows of story 1
    const archive = (await s.text('archive/1/feed.json')) ?? '';
    expect(parseJsonFeed(archive).items.map((i) => i.title)).toEqual(['Story 2, corrected', 'Story 1']);
    for (const key of await s.keys()) expect((await s.text(key)) ?? '', key).not.toContain('PRIVATE NOTES');
  });

  it('keeps a story published late with an old date reachable through the history at once (RFC 5005)', async () => {
    // Prepare: feeds of 2; five stories, so archive pages 1 and 2 are complete
    const s = await memorySite({ feed_size: 2 });
    for (let i = 1; i <= 4; i++) await s.article(`s-${i}.md`, { title: `Story ${i}`, date: `2026-11-1${i}` });
    await s.publish();
    // Act: a story dated before all of them is filed now: it is in no feed of the newest two
    const late = await s.article('late.md', { title: 'Filed late', date: '2026-10-01' });
    await s.publish({ request: ask.keys([late]) });
    // Assess: following next_url from feed.json reaches it
    const seen: string[] = [];
    let next: string | undefined = 'feed.json';
    while (next) {
      const doc = parseJsonFeed((await s.text(next)) ?? '');
      seen.push(...doc.items.map((i) => i.title ?? ''));
      next = doc.next_url ? new URL(doc.next_url).pathname.slice(1) : undefined;
    }
    expect(seen).toContain('Filed late');
    expect(new Set(seen)).toEqual(new Set(['Story 4', 'Story 3', 'Story 2', 'Story 1', 'Filed late']));
  });

  it("publishes a draft's lead image only once the article is public, and removes it when it stops being public", async () => {
    // Prepare
    const s = await memorySite();
    await s.content.put('media/harbour.jpg', JPEG, { contentType: 'image/jpeg' });
    const image = { url: '/media/harbour.jpg', alt: 'The harbour at dawn' };
    const key = await s.article('harbour.md', { title: 'Harbour plans', date: '2026-11-20', draft: true, image });
    // Act and Assess: a draft, then public, then embargoed again
    await s.publish();
    expect(await s.site.get('media/harbour.jpg')).toBeUndefined();
    await s.article('harbour.md', { title: 'Harbour plans', date: '2026-11-20', image });
    await s.publish({ request: ask.keys([key]) });
    expect(Buffer.from((await s.site.get('media/harbour.jpg'))!.body).equals(JPEG)).toBe(true);
    await s.article('harbour.md', { title: 'Harbour plans', date: '2099-01-01', image });
    await s.publish({ request: ask.keys([key]) });
    expect(await s.site.get('media/harbour.jpg')).toBeUndefined();
  });

  it('keeps an image two public articles share until the last of them goes', async () => {
    const s = await memorySite();
    await s.content.put('media/logo.jpg', JPEG, { contentType: 'image/jpeg' });
    const image = { url: '/media/logo.jpg', alt: 'Logo' };
    await s.article('a.md', { title: 'A', date: '2026-11-20', image });
    await s.article('b.md', { title: 'B', date: '2026-11-21', image });
    await s.publish();
    await s.remove('a.md');
    await s.publish({ request: ask.keys(['articles/a.md']) });
    expect(await s.site.get('media/logo.jpg')).toBeDefined();
    await s.remove('b.md');
    await s.publish({ request: ask.keys(['articles/b.md']) });
    expect(await s.site.get('media/logo.jpg')).toBeUndefined();
  });

  it('after a reconcile, holds nothing that nothing produces, and everything that is produced', async () => {
    // Prepare: a published site, then a stray page, an old manifest, and a lost feed
    const s = await memorySite();
    await s.article('a.md', { title: 'A story', date: '2026-11-20', tags: ['Politics'] });
    await s.publish();
    const before = await s.keys();
    await s.site.put('articles/gone/index.html', '<p>an old page</p>', { contentType: 'text/html' });
    await s.site.put('.wirefeed/manifest.json', '{"entries":{}}', { contentType: 'application/json' });
    await s.site.put('tags/old-tag/feed.json', '{}', { contentType: 'application/feed+json' });
    await s.site.put('CNAME', 'news.example.org', { contentType: 'text/plain' }); // not wirefeed's: left alone
    await s.site.delete('tags/politics/rss.xml');
    // Act
    const report = await s.publish({ request: ask.scan() });
    // Assess
    expect(report.deleted).toEqual(['.wirefeed/manifest.json', 'articles/gone/index.html', 'tags/old-tag/feed.json']);
    expect(report.written).toContain('tags/politics/rss.xml');
    expect(await s.keys()).toEqual([...before, 'CNAME'].sort());
  });
});

describe('a scan that does not ask for a reconcile (a local build)', () => {
  // What a reconcile mends: a stray page the state does not produce.
  const stray = 'articles/gone/index.html';
  async function published() {
    const s = await memorySite();
    await s.article('a.md', { title: 'A story', date: '2026-11-20' });
    await s.publish({ request: ask.changes() });
    await s.site.put(stray, '<p>an old page</p>', { contentType: 'text/html' });
    return s;
  }
  it('neither lists nor mends the site within a day of the last reconcile', async () => {
    // Prepare
    const s = await published();
    const site = new CountingStore(s.site);
    // Act
    const report = await publish({ content: s.content, site, state: s.state }, { now: at(RECONCILE_EVERY_MS / 60_000 - 1), request: ask.changes() });
    // Assess
    expect(report.deleted).toEqual([]);
    expect([...site.keys.listed]).toEqual([]);
    expect(await s.site.get(stray)).toBeDefined();
  });

  it.each([
    ['a day after the last reconcile', async () => ({ now: at(RECONCILE_EVERY_MS / 60_000) })],
    [
      'when the site has lost its front page (a new or emptied output folder)',
      async (s: MemorySite) => {
        await s.site.delete('index.html');
        return { now: NOW };
      },
    ],
    [
      'when an image was added to media/',
      async (s: MemorySite) => {
        await s.content.put('media/new.jpg', JPEG, { contentType: 'image/jpeg' });
        return { now: NOW };
      },
    ],
  ])('reconciles %s', async (_when, change) => {
    // Prepare
    const s = await published();
    const { now } = await change(s);
    // Act
    const report = await publish({ content: s.content, site: s.site, state: s.state }, { now, request: ask.changes() });
    // Assess: mended, and the next such scan is quiet again
    expect(report.deleted).toEqual([stray]);
    expect(await s.site.get('index.html')).toBeDefined();
    await s.site.put(stray, '<p>an old page</p>', { contentType: 'text/html' });
    expect((await publish({ content: s.content, site: s.site, state: s.state }, { now, request: ask.changes() })).deleted).toEqual([]);
  });

  it('counts a full rebuild as a reconcile, media/ listing and all: the build after it lists no site', async () => {
    // Prepare
    const s = await memorySite();
    await s.content.put('media/logo.jpg', JPEG, { contentType: 'image/jpeg' });
    await s.article('a.md', { title: 'A story', date: '2026-11-20', image: { url: '/media/logo.jpg', alt: 'Logo' } });
    await s.publish({ request: ask.full() });
    const site = new CountingStore(s.site);
    // Act
    await publish({ content: s.content, site, state: s.state }, { now: NOW, request: ask.changes() });
    // Assess
    expect([...site.keys.listed]).toEqual([]);
    expect(await s.site.get('media/logo.jpg')).toBeDefined();
  });

  it('reconciles whenever asked (the daily event, `ask.scan`), however recent the last one', async () => {
    const s = await published();
    expect((await s.publish({ request: ask.scan() })).deleted).toEqual([stray]);
  });

  it('puts an image added for an article already published on the site', async () => {
    // Prepare: the article names an image that is not there yet
    const s = await memorySite();
    await s.article('a.md', { title: 'A story', date: '2026-11-20', image: { url: '/media/late.jpg', alt: 'Late' } });
    await s.publish({ request: ask.changes() });
    expect(await s.site.get('media/late.jpg')).toBeUndefined();
    // Act
    await s.content.put('media/late.jpg', JPEG, { contentType: 'image/jpeg' });
    await s.publish({ request: ask.changes() });
    // Assess
    expect(Buffer.from((await s.site.get('media/late.jpg'))!.body).equals(JPEG)).toBe(true);
  });
});

describe('a renamed article that keeps its slug and id', () => {
  it.each([
    ['slug', { slug: 'the-story' }],
    ['id', { id: 'urn:uuid:5f0c6a52-1b7e-4a34-9d2c-6a1f0e2b7c11' }],
  ])('is published as soon as the old file is gone, whichever event comes first (%s)', async (_what, pin) => {
    // Prepare: the story, published under its old file name
    const s = await memorySite();
    const old = await s.article('old-name.md', { title: 'The story', date: '2026-11-20', ...pin });
    await s.publish({ request: ask.keys([old]) });
    // Act: the newsroom renames the file; the new file's event is handled before the old file's deletion
    const renamed = await s.article('new-name.md', { title: 'The story, renamed', date: '2026-11-20', ...pin });
    const first = await s.publish({ request: ask.keys([renamed]) });
    await s.remove('old-name.md');
    await s.publish({ request: ask.keys([old]) });
    // Assess: refused while the old file held it, then published with no scan and no further event
    expect(first.rejected.map((e) => e.file)).toEqual([renamed]);
    expect(await s.titles()).toEqual(['The story, renamed']);
    expect(await s.state.list(STATE.requests)).toEqual([]);
  });
});

describe("an edit refused for another file's id", () => {
  it('keeps its last good version through a full rebuild, as through an incremental publish', async () => {
    // Prepare: two stories; B is then edited with A's id (copied front matter)
    const s = await memorySite();
    await s.article('a.md', { title: 'A', date: '2026-11-19', id: 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000001' });
    await s.article('b.md', { title: 'B', date: '2026-11-20', id: 'urn:uuid:bbbbbbbb-0000-4000-8000-000000000002' });
    await s.publish();
    const b = await s.article('b.md', { title: 'B, with a copied id', date: '2026-11-20', id: 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000001' });
    const incremental = await s.publish({ request: ask.keys([b]) });
    const afterIncremental = await s.titles();
    // Act
    const full = await s.publish({ request: ask.full() });
    // Assess: both times B is named and its last good version stays
    for (const r of [incremental, full]) expect(r.rejected.map((e) => e.file)).toEqual([b]);
    expect(afterIncremental).toEqual(['B', 'A']);
    expect(await s.titles()).toEqual(['B', 'A']);
    expect(await s.text('articles/b/index.html')).toContain('B');
    expect(await s.text('articles/b/index.html')).not.toContain('copied id');
  });
});

describe('the cost of one article', () => {
  it('is the same state objects and site files, however long the archive', async () => {
    async function touched(size: number) {
      const s = await memorySite({ feed_size: 5 });
      for (let i = 0; i < size; i++) await s.article(`s-${i}.md`, { title: `Story ${i}`, date: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(), tags: [`T${i % 3}`] });
      await s.publish();
      const state = new CountingStore(s.state);
      const site = new CountingStore(s.site);
      const key = await s.article('breaking.md', { title: 'Breaking', date: '2026-11-24T00:00:00Z', tags: ['T1'] });
      await publish({ content: s.content, site, state }, { now: NOW, request: ask.keys([key]) });
      return { stateRead: state.keys.read.size, stateWritten: state.keys.written.size, site: [...site.keys.written].sort(), listed: [...state.keys.listed] };
    }
    const small = await touched(60);
    const large = await touched(600);
    const shape = (keys: string[]) => keys.map((k) => k.replace(/\d+/g, 'N')); // the newest sitemap shard's number differs
    expect(shape(large.site)).toEqual(shape(small.site)); // the same files
    expect(large.stateWritten).toBe(small.stateWritten);
    expect(large.stateRead).toBe(small.stateRead);
    expect(large.listed).toEqual([STATE.requests]); // no listing of records, seen markers or timelines
  });
});

describe("a publish's problems", () => {
  it('are one list by file: rejected articles and feeds kept back together', () => {
    const rejected = [new ArticleError('articles/z.md', 'no date'), new ArticleError('articles/b.md', 'no title')];
    const feedFailures = [new FeedCheckError('archive/1/feed.json', 'an item has no id')];
    expect(problemsOf({ rejected, feedFailures }).map((e) => e.file)).toEqual(['archive/1/feed.json', 'articles/b.md', 'articles/z.md']);
  });
});
