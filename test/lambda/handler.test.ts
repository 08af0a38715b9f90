import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { STATE_PREFIX_IN_CONTENT } from '../../functions/core/keys.ts';
import { STATE } from '../../functions/core/state/state.ts';
import { createHandler, type HandlerConfig } from '../../functions/lambda/handler.ts';
import type { Log } from '../../functions/lambda/logger.ts';
import { S3Store } from '../../functions/stores/s3-store.ts';
import { NOW, SITE_SETTINGS } from '../helpers/content.ts';
import { parseJsonFeed } from '../helpers/feeds.ts';
import { useS3Environment } from '../helpers/s3-env.ts';
import { type S3TestServer, startS3Server } from '../helpers/s3-server.ts';
import { inEveryFeed, newS3Site, type S3Site, s3Notification, sqsEvent, uniqueBucket } from '../helpers/s3-site.ts';

/**
 * The Lambda shell (functions/lambda/handler.ts) on a real S3-compatible server: what the handler itself
 * decides — the request an event asks, failures as batchItemFailures or a throw, the log lines, its
 * configuration. What a publish does to the site is told in test/e2e/handler.test.ts.
 */

let server: S3TestServer;

beforeAll(async () => {
  server = await startS3Server();
});

afterAll(async () => {
  await server?.stop();
});

interface Logged {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

function handlerFor(s: Pick<S3Site, 'contentBucket' | 'siteBucket'>, config: Partial<HandlerConfig> = {}) {
  const logs: Logged[] = [];
  const log: Log = (level, message, fields = {}) => logs.push({ level, message, fields });
  const handle = createHandler({ s3: server.client, contentBucket: s.contentBucket, siteBucket: s.siteBucket, siteUrl: SITE_SETTINGS.url, now: () => NOW, log, ...config });
  return { handle, logs };
}

describe('events', () => {
  it('refuses an event it cannot read before any request reaches S3', async () => {
    // Prepare
    const s = await newS3Site(server);
    const { handle } = handlerFor(s);
    server.resetCounts();

    // Act
    const result = handle({ detail: 'an EventBridge event nobody routed here' });

    // Assess
    await expect(result).rejects.toThrow(/^unrecognised event: \{"detail":"an EventBridge event nobody routed here"\}$/);
    expect(server.counts()).toEqual({ get: 0, put: 0, delete: 0, head: 0, list: 0, other: 0 });
  });
});

describe('failures', () => {
  it('marks every message of an SQS batch failed when the publish fails, and throws for a direct event, logging the error, its cause and the keys', async () => {
    // Prepare: a content bucket that does not exist, so the publish cannot even record its request
    const missing = uniqueBucket('missing');
    const { handle, logs } = handlerFor({ contentBucket: missing, siteBucket: uniqueBucket('site') });
    const batch = sqsEvent([s3Notification(missing, ['articles/a.md']), s3Notification(missing, ['articles/b.md'])]);

    // Act
    const queued = await handle(batch);
    const direct = handle(s3Notification(missing, ['articles/c.md']));

    // Assess
    expect(queued).toEqual({ batchItemFailures: batch.Records.map((r) => ({ itemIdentifier: r.messageId })) });
    await expect(direct).rejects.toThrow(new RegExp(`^s3://${missing}/\\.wirefeed/requests/\\S+: could not be written`));
    expect(logs).toEqual([
      {
        level: 'error',
        message: 'publish failed; the previous feeds are still in place',
        fields: { error: expect.stringContaining(`s3://${missing}/`), cause: expect.stringContaining('NoSuchBucket'), keys: ['articles/a.md', 'articles/b.md'] },
      },
      { level: 'error', message: 'publish failed; the previous feeds are still in place', fields: expect.objectContaining({ keys: ['articles/c.md'] }) },
    ]);
  });
});

describe('the result and the log', () => {
  it('returns the report with each rejected article as its file and problem, and logs the rejection and one "published" line of counts', async () => {
    // Prepare
    const s = await newS3Site(server);
    const good = await s.putArticle('good-news.md', { title: 'Good news', date: '2026-11-20' });
    const bad = await s.putArticle('bad-date.md', { title: 'Bad date', date: 'next Tuesday' });
    const { handle, logs } = handlerFor(s);

    // Act
    const result = await handle(sqsEvent([s3Notification(s.contentBucket, [good, bad])]));

    // Assess
    expect(result.batchItemFailures).toEqual([]); // retrying cannot fix an article
    expect(result.report?.rejected).toEqual([{ file: bad, problem: expect.stringContaining('"date" must be a date') }]);
    expect(result.report).not.toHaveProperty('feedFailures');
    expect(logs.filter((l) => l.level !== 'info')).toEqual([{ level: 'warn', message: 'article rejected', fields: { key: bad, problem: result.report?.rejected[0]?.problem } }]);
    expect(logs.filter((l) => l.message === 'published')).toEqual([
      {
        level: 'info',
        message: 'published',
        fields: { mode: 'full', public: 1, rendered: 1, written: result.report?.written.length, deleted: 0, rejected: 1, attempts: 1, queued: false },
      },
    ]);
  });

  it('by default the rejection is one JSON line on stderr with the key and the problem', async () => {
    // Prepare: a handler with its default logger
    const s = await newS3Site(server);
    const key = 'articles/broken.md';
    await s.putContent(key, '---\ntitle: [unclosed\n---\nBody\n');
    const handle = createHandler({ s3: server.client, contentBucket: s.contentBucket, siteBucket: s.siteBucket, siteUrl: SITE_SETTINGS.url, now: () => NOW });
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    const stdout = vi.spyOn(console, 'log').mockImplementation(() => {});

    // Act
    let errLines: unknown[];
    let outLines: unknown[];
    try {
      await handle(s3Notification(s.contentBucket, [key]));
    } finally {
      errLines = stderr.mock.calls.map(([line]) => JSON.parse(String(line)));
      outLines = stdout.mock.calls.map(([line]) => JSON.parse(String(line)));
      stderr.mockRestore();
      stdout.mockRestore();
    }

    // Assess
    expect(errLines).toEqual([{ level: 'warn', message: 'article rejected', key, problem: expect.stringContaining('front matter is not valid YAML') }]);
    expect(outLines).toContainEqual(expect.objectContaining({ level: 'info', message: 'published', rejected: 1 }));
  });
});

describe('configuration', () => {
  it("links every feed item to the configured siteUrl rather than site.yaml's url", async () => {
    // Prepare
    const s = await newS3Site(server, { url: 'https://origin.news.test/' });
    const key = await s.putArticle('budget-vote.md', { title: 'Budget vote tonight', date: '2026-11-20' });
    const { handle } = handlerFor(s, { siteUrl: 'https://cdn.news.test/' });

    // Act
    await handle(s3Notification(s.contentBucket, [key]));

    // Assess
    const feed = parseJsonFeed((await s.read('feed.json')) ?? '');
    expect([feed.home_page_url, feed.feed_url]).toEqual(['https://cdn.news.test/', 'https://cdn.news.test/feed.json']);
    expect(feed.items.map((i) => i.url)).toEqual(['https://cdn.news.test/articles/budget-vote/']);
  });

  it("keeps the publisher's state in the state bucket when one is given, and none under the content bucket's .wirefeed/", async () => {
    // Prepare
    const s = await newS3Site(server);
    const stateBucket = uniqueBucket('state');
    await server.createBucket(stateBucket);
    const key = await s.putArticle('budget-vote.md', { title: 'Budget vote tonight', date: '2026-11-20' });
    const { handle } = handlerFor(s, { stateBucket });

    // Act
    await handle(s3Notification(s.contentBucket, [key]));

    // Assess
    expect(await new S3Store(server.client, stateBucket).get(STATE.head)).toBeDefined();
    expect(await s.content.list(STATE_PREFIX_IN_CONTENT)).toEqual([]);
    expect(await s.read('articles/budget-vote/index.html')).toContain('Budget vote tonight');
  });
});

describe("the Lambda's time", () => {
  it('leaves the rest of a batch too large for one cycle queued when the invocation is short of time, and the next one publishes it', async () => {
    // Prepare: a published site, then an event naming more keys than one cycle takes (500), the last a new article
    const s = await newS3Site(server);
    const { handle, logs } = handlerFor(s);
    await handle({ wirefeed: 'full' });
    const last = await s.putArticle('zz-late.md', { title: 'Late story', date: '2026-11-20' });
    const missing = Array.from({ length: 500 }, (_, i) => `articles/gone-${String(i).padStart(3, '0')}.md`);
    const event = s3Notification(s.contentBucket, [...missing, last]);

    // Act
    const short = await handle(event, { getRemainingTimeInMillis: () => 59_000 });
    const waiting = await s.state.list(STATE.requests);
    const next = await handle({ wirefeed: 'tick' }, { getRemainingTimeInMillis: () => 900_000 });

    // Assess
    expect(short.batchItemFailures).toEqual([]);
    expect(logs).toContainEqual({ level: 'info', message: 'time is short: the rest stays queued for the next publish', fields: { remainingMs: 59_000 } });
    expect(waiting).toHaveLength(1);
    expect(next.report?.written).toContain('articles/zz-late/index.html');
    expect(await s.state.list(STATE.requests)).toEqual([]);
  });

  it('renders as many articles per rebuild checkpoint as rebuildBatch says, so a short invocation stops after that many', async () => {
    // Prepare: three articles published, then new settings; each invocation has less than a minute left
    const s = await newS3Site(server);
    for (const name of ['a', 'b', 'c']) await s.putArticle(`${name}.md`, { title: `Story ${name}`, date: '2026-11-20' });
    const { handle } = handlerFor(s, { rebuildBatch: 2 });
    await handle({ wirefeed: 'full' });
    await s.putSettings({ title: 'The Renamed Wire' });
    const short = { getRemainingTimeInMillis: () => 59_000 };

    // Act
    await handle(s3Notification(s.contentBucket, ['site.yaml']), short);
    const first = JSON.parse((await s.head()) ?? '{}');
    await handle({ wirefeed: 'tick' }, short);
    const second = JSON.parse((await s.head()) ?? '{}');

    // Assess: two files in the first checkpoint, the third in the next (which ends the render step)
    expect(first.rebuild).toMatchObject({ step: 'render', batches: 1, cursor: 'articles/b.md' });
    expect(second.rebuild).toMatchObject({ step: 'index', batches: 2, cursor: 'articles/c.md' });
  });
});

describe('the entry point the stack deploys (functions/handler.ts), configured by its environment', () => {
  useS3Environment(() => server, ['CONTENT_BUCKET', 'SITE_BUCKET', 'STATE_BUCKET', 'SITE_URL', 'DISTRIBUTION_ID', 'WIREFEED_LEASE_SECONDS', 'REBUILD_STATE_MACHINE', 'WIREFEED_FAN_OUT_FILES']);

  /** A fresh copy of the module: the entry point keeps its configured handler for the container's life. */
  async function freshEntry() {
    vi.resetModules();
    return (await import('../../functions/handler.ts')).handler;
  }

  it.each(['CONTENT_BUCKET', 'SITE_BUCKET'])('refuses to run without %s, naming it', async (name) => {
    // Prepare
    process.env.CONTENT_BUCKET = 'news-content';
    process.env.SITE_BUCKET = 'news-site';
    delete process.env[name];
    const handler = await freshEntry();
    server.resetCounts();

    // Act
    const result = handler({ wirefeed: 'full' });

    // Assess
    await expect(result).rejects.toThrow(`${name} is not set: the stack sets it; set it to run the publisher elsewhere`);
    expect(server.counts().put).toBe(0);
  });

  it.each(['0', '2.5', 'many'])('refuses WIREFEED_FAN_OUT_FILES=%s, naming it, before anything is written', async (value) => {
    // Prepare
    Object.assign(process.env, {
      CONTENT_BUCKET: 'news-content',
      SITE_BUCKET: 'news-site',
      REBUILD_STATE_MACHINE: 'arn:aws:states:us-east-1:123456789012:stateMachine:Rebuild',
      WIREFEED_FAN_OUT_FILES: value,
    });
    const handler = await freshEntry();
    server.resetCounts();
    // Act
    const result = handler({ wirefeed: 'full' });
    // Assess
    await expect(result).rejects.toThrow(`WIREFEED_FAN_OUT_FILES is ${value}: give a whole number of article files, at least 1`);
    expect(server.counts().put).toBe(0);
  });

  it('with REBUILD_STATE_MACHINE set, rebuilds an archive under WIREFEED_FAN_OUT_FILES in the Lambda, as without it', async () => {
    // Prepare: two files, the fan-out from three (Step Functions is not reachable here, and is not asked)
    const s = await newS3Site(server);
    await s.putArticle('a.md', { title: 'First', date: '2000-01-01' });
    await s.putArticle('b.md', { title: 'Second', date: '2000-01-02' });
    Object.assign(process.env, {
      CONTENT_BUCKET: s.contentBucket,
      SITE_BUCKET: s.siteBucket,
      REBUILD_STATE_MACHINE: 'arn:aws:states:us-east-1:123456789012:stateMachine:Rebuild',
      WIREFEED_FAN_OUT_FILES: '3',
    });
    const handler = await freshEntry();
    vi.spyOn(console, 'log').mockImplementation(() => {});
    // Act
    try {
      await handler({ wirefeed: 'full' });
    } finally {
      vi.restoreAllMocks();
    }
    // Assess
    expect(await s.feedTitles()).toEqual(inEveryFeed(['Second', 'First']));
    expect(JSON.parse((await s.head()) ?? '{}').rebuild).toBeUndefined();
  });

  it('publishes from CONTENT_BUCKET into SITE_BUCKET, its state in STATE_BUCKET and its links on SITE_URL', async () => {
    // Prepare
    const s = await newS3Site(server);
    const stateBucket = uniqueBucket('state');
    await server.createBucket(stateBucket);
    await s.putArticle('budget-vote.md', { title: 'Budget vote tonight', date: '2000-01-01' });
    Object.assign(process.env, { CONTENT_BUCKET: s.contentBucket, SITE_BUCKET: s.siteBucket, STATE_BUCKET: stateBucket, SITE_URL: 'https://cdn.news.test/' });
    const handler = await freshEntry();
    vi.spyOn(console, 'log').mockImplementation(() => {}); // the default JSON log: not this test's subject

    // Act
    let result: Awaited<ReturnType<typeof handler>>;
    try {
      result = await handler({ wirefeed: 'full' });
    } finally {
      vi.restoreAllMocks();
    }

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(parseJsonFeed((await s.read('feed.json')) ?? '').items.map((i) => [i.title, i.url])).toEqual([['Budget vote tonight', 'https://cdn.news.test/articles/budget-vote/']]);
    expect(await new S3Store(server.client, stateBucket).get(STATE.head)).toBeDefined();
    expect(await s.content.list(STATE_PREFIX_IN_CONTENT)).toEqual([]);
  });
});
