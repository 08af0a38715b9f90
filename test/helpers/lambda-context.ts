import type { LambdaContext } from '../../functions/lambda/handler.ts';

/**
 * A Lambda context whose invocation runs out of time by count, never by clock: its first `ample` looks at the
 * time left answer a quarter of an hour, every later one 30 s (under the minute a holder needs to go on). A
 * publish looks before each cycle after its first and before each rebuild checkpoint after its first, so the
 * holder stops after about `ample` + 1 units of work, however fast the machine is.
 */
export function runningOut(ample: number): LambdaContext {
  let looks = 0;
  return { getRemainingTimeInMillis: () => (looks++ < ample ? 15 * 60_000 : 30_000) };
}
