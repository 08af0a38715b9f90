import { readFile } from 'node:fs/promises';

import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { invalidationPaths } from '../../functions/after-publish/invalidate.ts';

import { main } from '../../functions/cli/main.ts';

import { mapLimit } from '../../functions/core/concurrency.ts';

import { keyHash } from '../../functions/core/keys.ts';
import { STATE } from '../../functions/core/state/state.ts';
import { createHandler, type HandlerConfig, type HandlerResult } from '../../functions/lambda/handler.ts';
import type { Log } from '../../functions/lambda/logger.ts';
import { ask } from '../../functions/publish/protocol/requests.ts';
import { publish } from '../../functions/publish/publish.ts';
import { S3_MAX_ATTEMPTS } from '../../functions/stores/s3-client.ts';
import { articleText, captureIo, NOW, SITE_SETTINGS } from '../helpers/content.ts';
import { injectFaults } from '../helpers/faults.ts';
import { parseAtom, parseJsonFeed, parseRss, textOf } from '../helpers/feeds.ts';
import { useS3Environment } from '../helpers/s3-env.ts';
import { type S3TestServer, startS3Server } from '../helpers/s3-server.ts';
import { encodeS3Key, inEveryFeed, newS3Site, type S3Site, s3Notification, s3TestEvent, separateClient, sqsEvent } from '../helpers/s3-site.ts';

/**
 * The publisher Lambda (createHandler) and publish() against a real S3-compatible server: s3rver in a
 * child process behind the conditional-write, request-counting proxy of test/helpers/s3-server.ts, over
 * HTTP on 127.0.0.1, through the real AWS SDK client. Every feed is parsed back by the independent
 * parsers of test/helpers/feeds.ts. The only fakes: faults injected client-side (test/helpers/faults.ts;
 * a real server cannot be made to fail on demand), and the CloudFront call (a recording function).
 * What the handler itself decides (events, failures, logs, configuration) is in test/lambda/handler.test.ts;
 * the `wirefeed publish` arguments are in test/cli/publish-s3.test.ts.
 */

let server: S3TestServer;

beforeAll(async () => {
  server = await startS3Server();
});

afterAll(async () => {
  await server?.stop();
});

const SITE_URL = SITE_SETTINGS.url;
const PAGE = (slug: string) => `articles/${slug}/index.html`;

interface Logged {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

/** A handler on the site's buckets with a fixed (or movable) clock and a recording log. */
function handlerFor(s: S3Site, config: Partial<HandlerConfig> = {}) {
  const logs: Logged[] = [];
  const log: Log = (level, message, fields = {}) => logs.push({ level, message, fields });
  const handle = createHandler({ s3: server.client, contentBucket: s.contentBucket, siteBucket: s.siteBucket, siteUrl: SITE_URL, now: () => NOW, log, ...config });
  return { handle, logs };
}

/** An RFC 3339 time `hours` after 2026-10-01 (all before NOW, so public). */
const hoursIn = (hours: number) => new Date(Date.UTC(2026, 9, 1) + hours * 3_600_000).toISOString().replace(/\.000Z$/, 'Z');

/** Upload `count` articles story-1 … story-N (story-N newest), at most 16 uploads at once. */
async function uploadStories(s: S3Site, count: number): Promise<string[]> {
  const numbers = Array.from({ length: count }, (_, i) => i + 1);
  return mapLimit(numbers, 16, (n) => s.putArticle(`story-${n}.md`, { title: `Story ${n}`, date: hoursIn(n) }, `Report number ${n}.\n`));
}

// ---------------------------------------------------------------------------------------------------

describe('S3 events, delivered directly and through SQS', () => {
  it('publishes the articles named by a direct S3 notification, decoding their URL-encoded keys', async () => {
    // Prepare: file names with an accent, spaces and a '+' (their slugs come from the front matter)
    const s = await newS3Site(server);
    const cafe = await s.putArticle('café news.md', { title: 'Café opens on the square', date: '2026-11-20', slug: 'cafe-news' });
    const plus = await s.putArticle('C++ 26 news.md', { title: 'C++26 is out', date: '2026-11-21', slug: 'cpp-26' });
    const event = s3Notification(s.contentBucket, [cafe, plus]);
    expect(encodeS3Key(cafe)).toBe('articles/caf%C3%A9+news.md');
    expect(encodeS3Key(plus)).toBe('articles/C%2B%2B+26+news.md');
    const { handle } = handlerFor(s);

    // Act
    const result = await handle(event);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(result.report?.rejected).toEqual([]);
    expect(await s.feedTitles()).toEqual(inEveryFeed(['C++26 is out', 'Café opens on the square']));
    expect(textOf((await s.read(PAGE('cafe-news'))) ?? '')).toContain('Café opens on the square');
    expect(textOf((await s.read(PAGE('cpp-26'))) ?? '')).toContain('C++26 is out');
  });

  it('publishes the articles named in S3 notifications inside SQS messages, and an s3:TestEvent message does nothing', async () => {
    // Prepare
    const s = await newS3Site(server);
    const a = await s.putArticle('budget vote.md', { title: 'Budget vote tonight', date: '2026-11-20', slug: 'budget-vote' });
    const b = await s.putArticle('harbour-fire.md', { title: 'Fire at the harbour', date: '2026-11-21' });
    const { handle } = handlerFor(s);
    const batch = sqsEvent([s3Notification(s.contentBucket, [a]), s3Notification(s.contentBucket, [b]), s3TestEvent(s.contentBucket)]);

    // Act
    const result = await handle(batch);
    const site = await s.site.list('');
    const testOnly = await handle(sqsEvent([s3TestEvent(s.contentBucket)]));

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Fire at the harbour', 'Budget vote tonight']));
    expect(await s.read(PAGE('budget-vote'))).toBeDefined();
    expect(await s.read(PAGE('harbour-fire'))).toBeDefined();
    expect(testOnly.batchItemFailures).toEqual([]);
    expect(testOnly.report?.written).toEqual([]);
    expect(await s.site.list('')).toEqual(site);
  });

  it('rebuilds every page and feed when a notification says site.yaml changed', async () => {
    // Prepare: two articles published under the old title, then a new title uploaded
    const s = await newS3Site(server);
    await uploadStories(s, 2);
    const { handle } = handlerFor(s);
    await handle({ wirefeed: 'full' });
    await s.putSettings({ title: 'Evening Wire' });

    // Act
    const result = await handle(sqsEvent([s3Notification(s.contentBucket, ['site.yaml'])]));

    // Assess: the new title is on every page and in every feed
    expect(result.report?.mode).toBe('full');
    expect(result.report?.written).toEqual(expect.arrayContaining([PAGE('story-1'), PAGE('story-2'), 'index.html', '404.html', 'rss.xml', 'atom.xml', 'feed.json']));
    expect(parseRss((await s.read('rss.xml')) ?? '').feed.title).toBe('Evening Wire');
    expect(parseAtom((await s.read('atom.xml')) ?? '').feed.title).toBe('Evening Wire');
    expect(parseJsonFeed((await s.read('feed.json')) ?? '').title).toBe('Evening Wire');
    for (const key of ['index.html', '404.html', PAGE('story-1'), PAGE('story-2')]) {
      const text = textOf((await s.read(key)) ?? '');
      expect(text, key).toContain('Evening Wire');
      expect(text, key).not.toContain('Test Wire');
    }
  });
});

describe('events arrive at least once, late and out of order', () => {
  it('a replayed event, direct or through SQS, writes nothing when nothing changed', async () => {
    // Prepare
    const s = await newS3Site(server);
    const key = await s.putArticle('budget-vote.md', { title: 'Budget vote tonight', date: '2026-11-20' });
    const { handle } = handlerFor(s);
    const event = s3Notification(s.contentBucket, [key]);
    await handle(event);
    const before = { rss: await s.read('rss.xml'), head: await s.head() };
    server.resetCounts();

    // Act
    const direct = await handle(event);
    const queued = await handle(sqsEvent([event, event]));

    // Assess
    expect(direct.report?.written).toEqual([]);
    expect(queued.batchItemFailures).toEqual([]);
    expect(await s.read('rss.xml')).toBe(before.rss);
    expect(await s.head()).toBe(before.head); // nothing committed
    expect(await s.site.list('')).not.toContainEqual(expect.objectContaining({ key: expect.stringMatching(/^\./) }));
    // Only the publisher's own bookkeeping is written (its request and its lease), never the site.
    const counts = server.counts();
    expect(counts.put).toBe(4);
    expect(counts.delete).toBe(4);
  });

  it('an old "created" event arriving after the article was deleted does not bring it back', async () => {
    // Prepare: two articles published, then one deleted and its delete event delivered
    const s = await newS3Site(server);
    const gone = await s.putArticle('retracted.md', { title: 'Retracted story', date: '2026-11-21' });
    const kept = await s.putArticle('kept.md', { title: 'Kept story', date: '2026-11-20' });
    const { handle } = handlerFor(s);
    const created = s3Notification(s.contentBucket, [gone, kept]);
    await handle(created);
    await s.deleteContent(gone);
    await handle(s3Notification(s.contentBucket, [{ key: gone, event: 'ObjectRemoved:Delete' }]));

    // Act: the creation event, redelivered late
    const result = await handle(sqsEvent([created]));

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Kept story']));
    expect(await s.read(PAGE('retracted'))).toBeUndefined();
  });
});

describe('taking an article down', () => {
  it('deleting an article removes it from every feed and deletes its page', async () => {
    // Prepare
    const s = await newS3Site(server);
    const [first, second] = await uploadStories(s, 2);
    const { handle } = handlerFor(s);
    await handle(s3Notification(s.contentBucket, [first as string, second as string]));
    expect(await s.read(PAGE('story-2'))).toBeDefined();

    // Act
    await s.deleteContent(second as string);
    const result = await handle(s3Notification(s.contentBucket, [{ key: second as string, event: 'ObjectRemoved:Delete' }]));

    // Assess
    expect(result.report?.deleted).toEqual([PAGE('story-2')]);
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Story 1']));
    expect(await s.read(PAGE('story-2'))).toBeUndefined();
    expect(textOf((await s.read('index.html')) ?? '')).not.toContain('Story 2');
  });

  it('making an article a draft removes it from every feed and deletes its page', async () => {
    // Prepare
    const s = await newS3Site(server);
    await uploadStories(s, 2);
    const { handle } = handlerFor(s);
    await handle({ wirefeed: 'full' });

    // Act
    const key = await s.putArticle('story-2.md', { title: 'Story 2', date: hoursIn(2), draft: true }, 'Report number 2.\n');
    await handle(sqsEvent([s3Notification(s.contentBucket, [key])]));

    // Assess
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Story 1']));
    expect(await s.read(PAGE('story-2'))).toBeUndefined();
  });

  it('an article made a draft and then published again, unchanged, gets its page back', async () => {
    // Prepare: published, then taken down as a draft (its page deleted)
    const s = await newS3Site(server);
    const fields = { title: 'Budget vote tonight', date: '2026-11-20' };
    const key = await s.putArticle('budget-vote.md', fields);
    const { handle } = handlerFor(s);
    const event = s3Notification(s.contentBucket, [key]);
    await handle(event);
    await s.putArticle('budget-vote.md', { ...fields, draft: true });
    await handle(event);
    expect(await s.read(PAGE('budget-vote'))).toBeUndefined();

    // Act: the same text as before, published again
    await s.putArticle('budget-vote.md', fields);
    const result = await handle(event);

    // Assess: in the feeds AND its page is there (a feed link must never 404)
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Budget vote tonight']));
    expect(result.report?.written).toContain(PAGE('budget-vote'));
    expect(textOf((await s.read(PAGE('budget-vote'))) ?? '')).toContain('Budget vote tonight');
  });
});

describe('incremental publishing', () => {
  /** Requests the publisher makes for one new article, then one edited article, in a site of `size` articles. */
  async function oneChangeCosts(size: number) {
    // Feeds of 10, so both archives are longer than every feed: only then are the costs comparable.
    const s = await newS3Site(server, { feed_size: 10 });
    await uploadStories(s, size);
    const { handle } = handlerFor(s);
    const full = await handle({ wirefeed: 'full' });
    expect(full.report?.public).toBe(size);

    const added = await s.putArticle('breaking.md', { title: 'Breaking news', date: '2026-11-25T09:00:00Z' });
    server.resetCounts();
    const addReport = (await handle(s3Notification(s.contentBucket, [added]))).report;
    const add = server.counts();

    const edited = await s.putArticle(`story-${size}.md`, { title: `Story ${size}, corrected`, date: hoursIn(size) }, `Report number ${size}.\n`);
    server.resetCounts();
    const editReport = (await handle(s3Notification(s.contentBucket, [edited]))).report;
    const edit = server.counts();

    const json = parseJsonFeed((await s.read('feed.json')) ?? '');
    return { add, edit, addReport, editReport, titles: json.items.slice(0, 2).map((i) => i.title) };
  }

  it('one new or edited article costs the same few requests whether the archive holds 20 or 120 articles', async () => {
    // Prepare + Act
    const small = await oneChangeCosts(20);
    const large = await oneChangeCosts(120);
    console.info(
      `one change, requests by kind: 20 articles add ${JSON.stringify(small.add)} edit ${JSON.stringify(small.edit)}; 120 articles add ${JSON.stringify(large.add)} edit ${JSON.stringify(large.edit)}`,
    );

    // Assess: the same counts by kind, and few of them
    expect(large.add).toEqual(small.add);
    expect(large.edit).toEqual(small.edit);
    for (const counts of [small.add, small.edit]) {
      expect(counts.get).toBeLessThanOrEqual(33); // site.yaml, the head, the article, its record, its slug and id claims, the indexes it is in, the feeds' articles, the news index
      expect(counts.put).toBeLessThanOrEqual(30); // request, lease, journal, head, the changed state objects, its page, the feeds, the sitemap shard
      expect(counts.list).toBeLessThanOrEqual(3); // the requests, before and after
      expect(counts.head + counts.other).toBe(0);
    }
    for (const run of [small, large]) {
      expect(run.addReport?.mode).toBe('changed');
      expect(run.addReport?.rendered).toBe(1);
      expect(run.editReport?.rendered).toBe(1);
    }
    expect(small.titles).toEqual(['Breaking news', 'Story 20, corrected']);
    expect(large.titles).toEqual(['Breaking news', 'Story 120, corrected']);
  });

  const triggers: [string, (s: S3Site, handle: (event: unknown) => Promise<HandlerResult>, key: string) => Promise<HandlerResult>][] = [
    [
      'the publisher state is gone',
      async (s, handle, key) => {
        for (const info of await s.state.list('')) await s.state.delete(info.key);
        return handle(s3Notification(s.contentBucket, [key]));
      },
    ],
    [
      'the publisher state is unreadable (a truncated head)',
      async (s, handle, key) => {
        await s.state.put(STATE.head, '{"v": 3, "settings": "x", "generat', { contentType: 'application/json' });
        return handle(s3Notification(s.contentBucket, [key]));
      },
    ],
    [
      'one article record is unreadable',
      async (s, handle, key) => {
        await s.state.put(STATE.record(keyHash(key)), '{"key": "articles/story-1.md", "article": null}', { contentType: 'application/json' });
        return handle(s3Notification(s.contentBucket, [key]));
      },
    ],
    ['a {wirefeed: "full"} event asks for it', async (_s, handle) => handle({ wirefeed: 'full' })],
  ];

  it.each(triggers)('rebuilds every page and feed when %s', async (_name, trigger) => {
    // Prepare: three articles published
    const s = await newS3Site(server);
    const keys = await uploadStories(s, 3);
    const { handle } = handlerFor(s);
    await handle(s3Notification(s.contentBucket, keys));

    // Act
    const result = await trigger(s, handle, keys[0] as string);

    // Assess
    expect(result.report?.mode).toBe('full');
    expect(result.report?.rendered).toBe(3);
    expect(result.report?.written).toEqual(expect.arrayContaining([PAGE('story-1'), PAGE('story-2'), PAGE('story-3'), 'index.html', '404.html', 'rss.xml', 'atom.xml', 'feed.json']));
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Story 3', 'Story 2', 'Story 1']));
    for (const key of keys) expect(await s.state.get(STATE.record(keyHash(key))), key).toBeDefined();
  });

  it('a handler run with no publisher state yet builds everything', async () => {
    // Prepare: content with three articles; the event names only one of them
    const s = await newS3Site(server);
    const keys = await uploadStories(s, 3);
    const { handle } = handlerFor(s);

    // Act
    const result = await handle(sqsEvent([s3Notification(s.contentBucket, [keys[0] as string])]));

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(result.report?.mode).toBe('full');
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Story 3', 'Story 2', 'Story 1']));
    for (const key of ['index.html', '404.html', PAGE('story-1'), PAGE('story-2'), PAGE('story-3')]) expect(await s.read(key), key).toBeDefined();
    expect(await s.head()).toBeDefined();
  });
});

describe('concurrent publishes', () => {
  it('two publishes racing to add different articles never lose one: the lease holder publishes both, and the other returns at once', async () => {
    // Prepare
    const s = await newS3Site(server);
    const expected: string[] = [];
    for (let round = 1; round <= 4; round++) {
      const a = await s.putArticle(`race-${round}-a.md`, { title: `Race ${round} A`, date: hoursIn(round * 10) });
      const b = await s.putArticle(`race-${round}-b.md`, { title: `Race ${round} B`, date: hoursIn(round * 10 + 1) });
      expected.unshift(`Race ${round} A`);
      expected.unshift(`Race ${round} B`);

      // Act
      const reports = await Promise.all([a, b].map((key) => publish({ content: s.content, site: s.site, state: s.state }, { now: NOW, siteUrl: SITE_URL, request: ask.keys([key]) })));

      // Assess
      expect(reports.filter((r) => !r.queued).length, `round ${round}: someone published`).toBeGreaterThan(0);
      expect(await s.feedTitles(), `round ${round}`).toEqual(inEveryFeed(expected));
      expect(await s.read(PAGE(`race-${round}-a`))).toContain(`Race ${round} A`);
      expect(await s.read(PAGE(`race-${round}-b`))).toContain(`Race ${round} B`);
      expect(await s.state.list(STATE.requests), 'every request drained').toEqual([]);
      expect(await s.state.get(STATE.lease), 'the lease released').toBeUndefined();
    }
  });
});

describe('never broken', () => {
  it('a broken update keeps the article published in its last good form, logs the key and the problem, and does not fail the event', async () => {
    // Prepare: published, then replaced with a version whose date is nonsense
    const s = await newS3Site(server);
    const key = await s.putArticle('budget-vote.md', { title: 'Budget passes', date: '2026-11-20' });
    const { handle, logs } = handlerFor(s);
    const event = s3Notification(s.contentBucket, [key]);
    await handle(event);
    await s.putArticle('budget-vote.md', { title: 'Budget fails', date: 'next Tuesday' });

    // Act
    const queued = await handle(sqsEvent([event]));
    const direct = await handle(event);

    // Assess
    expect(queued.batchItemFailures).toEqual([]);
    expect(direct.report?.rejected).toEqual([{ file: key, problem: expect.stringContaining('"date" must be a date') }]);
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Budget passes']));
    expect(textOf((await s.read(PAGE('budget-vote'))) ?? '')).toContain('Budget passes');
    const rejected = logs.filter((l) => l.message === 'article rejected');
    expect(rejected).toHaveLength(2);
    for (const line of rejected) {
      expect(line.level).toBe('warn');
      expect(line.fields).toEqual({ key, problem: expect.stringContaining('(got "next Tuesday")') });
    }
  });

  it('a broken site.yaml fails the event and writes nothing: the site stays as it was until it is fixed', async () => {
    // Prepare: a published site, then a site.yaml with an empty title
    const s = await newS3Site(server);
    const key = await s.putArticle('budget-vote.md', { title: 'Budget passes', date: '2026-11-20' });
    const { handle, logs } = handlerFor(s);
    await handle(s3Notification(s.contentBucket, [key]));
    const before = { rss: await s.read('rss.xml'), site: await s.site.list('') };
    await s.putContent('site.yaml', 'title: ""\ndescription: Reports\nurl: https://news.test/\n');
    const batch = sqsEvent([s3Notification(s.contentBucket, ['site.yaml'])]);

    // Act
    const result = await handle(batch);
    const during = await s.putArticle('during.md', { title: 'Filed while site.yaml was broken', date: '2026-11-21' });
    const alsoFails = await handle(sqsEvent([s3Notification(s.contentBucket, [during])]));

    // Assess: every message fails (SQS retries, then the dead-letter queue alarms); the site is untouched
    expect(result.batchItemFailures).toEqual(batch.Records.map((r) => ({ itemIdentifier: r.messageId })));
    expect(alsoFails.batchItemFailures).toHaveLength(1);
    expect({ rss: await s.read('rss.xml'), site: await s.site.list('') }).toEqual(before);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', fields: expect.objectContaining({ error: expect.stringContaining('site.yaml') }) }));

    // Act: site.yaml is fixed; only its own event arrives (the article's went to the dead-letter queue)
    await s.putSettings();
    const fixed = await handle(sqsEvent([s3Notification(s.contentBucket, ['site.yaml'])]));

    // Assess: nothing filed during the broken time is lost
    expect(fixed.batchItemFailures).toEqual([]);
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Filed while site.yaml was broken', 'Budget passes']));
  });
});

describe('faults midway through a publish (injected client-side: a real server cannot fail on demand)', () => {
  /** A site with one published article, and a second uploaded but not yet published. */
  async function siteWithPending() {
    const s = await newS3Site(server);
    const first = await s.putArticle('first.md', { title: 'First story', date: '2026-11-20' });
    await handlerFor(s).handle(s3Notification(s.contentBucket, [first]));
    const second = await s.putArticle('second.md', { title: 'Second story', date: '2026-11-21' });
    const before = { rss: await s.read('rss.xml'), atom: await s.read('atom.xml'), json: await s.read('feed.json') };
    return { s, second, before };
  }

  /** Every item of every feed links to a page that exists. */
  async function everyLinkResolves(s: S3Site) {
    const urls = [
      ...parseRss((await s.read('rss.xml')) ?? '').feed.items.map((i) => i.url),
      ...parseAtom((await s.read('atom.xml')) ?? '').feed.items.map((i) => i.url),
      ...parseJsonFeed((await s.read('feed.json')) ?? '').items.map((i) => i.url),
    ];
    for (const url of urls) expect(await s.read(`${new URL(url ?? '').pathname.slice(1)}index.html`), url ?? '').toBeDefined();
  }

  it('when the PUT of feed.json keeps failing past the retries, the event fails, the feeds stay valid, and a retry completes', async () => {
    // Prepare
    const { s, second, before } = await siteWithPending();
    const client = separateClient(server);
    const fault = injectFaults(client, { kind: '5xx', failNext: Infinity, match: (command, input) => command === 'PutObjectCommand' && input.Key === 'feed.json' });
    const { handle, logs } = handlerFor(s, { s3: client });
    const batch = sqsEvent([s3Notification(s.contentBucket, [second]), s3TestEvent(s.contentBucket)]);

    try {
      // Act: through SQS, then directly
      const queued = await handle(batch);
      const direct = handle(s3Notification(s.contentBucket, [second]));

      // Assess: SQS retries every message of the batch; a direct invocation throws (Lambda retries it)
      expect(queued.batchItemFailures).toEqual(batch.Records.map((r) => ({ itemIdentifier: r.messageId })));
      await expect(direct).rejects.toThrow(/feed\.json: could not be written/);
      expect(fault.injected).toBe(2 * S3_MAX_ATTEMPTS); // every attempt of the SDK's retries, in each of two publishes
      expect(logs.filter((l) => l.level === 'error').map((l) => l.fields.keys)).toEqual([[second], [second]]);
    } finally {
      fault.remove();
    }
    // feed.json is as before; every feed is valid and links only to pages that exist.
    expect(await s.read('feed.json')).toBe(before.json);
    expect(parseJsonFeed((await s.read('feed.json')) ?? '').items.map((i) => i.title)).toEqual(['First story']);
    expect(parseRss((await s.read('rss.xml')) ?? '').feed.items.length).toBeGreaterThan(0);
    expect(parseAtom((await s.read('atom.xml')) ?? '').feed.items.length).toBeGreaterThan(0);
    await everyLinkResolves(s);

    // Act: the retry, with S3 healthy again
    const retried = await handle(s3Notification(s.contentBucket, [second]));

    // Assess
    expect(retried.batchItemFailures).toEqual([]);
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Second story', 'First story']));
    await everyLinkResolves(s);
    client.destroy();
  });

  it('when a publish fails midway and its article is deleted before any retry, the next publish repairs what the failed one wrote', async () => {
    // Prepare: a publish of the second story writes its page, RSS and Atom, then fails on feed.json
    const { s, second } = await siteWithPending();
    const client = separateClient(server);
    const fault = injectFaults(client, { kind: '5xx', failNext: Infinity, match: (command, input) => command === 'PutObjectCommand' && input.Key === 'feed.json' });
    await expect(handlerFor(s, { s3: client }).handle(s3Notification(s.contentBucket, [second]))).rejects.toThrow(/feed\.json/);
    fault.remove();
    client.destroy();
    expect(await s.read(PAGE('second'))).toBeDefined(); // written before the failure

    // Act: the newsroom deletes the story; its delete event is the next publish
    await s.deleteContent(second);
    const result = await handlerFor(s).handle(s3Notification(s.contentBucket, [{ key: second, event: 'ObjectRemoved:Delete' }]));

    // Assess: no feed keeps the story the failed publish announced, and its page is gone
    expect(result.batchItemFailures).toEqual([]);
    expect(await s.feedTitles()).toEqual(inEveryFeed(['First story']));
    expect(await s.read(PAGE('second'))).toBeUndefined();
    await everyLinkResolves(s);
  });

  it("when the PUT of the new article's page keeps failing, no feed announces it: the feeds stay exactly as they were, and the next publish finishes", async () => {
    // Prepare
    const { s, second, before } = await siteWithPending();
    const client = separateClient(server);
    const fault = injectFaults(client, { kind: 'network', failNext: Infinity, match: (command, input) => command === 'PutObjectCommand' && input.Key === PAGE('second') });
    const { handle } = handlerFor(s, { s3: client });

    // Act
    const result = handle(s3Notification(s.contentBucket, [second]));

    // Assess: pages are written before any feed, so a failed page stops the publish before the feeds
    await expect(result).rejects.toThrow(/second\/index\.html: could not be written/);
    fault.remove();
    client.destroy();
    expect({ rss: await s.read('rss.xml'), atom: await s.read('atom.xml'), json: await s.read('feed.json') }).toEqual(before);
    expect(await s.feedTitles()).toEqual(inEveryFeed(['First story']));

    // Act: the next publish of anything (here the minute tick) finishes the one that failed
    await handlerFor(s).handle({ wirefeed: 'tick' });
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Second story', 'First story']));
  });

  it('a publish throttled by S3 (503 SlowDown) for a while still succeeds', async () => {
    // Prepare
    const s = await newS3Site(server);
    const key = await s.putArticle('budget-vote.md', { title: 'Budget vote tonight', date: '2026-11-20' });
    const client = separateClient(server);
    const fault = injectFaults(client, { kind: 'throttle', failNext: 3 });
    const { handle } = handlerFor(s, { s3: client });

    // Act
    const result = await handle(sqsEvent([s3Notification(s.contentBucket, [key])]));

    // Assess
    fault.remove();
    client.destroy();
    expect(fault.injected).toBe(3);
    expect(result.batchItemFailures).toEqual([]);
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Budget vote tonight']));
    expect(await s.read(PAGE('budget-vote'))).toBeDefined();
  });
});

describe('embargo and expiry', () => {
  it('an article dated in the future stays off the site until a tick after its date publishes it', async () => {
    // Prepare
    const s = await newS3Site(server);
    const now = { at: NOW };
    const { handle } = handlerFor(s, { now: () => now.at });
    await s.putArticle('old.md', { title: 'Old news', date: '2026-11-20' });
    const key = await s.putArticle('results.md', { title: 'Election results', date: '2026-11-26T06:00:00Z' });
    await handle(s3Notification(s.contentBucket, ['articles/old.md', key]));
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Old news']));
    expect(await s.read(PAGE('results'))).toBeUndefined();

    // Act: a tick before the embargo lifts, then one after
    now.at = new Date('2026-11-26T05:59:00Z');
    const early = await handle({ wirefeed: 'tick' });
    const earlyTitles = await s.feedTitles();
    now.at = new Date('2026-11-26T06:01:00Z');
    const late = await handle({ wirefeed: 'tick' });

    // Assess
    expect(early.report?.written).toEqual([]);
    expect(earlyTitles).toEqual(inEveryFeed(['Old news']));
    expect(late.report?.written).toContain(PAGE('results'));
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Election results', 'Old news']));
    expect(textOf((await s.read(PAGE('results'))) ?? '')).toContain('Election results');
  });

  it('an article past its expires time is taken down on a tick', async () => {
    // Prepare
    const s = await newS3Site(server);
    const now = { at: NOW };
    const { handle } = handlerFor(s, { now: () => now.at });
    await s.putArticle('old.md', { title: 'Old news', date: '2026-11-20' });
    const key = await s.putArticle('offer.md', { title: 'Offer ends Friday', date: '2026-11-24', expires: '2026-11-27T18:00:00Z' });
    await handle(s3Notification(s.contentBucket, ['articles/old.md', key]));
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Offer ends Friday', 'Old news']));

    // Act
    now.at = new Date('2026-11-27T18:00:01Z');
    const result = await handle({ wirefeed: 'tick' });

    // Assess
    expect(result.report?.deleted).toEqual([PAGE('offer')]);
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Old news']));
    expect(await s.read(PAGE('offer'))).toBeUndefined();
  });
});

describe('objects as served', () => {
  it('serves feeds and pages with their content type and charset, feeds cached briefly and pages for longer', async () => {
    // Prepare
    const s = await newS3Site(server);
    const key = await s.putArticle('budget-vote.md', { title: 'Budget vote tonight', date: '2026-11-20' });
    await handlerFor(s).handle(s3Notification(s.contentBucket, [key]));

    // Act
    const head = async (k: string) => {
      const res = await server.client.send(new HeadObjectCommand({ Bucket: s.siteBucket, Key: k }));
      return { type: res.ContentType, cache: res.CacheControl ?? '' };
    };
    const served = {
      rss: await head('rss.xml'),
      atom: await head('atom.xml'),
      json: await head('feed.json'),
      index: await head('index.html'),
      notFound: await head('404.html'),
      page: await head(PAGE('budget-vote')),
    };

    // Assess
    expect(served.rss.type).toBe('application/rss+xml; charset=utf-8');
    expect(served.atom.type).toBe('application/atom+xml; charset=utf-8');
    expect(served.json.type).toBe('application/feed+json; charset=utf-8');
    for (const html of [served.index, served.notFound, served.page]) expect(html.type).toBe('text/html; charset=utf-8');
    const maxAge = (cache: string) => Number(/max-age=(\d+)/.exec(cache)?.[1]);
    for (const feed of [served.rss, served.atom, served.json]) {
      expect(feed.cache).toContain('max-age=60');
      expect(feed.cache).toMatch(/stale-while-revalidate=\d+/);
      expect(feed.cache).toMatch(/stale-if-error=\d+/);
    }
    for (const html of [served.index, served.page]) expect(maxAge(html.cache)).toBeGreaterThan(60);
  });

  it('serves a page, a feed and the sitemap with exactly the Cache-Control the README promises for each', async () => {
    // Prepare: the README's table, row by row (its first cell names the objects, its second the header)
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const promised = (objects: string) => {
      const row = readme.split('\n').find((line) => line.startsWith(`| ${objects}`));
      return /\| `([^`]+)` \|$/.exec(row ?? '')?.[1];
    };
    const s = await newS3Site(server);
    const key = await s.putArticle('budget-vote.md', { title: 'Budget vote tonight', date: '2026-11-20' });

    // Act
    await handlerFor(s).handle(s3Notification(s.contentBucket, [key]));
    const cacheOf = async (k: string) => (await server.client.send(new HeadObjectCommand({ Bucket: s.siteBucket, Key: k }))).CacheControl;

    // Assess
    const feeds = promised('feeds, their browser views');
    const pages = promised('pages (articles');
    expect(feeds).toBe('public, max-age=60, stale-while-revalidate=60, stale-if-error=86400');
    expect(pages).toBe('public, max-age=300, stale-while-revalidate=60, stale-if-error=86400');
    expect(await cacheOf(PAGE('budget-vote'))).toBe(pages);
    expect(await cacheOf('index.html')).toBe(pages);
    expect(await cacheOf('rss.xml')).toBe(feeds);
    expect(await cacheOf('feed.json')).toBe(feeds);
    expect(await cacheOf('sitemap.xml')).toBe(feeds);
  });
});

describe('slug conflicts', () => {
  it('rejects the second of two files claiming one slug, naming both files, and keeps the first', async () => {
    // Prepare
    const s = await newS3Site(server);
    const first = await s.putArticle('vote-report.md', { title: 'The vote', date: '2026-11-20', slug: 'vote' });
    const { handle, logs } = handlerFor(s);
    await handle(s3Notification(s.contentBucket, [first]));
    const second = await s.putArticle('vote-recap.md', { title: 'The vote, again', date: '2026-11-21', slug: 'vote' });

    // Act
    const result = await handle(sqsEvent([s3Notification(s.contentBucket, [second])]));

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(result.report?.rejected).toEqual([{ file: second, problem: `slug "vote" is already used by ${first}; set a different slug: in the front matter` }]);
    expect(logs).toContainEqual({ level: 'warn', message: 'article rejected', fields: { key: second, problem: expect.stringContaining(first) } });
    expect(await s.feedTitles()).toEqual(inEveryFeed(['The vote']));
    expect(textOf((await s.read(PAGE('vote'))) ?? '')).toContain('The vote');
    expect(textOf((await s.read(PAGE('vote'))) ?? '')).not.toContain('again');
  });
});

describe('wirefeed publish --content s3://… --site s3://…', () => {
  useS3Environment(() => server);

  it('publishes one bucket into another, prints a summary and exits 0; --full rewrites every page', async () => {
    // Prepare
    const s = await newS3Site(server);
    await uploadStories(s, 2);
    const args = ['publish', '--content', `s3://${s.contentBucket}`, '--site', `s3://${s.siteBucket}`];

    // Act
    const io = captureIo(NOW, { SITE_URL });
    const code = await main(args, io);
    const again = captureIo(NOW, { SITE_URL });
    const againCode = await main(args, again);
    const full = captureIo(NOW, { SITE_URL });
    const fullCode = await main([...args, '--full'], full);

    // Assess
    expect([code, againCode, fullCode]).toEqual([0, 0, 0]);
    const written = Number(/(\d+) files written/.exec(io.stdout[0] ?? '')?.[1]);
    expect(written).toBeGreaterThanOrEqual(7); // two pages, the front page, 404, three feeds
    expect(io.stdout).toEqual([expect.stringMatching(new RegExp(`^2 articles published, 0 rejected, 2 pages rendered, ${written} files written into s3://${s.siteBucket} in \\d+ ms$`))]);
    expect(again.stdout).toEqual([expect.stringMatching(/^2 articles published, 0 rejected, 0 pages rendered, 0 files written/)]);
    expect(full.stdout).toEqual([expect.stringMatching(new RegExp(`^2 articles published, 0 rejected, 2 pages rendered, ${written} files written`))]);
    expect([io.stderr, again.stderr, full.stderr]).toEqual([[], [], []]);
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Story 2', 'Story 1']));
  });

  it('names each rejected article by its s3:// location and exits 1, publishing the rest', async () => {
    // Prepare
    const s = await newS3Site(server);
    await s.putArticle('good-news.md', { title: 'Good news', date: '2026-11-20' });
    await s.putContent('articles/bad-date.md', articleText({ title: 'Bad', date: 'next Tuesday' }));
    const io = captureIo(NOW, { SITE_URL });

    // Act
    const code = await main(['publish', '--content', `s3://${s.contentBucket}`, '--site', `s3://${s.siteBucket}`], io);

    // Assess
    expect(code).toBe(1);
    expect(io.stderr).toEqual([expect.stringMatching(new RegExp(`^s3://${s.contentBucket}/articles/bad-date\\.md: "date" must be a date`))]);
    expect(io.stdout).toEqual([expect.stringMatching(/^1 article published, 1 rejected/)]);
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Good news']));
  });

  it('exits 2 and writes nothing when site.yaml is wrong', async () => {
    // Prepare
    const s = await newS3Site(server, false);
    await s.putContent('site.yaml', 'title: Test Wire\n');
    await s.putArticle('good-news.md', { title: 'Good news', date: '2026-11-20' });
    const io = captureIo(NOW);
    server.resetCounts();

    // Act
    const code = await main(['publish', '--content', `s3://${s.contentBucket}`, '--site', `s3://${s.siteBucket}`], io);

    // Assess
    expect(code).toBe(2);
    expect(io.stderr).toEqual([expect.stringMatching(/^site\.yaml: .*"description".*\nNothing was written\.$/s)]);
    expect(await s.site.list('')).toEqual([]);
    // The request waits, privately, for a site.yaml that works: nothing asked for is forgotten.
    expect((await s.state.list('')).map((i) => i.key)).toEqual([expect.stringMatching(/^requests\//)]);
  });
});

describe('CDN invalidation', () => {
  it('after a publish, the handler asks the CDN to drop exactly the keys it wrote and deleted; a failed invalidation does not fail the event', async () => {
    // Prepare: two articles published; then one deleted and a new one added
    const s = await newS3Site(server);
    const [first, second] = await uploadStories(s, 2);
    const calls: (readonly string[])[] = [];
    const { handle } = handlerFor(s, {
      invalidate: async (keys) => {
        calls.push([...keys]);
        return invalidationPaths(keys);
      },
    });
    await handle(s3Notification(s.contentBucket, [first as string, second as string]));
    calls.length = 0;
    await s.deleteContent(second as string);
    const added = await s.putArticle('breaking.md', { title: 'Breaking news', date: '2026-11-25T09:00:00Z' });

    // Act
    const result = await handle(s3Notification(s.contentBucket, [{ key: second as string, event: 'ObjectRemoved:Delete' }, added]));
    const replay = await handle(s3Notification(s.contentBucket, [added]));
    const failing = handlerFor(s, {
      invalidate: async () => {
        throw new Error('Throttling: Rate exceeded');
      },
    });
    await s.putArticle('breaking.md', { title: 'Breaking news, updated', date: '2026-11-25T09:00:00Z' });
    const despite = await failing.handle(sqsEvent([s3Notification(s.contentBucket, [added])]));

    // Assess
    expect(calls).toEqual([[...(result.report?.written ?? []), ...(result.report?.deleted ?? [])]]);
    expect(calls[0]).toEqual(expect.arrayContaining([PAGE('breaking'), PAGE('story-2'), 'index.html', 'rss.xml', 'atom.xml', 'feed.json']));
    expect(calls[0]?.filter((key) => key.startsWith('.'))).toEqual([]);
    expect(replay.report?.written).toEqual([]); // nothing changed: no invalidation either
    expect(despite.batchItemFailures).toEqual([]);
    expect(failing.logs).toContainEqual({ level: 'warn', message: 'invalidation failed', fields: { error: 'Error: Throttling: Rate exceeded' } });
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Breaking news, updated', 'Story 1']));
  });
});

describe('WebSub push after a publish', () => {
  async function localHub(status = 204) {
    const pings: URLSearchParams[] = [];
    const hub = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        pings.push(new URLSearchParams(body));
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/`;
    return { url, pings, close: () => new Promise((resolve) => hub.close(resolve)) };
  }

  it('tells the hub which feeds changed, and stays quiet when a replay changes nothing', async () => {
    // Prepare
    const hub = await localHub();
    const s = await newS3Site(server, { websub_hub: hub.url });
    const key = await s.putArticle('scoop.md', { title: 'Scoop', date: '2026-11-20', tags: ['Politics'] });
    const { handle } = handlerFor(s);

    // Act
    await handle(s3Notification(s.contentBucket, [key]));
    await handle(s3Notification(s.contentBucket, [key]));
    await hub.close();

    // Assess
    expect(hub.pings).toHaveLength(1);
    expect(hub.pings[0]?.get('hub.mode')).toBe('publish');
    expect(hub.pings[0]?.getAll('hub.url').sort()).toEqual(
      ['atom.xml', 'feed.json', 'rss.xml', 'tags/politics/atom.xml', 'tags/politics/feed.json', 'tags/politics/rss.xml'].map((k) => `${SITE_URL}${k}`).sort(),
    );
  });

  it('never fails the publish when the hub is down', async () => {
    // Prepare
    const hub = await localHub(503);
    const s = await newS3Site(server, { websub_hub: hub.url });
    const key = await s.putArticle('scoop.md', { title: 'Scoop', date: '2026-11-20' });
    const { handle, logs } = handlerFor(s);

    // Act
    const result = await handle(sqsEvent([s3Notification(s.contentBucket, [key])]));
    await hub.close();

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(hub.pings.length).toBe(3); // tried, and retried
    expect(logs.some((l) => l.level === 'error' && /websub hub not notified/.test(l.message))).toBe(true);
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Scoop']));
  });
});

describe('media on S3', () => {
  it("takes a lead image's type and size from the stored object's metadata and publishes it beside the pages", async () => {
    // Prepare: the object's Content-Type is the truth, whatever its name says
    const s = await newS3Site(server);
    const bytes = Buffer.from('GIF89a-not-really-but-typed-by-the-newsroom');
    await server.client.send(new PutObjectCommand({ Bucket: s.contentBucket, Key: 'media/harbour.jpg', Body: bytes, ContentType: 'image/webp' }));
    const key = await s.putArticle('harbour.md', { title: 'Harbour', date: '2026-11-20', image: { url: '/media/harbour.jpg', alt: 'The harbour' } });

    // Act
    await handlerFor(s).handle(s3Notification(s.contentBucket, [key]));

    // Assess
    const item = parseJsonFeed((await s.read('feed.json')) ?? '').items[0];
    expect(item?.attachments).toEqual([{ url: `${SITE_URL}media/harbour.jpg`, mime_type: 'image/webp', size_in_bytes: bytes.length, title: 'The harbour' }]);
    const published = await server.client.send(new HeadObjectCommand({ Bucket: s.siteBucket, Key: 'media/harbour.jpg' }));
    expect([published.ContentType, published.ContentLength]).toEqual(['image/webp', bytes.length]);
  });
});

describe("full history, sitemap and the feeds' browser views on S3", () => {
  it("publishes archive pages an app can walk with next_url, the sitemap, robots.txt and each feed folder's browser view", async () => {
    // Prepare
    const s = await newS3Site(server, { feed_size: 2 });
    const keys = [];
    for (const day of [1, 2, 3, 4, 5]) keys.push(await s.putArticle(`day-${day}.md`, { title: `Day ${day}`, date: `2026-11-0${day}`, tags: ['Daily'] }));

    // Act
    await handlerFor(s).handle(s3Notification(s.contentBucket, keys));

    // Assess
    const titles: string[] = [];
    let next: string | undefined = `${SITE_URL}feed.json`;
    while (next) {
      const doc = parseJsonFeed((await s.read(next.slice(SITE_URL.length))) ?? '');
      titles.push(...doc.items.map((i) => i.title ?? ''));
      next = doc.next_url;
    }
    expect([...new Set(titles)].sort()).toEqual(['Day 1', 'Day 2', 'Day 3', 'Day 4', 'Day 5']);
    expect(parseRss((await s.read('archive/1/rss.xml')) ?? '').feed.items.map((i) => i.title)).toEqual(['Day 2', 'Day 1']);
    expect(parseJsonFeed((await s.read('tags/daily/feed.json')) ?? '').items.map((i) => i.title)).toEqual(['Day 5', 'Day 4']);
    expect(await s.read('sitemap.xml')).toContain(`<loc>${SITE_URL}sitemap-1.xml</loc>`);
    expect(await s.read('sitemap-1.xml')).toContain(`<loc>${SITE_URL}articles/day-3/</loc>`);
    expect(await s.read('robots.txt')).toContain(`Sitemap: ${SITE_URL}sitemap.xml`);
    for (const key of ['feed.html', 'tags/daily/feed.html', 'archive/1/feed.html']) {
      const view = await server.client.send(new HeadObjectCommand({ Bucket: s.siteBucket, Key: key }));
      expect(view.ContentType).toBe('text/html; charset=utf-8');
    }
    expect(await s.read('archive/1/feed.html')).toContain(`<code id="feed-url-rss">${SITE_URL}rss.xml</code>`);
    expect(await s.read('feed.xsl')).toBeUndefined();
  });
});
