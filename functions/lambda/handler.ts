import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterPublish } from '../after-publish/after-publish.ts';
import { invalidate } from '../after-publish/invalidate.ts';
import type { FanPhase } from '../core/state/state.ts';
import { type LeaseTiming, leaseTiming } from '../publish/protocol/lease.ts';
import { type PublishReport, problemsOf, publish } from '../publish/publish.ts';
import { type FanOut, renderItems, writeItems } from '../publish/rebuild/fan-out.ts';
import { openS3, stateBeside } from '../stores/open.ts';
import { createS3Client } from '../stores/s3-client.ts';
import { readEvent } from './events.ts';
import { jsonLog, type Log } from './logger.ts';
import { stateMachineFanOut } from './state-machine.ts';

export interface HandlerConfig {
  s3: S3Client;
  contentBucket: string;
  siteBucket: string;
  /**
   * The publisher's private state (drafts, embargoes, its indexes): a bucket of its own, never the site's.
   * @default the content bucket under .wirefeed/, which the publish notifications ignore
   */
  stateBucket?: string;
  /** The single-writer lease's timing. @default 30 s, renewed every 10 s */
  lease?: LeaseTiming;
  /** Article files per checkpoint of a full rebuild (a tuning knob; tests make small corpora rebuild in many steps). @default 256 */
  rebuildBatch?: number;
  /** The public base URL; site.yaml's url when undefined. */
  siteUrl?: string;
  /** Where a large archive's rebuild renders (the stack's state machine); none: in a chain of invocations. */
  fanOut?: FanOut;
  /** Invalidate CloudFront after a publish; undefined when there is no distribution (tests, local). */
  invalidate?: (keys: readonly string[], reference: string) => Promise<string[]>;
  log?: Log;
  now?: () => Date;
}

export interface HandlerResult {
  /** For SQS event sources with ReportBatchItemFailures: the messages to retry. */
  batchItemFailures: { itemIdentifier: string }[];
  report?: Omit<PublishReport, 'rejected' | 'feedFailures'> & { rejected: { file: string; problem: string }[] };
  /** A fan-out's child: what it made of the run's step, records or pages (`stale`: the run is no longer the rebuild's, nothing written). */
  rendered?: { phase: FanPhase; run: string; batches: number[]; rendered: number; rejected: number; stale?: true };
}

/**
 * The Lambda, as a function of its configuration, so tests run it against a local S3 server.
 * A publish that fails (S3 still failing after the client's retries) throws, or marks every SQS
 * message failed, so the event is retried and finally lands in the dead-letter queue; the previous
 * feeds stay valid meanwhile. A rejected article is logged and not retried: retrying cannot fix it.
 */
/** What the Lambda runtime passes beside the event: only the time left is used. */
export interface LambdaContext {
  getRemainingTimeInMillis?: () => number;
}

export function createHandler(config: HandlerConfig): (event: unknown, context?: LambdaContext) => Promise<HandlerResult> {
  const log = config.log ?? jsonLog;
  const stores = openS3(config.s3, {
    content: { bucket: config.contentBucket, prefix: '' },
    site: { bucket: config.siteBucket, prefix: '' },
    state: config.stateBucket ? { bucket: config.stateBucket, prefix: '' } : undefined,
  });
  const now = config.now ?? (() => new Date());
  return async (event, context) => {
    const received = readEvent(event);
    if (received.child) {
      // A child of the fan-out: it makes its batches and publishes nothing (a failure is the state machine's to retry).
      const { phase, run, items } = received.child;
      const options = { now: now(), ...(config.siteUrl ? { siteUrl: config.siteUrl } : {}) };
      const done = await (phase === 'render' ? renderItems : writeItems)(stores, options, run, items);
      for (const e of done.rejected) log('warn', 'article rejected', { key: e.file, problem: e.problem });
      // Counts only: Step Functions takes at most 256 KiB of a task's result (the rejections are in the log, and in the state for the holder).
      const rendered = { phase, run, batches: items.map((i) => i.n), rendered: done.made, rejected: done.rejected.length, ...(done.stale ? { stale: done.stale } : {}) };
      log('info', done.stale ? 'the run is no longer the rebuild: nothing made' : `made for the rebuild's ${phase} step`, rendered);
      return { batchItemFailures: [], rendered };
    }
    // The state machine's end of a step ({"wirefeed": "fanned"}) is a tick: the state machine wrote the step's end
    // itself, and an invocation (a hand-sent one too) ends nothing a child may still be making.
    let report: PublishReport;
    try {
      // Another publish holding the lease takes this one's work (queued durably first): the event is done.
      report = await publish(stores, {
        now,
        request: received.request,
        log,
        ...(context?.getRemainingTimeInMillis ? { remainingMs: () => context.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY } : {}),
        ...(config.lease ? { lease: config.lease } : {}),
        ...(config.rebuildBatch ? { rebuildBatch: config.rebuildBatch } : {}),
        ...(config.siteUrl ? { siteUrl: config.siteUrl } : {}),
        ...(config.fanOut ? { fanOut: config.fanOut } : {}),
      });
    } catch (err) {
      log('error', 'publish failed; the previous feeds are still in place', { error: String(err), cause: String((err as Error).cause ?? ''), keys: received.request.keys });
      if (received.messageIds.length === 0) throw err;
      return { batchItemFailures: received.messageIds.map((itemIdentifier) => ({ itemIdentifier })) };
    }
    const problems = problemsOf(report);
    for (const error of problems) log('warn', 'article rejected', { key: error.file, problem: error.problem });
    await afterPublish(report, { log, ...(config.invalidate ? { invalidate: config.invalidate } : {}) });
    const { feedFailures: _told, ...rest } = report;
    const summary = { ...rest, rejected: problems.map((e) => ({ file: e.file, problem: e.problem })) };
    log('info', 'published', {
      mode: report.mode,
      public: report.public,
      rendered: report.rendered,
      written: report.written.length,
      deleted: report.deleted.length,
      rejected: problems.length,
      attempts: report.attempts,
      queued: report.queued,
    });
    return { batchItemFailures: [], report: summary };
  };
}

let cached: ((event: unknown, context?: LambdaContext) => Promise<HandlerResult>) | undefined;

/**
 * The Lambda entry point: configured by CONTENT_BUCKET, SITE_BUCKET, SITE_URL, and optionally STATE_BUCKET,
 * DISTRIBUTION_ID, WIREFEED_LEASE_SECONDS, REBUILD_STATE_MACHINE (with WIREFEED_FAN_OUT_FILES).
 */
export const handler = async (event: unknown, context?: LambdaContext): Promise<HandlerResult> => {
  cached ??= fromEnvironment(process.env); // once per container: clients keep their connections
  return cached(event, context);
};

function fromEnvironment(env: NodeJS.ProcessEnv): (event: unknown, context?: LambdaContext) => Promise<HandlerResult> {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set: the stack sets it; set it to run the publisher elsewhere`);
    return value;
  };
  const distributionId = env.DISTRIBUTION_ID;
  const s3 = createS3Client();
  const contentBucket = required('CONTENT_BUCKET');
  const stateMachine = env.REBUILD_STATE_MACHINE;
  const state = env.STATE_BUCKET ? { bucket: env.STATE_BUCKET, prefix: '' } : stateBeside({ bucket: contentBucket, prefix: '' });
  const fanFiles = env.WIREFEED_FAN_OUT_FILES ? Number(env.WIREFEED_FAN_OUT_FILES) : undefined;
  if (fanFiles !== undefined && !(Number.isSafeInteger(fanFiles) && fanFiles > 0))
    throw new Error(`WIREFEED_FAN_OUT_FILES is ${env.WIREFEED_FAN_OUT_FILES}: give a whole number of article files, at least 1`);
  const cloudfront = distributionId ? new CloudFrontClient({ maxAttempts: 5 }) : undefined;
  return createHandler({
    s3,
    contentBucket,
    siteBucket: required('SITE_BUCKET'),
    ...(env.STATE_BUCKET ? { stateBucket: env.STATE_BUCKET } : {}),
    lease: leaseTiming(env.WIREFEED_LEASE_SECONDS),
    ...(env.SITE_URL ? { siteUrl: env.SITE_URL } : {}),
    ...(stateMachine ? { fanOut: stateMachineFanOut(stateMachine, state, { minFiles: fanFiles }) } : {}),
    ...(cloudfront && distributionId ? { invalidate: (keys: readonly string[], ref: string) => invalidate(cloudfront, distributionId, keys, ref) } : {}),
  });
}
