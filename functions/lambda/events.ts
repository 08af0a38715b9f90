import { ask, type Request } from '../publish/protocol/requests.ts';

/**
 * What an invocation was given, from any of the event shapes the Lambda receives: S3 notifications
 * (direct, or wrapped in SQS messages), the stack's schedules, or a hand-made `{ "wirefeed": "full" }`.
 */
export interface Received {
  /** What the publish is asked: the events' content keys, decoded; the tick's clock work; a scan; a rebuild. */
  request: Request;
  /** SQS message ids, to report as failures if the publish fails. */
  messageIds: string[];
}

interface S3Record {
  eventSource?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string } };
}
interface SqsRecord {
  eventSource?: string;
  messageId?: string;
  body?: string;
}

/** S3 URL-encodes keys in notifications, with '+' for spaces. */
function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

export function readEvent(event: unknown): Received {
  const e = (event ?? {}) as { wirefeed?: unknown; Records?: unknown };
  if (e.wirefeed === 'tick') return { request: ask.keys(), messageIds: [] }; // embargoes and expiry only
  if (e.wirefeed === 'reconcile') return { request: ask.scan(), messageIds: [] };
  if (e.wirefeed === 'full') return { request: ask.full(), messageIds: [] };
  if (!Array.isArray(e.Records)) throw new Error(`unrecognised event: ${JSON.stringify(event).slice(0, 200)}`);
  const keys = new Set<string>();
  const messageIds: string[] = [];
  for (const record of e.Records as (S3Record & SqsRecord)[]) {
    if (record.eventSource === 'aws:sqs') {
      if (record.messageId) messageIds.push(record.messageId);
      for (const key of s3Keys(parseBody(record.body))) keys.add(key);
    } else {
      for (const key of s3Keys({ Records: [record] })) keys.add(key);
    }
  }
  return { request: ask.keys([...keys].sort()), messageIds };
}

function parseBody(body: string | undefined): unknown {
  try {
    return JSON.parse(body ?? '{}');
  } catch {
    return {}; // not an S3 notification: nothing to publish for it
  }
}

/** Keys of an S3 notification; s3:TestEvent (sent when notifications are set up) has none. */
function s3Keys(notification: unknown): string[] {
  const records = (notification as { Records?: S3Record[] } | null)?.Records;
  if (!Array.isArray(records)) return [];
  return records.flatMap((r) => (r.eventSource === 'aws:s3' && typeof r.s3?.object?.key === 'string' ? [decodeS3Key(r.s3.object.key)] : []));
}
