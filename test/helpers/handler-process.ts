// One handler invocation in a process of its own, as the Lambda runs one, so that a test can SIGKILL it
// mid-way (an invocation cut off by a crash or its timeout: nothing of it runs on, not even its finally).
// The stress test runs it as
//   node --import tsx test/helpers/handler-process.ts '<json>'
// with a HandlerJob; the S3 endpoint, the credentials and the app id that marks its requests come from the
// environment (AWS_ENDPOINT_URL_S3, AWS_SDK_UA_APP_ID), as for the CLI child. Prints the handler's result as
// one line of JSON on stdout; what it logs goes to stderr.

import { createHandler } from '../../functions/lambda/handler.ts';
import { leaseTiming } from '../../functions/publish/protocol/lease.ts';
import { createS3Client } from '../../functions/stores/s3-client.ts';
import { runningOut } from './lambda-context.ts';

export interface HandlerJob {
  contentBucket: string;
  siteBucket: string;
  /** The handler's clock, fixed (ISO 8601). */
  now: string;
  event: unknown;
  /** The lease's time to live, as WIREFEED_LEASE_SECONDS says it. */
  leaseSeconds: string;
  rebuildBatch: number;
  /** Looks at the time left that find it ample (lambda-context.ts); the later ones find under a minute. */
  ample: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as HandlerJob;
const s3 = createS3Client();
const handle = createHandler({
  s3,
  contentBucket: job.contentBucket,
  siteBucket: job.siteBucket,
  now: () => new Date(job.now),
  lease: leaseTiming(job.leaseSeconds),
  rebuildBatch: job.rebuildBatch,
  log: (level, message, fields) => process.stderr.write(`${level} ${message} ${JSON.stringify(fields ?? {})}\n`),
});
try {
  process.stdout.write(`${JSON.stringify(await handle(job.event, runningOut(job.ample)))}\n`);
} finally {
  s3.destroy();
}
