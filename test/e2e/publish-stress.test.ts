import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler, type HandlerResult, type LambdaContext } from '../../functions/lambda/handler.ts';
import type { Log } from '../../functions/lambda/logger.ts';
import { leaseTiming } from '../../functions/publish/protocol/lease.ts';
import { textOf } from '../helpers/feeds.ts';
import type { HandlerJob } from '../helpers/handler-process.ts';
import { runningOut } from '../helpers/lambda-context.ts';
import { mulberry32 } from '../helpers/random.ts';
import { S3RVER_CREDENTIALS, type S3TestServer, startS3Server } from '../helpers/s3-server.ts';
import { newS3Site, type S3EventName, type S3Site, s3Notification, sqsEvent } from '../helpers/s3-site.ts';
import { siteViolations } from '../helpers/site-oracle.ts';

/**
 * THE PUBLISHING ENGINE UNDER STRESS, judged by its public contract only: S3 events in (through the
 * handler, as SQS delivers them: batched, duplicated, out of order, failures redelivered), `wirefeed
 * publish` running alongside as a real child process (and sometimes killed with SIGKILL), and what the
 * site bucket holds once everything has settled. After every round the site must equal what the
 * content says (test/helpers/site-oracle.ts works that out from the README's rules alone).
 *
 * Settling is what production does: every handler invocation finished, every failed message
 * redelivered, killed children dead, then the round's events delivered once more and the minute's
 * tick. No full rebuild and no reconcile: ordinary publishes must converge. After a kill the settle
 * step may tick once a second (a correct engine may wait for a dead writer's lease to lapse), for at
 * most SETTLE_AFTER_KILL_MS per round and SETTLE_BUDGET_MS over the whole run.
 *
 * Each round: a batch of content operations on overlapping keys (create, edit, delete, draft, embargo,
 * republish, expire), each followed by its S3 event; CONSUMERS pollers start together on overlapping,
 * shuffled batches and keep receiving (a message may be in several batches; a failed one comes back
 * after a visibility timeout); every CLI_EVERY-th round `wirefeed publish` runs alongside as a child
 * process, sometimes SIGKILLed. The handler's clock is fixed per round (createHandler({ now })) and the
 * child's is the real one, so public dates are in 2025 and embargoes in 2099: both clocks agree.
 *
 * Every SETTINGS_EVERY-th round changes site.yaml (a new title and feed_size) while the newsroom writes: a
 * full rebuild (README "Publishing" 9), carried by a chain of short handler invocations (each one's context
 * has under a minute left after its first few looks, counted, never timed) at REBUILD_BATCH files a
 * checkpoint; some invocations run in a process of their own and are SIGKILLed at a store write, their batch
 * redelivered; the settle step ticks until the rebuild is done. The round opens by proving that publishing
 * goes on during the render step: an article created then is live before the rebuild ends.
 *
 * What the test assumes of the engine beyond the README: the handler takes `{ wirefeed: 'tick' }` (the
 * minute schedule's event) and createHandler({ rebuildBatch }), the CLI child may take WIREFEED_LEASE_SECONDS
 * (ignored if it does not), and the head is `.wirefeed/head.json` in the content bucket (its `rebuild` field
 * is read, never written).
 *
 * The content operations come from a seeded PRNG (printed): WIREFEED_STRESS_SEED=<seed> replays the
 * same operations in the same order (the interleaving of the concurrent publishes is the machine's).
 * WIREFEED_STRESS_ROUNDS overrides the number of rounds, WIREFEED_STRESS_CHAIN_EVERY and
 * WIREFEED_STRESS_SETTINGS_EVERY how often kill chains and settings changes come (0: never);
 * WIREFEED_STRESS_VERBOSE=1 prints each round's violations as they are found.
 */

// ---------------------------------------------------------------------------------------------------
// Sizes
// ---------------------------------------------------------------------------------------------------

const SEED = process.env.WIREFEED_STRESS_SEED ? Number(process.env.WIREFEED_STRESS_SEED) : Math.floor(Math.random() * 2 ** 31);
const ROUNDS = Number(process.env.WIREFEED_STRESS_ROUNDS ?? 20);
/** Small, so both the main feed and the archive documents change in most rounds. */
const FEED_SIZE = 4;
/** Content operations per round, at most this many milliseconds apart. */
const OPS_PER_ROUND = [5, 10] as const;
const WRITE_GAP_MS = 60;
/** Each round favours a few files, so batches keep meeting the same keys. */
const HOT_FILES = 4;
const HOT_CHANCE = 0.7;
/** Concurrent handler invocations (SQS pollers), each taking up to MAX_BATCH visible messages. */
const CONSUMERS = 5;
const MAX_BATCH = 4;
/** The chance that a received message stays visible too, so another batch gets it as well (at-least-once). */
const DUPLICATE_CHANCE = 0.35;
/** Receives before a message goes to the dead-letter queue; the visibility timeout doubles from 200 ms to 5 s. */
const MAX_RECEIVES = 12;
/** Every CLI_EVERY-th round runs `wirefeed publish` alongside; KILL_CHANCE of those kill it after KILL_AFTER_MS. */
const CLI_EVERY = 3;
const KILL_CHANCE = 0.6;
const KILL_AFTER_MS = [10, 1500] as const;
/** The CLI child's lease, for an engine that takes WIREFEED_LEASE_SECONDS: a killed child's lapses soon. */
const CLI_LEASE_SECONDS = '6';
/**
 * Every CHAIN_EVERY-th round is a kill chain instead: 1 to CHAIN_MAX `wirefeed publish` runs in a row, each
 * SIGKILLed at a random site write (its 1st to CHAIN_WRITES-th PUT or DELETE to the site bucket, seen by the test
 * server; writes in flight at that moment land or not, by coin), the content changed before each; then the
 * handler is given those changes' events, and the minute ticks. No --full: the next holders must repair it.
 */
const CHAIN_EVERY = Number(process.env.WIREFEED_STRESS_CHAIN_EVERY ?? 7);
const CHAIN_MAX = 3;
const CHAIN_WRITES = 30;
const CHAIN_FULL_CHANCE = 0.4;
/**
 * Every SETTINGS_EVERY-th round (unless a kill chain) changes site.yaml to the next edition: its title and
 * feed_size (FEED_SIZES, in turn). Its handler invocations are short of time: each one's context finds the
 * time ample for its first 0 to AMPLE_MAX looks (0 for a third of them), then under a minute. The handler
 * renders REBUILD_BATCH article files per rebuild checkpoint, so a dozen files make a chain of dozens of
 * holders. HANDLER_KILL_CHANCE of the round's invocations (at most HANDLER_KILLS a round) run in a process
 * of their own, SIGKILLed at their 1st to HANDLER_KILL_WRITES-th write to either bucket.
 */
const SETTINGS_EVERY = Number(process.env.WIREFEED_STRESS_SETTINGS_EVERY ?? 5);
const FEED_SIZES = [FEED_SIZE, 3, 5, 2, 6] as const;
const REBUILD_BATCH = 2;
const AMPLE_MAX = 4;
const HANDLER_KILL_CHANCE = 0.3;
const HANDLER_KILLS = 1;
const HANDLER_KILL_WRITES = 12;
/**
 * A settings round's handlers, in this process and in their own, hold a lease of this many seconds (as
 * WIREFEED_LEASE_SECONDS says it): a killed one's lapses in a few seconds for the others (its time to live,
 * and their allowance for clock skew, a sixth of theirs).
 */
const REBUILD_LEASE_SECONDS = '3';
/** Ticks the settle step gives a rebuild (each makes a checkpoint or more), and ticks in a row it may find the lease held, half a second apart. */
const REBUILD_TICKS = 250;
const HELD_TICKS = 30;
const SETTLE_AFTER_KILL_MS = 45_000;
const SETTLE_BUDGET_MS = Number(process.env.WIREFEED_STRESS_SETTLE_BUDGET_MS ?? 90_000);
/** When the last `wirefeed publish` child was killed. */
const lastKill = { at: Number.NEGATIVE_INFINITY };
/** A round still running after this long has hung (an invocation that never returns): the run stops. */
const ROUND_LIMIT_MS = 240_000;
/** How often a round looks at the pages of its newest writes, for upload-to-live times. */
const POLL_MS = 150;
/** The handler's clock: fixed in each round, a minute later each round. Public dates are in 2025, embargoes in 2099. */
const BASE_CLOCK = Date.UTC(2026, 10, 25, 12, 0, 0);

/** The article files: names that share prefixes (and so page folders that do), some with a lead image. */
const POOL: readonly { name: string; topic: string; image?: string }[] = [
  { name: 'harbour', topic: 'Harbour', image: 'harbour.jpg' },
  { name: 'harbour-fire', topic: 'Harbour fire', image: 'harbour.jpg' },
  { name: 'harbour-fire-2', topic: 'Second harbour fire' },
  { name: 'city-budget', topic: 'City budget', image: 'council.jpg' },
  { name: 'city-budget-vote', topic: 'Budget vote', image: 'council.jpg' },
  { name: 'storm', topic: 'Storm' },
  { name: 'storm-warning', topic: 'Storm warning', image: 'storm.jpg' },
  { name: 'rail', topic: 'Rail' },
  { name: 'rail-strike', topic: 'Rail strike' },
  { name: 'school-meals', topic: 'School meals' },
  { name: 'bridge', topic: 'Bridge' },
  { name: 'bridge-repairs', topic: 'Bridge repairs' },
];
const TAGS = ['Harbour', 'City Hall', 'Weather', 'Transport', 'Schools'];
const MEDIA = ['harbour.jpg', 'council.jpg', 'storm.jpg'];
const WORDS = ['update', 'latest', 'live', 'explained', 'reaction', 'timeline', 'analysis', 'briefing'];

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'functions', 'bin', 'wirefeed.js');
const HANDLER_PROCESS = path.join(ROOT, 'test', 'helpers', 'handler-process.ts');

// ---------------------------------------------------------------------------------------------------

let server: S3TestServer;

beforeAll(async () => {
  server = await startS3Server();
  // Each child process marks its requests with its app id (the SDK puts it in its User-Agent): its kill hook sees its writes.
  server.interceptWrites((w) => {
    const id = /(?:^| )app\/(wf-stress-\S+)/.exec(w.userAgent)?.[1];
    return (id === undefined ? undefined : writeHooks.get(id)?.(w)) ?? 'forward';
  });
});

afterAll(async () => {
  await server?.stop();
});

describe('publishing under concurrency and crashes', () => {
  it('after every round of overlapping publishes, redeliveries and killed CLI runs, the settled site equals what the content says', { timeout: Math.max(300_000, ROUNDS * 40_000) }, async () => {
    // Prepare: a site, its images, and a first set of articles published calmly (round 0)
    const started = performance.now();
    const world = new World(SEED);
    const s = await newS3Site(server, world.settings());
    for (const [i, file] of MEDIA.entries()) {
      const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`jpeg bytes of ${file} #${i}`)]);
      await server.client.send(new PutObjectCommand({ Bucket: s.contentBucket, Key: `media/${file}`, Body: bytes, ContentType: 'image/jpeg' }));
    }
    /** Each distinct violation with the rounds it lasted (a broken site stays broken until something repairs it). */
    const spans: { violation: string; first: number; last: number }[] = [];
    const open = new Map<string, { violation: string; first: number; last: number }>();
    const stats: RoundStats[] = [];
    let budget = SETTLE_BUDGET_MS;
    /** Settings rounds, and those that showed an article live while the rebuild rendered. */
    const rebuilds = { rounds: 0, shown: 0 };
    console.log(`publish-stress: seed ${SEED} (WIREFEED_STRESS_SEED=${SEED} replays these operations), ${ROUNDS} rounds`);

    // Act and assess, round after round
    for (let round = 0; round <= ROUNDS; round++) {
      const result = await within(ROUND_LIMIT_MS, runRound(s, world, round, budget));
      if (!result) {
        spans.push({ violation: `[liveness] round ${round} did not finish within ${ROUND_LIMIT_MS / 1000} s; the run stops here. ${progress.describe()}`, first: round, last: round });
        break;
      }
      budget -= result.stats.settleExtraMs;
      stats.push(result.stats);
      if (result.stats.rebuild) {
        rebuilds.rounds++;
        if (result.stats.rebuild.shownLive) rebuilds.shown++;
      }
      let fresh = 0;
      for (const violation of new Set(result.violations)) {
        const span = open.get(violation);
        if (span && span.last === round - 1) span.last = round;
        else {
          const opened = { violation, first: round, last: round };
          open.set(violation, opened);
          spans.push(opened);
          fresh++;
        }
      }
      result.stats.fresh = fresh;
      console.log(summaryLine(result.stats));
      if (process.env.WIREFEED_STRESS_VERBOSE) for (const v of result.violations) console.log(`  ${v}`);
    }

    // Assess, over the whole run
    if (rebuilds.rounds > 0 && rebuilds.shown === 0) {
      spans.push({
        violation: `[rebuild] in none of the ${rebuilds.rounds} settings rounds was an article created during the rebuild's render step shown live before the rebuild ended`,
        first: 0,
        last: ROUNDS,
      });
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const live = stats.flatMap((r) => r.live).sort((a, b) => b.ms - a.ms);
    const worst = live[0];
    console.log(
      `publish-stress: ${seconds} s; worst upload-to-live ${worst ? `${(worst.ms / 1000).toFixed(2)} s (${worst.what}, round ${worst.round})` : 'n/a'}, median ${live.length ? (live[Math.floor(live.length / 2)]!.ms / 1000).toFixed(2) : 'n/a'} s over ${live.length} writes; slowest settle ${(Math.max(...stats.map((r) => r.settleMs)) / 1000).toFixed(1)} s`,
    );
    const wrong = stats.filter((r) => r.violations > 0).map((r) => r.round);
    const broke = stats.filter((r) => r.fresh > 0).map((r) => r.round);
    const byKind = new Map<string, number>();
    for (const { violation } of spans) {
      const kind = /^\[(\w+)\]/.exec(violation)?.[1] ?? '?';
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    }
    const lines = spans.map(({ violation, first, last }) => `round ${first}${last > first ? `-${last}` : ''}: ${violation}`);
    const report = [
      `seed ${SEED} (replay the operations with WIREFEED_STRESS_SEED=${SEED}): the settled site was wrong after ${wrong.length} of ${ROUNDS + 1} rounds (${wrong.join(', ') || 'none'}); new problems appeared in rounds ${broke.join(', ') || 'none'}`,
      `${spans.length} distinct violations, by kind: ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}; each below with the rounds it lasted`,
      ...lines.slice(0, 150),
      ...(lines.length > 150 ? [`... and ${lines.length - 150} more`] : []),
    ].join('\n');
    expect(spans.length, report).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------
// One round
// ---------------------------------------------------------------------------------------------------

interface RoundStats {
  round: number;
  ops: string[];
  invocations: number;
  maxConcurrent: number;
  redelivered: number;
  cli: string;
  /** From the first write to the last handler invocation's end, and the whole round. */
  busyMs: number;
  roundMs: number;
  settleMs: number;
  settleExtraMs: number;
  live: { ms: number; what: string; round: number }[];
  /** What the handler logged as errors (failed invocations, redelivered): context, not violations. */
  errors: string[];
  violations: number;
  /** Violations not already there after the previous round. */
  fresh: number;
  note?: string;
  /** A settings round's rebuild: whether it showed an article live during the render step, and what happened. */
  rebuild?: { shownLive: boolean; line: string };
}

/** Where the current round is, for the message when one hangs. */
const progress = {
  phase: '',
  cli: 'no CLI',
  queue: undefined as Queue | undefined,
  recent: [] as string[],
  describe(): string {
    return `Phase: ${this.phase}; ${this.queue?.inflight ?? 0} handler invocation(s) in flight; CLI: ${this.cli}; the handler's last log lines: ${this.recent.join(' | ') || 'none'}`;
  },
};

async function runRound(s: S3Site, world: World, round: number, budget: number): Promise<{ stats: RoundStats; violations: string[] }> {
  const begun = performance.now();
  const now = new Date(BASE_CLOCK + round * 60_000);
  const logged: string[] = [];
  const log: Log = (level, message, fields) => {
    const line = `${level} ${message} ${JSON.stringify(fields ?? {})}`.slice(0, 300);
    progress.recent = [...progress.recent.slice(-4), line];
    if (level === 'error') logged.push(line);
  };
  Object.assign(progress, { phase: 'writing and delivering', cli: 'no CLI', recent: [] });
  const chain = round > 0 && CHAIN_EVERY > 0 && round % CHAIN_EVERY === 0;
  const settingsRound = !chain && round > 0 && SETTINGS_EVERY > 0 && round % SETTINGS_EVERY === 0;
  const handle = createHandler({
    s3: server.client,
    contentBucket: s.contentBucket,
    siteBucket: s.siteBucket,
    now: () => now,
    log,
    rebuildBatch: REBUILD_BATCH,
    ...(settingsRound ? { lease: leaseTiming(REBUILD_LEASE_SECONDS) } : {}),
  });
  // A settings round opens with a new article of its own (ops[0]), created while the rebuild renders.
  const ops = round === 0 ? world.seedOps() : world.planRound(settingsRound);
  const rng = world.timing(round);
  const violations: string[] = [];
  const queue = new Queue(rng, round === 0 ? 0 : DUPLICATE_CHANCE, violations);
  progress.queue = queue;
  const tracker = new LiveTracker(s, round);
  const sent: { body: unknown; key: string; event: S3EventName }[] = [];

  // `wirefeed publish` alongside, every CLI_EVERY-th round, sometimes killed.
  const withCli = !chain && !settingsRound && round > 0 && round % CLI_EVERY === 0;
  const killAfter = withCli && rng() < KILL_CHANCE ? Math.round(KILL_AFTER_MS[0] + rng() * (KILL_AFTER_MS[1] - KILL_AFTER_MS[0])) : undefined;
  const cli = withCli ? delay(Math.round(rng() * 300)).then(() => runCli(s, killAfter === undefined ? undefined : { afterMs: killAfter })) : Promise.resolve(undefined);
  // A kill chain: content changed, `wirefeed publish` killed at a site write, again; the events come after.
  const chained: string[] = [];
  let chainKilled = false;
  if (chain) {
    progress.phase = 'kill chain';
    const links = 1 + Math.floor(rng() * CHAIN_MAX);
    const per = Math.ceil(ops.length / links);
    for (let link = 0; link < links; link++) {
      for (const op of ops.slice(link * per, (link + 1) * per)) {
        if (op.version) await s.putArticle(`${op.name}.md`, op.version.fields, op.version.body);
        else await s.deleteContent(op.key);
      }
      const at = 1 + Math.floor(rng() * CHAIN_WRITES);
      // Some links are an operator's `--full` (a rebuild) killed midway; the others an ordinary publish.
      const full = rng() < CHAIN_FULL_CHANCE;
      const run = await runCli(s, { atSiteWrite: at, rng, full });
      chainKilled ||= run.killed;
      chained.push(`${full ? '--full ' : ''}${run.killed ? `killed at site write ${at}` : `exit ${run.code} before site write ${at}`}`);
      if (run.problem) violations.push(run.problem);
    }
  }

  // A settings round's invocations are short of time (the rebuild goes on from holder to holder), and some
  // of them die in a process of their own at a store write: their batch fails and comes back.
  const ample = () => (rng() < 1 / 3 ? 0 : 1 + Math.floor(rng() * AMPLE_MAX));
  const short = (context?: LambdaContext) => context ?? (settingsRound ? runningOut(ample()) : undefined);
  const invoke = (event: unknown, context?: LambdaContext) => handle(event, short(context));
  const killedAt: number[] = [];
  let dying = 0;
  const deliver = async (event: unknown): Promise<HandlerResult> => {
    if (!settingsRound || dying >= HANDLER_KILLS || rng() >= HANDLER_KILL_CHANCE) return invoke(event);
    dying++;
    const at = 1 + Math.floor(rng() * HANDLER_KILL_WRITES);
    const run = await runHandlerProcess(s, now, event, ample(), at, rng);
    if (run.killed) killedAt.push(at);
    if (run.result) return run.result;
    if (run.problem) logged.push(run.problem);
    throw new Error(run.problem ?? `the handler process was killed at its store write ${at}`);
  };
  let prologue = 0;
  const opened = settingsRound
    ? await openRebuild(s, world, ops[0] as Op, tracker, (event, context) => {
        prologue++;
        return invoke(event, context);
      })
    : undefined;
  if (opened) {
    sent.push(...opened.sent);
    violations.push(...opened.violations);
  }

  // The newsroom writes; every write is followed by its S3 event on the queue.
  let writing = true;
  const writer = (async () => {
    for (const op of ops.slice(opened ? 1 : 0)) {
      if (!chain) {
        if (op.version) await s.putArticle(`${op.name}.md`, op.version.fields, op.version.body);
        else await s.deleteContent(op.key);
      }
      tracker.wrote(op, performance.now());
      const event: S3EventName = op.version ? 'ObjectCreated:Put' : 'ObjectRemoved:Delete';
      const body = s3Notification(s.contentBucket, [{ key: op.key, event }]);
      sent.push({ body, key: op.key, event });
      queue.push(body, op.key, event);
      if (round > 0 && !chain) await delay(Math.round(rng() * WRITE_GAP_MS));
    }
    writing = false;
  })();
  // Like the stack's batching window: the pollers start together once CONSUMERS messages wait, each
  // with its own overlapping, shuffled batch, so every round has CONSUMERS invocations at once.
  const lanes = round === 0 ? 1 : CONSUMERS;
  while (writing && sent.length < lanes) await delay(5);
  const consumers = queue.opening(lanes).map((first) => queue.consume(deliver, () => writing, MAX_BATCH, first));
  const polling = tracker.poll(() => writing || !queue.idle());
  await writer;
  await Promise.all(consumers);
  await polling;
  progress.phase = 'waiting for the CLI child';
  const cliResult = await cli;
  if (cliResult?.problem) violations.push(cliResult.problem);

  // Settle: everything redelivered once more, a tick; after a kill, a tick a second until consistent.
  const settleStart = performance.now();
  progress.phase = "settling: the round's events again";
  const again = new Queue(rng, 0, violations, true);
  progress.queue = again;
  for (const m of sent) again.push(m.body, m.key, m.event);
  await again.consume(invoke, () => false, sent.length);
  const tick = async (context?: LambdaContext): Promise<HandlerResult | undefined> => {
    try {
      return await invoke({ wirefeed: 'tick' }, context);
    } catch (err) {
      // Context, not a violation: the schedule fires again next minute; only the settled site counts.
      logged.push(`a { wirefeed: 'tick' } event failed: ${String(err)}`.slice(0, 300));
      return undefined;
    }
  };
  let ticks = 0;
  if (settingsRound) {
    // The minute ticks carry the rebuild on, each short of time after AMPLE_MAX to 2 * AMPLE_MAX - 1 looks; a tick that
    // finds the lease held (a killed process's, until it lapses) is followed by another half a second later.
    progress.phase = 'settling: ticks until the rebuild is done';
    let held = 0;
    while ((await rebuildOf(s)) !== undefined) {
      if (ticks >= REBUILD_TICKS || held >= HELD_TICKS) {
        violations.push(
          `[liveness] the rebuild to site.yaml's edition ${world.edition} was not done after ${ticks} ticks (${held} in a row finding the lease held): head.rebuild is ${JSON.stringify(await rebuildOf(s))}`,
        );
        break;
      }
      const result = await tick(runningOut(AMPLE_MAX + Math.floor(rng() * AMPLE_MAX)));
      ticks++;
      held = result === undefined || result.report?.queued ? held + 1 : 0;
      if (held > 0) await delay(500);
    }
  }
  progress.phase = 'settling: ticks and checks';
  await tick(); // and the scan a rebuild that spanned holders is followed by
  const check = () => siteViolations({ s3: server.client, contentBucket: s.contentBucket, siteBucket: s.siteBucket, now, knownTitles: world.titles, retiredSiteTitles: world.retiredSiteTitles });
  let found = await check();
  await tracker.look(performance.now());
  const firstPass = performance.now();
  // A killed child may have died holding the lease: until it lapses, publishes hand their work over and the
  // site waits, in this round and in the next ones (the child is given a short lease, CLI_LEASE_SECONDS).
  const killed = cliResult?.killed === true || chainKilled || killedAt.length > 0;
  if (killed) lastKill.at = performance.now();
  const lapsing = performance.now() - lastKill.at < (Number(CLI_LEASE_SECONDS) + 5) * 1000;
  const limit = killed || lapsing ? Math.max(0, Math.min(SETTLE_AFTER_KILL_MS, budget)) : 0;
  while (found.length > 0 && performance.now() - firstPass < limit) {
    await delay(1000);
    await tick();
    found = await check();
    await tracker.look(performance.now());
  }
  const settled = performance.now();
  const rebuild = opened && {
    shownLive: opened.shownLive,
    line: `settings edition ${world.edition}: ${opened.line}; ${killedAt.length ? `handler processes killed at store writes ${killedAt.join(', ')}` : 'no handler process killed'}; ${ticks} ticks to finish the rebuild`,
  };
  // A kill round still wrong once the run's budget for waiting is spent: say so beside its violations.
  const note = found.length > 0 && killed && limit < SETTLE_AFTER_KILL_MS ? `only ${Math.round(limit / 1000)} s of the settle budget was left for ticks after the kill` : undefined;
  violations.push(...found);

  return {
    violations,
    stats: {
      round,
      ops: ops.map((o) => `${o.kind} ${o.name}`),
      invocations: prologue + queue.invocations + again.invocations + ticks,
      maxConcurrent: queue.maxInflight,
      redelivered: queue.redelivered + again.redelivered,
      cli: chain
        ? `kill chain: ${chained.join(', ')}`
        : rebuild
          ? rebuild.line
          : cliResult
            ? cliResult.killed
              ? `CLI killed at ${killAfter} ms`
              : `CLI exit ${cliResult.code} after ${cliResult.ms} ms`
            : 'no CLI',
      busyMs: Math.round(settleStart - begun),
      roundMs: Math.round(performance.now() - begun),
      settleMs: Math.round(settled - settleStart),
      settleExtraMs: Math.round(settled - firstPass),
      ...(note ? { note } : {}),
      ...(rebuild ? { rebuild } : {}),
      live: tracker.latencies,
      errors: logged,
      violations: violations.length,
      fresh: 0,
    },
  };
}

/**
 * A settings round's opening, one invocation at a time: site.yaml changes to the next edition and its event's
 * publish begins the rebuild (its holder out of time at once: one checkpoint); then `opening`, a new article,
 * is uploaded while the rebuild renders, and its event's publish must put it live before the rebuild ends
 * (README "Publishing" 9), which the head's `rebuild` field, read after the page, tells. An invocation that
 * finds the lease held (a killed process's, until it lapses) or fails is followed by a tick half a second later.
 */
async function openRebuild(
  s: S3Site,
  world: World,
  opening: Op,
  tracker: LiveTracker,
  invoke: (event: unknown, context: LambdaContext) => Promise<HandlerResult>,
): Promise<{ sent: { body: unknown; key: string; event: S3EventName }[]; violations: string[]; shownLive: boolean; line: string }> {
  const sent: { body: unknown; key: string; event: S3EventName }[] = [];
  const publishEvent = async (key: string) => {
    const body = s3Notification(s.contentBucket, [{ key, event: 'ObjectCreated:Put' }]);
    sent.push({ body, key, event: 'ObjectCreated:Put' });
    const done = (r: HandlerResult | undefined) => r !== undefined && !r.report?.queued && r.batchItemFailures.length === 0;
    let result = await invoke(sqsEvent([body]), runningOut(0)).catch(() => undefined);
    for (let n = 0; n < HELD_TICKS && !done(result); n++) {
      await delay(500);
      result = await invoke({ wirefeed: 'tick' }, runningOut(0)).catch(() => undefined);
    }
  };
  progress.phase = "settings: site.yaml's event begins the rebuild";
  // A rebuild already remaking the state (a kill chain's `--full`, not finished) starts over with nothing to serve meanwhile.
  const before = await rebuildOf(s);
  await s.putSettings(world.changeSettings());
  await publishEvent('site.yaml');
  progress.phase = 'settings: an article created while the rebuild renders';
  const version = opening.version as Version;
  await s.putArticle(`${opening.name}.md`, version.fields, version.body);
  tracker.wrote(opening, performance.now());
  const atUpload = await rebuildOf(s);
  await publishEvent(opening.key);
  const pageKey = `articles/${version.fields.slug ?? opening.name}/index.html`;
  const page = await s.read(pageKey);
  const atLive = await rebuildOf(s); // read after the page: the page was there before this
  const shown = page === undefined ? '' : textOf(page);
  const live = shown.includes(version.fields.title) && shown.includes(version.body.trim());
  const what = `${opening.key} "${version.fields.title}"`;
  if (before !== undefined) return { sent, violations: [], shownLive: false, line: `no proof this round: a rebuild was under way before site.yaml changed (at ${checkpoint(before)})` };
  if (atUpload?.step !== 'render') return { sent, violations: [], shownLive: false, line: `no proof this round: the rebuild was at ${checkpoint(atUpload)} when ${what} was uploaded` };
  if (!live) {
    return {
      sent,
      violations: [
        `[rebuild] ${what} was uploaded while the rebuild rendered (at ${checkpoint(atUpload)}), but its page ${pageKey} did not show it after its event's publish (the rebuild then at ${checkpoint(atLive)})`,
      ],
      shownLive: false,
      line: `${what} NOT live during the render step`,
    };
  }
  if (atLive === undefined) return { sent, violations: [], shownLive: false, line: `no proof this round: ${what} was live, but the rebuild had ended by then` };
  return { sent, violations: [], shownLive: true, line: `${what}, uploaded at ${checkpoint(atUpload)}, live at ${checkpoint(atLive)}` };
}

type RebuildCheckpoint = { step?: string; batches?: number; done?: number; cursor?: string };

/** The head's `rebuild` field (README "Publishing" 9: the rebuild's last checkpoint), or undefined when no rebuild is under way. */
async function rebuildOf(s: S3Site): Promise<RebuildCheckpoint | undefined> {
  const head = await s.head();
  return head === undefined ? undefined : (JSON.parse(head) as { rebuild?: RebuildCheckpoint }).rebuild;
}

function checkpoint(r: RebuildCheckpoint | undefined): string {
  if (r === undefined) return 'no rebuild (done)';
  return `step ${r.step}, ${r.batches} batches${r.step === 'render' ? `, cursor ${r.cursor}` : r.step === 'index' ? '' : `, ${r.done} done`}`;
}

function summaryLine(r: RoundStats): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const errors = r.errors.length ? ` (${r.errors.length} failed; the first: ${r.errors[0]?.slice(0, 200)})` : '';
  const head = `round ${String(r.round).padStart(2)} (${s(r.roundMs)}): ${r.ops.length} ops, ${r.invocations} invocations${errors} (max ${r.maxConcurrent} at once, ${r.redelivered} redelivered) in ${s(r.busyMs)}, ${r.cli}, settled in ${s(r.settleMs)}`;
  return r.violations === 0 ? `${head}: ok` : `${head}: ${r.violations} VIOLATIONS (${r.fresh} new${r.note ? `; ${r.note}` : ''}) [${r.ops.join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------------
// SQS, as the handler sees it: batches of visible messages, at-least-once, failures redelivered
// ---------------------------------------------------------------------------------------------------

interface Message {
  body: unknown;
  key: string;
  event: S3EventName;
  receives: number;
  visible: boolean;
  visibleAt: number;
  done: boolean;
}

class Queue {
  readonly #messages: Message[] = [];
  readonly #rng: () => number;
  readonly #duplicates: number;
  readonly #violations: string[];
  /** Receive every visible message at once (the settle step's single redelivery), not a random batch. */
  readonly #whole: boolean;
  #inflight = 0;
  get inflight(): number {
    return this.#inflight;
  }
  maxInflight = 0;
  invocations = 0;
  redelivered = 0;

  constructor(rng: () => number, duplicates: number, violations: string[], whole = false) {
    this.#rng = rng;
    this.#duplicates = duplicates;
    this.#violations = violations;
    this.#whole = whole;
  }

  push(body: unknown, key: string, event: S3EventName): void {
    this.#messages.push({ body, key, event, receives: 0, visible: true, visibleAt: 0, done: false });
  }

  /** Nothing visible (now or later) and nothing in flight: no failure can bring a message back. */
  idle(): boolean {
    return this.#inflight === 0 && !this.#messages.some((m) => m.visible && !m.done);
  }

  /** The first batch of each of `lanes` pollers: every visible message in at least one, each batch shuffled. */
  opening(lanes: number): Message[][] {
    const ready = shuffle(
      this.#rng,
      this.#messages.filter((m) => m.visible && !m.done),
    );
    const batches: Message[][] = Array.from({ length: lanes }, () => []);
    for (const [i, m] of ready.entries()) batches[i % lanes]?.push(m);
    for (const [j, batch] of batches.entries()) {
      if (batch.length === 0 && ready.length > 0) batch.push(ready[j % ready.length]!); // fewer messages than pollers
      for (const m of ready) if (!batch.includes(m) && batch.length < MAX_BATCH && this.#rng() < this.#duplicates / 2) batch.push(m);
      shuffle(this.#rng, batch);
    }
    for (const batch of batches) for (const m of batch) m.receives++;
    for (const m of ready) m.visible = false;
    return batches;
  }

  /** One poller: receive a batch, invoke, delete what succeeded, let failures reappear after a timeout. */
  async consume(handle: (event: unknown) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>, more: () => boolean, batchSize = MAX_BATCH, first: Message[] = []): Promise<void> {
    let opening: Message[] | undefined = first;
    for (;;) {
      const batch = opening?.length ? opening : this.#receive(batchSize);
      opening = undefined;
      if (batch.length === 0) {
        if (!more() && this.idle()) return;
        await delay(5 + Math.round(this.#rng() * 25));
        continue;
      }
      const event = sqsEvent(batch.map((m) => m.body));
      this.#inflight++;
      this.maxInflight = Math.max(this.maxInflight, this.#inflight);
      this.invocations++;
      let failed: Set<number>;
      try {
        const result = await handle(event);
        const ids = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
        failed = new Set(event.Records.flatMap((r, i) => (ids.has(r.messageId) ? [i] : [])));
      } catch {
        failed = new Set(batch.map((_, i) => i)); // a thrown invocation fails the whole batch
      }
      // Acknowledge or return each message before this invocation counts as finished (idle() relies on it).
      for (const [i, m] of batch.entries()) {
        if (failed.has(i)) this.#fail(m);
        else this.#ack(m);
      }
      this.#inflight--;
    }
  }

  #receive(max: number): Message[] {
    const now = performance.now();
    const ready = shuffle(
      this.#rng,
      this.#messages.filter((m) => m.visible && !m.done && m.visibleAt <= now),
    );
    const batch = ready.slice(0, this.#whole ? max : 1 + Math.floor(this.#rng() * max));
    for (const m of batch) {
      m.receives++;
      if (this.#rng() >= this.#duplicates) m.visible = false;
    }
    return batch;
  }

  #ack(m: Message): void {
    m.done = true;
    m.visible = false;
  }

  #fail(m: Message): void {
    if (m.done) return;
    if (m.receives >= MAX_RECEIVES) {
      m.done = true;
      this.#violations.push(`[delivery] the ${m.event} message for ${m.key} failed ${m.receives} receives and went to the dead-letter queue`);
      return;
    }
    this.redelivered++;
    m.visible = true;
    m.visibleAt = performance.now() + Math.min(200 * 2 ** (m.receives - 1), 5000);
  }
}

// ---------------------------------------------------------------------------------------------------
// `wirefeed publish` as a child process
// ---------------------------------------------------------------------------------------------------

/** When to SIGKILL the child: after so many milliseconds, or at its Nth write to the site bucket (rng: whether writes in flight then land). */
type Kill = { afterMs: number } | { atSiteWrite: number; rng: () => number; full?: boolean };

let cliRuns = 0;

/** Each running child's hook on its own writes to either bucket, by the app id its requests carry. */
const writeHooks = new Map<string, (write: { bucket: string; key: string }) => 'forward' | 'drop'>();

/** A child's environment: the test server, and the app id that marks the child's requests so the server can count its writes. */
function childEnv(appId: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && name !== 'SITE_URL' && name !== 'NODE_OPTIONS'));
  return Object.assign(env, {
    AWS_ENDPOINT_URL_S3: server.endpoint,
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    WIREFEED_LEASE_SECONDS: CLI_LEASE_SECONDS,
    AWS_SDK_UA_APP_ID: appId,
  });
}

async function runCli(s: S3Site, kill: Kill | undefined): Promise<{ killed: boolean; code: number | null; ms: number; problem?: string }> {
  const appId = `wf-stress-cli-${++cliRuns}`;
  const env = childEnv(appId);
  const args = [BIN, 'publish', '--content', `s3://${s.contentBucket}`, '--site', `s3://${s.siteBucket}`, ...(kill && 'full' in kill && kill.full ? ['--full'] : [])];
  const begun = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  progress.cli = `pid ${child.pid} running${kill === undefined ? '' : 'afterMs' in kill ? `, to be killed at ${kill.afterMs} ms` : `, to be killed at its site write ${kill.atSiteWrite}`}`;
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.resume();
  const timer = kill && 'afterMs' in kill ? setTimeout(() => child.kill('SIGKILL'), kill.afterMs) : undefined;
  if (kill && 'atSiteWrite' in kill) {
    let writes = 0;
    writeHooks.set(appId, (w) => {
      if (w.bucket !== s.siteBucket) return 'forward';
      if (++writes === kill.atSiteWrite) child.kill('SIGKILL');
      // From the kill on, the child's writes already on the wire land or not, as on S3 when a process dies.
      return writes < kill.atSiteWrite || kill.rng() < 0.5 ? 'forward' : 'drop';
    });
  }
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, sig) => resolve([c, sig])));
  clearTimeout(timer);
  writeHooks.delete(appId);
  const ms = Math.round(performance.now() - begun);
  progress.cli = `exited (${code ?? signal}) after ${ms} ms`;
  if (signal === 'SIGKILL' && kill !== undefined) return { killed: true, code, ms };
  if (code === 0) return { killed: false, code, ms };
  return { killed: false, code, ms, problem: `[cli] wirefeed publish exited ${code ?? signal} (expected 0): ${stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400)}` };
}

let handlerRuns = 0;

/**
 * One handler invocation in a process of its own (test/helpers/handler-process.ts), SIGKILLed at its
 * `atWrite`-th write to either bucket (its state is in the content bucket): a Lambda invocation that dies
 * mid-way. Its lease is REBUILD_LEASE_SECONDS long, so a dead one lapses soon. The result, when it lived.
 */
async function runHandlerProcess(s: S3Site, now: Date, event: unknown, ample: number, atWrite: number, rng: () => number): Promise<{ killed: boolean; result?: HandlerResult; problem?: string }> {
  const appId = `wf-stress-handler-${++handlerRuns}`;
  const job: HandlerJob = { contentBucket: s.contentBucket, siteBucket: s.siteBucket, now: now.toISOString(), event, leaseSeconds: REBUILD_LEASE_SECONDS, rebuildBatch: REBUILD_BATCH, ample };
  const child = spawn(process.execPath, ['--import', 'tsx', HANDLER_PROCESS, JSON.stringify(job)], { cwd: ROOT, env: childEnv(appId), stdio: ['ignore', 'pipe', 'pipe'] });
  progress.cli = `handler process pid ${child.pid} running, to be killed at its store write ${atWrite}`;
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let writes = 0;
  writeHooks.set(appId, () => {
    if (++writes === atWrite) child.kill('SIGKILL');
    // From the kill on, its writes already on the wire land or not, as on S3 when a process dies.
    return writes < atWrite || rng() < 0.5 ? 'forward' : 'drop';
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, sig) => resolve([c, sig])));
  writeHooks.delete(appId);
  progress.cli = `handler process exited (${code ?? signal})`;
  if (signal === 'SIGKILL') return { killed: true };
  if (code === 0) return { killed: false, result: JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as HandlerResult };
  return { killed: false, problem: `the handler process exited ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400)}` };
}

// ---------------------------------------------------------------------------------------------------
// Upload-to-live: each round's newest public version of each file, until its page shows it
// ---------------------------------------------------------------------------------------------------

class LiveTracker {
  readonly #site: S3Site;
  readonly #round: number;
  readonly #waiting = new Map<string, { pageKey: string; title: string; paragraph: string; at: number }>();
  readonly latencies: { ms: number; what: string; round: number }[] = [];

  constructor(site: S3Site, round: number) {
    this.#site = site;
    this.#round = round;
  }

  wrote(op: Op, at: number): void {
    this.#waiting.delete(op.key); // a newer write supersedes whatever was waiting for this file
    const v = op.version;
    if (!v || !isPublicVersion(v)) return;
    this.#waiting.set(op.key, { pageKey: `articles/${v.fields.slug ?? op.name}/index.html`, title: v.fields.title, paragraph: v.body.trim(), at });
  }

  async poll(active: () => boolean): Promise<void> {
    while (active()) {
      await this.look(performance.now());
      await delay(POLL_MS);
    }
  }

  /** Pages that show their write now count as live at `at` (one that never does is a violation already). */
  async look(at: number): Promise<void> {
    for (const [key, w] of [...this.#waiting]) {
      const page = await this.#site.read(w.pageKey).catch(() => undefined);
      const text = page === undefined ? '' : textOf(page);
      if (this.#waiting.get(key) !== w || !text.includes(w.title) || !text.includes(w.paragraph)) continue;
      this.#waiting.delete(key);
      this.latencies.push({ ms: Math.round(at - w.at), what: `${key} "${w.title}"`, round: this.#round });
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The newsroom: a seeded model of the content bucket, and the operations that change it
// ---------------------------------------------------------------------------------------------------

interface Fields extends Record<string, unknown> {
  title: string;
  date: string;
  tags: string[];
  slug?: string;
  image?: { url: string; alt: string };
  draft?: boolean;
  expires?: string;
}
interface Version {
  fields: Fields;
  body: string;
}
type OpKind = 'create' | 'edit' | 'delete' | 'draft' | 'embargo' | 'republish' | 'expire';
interface Op {
  name: string;
  key: string;
  kind: OpKind;
  /** The file's new content; undefined for a delete. */
  version?: Version;
}

const isPublicVersion = (v: Version) => !v.fields.draft && v.fields.date < '2026' && v.fields.expires === undefined;

class World {
  readonly #seed: number;
  readonly #rng: () => number;
  readonly #files = new Map<string, Version>();
  #writes = 0;
  #round = 0;
  #edition = 0;
  /** Every title uploaded, with its file: the oracle makes sure the retired ones are gone. */
  readonly titles: { title: string; file: string }[] = [];
  /** The titles site.yaml had before its current one: the oracle makes sure they are gone. */
  readonly retiredSiteTitles: string[] = [];

  constructor(seed: number) {
    this.#seed = seed;
    this.#rng = mulberry32(seed);
  }

  /** A stream for timing choices, apart from the operations' stream, so those replay exactly. */
  timing(round: number): () => number {
    return mulberry32((this.#seed ^ Math.imul(round + 1, 0x9e3779b1)) >>> 0);
  }

  /** site.yaml's edition: 0 at first, one more each settings round. */
  get edition(): number {
    return this.#edition;
  }

  /** site.yaml's overrides at this edition: a title that no other edition's contains, and a feed_size. */
  settings(): { title: string; feed_size: number } {
    return { title: `Stress Wire edition ${String(this.#edition).padStart(3, '0')}`, feed_size: FEED_SIZES[this.#edition % FEED_SIZES.length] as number };
  }

  /** The next edition of site.yaml's overrides. */
  changeSettings(): { title: string; feed_size: number } {
    this.retiredSiteTitles.push(this.settings().title);
    this.#edition++;
    return this.settings();
  }

  /** Round 0: eight articles, among them a draft and an embargoed one with lead images. */
  seedOps(): Op[] {
    const ops: Op[] = [];
    for (const entry of POOL.slice(0, 8)) ops.push(this.#apply(entry, 'create'));
    ops.push(this.#apply(POOL[6]!, 'draft'), this.#apply(POOL[3]!, 'embargo'));
    return ops;
  }

  /** A round's operations; with `opening`, the first is a new public article (a file not there, or else a fresh version of one). */
  planRound(opening = false): Op[] {
    this.#round++;
    const rng = this.#rng;
    const ops: Op[] = [];
    if (opening) {
      const absent = POOL.filter((entry) => !this.#files.has(entry.name));
      ops.push(this.#apply(pick(rng, absent.length > 0 ? absent : POOL), 'create'));
    }
    const hot = shuffle(rng, [...POOL]).slice(0, HOT_FILES);
    const count = OPS_PER_ROUND[0] + Math.floor(rng() * (OPS_PER_ROUND[1] - OPS_PER_ROUND[0] + 1));
    for (let i = 0; i < count; i++) {
      const entry = rng() < HOT_CHANCE ? pick(rng, hot) : pick(rng, POOL);
      const kind: OpKind = this.#files.has(entry.name)
        ? weighted(rng, [
            ['edit', 34],
            ['delete', 12],
            ['draft', 12],
            ['embargo', 12],
            ['republish', 18],
            ['expire', 6],
          ])
        : 'create';
      ops.push(this.#apply(entry, kind));
    }
    return ops;
  }

  #apply(entry: (typeof POOL)[number], kind: OpKind): Op {
    const rng = this.#rng;
    const key = `articles/${entry.name}.md`;
    const current = this.#files.get(entry.name);
    const n = ++this.#writes;
    let version: Version | undefined;
    const { draft: _draft, expires: _expires, ...rest } = current?.fields ?? ({} as Fields);
    const pastDate = () => this.#date(Date.UTC(2025, 0, 1), n);
    const keepPast = (date: string | undefined) => (date !== undefined && date < '2026' ? date : pastDate());
    switch (kind) {
      case 'create':
        version = {
          fields: {
            title: this.#title(entry.topic, n),
            date: pastDate(),
            tags: this.#tags(),
            ...(rng() < 0.2 ? { slug: `${entry.name}-report` } : {}),
            ...(entry.image && rng() < 0.85 ? { image: { url: `/media/${entry.image}`, alt: `${entry.topic} picture` } } : {}),
          },
          body: this.#body(entry.topic, n),
        };
        break;
      case 'edit': {
        const fields = { ...(current as Version).fields, title: this.#title(entry.topic, n) };
        if (rng() < 0.5) fields.tags = this.#tags();
        if (rng() < 0.3) fields.date = fields.date < '2026' ? pastDate() : this.#date(Date.UTC(2099, 0, 1), n);
        if (rng() < 0.2) {
          if (fields.slug) delete fields.slug;
          else fields.slug = `${entry.name}-report`;
        }
        if (entry.image && rng() < 0.15) {
          if (fields.image) delete fields.image;
          else fields.image = { url: `/media/${entry.image}`, alt: `${entry.topic} picture` };
        }
        version = { fields, body: this.#body(entry.topic, n) };
        break;
      }
      case 'delete':
        version = undefined;
        break;
      case 'draft':
        version = { fields: { ...(current as Version).fields, draft: true }, body: (current as Version).body };
        break;
      case 'embargo':
        version = { fields: { ...rest, date: this.#date(Date.UTC(2099, 0, 1), n) } as Fields, body: (current as Version).body };
        break;
      case 'republish':
        version = { fields: { ...rest, date: keepPast(rest.date) } as Fields, body: (current as Version).body };
        break;
      case 'expire':
        version = { fields: { ...rest, date: keepPast(rest.date), expires: this.#date(Date.UTC(2025, 11, 1), n, 0) } as Fields, body: (current as Version).body };
        break;
    }
    if (version) {
      this.#files.set(entry.name, version);
      this.titles.push({ title: version.fields.title, file: key });
    } else this.#files.delete(entry.name);
    return { name: entry.name, key, kind, ...(version ? { version } : {}) };
  }

  /** A date `days` (random, up to 300) after `base`, plus one minute per write: no two writes share one. */
  #date(base: number, write: number, maxDays = 300): string {
    const days = Math.floor(this.#rng() * maxDays);
    return new Date(base + days * 86_400_000 + write * 60_000).toISOString().replace(/\.000Z$/, 'Z');
  }

  /** A title no other write has: the topic, a word, and the write's number (fixed width, so no title holds another). */
  #title(topic: string, write: number): string {
    return `${topic} ${pick(this.#rng, WORDS)} w${String(write).padStart(4, '0')} r${String(this.#round).padStart(2, '0')}`;
  }

  #body(topic: string, write: number): string {
    return `Report ${write} of the round ${this.#round} desk on ${topic.toLowerCase()}, filed for the stress test.\n`;
  }

  #tags(): string[] {
    const rng = this.#rng;
    return shuffle(rng, [...TAGS]).slice(0, Math.floor(rng() * 3));
  }
}

// ---------------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------------

function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

function shuffle<T>(rng: () => number, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

function weighted<T>(rng: () => number, choices: readonly (readonly [T, number])[]): T {
  let roll = rng() * choices.reduce((sum, [, w]) => sum + w, 0);
  for (const [choice, w] of choices) {
    roll -= w;
    if (roll < 0) return choice;
  }
  return choices[choices.length - 1]![0];
}

/** The promise's value, or undefined when it takes longer than `ms`. */
async function within<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
