import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type FanPhase, STATE } from '../../functions/core/state/state.ts';
import type { Store } from '../../functions/stores/store.ts';

// Plays an Amazon States Language definition here, without AWS: the part of Step Functions a test cannot run.
// It knows what the rebuild's state machine uses and refuses anything else by name, so a definition that grows
// past it fails the test rather than being played wrongly: Task (a Lambda function by ARN, lambda:invoke,
// aws-sdk:s3:putObject), a DISTRIBUTED Map (ItemReader s3:getObject of a JSON array, ItemBatcher,
// MaxConcurrency, ToleratedFailurePercentage), Wait (not waited: the clock is not the test's to spend), Fail;
// Parameters and ResultSelector with `.$` paths of the form $ or $.a.b, ResultPath, Retry and Catch.
// What AWS adds beyond that (retry intervals, jitter, execution history, payload limits) is not played.

// biome-ignore lint/suspicious/noExplicitAny: an ASL definition and the data flowing through it are untyped JSON
type Json = any;

export interface Parts {
  /** A Lambda invocation: the response for 'RequestResponse', nothing for 'Event'. Throws as the function fails. */
  invoke(functionArn: string, payload: unknown, invocationType: 'RequestResponse' | 'Event'): Promise<unknown>;
  /** The S3 the item reader and the aws-sdk:s3 tasks talk to. */
  s3: S3Client;
}

export interface Played {
  status: 'SUCCEEDED' | 'FAILED';
  output?: Json;
  error?: string;
  /** What happened, a line per notable event (retries, catches, map results), in order. */
  trace: string[];
  /** The most children of a map that ran at once. */
  mostRunning: number;
}

/** An error a state raised, as Step Functions names it (`States.TaskFailed`, a function's error type). */
class StatesError extends Error {
  readonly error: string;
  readonly reason: string;
  constructor(error: string, reason: string) {
    super(`${error}: ${reason}`);
    this.error = error;
    this.reason = reason;
  }
}

export async function play(definition: Json, input: Json, parts: Parts): Promise<Played> {
  const played: Played = { status: 'SUCCEEDED', trace: [], mostRunning: 0 };
  const result = await run(definition, input, parts, played);
  return { ...played, ...result };
}

async function run(machine: Json, input: Json, parts: Parts, played: Played): Promise<{ status: Played['status']; output?: Json; error?: string }> {
  let name: string = machine.StartAt;
  let data = input;
  for (;;) {
    const state = machine.States[name];
    if (!state) throw new Error(`the definition has no state ${name}`);
    try {
      if (state.Type === 'Fail') return { status: 'FAILED', error: state.Error };
      if (state.Type === 'Wait') played.trace.push(`${name}: waits ${state.Seconds} s (played without waiting)`);
      else if (state.Type === 'Task') data = applyResult(state, data, await retried(state, name, played, () => task(state, data, parts)));
      else if (state.Type === 'Map') data = applyResult(state, data, await map(state, name, data, parts, played));
      else throw new Error(`the player does not play ${state.Type} states (${name})`);
    } catch (err) {
      if (!(err instanceof StatesError)) throw err;
      const caught = (state.Catch as Json[] | undefined)?.find((c) => matches(c.ErrorEquals, err.error));
      if (!caught) return { status: 'FAILED', error: err.error };
      played.trace.push(`${name}: caught ${err.error}`);
      data = atPath(caught.ResultPath, data, { Error: err.error, Cause: err.reason });
      name = caught.Next;
      continue;
    }
    if (state.End) return { status: 'SUCCEEDED', output: data };
    name = state.Next;
  }
}

async function task(state: Json, data: Json, parts: Parts): Promise<Json> {
  const resource: string = state.Resource;
  try {
    if (/^arn:[^:]+:lambda:/.test(resource)) return await parts.invoke(resource, data, 'RequestResponse');
    const p = parameters(state.Parameters ?? {}, data);
    if (/^arn:[^:]+:states:::lambda:invoke$/.test(resource)) {
      const type = p.InvocationType ?? 'RequestResponse';
      const response = await parts.invoke(p.FunctionName, p.Payload, type);
      return { StatusCode: type === 'Event' ? 202 : 200, Payload: type === 'Event' ? '' : response };
    }
    if (/^arn:[^:]+:states:::aws-sdk:s3:putObject$/.test(resource)) {
      const put = await parts.s3.send(new PutObjectCommand({ Bucket: p.Bucket, Key: p.Key, Body: p.Body, ContentType: p.ContentType }));
      return { ETag: put.ETag };
    }
  } catch (err) {
    throw new StatesError((err as Error).name || 'Error', (err as Error).message);
  }
  throw new Error(`the player does not play tasks of ${resource}`);
}

async function retried(state: Json, name: string, played: Played, attempt: () => Promise<Json>): Promise<Json> {
  const tries = new Map<Json, number>();
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof StatesError)) throw err;
      const retrier = (state.Retry as Json[] | undefined)?.find((r) => matches(r.ErrorEquals, err.error));
      const used = tries.get(retrier) ?? 0;
      if (!retrier || used >= (retrier.MaxAttempts ?? 3)) throw err;
      tries.set(retrier, used + 1);
      played.trace.push(`${name}: retried after ${err.error}`);
    }
  }
}

async function map(state: Json, name: string, data: Json, parts: Parts, played: Played): Promise<Json[]> {
  if (state.ItemProcessor?.ProcessorConfig?.Mode !== 'DISTRIBUTED') throw new Error(`the player plays distributed maps only (${name})`);
  const reader = state.ItemReader;
  if (!/^arn:[^:]+:states:::s3:getObject$/.test(reader?.Resource) || reader.ReaderConfig?.InputType !== 'JSON') throw new Error(`the player reads JSON items from S3 only (${name})`);
  const where = parameters(reader.Parameters, data);
  const object = await parts.s3.send(new GetObjectCommand({ Bucket: where.Bucket, Key: where.Key }));
  const items = JSON.parse((await object.Body?.transformToString()) ?? 'null') as Json[];
  const size: number = state.ItemBatcher?.MaxItemsPerBatch ?? 1;
  const batchInput = state.ItemBatcher?.BatchInput ? parameters(state.ItemBatcher.BatchInput, data) : undefined;
  const children: Json[] = [];
  for (let at = 0; at < items.length; at += size) children.push(state.ItemBatcher ? { Items: items.slice(at, at + size), ...(batchInput ? { BatchInput: batchInput } : {}) } : items[at]);
  const limit: number = state.MaxConcurrency || Number.POSITIVE_INFINITY;
  let running = 0;
  let next = 0;
  const results: { status: Played['status']; output?: Json }[] = [];
  const worker = async () => {
    while (next < children.length) {
      const i = next++;
      running++;
      played.mostRunning = Math.max(played.mostRunning, running);
      results[i] = await run(state.ItemProcessor, children[i], parts, played);
      running--;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, children.length) }, worker));
  const failed = results.filter((r) => r.status === 'FAILED').length;
  played.trace.push(`${name}: ${children.length} children, ${failed} failed`);
  const tolerated: number = state.ToleratedFailurePercentage ?? 0;
  if (failed > 0 && (failed / children.length) * 100 > tolerated) throw new StatesError('States.ExceedToleratedFailureThreshold', `${failed} of ${children.length} children failed`);
  return results.map((r) => r.output ?? null);
}

function applyResult(state: Json, data: Json, result: Json): Json {
  return atPath(state.ResultPath, data, state.ResultSelector ? parameters(state.ResultSelector, result) : result);
}

/** ResultPath: undefined is `$` (the result replaces the input), null discards the result. */
function atPath(path: string | null | undefined, data: Json, value: Json): Json {
  if (path === null) return data;
  if (path === undefined || path === '$') return value;
  const keys = steps(path);
  const out = structuredClone(data);
  let at = out;
  for (const key of keys.slice(0, -1)) at = at[key] ??= {};
  at[keys.at(-1) as string] = value;
  return out;
}

function parameters(template: Json, data: Json): Json {
  if (Array.isArray(template)) return template.map((t) => parameters(t, data));
  if (template === null || typeof template !== 'object') return template;
  const out: Json = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) out[key.slice(0, -2)] = read(data, value as string);
    else out[key] = parameters(value, data);
  }
  return out;
}

function read(data: Json, path: string): Json {
  let at = data;
  for (const key of steps(path)) at = at?.[key];
  return at;
}

function steps(path: string): string[] {
  if (path === '$') return [];
  if (!/^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(path)) throw new Error(`the player reads paths of the form $.a.b only, not ${path}`);
  return path.slice(2).split('.');
}

function matches(errors: string[], error: string): boolean {
  return errors.includes(error) || (errors.includes('States.ALL') && error !== 'States.Runtime');
}

/** What the state machine's EndOfStep state writes, for tests that play an execution by hand: the step's end in the state. */
export async function endOfStep(state: Store, run: string, failed: boolean, phase: FanPhase = 'render'): Promise<void> {
  await state.put(STATE.fanEnded(run, phase), JSON.stringify({ failed }), { contentType: 'application/json' });
}
