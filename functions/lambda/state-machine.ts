import type { SFNClient } from '@aws-sdk/client-sfn';
import { type FanPhase, STATE } from '../core/state/state.ts';
import type { FanOut } from '../publish/rebuild/fan-out.ts';
import type { S3Location } from '../stores/open.ts';

/**
 * Archives of at least this many files have their full rebuild's render step fanned out on the state machine:
 * below it, a chain of 5-minute invocations renders them in a few links (about 20,000 files a link on S3), and
 * the state machine's start-up, minutes of children's cold starts and the made-up batches would buy nothing.
 */
const FAN_OUT_FILES = 20_000;

/** What the state machine is given: the run and its step (its execution's name), where its item reader finds the step's items, where it writes the step's end. */
export interface FanOutInput {
  run: string;
  phase: FanPhase;
  bucket: string;
  key: string;
  ended: string;
}

/**
 * The rebuild's fan-out on the stack's state machine (infra/rebuild-machine.ts), one execution per step of a run.
 * Starting is idempotent: the run and step name the execution, and a start of a name that ran already is that
 * execution, not a second one. The
 * Step Functions client is loaded on the first start only: an invocation that fans nothing out never pays for it.
 */
export function stateMachineFanOut(stateMachineArn: string, state: S3Location, options: { minFiles?: number | undefined; client?: Pick<SFNClient, 'send'> } = {}): FanOut {
  let client = options.client;
  return {
    minFiles: options.minFiles ?? FAN_OUT_FILES,
    async start(run, items, phase) {
      const sfn = await import('@aws-sdk/client-sfn');
      client ??= new sfn.SFNClient({ maxAttempts: 5 });
      const input: FanOutInput = { run, phase, bucket: state.bucket, key: `${state.prefix}${items}`, ended: `${state.prefix}${STATE.fanEnded(run, phase)}` };
      try {
        await client.send(new sfn.StartExecutionCommand({ stateMachineArn, name: phase === 'render' ? run : `${run}-${phase}`, input: JSON.stringify(input) }));
      } catch (err) {
        // Started before (and over, or with another input: there is none), so nothing is lost by not starting it again.
        if (!(err instanceof sfn.ExecutionAlreadyExists)) throw err;
      }
    },
  };
}
