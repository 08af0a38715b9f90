import { randomBytes } from 'node:crypto';

import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

import { stringify } from 'yaml';

import { STATE_PREFIX_IN_CONTENT } from '../../functions/core/keys.ts';
import { STATE } from '../../functions/core/state/state.ts';
import { createS3Client } from '../../functions/stores/s3-client.ts';
import { S3Store } from '../../functions/stores/s3-store.ts';
import { articleText, SITE_SETTINGS } from './content.ts';
import { parseAtom, parseJsonFeed, parseRss } from './feeds.ts';
import { S3RVER_CREDENTIALS, type S3TestServer } from './s3-server.ts';

/**
 * A content bucket and a site bucket on the test S3 server, and the few things tests do with them:
 * upload or delete content, read what the publisher wrote, parse the three feeds back.
 */
export interface S3Site {
  contentBucket: string;
  siteBucket: string;
  content: S3Store;
  site: S3Store;
  /** Upload a content object (raw key, e.g. `articles/a.md` or `site.yaml`). */
  putContent(key: string, text: string): Promise<void>;
  /** Upload articles/<name> with front matter `fields`; returns its key. */
  putArticle(name: string, fields: Record<string, unknown>, body?: string): Promise<string>;
  /** Upload site.yaml: SITE_SETTINGS with `overrides`. */
  putSettings(overrides?: Record<string, unknown>): Promise<void>;
  deleteContent(key: string): Promise<void>;
  /** A site object's text, or undefined when there is none. */
  read(key: string): Promise<string | undefined>;
  /** The three feeds, parsed back by the independent parsers, as their item titles (newest first). */
  feedTitles(): Promise<{ rss: string[]; atom: string[]; json: string[] }>;
  /** The publisher's private state, where the handler keeps it by default (the content bucket's .wirefeed/). */
  state: S3Store;
  /** The state's commit point (head.json) as text, or undefined: it changes with every commit. */
  head(): Promise<string | undefined>;
}

let sequence = 0;

/** A unique, valid bucket name (also valid in an s3:// URL for the CLI). */
export function uniqueBucket(role: string): string {
  return `wf-${role}-${++sequence}-${randomBytes(3).toString('hex')}`;
}

/** Fresh buckets, with site.yaml uploaded unless `settings` is false. */
export async function newS3Site(server: S3TestServer, settings: Record<string, unknown> | false = {}): Promise<S3Site> {
  const contentBucket = uniqueBucket('content');
  const siteBucket = uniqueBucket('site');
  await server.createBucket(contentBucket);
  await server.createBucket(siteBucket);
  const client = server.client;
  const content = new S3Store(client, contentBucket);
  const site = new S3Store(client, siteBucket);
  const state = new S3Store(client, contentBucket, STATE_PREFIX_IN_CONTENT);
  const putContent = async (key: string, text: string) => {
    await client.send(new PutObjectCommand({ Bucket: contentBucket, Key: key, Body: Buffer.from(text), ContentType: 'text/markdown; charset=utf-8' }));
  };
  const read = async (key: string) => {
    const object = await site.get(key);
    return object ? Buffer.from(object.body).toString('utf8') : undefined;
  };
  const s3Site: S3Site = {
    contentBucket,
    siteBucket,
    content,
    site,
    putContent,
    async putArticle(name, fields, body) {
      const key = `articles/${name}`;
      await putContent(key, articleText(fields, body));
      return key;
    },
    async putSettings(overrides = {}) {
      await putContent('site.yaml', stringify({ ...SITE_SETTINGS, ...overrides }));
    },
    async deleteContent(key) {
      await client.send(new DeleteObjectCommand({ Bucket: contentBucket, Key: key }));
    },
    read,
    async feedTitles() {
      const [rss, atom, json] = await Promise.all([read('rss.xml'), read('atom.xml'), read('feed.json')]);
      if (rss === undefined || atom === undefined || json === undefined) throw new Error('a feed is missing from the site bucket');
      return {
        rss: parseRss(rss).feed.items.map((i) => i.title ?? ''),
        atom: parseAtom(atom).feed.items.map((i) => i.title ?? ''),
        json: parseJsonFeed(json).items.map((i) => i.title ?? ''),
      };
    },
    state,
    head: async () => {
      const object = await state.get(STATE.head);
      return object ? Buffer.from(object.body).toString('utf8') : undefined;
    },
  };
  if (settings !== false) await s3Site.putSettings(settings);
  return s3Site;
}

/** The same titles expected in RSS, Atom and JSON Feed. */
export function inEveryFeed(titles: string[]): { rss: string[]; atom: string[]; json: string[] } {
  return { rss: titles, atom: titles, json: titles };
}

/** A second real client on the test server, for fault injection that must not touch server.client. */
export function separateClient(server: S3TestServer): S3Client {
  return createS3Client({ endpoint: server.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: S3RVER_CREDENTIALS });
}

// ---------------------------------------------------------------------------------------------------
// Events, shaped as AWS delivers them
// ---------------------------------------------------------------------------------------------------

/** S3 URL-encodes keys in notifications as a form would: '+' for a space, '/' kept. */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

export type S3EventName = 'ObjectCreated:Put' | 'ObjectRemoved:Delete';

/** An S3 event notification (what S3 sends to Lambda directly, and what an SQS message body holds). */
export function s3Notification(bucket: string, changes: readonly (string | { key: string; event: S3EventName })[]): { Records: unknown[] } {
  return {
    Records: changes.map((change, index) => {
      const { key, event } = typeof change === 'string' ? { key: change, event: 'ObjectCreated:Put' as S3EventName } : change;
      return {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: '2026-11-25T12:00:00.000Z',
        eventName: event,
        userIdentity: { principalId: 'AWS:EXAMPLE' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'EXAMPLE', 'x-amz-id-2': 'EXAMPLE' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'wirefeed-publish',
          bucket: { name: bucket, ownerIdentity: { principalId: 'EXAMPLE' }, arn: `arn:aws:s3:::${bucket}` },
          object: {
            key: encodeS3Key(key),
            ...(event === 'ObjectCreated:Put' ? { size: 100, eTag: '0123456789abcdef0123456789abcdef' } : {}),
            sequencer: `0055AED6DCD9028${index}`,
          },
        },
      };
    }),
  };
}

/** What S3 sends once when notifications are set up on a bucket. */
export function s3TestEvent(bucket: string): unknown {
  return { Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-11-25T12:00:00.000Z', Bucket: bucket, RequestId: 'EXAMPLE', HostId: 'EXAMPLE' };
}

let messages = 0;

/** An SQS batch as Lambda receives it: each body a JSON text (an S3 notification, or anything). */
export function sqsEvent(bodies: readonly unknown[]): { Records: { messageId: string; eventSource: 'aws:sqs'; body: string }[] } {
  return {
    Records: bodies.map((body) => ({
      messageId: `00000000-0000-4000-8000-${String(++messages).padStart(12, '0')}`,
      receiptHandle: 'AQEB-example',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1764072000000', SenderId: 'EXAMPLE', ApproximateFirstReceiveTimestamp: '1764072000000' },
      messageAttributes: {},
      md5OfBody: 'example',
      eventSource: 'aws:sqs' as const,
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:wirefeed-publish',
      awsRegion: 'us-east-1',
    })),
  };
}
