import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { afterPublish } from '../../functions/after-publish/after-publish.ts';
import type { Log } from '../../functions/lambda/logger.ts';
import { memorySite } from '../helpers/engine.ts';

// afterPublish on the reports of real publishes (MemoryStores), a recording CDN call, and a real HTTP hub on 127.0.0.1.

interface Logged {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

function recorder() {
  const logs: Logged[] = [];
  const log: Log = (level, message, fields) => logs.push({ level, message, ...(fields ? { fields } : {}) });
  const calls: { keys: string[]; reference: string }[] = [];
  const invalidate = async (keys: readonly string[], reference: string) => {
    calls.push({ keys: [...keys], reference });
    return keys.map((key) => `/${key}`);
  };
  return { logs, log, calls, invalidate };
}

const hubs: http.Server[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => new Promise((resolve) => hub.close(resolve))));
});

/** A WebSub hub that accepts every ping and keeps the feed URLs of each. */
async function localHub() {
  const pings: string[][] = [];
  const hub = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      pings.push(new URLSearchParams(body).getAll('hub.url'));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
  hubs.push(hub);
  return { url: `http://127.0.0.1:${(hub.address() as AddressInfo).port}/`, pings };
}

describe('after a publish', () => {
  it('asks the CDN to drop every key written and deleted, under a caller reference of its own each time, and logs the paths', async () => {
    // Prepare: a second publish that adds one article and takes another down
    const s = await memorySite();
    await s.article('old.md', { title: 'Old news', date: '2026-11-20' });
    await s.publish();
    await s.remove('old.md');
    await s.article('new.md', { title: 'New news', date: '2026-11-21' });
    const report = await s.publish();
    const { logs, log, calls, invalidate } = recorder();

    // Act
    await afterPublish(report, { log, invalidate });
    await afterPublish(report, { log, invalidate });

    // Assess
    expect(report.deleted).toContain('articles/old/index.html');
    expect(calls.map((c) => c.keys)).toEqual([
      [...report.written, ...report.deleted],
      [...report.written, ...report.deleted],
    ]);
    expect(calls.map((c) => c.reference)).toEqual([expect.stringMatching(/^wirefeed-\d+-[a-z0-9]+$/), expect.stringMatching(/^wirefeed-\d+-[a-z0-9]+$/)]);
    expect(calls[0]?.reference).not.toBe(calls[1]?.reference); // CloudFront ignores a reference it has seen
    expect(logs).toEqual([
      { level: 'info', message: 'invalidated', fields: { paths: [...report.written, ...report.deleted].map((k) => `/${k}`) } },
      { level: 'info', message: 'invalidated', fields: { paths: [...report.written, ...report.deleted].map((k) => `/${k}`) } },
    ]);
  });

  it('tells the hub exactly the feeds that changed', async () => {
    // Prepare
    const hub = await localHub();
    const s = await memorySite({ websub_hub: hub.url });
    await s.article('scoop.md', { title: 'Scoop', date: '2026-11-20', tags: ['Politics'] });
    const report = await s.publish();
    const { log } = recorder();

    // Act
    await afterPublish(report, { log });

    // Assess
    expect(report.feedsChanged).toContain('https://news.test/tags/politics/rss.xml');
    expect(hub.pings).toEqual([report.feedsChanged]);
  });

  it('asks nothing of the CDN and tells the hub nothing when the publish changed nothing', async () => {
    // Prepare
    const hub = await localHub();
    const s = await memorySite({ websub_hub: hub.url });
    await s.article('scoop.md', { title: 'Scoop', date: '2026-11-20' });
    await s.publish();
    const report = await s.publish();
    const { logs, log, calls, invalidate } = recorder();

    // Act
    await afterPublish(report, { log, invalidate });

    // Assess
    expect([report.written, report.deleted, report.hub]).toEqual([[], [], hub.url]);
    expect(calls).toEqual([]);
    expect(hub.pings).toEqual([]);
    expect(logs).toEqual([]);
  });

  it('logs a failed invalidation as a warning, without failing, and still tells the hub', async () => {
    // Prepare
    const hub = await localHub();
    const s = await memorySite({ websub_hub: hub.url });
    await s.article('scoop.md', { title: 'Scoop', date: '2026-11-20' });
    const report = await s.publish();
    const { logs, log } = recorder();
    const invalidate = async () => {
      throw new Error('Throttling: Rate exceeded');
    };

    // Act
    const done = afterPublish(report, { log, invalidate });

    // Assess
    await expect(done).resolves.toBeUndefined();
    expect(logs[0]).toEqual({ level: 'warn', message: 'invalidation failed', fields: { error: 'Error: Throttling: Rate exceeded' } });
    expect(hub.pings).toEqual([report.feedsChanged]);
  });
});
