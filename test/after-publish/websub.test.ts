// The WebSub ping against real HTTP servers on 127.0.0.1: a hub that redirects is never followed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pingHub } from '../../functions/after-publish/websub.ts';

interface Server {
  url: string;
  hits: string[];
  close(): Promise<void>;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(answer: (res: http.ServerResponse) => void): Promise<Server> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      hits.push(`${req.method} ${body}`);
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const s = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  servers.push(s);
  return s;
}

describe('the WebSub ping', () => {
  it.each([301, 302, 303, 307, 308])('does not follow a %i redirect, and logs the failure', async (status) => {
    // Prepare: the hub redirects to another server, which must never be reached.
    const elsewhere = await serve((res) => res.writeHead(204).end());
    const hub = await serve((res) => res.writeHead(status, { Location: elsewhere.url }).end());
    const logs: { level: string; message: string; fields?: Record<string, unknown> }[] = [];

    // Act
    const ok = await pingHub(hub.url, ['https://news.test/rss.xml'], (level, message, fields) => logs.push({ level, message, ...(fields ? { fields } : {}) }));

    // Assess
    expect(ok).toBe(false);
    expect(hub.hits).toHaveLength(1); // a redirect is an answer, not a fault to retry
    expect(hub.hits[0]).toBe('POST hub.mode=publish&hub.url=https%3A%2F%2Fnews.test%2Frss.xml');
    expect(elsewhere.hits).toEqual([]);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'error', message: expect.stringMatching(/redirect, which is not followed/), fields: expect.objectContaining({ status, location: elsewhere.url }) }),
    );
  });

  it('still notifies a hub that answers itself', async () => {
    const hub = await serve((res) => res.writeHead(204).end());
    await expect(pingHub(hub.url, ['https://news.test/rss.xml', 'https://news.test/atom.xml'], () => {})).resolves.toBe(true);
    expect(hub.hits).toEqual(['POST hub.mode=publish&hub.url=https%3A%2F%2Fnews.test%2Frss.xml&hub.url=https%3A%2F%2Fnews.test%2Fatom.xml']);
  });
});

describe('WebSub pings', () => {
  async function hub(statuses: number[]) {
    const bodies: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.statusCode = statuses.shift() ?? 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, bodies, close: () => new Promise((r) => server.close(r)) };
  }

  it('tell the hub which feeds changed, retrying a failing hub', async () => {
    const h = await hub([503, 204]);
    const ok = await pingHub(h.url, ['https://news.test/rss.xml', 'https://news.test/feed.json'], () => {});
    await h.close();
    expect(ok).toBe(true);
    expect(h.bodies).toHaveLength(2);
    const params = new URLSearchParams(h.bodies[1]);
    expect(params.get('hub.mode')).toBe('publish');
    expect(params.getAll('hub.url')).toEqual(['https://news.test/rss.xml', 'https://news.test/feed.json']);
  });

  it('never throw when the hub stays down', async () => {
    const h = await hub([500, 500, 500]);
    await expect(pingHub(h.url, ['https://news.test/rss.xml'], () => {})).resolves.toBe(false);
    await h.close();
    await expect(pingHub('http://127.0.0.1:1/', ['https://news.test/rss.xml'], () => {}, 2)).resolves.toBe(false);
  });
});
