import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import aslValidator from 'asl-validator';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapLimit } from '../../functions/core/concurrency.ts';
import { STATE_PREFIX_IN_CONTENT } from '../../functions/core/keys.ts';
import { createHandler } from '../../functions/lambda/handler.ts';
import type { Log } from '../../functions/lambda/logger.ts';
import { type FanOutInput, stateMachineFanOut } from '../../functions/lambda/state-machine.ts';
import { ITEMS_PER_CHILD, MAX_CONCURRENCY, TOLERATED_FAILURE_PERCENT } from '../../infra/rebuild-machine.ts';
import { WirefeedStack } from '../../infra/wirefeed-stack.ts';
import { NOW, SITE_SETTINGS } from '../helpers/content.ts';
import { objectsOf } from '../helpers/engine.ts';
import { type S3TestServer, startS3Server } from '../helpers/s3-server.ts';
import { newS3Site, type S3Site } from '../helpers/s3-site.ts';
import { type Parts, type Played, play } from '../helpers/state-machine-player.ts';

/**
 * The rebuild's state machine as the stack synthesises it, validated by asl-validator, then played here
 * (test/helpers/state-machine-player.ts: the one part of this test that stands in for AWS) against the
 * S3-compatible server, its children and its end invoking the real publisher handler: the site it produces is
 * byte for byte the site of the single-process full rebuild of the same content. Also played, because a real
 * server cannot produce them: StartExecution (recorded), and Lambda failures (children that throw, once or always).
 */

// biome-ignore lint/suspicious/noExplicitAny: a synthesised CloudFormation template is untyped JSON, read by path
type Json = Record<string, any>;

let server: S3TestServer;
let scratch: string;
let definition: Json;
let publisherArn: string;

/** A resolved stand-in for each CloudFormation token the definition holds: its partition, the publisher's ARN. */
function resolve(part: string | Json, publisherId: string): string {
  if (typeof part === 'string') return part;
  if (part.Ref === 'AWS::Partition') return 'aws';
  if (part['Fn::GetAtt']?.[0] === publisherId && part['Fn::GetAtt'][1] === 'Arn') return `arn:aws:lambda:us-east-1:123456789012:function:${publisherId}`;
  throw new Error(`the definition refers to ${JSON.stringify(part)}, which this test does not stand in for`);
}

beforeAll(async () => {
  server = await startS3Server();
  scratch = mkdtempSync(join(tmpdir(), 'wirefeed-rebuild-machine-'));
  const context = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context as Json;
  const app = new App({ context: { ...context, [cxapi.BUNDLING_STACKS]: [] }, outdir: scratch });
  const stack = new WirefeedStack(app, 'Wirefeed', {});
  const template = Template.fromStack(stack).toJSON();
  const publisherId = stack.getLogicalId(stack.publisher.node.defaultChild as CfnElement);
  const machine = Object.values(template.Resources as Json).find((r: Json) => r.Type === 'AWS::StepFunctions::StateMachine') as Json;
  definition = JSON.parse((machine.Properties.DefinitionString['Fn::Join'][1] as (string | Json)[]).map((p) => resolve(p, publisherId)).join(''));
  publisherArn = resolve({ 'Fn::GetAtt': [publisherId, 'Arn'] }, publisherId);
});

afterAll(async () => {
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** An hour after 2026-10-01 for each story, all before NOW. */
const hoursIn = (hours: number) => new Date(Date.UTC(2026, 9, 1) + hours * 3_600_000).toISOString().replace(/\.000Z$/, 'Z');

/** 84 files: wire reports under three tags, a draft, an embargo, a broken file, and two files wanting one slug. */
async function archive(s: S3Site): Promise<void> {
  const numbers = Array.from({ length: 80 }, (_, i) => i + 1);
  await mapLimit(numbers, 16, (n) =>
    s.putArticle(`wire-${String(n).padStart(3, '0')}.md`, { title: `Wire report ${n}`, date: hoursIn(n), tags: [['Markets', 'Energy', 'Courts'][n % 3]] }, `Report number ${n}.\n`),
  );
  await s.putArticle('draft.md', { title: 'A draft', date: hoursIn(3), draft: true });
  await s.putArticle('embargoed.md', { title: 'Embargoed', date: '2026-12-24T06:00:00Z' });
  await s.putArticle('twin.md', { title: 'A twin', date: hoursIn(5), slug: 'wire-report-5' });
  await s.putContent('articles/broken.md', '---\ntitle: [unclosed\n---\nBody');
}

/** The reference: the same archive, published by one handler with no state machine (the single-process rebuild); made once. */
let reference: Promise<S3Site> | undefined;
const singleProcess = () => {
  reference ??= publishedAlone();
  return reference;
};
async function publishedAlone(): Promise<S3Site> {
  const s = await newS3Site(server, { ...SITE_SETTINGS, feed_size: 10 });
  await archive(s);
  await createHandler({ s3: server.client, contentBucket: s.contentBucket, siteBucket: s.siteBucket, now: () => NOW, rebuildBatch: 1, log: () => undefined })({ wirefeed: 'full' });
  return s;
}

/**
 * The same archive's first publish with the state machine: the handler starts an execution for each fanned-out step
 * (StartExecution recorded), and each is played in turn, every invocation of the publisher a call of the same
 * handler. `failing` says, by a child's first item, how many of its attempts fail (Infinity: every one), in both steps.
 */
async function fannedOut(failing: ReadonlyMap<number, number>) {
  const s = await newS3Site(server, { ...SITE_SETTINGS, feed_size: 10 });
  await archive(s);
  const started: FanOutInput[] = [];
  // Step Functions cannot run here: its StartExecution is recorded, and the execution played from the template.
  const sfn = { send: async (command: StartExecutionCommand) => void started.push(JSON.parse(command.input.input ?? '{}')) } as unknown as Pick<SFNClient, 'send'>;
  const logged: { message: string; fields: Record<string, unknown> }[] = [];
  const log: Log = (_level, message, fields = {}) => void logged.push({ message, fields });
  const handle = createHandler({
    s3: server.client,
    contentBucket: s.contentBucket,
    siteBucket: s.siteBucket,
    now: () => NOW,
    rebuildBatch: 1,
    log,
    fanOut: stateMachineFanOut('arn:aws:states:us-east-1:123456789012:stateMachine:WirefeedRebuild', { bucket: s.contentBucket, prefix: STATE_PREFIX_IN_CONTENT }, { minFiles: 1, client: sfn }),
  });
  await handle({ wirefeed: 'full' });
  const attempts = new Map<string, number>();
  const parts: Parts = {
    s3: server.client,
    async invoke(arn, payload, _type) {
      expect(arn).toBe(publisherArn);
      const child = payload as { Items?: { n: number }[]; BatchInput?: { wirefeed: string } };
      const first = child.Items?.[0]?.n;
      if (first !== undefined) {
        const name = `${child.BatchInput?.wirefeed}:${first}`;
        const made = (attempts.get(name) ?? 0) + 1;
        attempts.set(name, made);
        // A Lambda that crashed or timed out: Step Functions sees the invocation fail (not a fault the S3 server can make)
        if (made <= (failing.get(first) ?? 0)) throw Object.assign(new Error(`child of items ${first}-${first + ITEMS_PER_CHILD - 1} crashed`), { name: 'Lambda.Unknown' });
      }
      return handle(payload);
    },
  };
  const played: Played[] = [];
  // Each execution's end tells the publisher to go on, which starts the next step's: played until none is left.
  for (let i = 0; i < started.length && i < 5; i++) played.push(await play(definition, started[i], parts));
  const madeUp = (phase: string) =>
    logged.filter((l) => l.message === `the fan-out did not make these batches of the ${phase} step: this publish made them`).flatMap((l) => (l.fields.batches as { n: number }[]).map((b) => b.n));
  return { s, started, played, logged, attempts, madeUp };
}

const siteOf = (s: S3Site) => objectsOf(s.site);
/** Two 84-article publishes through the S3-compatible server: some 20 s on an idle 2-core machine, room for a busy one. */
const SLOW = 240_000;

describe("the rebuild's state machine, played", () => {
  it('is a valid Amazon States Language definition: a Distributed Map of batched children, then the end of the run', () => {
    // Act
    const { isValid, errorsText } = aslValidator(definition);
    // Assess
    expect(isValid, errorsText('\n')).toBe(true);
    const map = definition.States[definition.StartAt];
    expect(map).toMatchObject({
      Type: 'Map',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' } },
      ItemBatcher: { MaxItemsPerBatch: ITEMS_PER_CHILD },
      MaxConcurrency: MAX_CONCURRENCY,
      ToleratedFailurePercentage: TOLERATED_FAILURE_PERCENT,
    });
  });

  it(
    'renders the archive, then writes its records, in concurrent children, retries those that fail once, leaves one that always fails to the publisher, and ends byte for byte as the single-process rebuild',
    async () => {
      // Prepare
      const reference = await singleProcess();
      // Act: of 21 children in each step, two crash once and one (items 41-44) on every attempt: within the 5% tolerated
      const { s, started, played, logged, attempts, madeUp } = await fannedOut(
        new Map([
          [5, 1],
          [25, 1],
          [41, Number.POSITIVE_INFINITY],
        ]),
      );
      // Assess: one execution per step, each given its items in the state (the content bucket's .wirefeed/)
      expect(started.map((s) => s.phase)).toEqual(['render', 'records']);
      expect(started[0]?.key).toMatch(/^\.wirefeed\/rebuild\/g\d+-[a-z0-9]+\/items\.json$/);
      expect(started[1]?.key).toBe(started[0]?.key.replace(/items\.json$/, 'records/items.json'));
      for (const execution of played) {
        expect(execution.status).toBe('SUCCEEDED');
        expect(execution.mostRunning).toBeGreaterThan(1);
        expect(execution.mostRunning).toBeLessThanOrEqual(MAX_CONCURRENCY);
        expect(execution.trace).toContain('FanOut: 21 children, 1 failed');
        expect(execution.trace.filter((t) => t === 'MakeBatches: retried after Lambda.Unknown')).toHaveLength(4);
      }
      expect(['render', 'records'].flatMap((phase) => [5, 25, 41].map((n) => attempts.get(`${phase}:${n}`)))).toEqual([2, 2, 3, 2, 2, 3]);
      // The children named the broken file; the publisher named the batches it made for the failed children
      expect(logged.filter((l) => l.message === 'article rejected').map((l) => l.fields.key)).toContain('articles/broken.md');
      expect([madeUp('render'), madeUp('records')]).toEqual([
        [41, 42, 43, 44],
        [41, 42, 43, 44],
      ]);
      expect(await s.feedTitles()).toEqual(await reference.feedTitles());
      expect(await siteOf(s)).toEqual(await siteOf(reference));
    },
    SLOW,
  );

  it(
    'when more children fail than it tolerates, waits out the rest, says the step is over and fails (raising the alarm), and the publisher still finishes the same site',
    async () => {
      // Prepare
      const reference = await singleProcess();
      // Act: two children of 21 (9.5%) fail on every attempt, in each step
      const { s, played, madeUp } = await fannedOut(
        new Map([
          [1, Number.POSITIVE_INFINITY],
          [81, Number.POSITIVE_INFINITY],
        ]),
      );
      // Assess
      expect(played.map((p) => [p.status, p.error])).toEqual([
        ['FAILED', 'FanOutFailed'],
        ['FAILED', 'FanOutFailed'],
      ]);
      expect(played[0]?.trace).toEqual(expect.arrayContaining(['FanOut: caught States.ExceedToleratedFailureThreshold', 'WaitOutChildren: waits 900 s (played without waiting)']));
      expect([madeUp('render'), madeUp('records')]).toEqual([
        [1, 2, 3, 4, 81, 82, 83, 84],
        [1, 2, 3, 4, 81, 82, 83, 84],
      ]);
      expect(await siteOf(s)).toEqual(await siteOf(reference));
    },
    SLOW,
  );
});
