import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { invalidate, invalidationPaths } from '../../functions/after-publish/invalidate.ts';

const PAGE = (slug: string) => `articles/${slug}/index.html`;

describe('the CDN paths of changed site keys', () => {
  it('maps a page key to its folder URLs, the front page to /, and collapses many paths into /*', () => {
    // Act
    const few = invalidationPaths(['articles/budget-vote/index.html', 'index.html', 'rss.xml']);
    const many = invalidationPaths(Array.from({ length: 8 }, (_, i) => PAGE(`story-${i}`)));

    // Assess
    expect(few).toEqual(['/', '/articles/budget-vote', '/articles/budget-vote/', '/articles/budget-vote/index.html', '/index.html', '/rss.xml']);
    expect(many).toEqual(['/*']);
    expect(invalidationPaths([])).toEqual([]);
  });

  it('gives a tag page and an archive page their folder URLs too, and names each path once', () => {
    // Act
    const paths = invalidationPaths(['tags/politics/index.html', 'tags/politics/rss.xml', 'archive/3/feed.json', 'tags/politics/index.html']);

    // Assess
    expect(paths).toEqual(['/archive/3/feed.json', '/tags/politics', '/tags/politics/', '/tags/politics/index.html', '/tags/politics/rss.xml']);
  });

  it('lists up to 15 paths one by one, and asks for /* from the 16th on (CloudFront bills per path)', () => {
    // Prepare
    const feeds = (n: number) => Array.from({ length: n }, (_, i) => `archive/${i + 1}/rss.xml`);

    // Act
    const fifteen = invalidationPaths(feeds(15));
    const sixteen = invalidationPaths(feeds(16));

    // Assess
    expect(fifteen).toHaveLength(15);
    expect(fifteen).toContain('/archive/15/rss.xml');
    expect(sixteen).toEqual(['/*']);
  });
});

/**
 * invalidate() through the real CloudFront client. CloudFront has no local server, so this one stands in
 * for its CreateInvalidation endpoint: it records each request and answers as the API reference shows.
 */
describe('asking CloudFront to invalidate', () => {
  interface Recorded {
    method: string;
    url: string;
    paths: string[];
    quantity: number;
    reference: string;
  }
  const servers: http.Server[] = [];
  const clients: CloudFrontClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  /** A stand-in CloudFront API on 127.0.0.1 answering every request with `status` (201 accepts it). */
  async function cloudFront(status = 201) {
    const requests: Recorded[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const batch = new XMLParser({ isArray: (name) => name === 'Path' }).parse(body).InvalidationBatch;
        requests.push({ method: req.method ?? '', url: req.url ?? '', paths: batch.Paths.Items.Path, quantity: batch.Paths.Quantity, reference: String(batch.CallerReference) });
        res.writeHead(status, { 'Content-Type': 'text/xml' });
        res.end(
          status === 201
            ? `<?xml version="1.0"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>I2J0I21PCUYOIK</Id><Status>InProgress</Status><CreateTime>2026-11-25T12:00:00Z</CreateTime>${body.replace(/^<\?xml[^>]*>/, '')}</Invalidation>`
            : '<?xml version="1.0"?><ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: cloudfront:CreateInvalidation</Message></Error><RequestId>b1f2</RequestId></ErrorResponse>',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const client = new CloudFrontClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    clients.push(client);
    return { client, requests };
  }

  it('sends one invalidation of the paths for the distribution, with the caller reference, and returns the paths', async () => {
    // Prepare
    const { client, requests } = await cloudFront();

    // Act
    const paths = await invalidate(client, 'E2QWRUHAPOMQZL', [PAGE('budget-vote'), 'rss.xml'], 'wirefeed-1764072000000-abc');

    // Assess
    expect(paths).toEqual(['/articles/budget-vote', '/articles/budget-vote/', '/articles/budget-vote/index.html', '/rss.xml']);
    expect(requests).toEqual([{ method: 'POST', url: '/2020-05-31/distribution/E2QWRUHAPOMQZL/invalidation', paths, quantity: 4, reference: 'wirefeed-1764072000000-abc' }]);
  });

  it('sends nothing when no key changed', async () => {
    // Prepare
    const { client, requests } = await cloudFront();

    // Act
    const paths = await invalidate(client, 'E2QWRUHAPOMQZL', [], 'wirefeed-1764072000000-abc');

    // Assess
    expect(paths).toEqual([]);
    expect(requests).toEqual([]);
  });

  it("rejects with CloudFront's own error when it refuses, for the caller to log", async () => {
    // Prepare
    const { client } = await cloudFront(403);

    // Act
    const sent = invalidate(client, 'E2QWRUHAPOMQZL', ['rss.xml'], 'wirefeed-1764072000000-abc');

    // Assess
    await expect(sent).rejects.toMatchObject({ name: 'AccessDenied', message: 'User is not authorized to perform: cloudfront:CreateInvalidation' });
  });
});
