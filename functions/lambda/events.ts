import type { FanItem, FanPhase } from '../core/state/state.ts';
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
  /** A child of the rebuild's fan-out (the state machine's item batcher): this step's batches of the run, and nothing published. */
  child?: { phase: FanPhase; run: string; items: FanItem[] };
  /** The fan-out's last state: the run's step is over (`failed` when batches may be missing), and the rebuild goes on. */
  fanEnded?: { phase: FanPhase; run: string; failed: boolean };
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
  const e = (event ?? {}) as { wirefeed?: unknown; Records?: unknown; run?: unknown; phase?: unknown; failed?: unknown; BatchInput?: { wirefeed?: unknown; run?: unknown }; Items?: unknown };
  const phase = e.BatchInput?.wirefeed;
  if (isPhase(phase) && isRun(e.BatchInput?.run) && Array.isArray(e.Items) && e.Items.every(isFanItem)) {
    return { request: ask.keys(), messageIds: [], child: { phase, run: e.BatchInput.run, items: e.Items } };
  }
  if (e.wirefeed === 'fanned' && isRun(e.run) && (e.phase === undefined || isPhase(e.phase))) {
    return { request: ask.keys(), messageIds: [], fanEnded: { phase: e.phase ?? 'render', run: e.run, failed: e.failed === true } };
  }
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

const isPhase = (phase: unknown): phase is FanPhase => phase === 'render' || phase === 'records';

/** A run's name, as the publisher makes them and Step Functions takes them as execution names. */
const isRun = (run: unknown): run is string => typeof run === 'string' && /^[A-Za-z0-9_-]{1,80}$/.test(run);

function isFanItem(item: unknown): item is FanItem {
  const i = item as Partial<FanItem> | null;
  return typeof i === 'object' && i !== null && Number.isSafeInteger(i.n) && (i.n as number) > 0 && ['undefined', 'string'].includes(typeof i.after) && ['undefined', 'string'].includes(typeof i.last);
}
