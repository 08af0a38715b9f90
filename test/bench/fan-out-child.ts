// One invocation of the publisher Lambda's handler in a process of its own, as the rebuild's state machine makes
// them (test/bench/fan-out.bench.ts reads its peak RSS and CPU):
//   node --import tsx test/bench/fan-out-child.ts '<json>'
// with { endpoint, content, site, now, event }: the handler (createHandler) on those buckets of the test server,
// its state in the content bucket's .wirefeed/, its fan-out's StartExecution recorded, not sent. Prints one line of
// JSON: the invocation's own wall time (start-up excluded), the execution it started (if it began a fanned-out
// step), and the handler's result.

import type { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { STATE_PREFIX_IN_CONTENT } from '../../functions/core/keys.ts';
import { createHandler, type HandlerResult } from '../../functions/lambda/handler.ts';
import { type FanOutInput, stateMachineFanOut } from '../../functions/lambda/state-machine.ts';
import { createS3Client } from '../../functions/stores/s3-client.ts';
import { S3RVER_CREDENTIALS } from '../helpers/s3-server.ts';

export interface FanOutJob {
  endpoint: string;
  content: string;
  site: string;
  now: string;
  event: unknown;
}

export interface FanOutChildResult {
  ms: number;
  started?: FanOutInput;
  result: HandlerResult;
}

const job = JSON.parse(process.argv[2] ?? '{}') as FanOutJob;
const client = createS3Client({ endpoint: job.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: S3RVER_CREDENTIALS });
let started: FanOutInput | undefined;
const handle = createHandler({
  s3: client,
  contentBucket: job.content,
  siteBucket: job.site,
  now: () => new Date(job.now),
  log: () => undefined,
  fanOut: stateMachineFanOut(
    'arn:aws:states:us-east-1:123456789012:stateMachine:BenchRebuild',
    { bucket: job.content, prefix: STATE_PREFIX_IN_CONTENT },
    {
      minFiles: 1,
      // Step Functions is not here: the start is recorded, and the bench plays the run.
      client: {
        send: async (command: StartExecutionCommand) => {
          started = JSON.parse(command.input.input ?? '{}');
        },
      } as unknown as Pick<SFNClient, 'send'>,
    },
  ),
});
const t0 = performance.now();
const result = await handle(job.event);
const ms = performance.now() - t0;
client.destroy();
process.stdout.write(`${JSON.stringify({ ms, ...(started ? { started } : {}), result: { ...result, report: undefined } } satisfies FanOutChildResult)}\n`);
