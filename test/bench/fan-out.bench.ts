// The distributed rebuild (README "Publishing", item 10), played through the S3-compatible server: per N, the
// generated corpus (test/bench/generate.ts) is seeded into s3rver, then each invocation the state machine makes is
// the real handler in a process of its own (test/bench/fan-out-child.ts), so its peak RSS and CPU are its own:
//   begin: the first publish ({"wirefeed": "full"}, no state): it lists the content, writes the run's items and
//     starts the state machine (recorded, not sent);
//   children: the Distributed Map's, ITEMS_PER_CHILD items (batches of REBUILD_BATCH files) each, two at a time
//     (this machine's cores; on AWS up to MAX_CONCURRENCY);
//   reduce: the run's end written (as the state machine does), then the publisher told ({"wirefeed": "fanned"}):
//     the index, records and site steps, under the lease, in one invocation with all the time it needs (on AWS, a
//     chain of 5-minute ones); each step's time is read from the head's writes.
// Requests and bytes are the test server's proxy's counts. Then the estimate for 100,000 and 1,000,000 articles on
// AWS, from the largest N measured, with every assumption printed beside it.
//
//   npm run bench -- fanout [--sizes 1000,10000]      or   npx tsx test/bench/fan-out.bench.ts [--sizes ...]
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mapLimit } from '../../functions/core/concurrency.ts';
import { STATE_PREFIX_IN_CONTENT } from '../../functions/core/keys.ts';
import type { FanItem } from '../../functions/core/state/state.ts';
import type { FanOutInput } from '../../functions/lambda/state-machine.ts';
import { REBUILD_BATCH } from '../../functions/publish/rebuild/rebuild.ts';
import { S3Store } from '../../functions/stores/s3-store.ts';
import { ITEMS_PER_CHILD, MAX_CONCURRENCY } from '../../infra/rebuild-machine.ts';
import { type S3TestServer, startS3Server } from '../helpers/s3-server.ts';
import { uniqueBucket } from '../helpers/s3-site.ts';
import { jsonResultOf, printTable, runNode } from './build.bench.ts';
import type { FanOutChildResult, FanOutJob } from './fan-out-child.ts';
import { int, median, ms, NOW, seedCorpus } from './publish.bench.ts';
import { plus, requestsOf, type Traffic, take } from './rebuild.bench.ts';

const CHILD = fileURLToPath(new URL('./fan-out-child.ts', import.meta.url));
const DEFAULT_SIZES = [1_000, 10_000];
/** Children run at once here: the machine's two cores. */
const HERE_AT_ONCE = 2;

// Prices and limits the estimate uses (us-east-1 list prices; Step Functions developer guide, "Distributed Map state").
const PRICE = {
  putOrList: 0.005 / 1000, // PUT, COPY, POST, LIST
  getOrHead: 0.0004 / 1000, // GET, HEAD (DELETE is free)
  lambdaGbSecond: 0.0000133334, // arm64
  transition: 0.025 / 1000, // standard workflow state transitions
};
/** The publisher's memory (infra/publisher.ts) and the CPU Lambda gives it: one vCPU at 1,769 MB. */
const LAMBDA_GB = 1024 / 1024;
const LAMBDA_CPU_SHARE = 1024 / 1769;
const LAMBDA_TIMEOUT_MS = 300_000;
/** Per child: the map's iteration and its task (retries add one each); the parent: map, end, go-on, a few more. */
const TRANSITIONS_PER_CHILD = 2;
const PARENT_TRANSITIONS = 6;

interface Invocation {
  wallMs: number; // the handler's own time
  cpuMs: number;
  peakRssMb: number;
  child: FanOutChildResult;
}

interface Phase {
  children: Invocation[];
  wallMs: number;
  traffic: Traffic;
}

interface Measured {
  n: number;
  begin: Invocation;
  render: Phase;
  /** The publisher told the render step is over: its index step, and the records step's start. */
  index: Invocation;
  records: Phase;
  /** The publisher told the records step is over: the site step. */
  site: Invocation;
  reduceTraffic: Traffic;
}

async function invoke(job: FanOutJob, what: string): Promise<Invocation> {
  const run = await runNode(['--import', 'tsx', CHILD, JSON.stringify(job)]);
  const child = jsonResultOf<FanOutChildResult>(run, `${what}: the invocation`);
  return { wallMs: child.ms, cpuMs: run.cpuMs, peakRssMb: run.peakRssMb, child };
}

/** A step's execution played: its items read, its children run HERE_AT_ONCE at a time, then its end written (as the state machine does). */
async function execution(server: S3TestServer, job: (event: unknown) => FanOutJob, started: FanOutInput): Promise<Phase> {
  const itemsObject = await server.client.send(new GetObjectCommand({ Bucket: started.bucket, Key: started.key }));
  const items = JSON.parse((await itemsObject.Body?.transformToString()) ?? '[]') as FanItem[];
  const batches: FanItem[][] = [];
  for (let at = 0; at < items.length; at += ITEMS_PER_CHILD) batches.push(items.slice(at, at + ITEMS_PER_CHILD));
  take(server);
  const t0 = performance.now();
  const children = await mapLimit(batches, HERE_AT_ONCE, (batch, i) => invoke(job({ BatchInput: { wirefeed: started.phase, run: started.run }, Items: batch }), `${started.phase} child ${i + 1}`));
  const wallMs = performance.now() - t0;
  const traffic = take(server);
  await server.client.send(new PutObjectCommand({ Bucket: started.bucket, Key: started.ended, Body: JSON.stringify({ failed: false }), ContentType: 'application/json' }));
  return { children, wallMs, traffic };
}

async function measure(server: S3TestServer, n: number): Promise<Measured> {
  const content = uniqueBucket('fan-content');
  const site = uniqueBucket('fan-site');
  await server.createBucket(content);
  await server.createBucket(site);
  process.stderr.write(`fan-out bench: N=${n}: seeding...\n`);
  await seedCorpus(new S3Store(server.client, content), n);
  const job = (event: unknown): FanOutJob => ({ endpoint: server.endpoint, content, site, now: NOW, event });
  process.stderr.write(`fan-out bench: N=${n}: begin, render children, index, records children, site...\n`);
  const begin = await invoke(job({ wirefeed: 'full' }), 'begin');
  if (begin.child.started?.phase !== 'render') throw new Error('begin: the rebuild was not fanned out');
  const render = await execution(server, job, begin.child.started);
  const rendered = render.children.reduce((sum, c) => sum + (c.child.result.rendered?.rendered ?? 0), 0);
  if (rendered !== n) throw new Error(`the children rendered ${rendered} of ${n} articles`);
  const index = await invoke(job({ wirefeed: 'fanned', run: begin.child.started.run, phase: 'render', failed: false }), 'index');
  const indexTraffic = take(server);
  if (index.child.started?.phase !== 'records') throw new Error('index: the records step was not fanned out');
  const records = await execution(server, job, index.child.started);
  const last = await invoke(job({ wirefeed: 'fanned', run: begin.child.started.run, phase: 'records', failed: false }), 'site');
  const siteTraffic = take(server);
  const head = await new S3Store(server.client, content, STATE_PREFIX_IN_CONTENT).get('head.json');
  if (JSON.parse(Buffer.from(head?.body ?? '{}').toString('utf8')).rebuild !== undefined) throw new Error('the site step did not finish the rebuild');
  return { n, begin, render, index, records, site: last, reduceTraffic: plus(indexTraffic, siteTraffic) };
}

const perArticle = (v: number, n: number) => (v / n).toFixed(2);
const seconds = (v: number) => `${(v / 1000).toLocaleString('en', { maximumFractionDigits: 1, minimumFractionDigits: 1 })} s`;
const mb = (v: number) => `${Math.round(v)} MB`;
const dollars = (v: number) => `$${v.toFixed(2)}`;
/** A Lambda invocation's time at 1024 MB: its CPU, at the vCPU share it gets, or its wall here, whichever is longer. */
const onLambda = (i: Invocation) => Math.max(i.wallMs, i.cpuMs / LAMBDA_CPU_SHARE);

/** Every request of a run: both steps' children, the index and site steps. */
const trafficOf = (m: Measured): Traffic => plus(m.render.traffic, plus(m.records.traffic, m.reduceTraffic));

/** Children of a step at this many articles (render: files in batches of REBUILD_BATCH; records: those batches). */
const childrenAt = (articles: number) => Math.ceil(Math.ceil(articles / REBUILD_BATCH) / ITEMS_PER_CHILD);

function estimate(m: Measured, articles: number): { rows: string[][]; minutes: number; dollars: number; indexFits: boolean } {
  const scale = articles / m.n;
  const children = childrenAt(articles);
  const waves = Math.ceil(children / MAX_CONCURRENCY);
  const renderChild = median(m.render.children.map(onLambda));
  const recordsChild = median(m.records.children.map(onLambda));
  const mapMs = waves * (renderChild + recordsChild);
  const indexMs = onLambda(m.index) * scale;
  const siteMs = onLambda(m.site) * scale;
  const wallMs = mapMs + indexMs + siteMs;
  const t = trafficOf(m);
  const s3 = ((t.put + t.list) * PRICE.putOrList + (t.get + t.head) * PRICE.getOrHead) * scale;
  const gbSeconds = ((children * (renderChild + recordsChild) + indexMs + siteMs) / 1000) * LAMBDA_GB;
  const lambda = gbSeconds * PRICE.lambdaGbSecond;
  const transitionCount = 2 * (children * TRANSITIONS_PER_CHILD + PARENT_TRANSITIONS);
  const transitions = transitionCount * PRICE.transition;
  const total = s3 + lambda + transitions;
  const label = int(articles);
  const row = (figure: string, value: string) => [label, figure, value];
  return {
    rows: [
      row('children per step', `${int(children)} of ${int(REBUILD_BATCH * ITEMS_PER_CHILD)} files, ${int(waves)} wave(s) of <= ${MAX_CONCURRENCY}`),
      row('render step (a map)', `${seconds(waves * renderChild)}  (${int(waves)} x a child's ${seconds(renderChild)} on Lambda)`),
      row('index step (one invocation)', `${seconds(indexMs)}: ${indexMs <= LAMBDA_TIMEOUT_MS ? 'fits' : 'does NOT fit'} one 5-minute invocation`),
      row('records step (a map)', `${seconds(waves * recordsChild)}  (${int(waves)} x a child's ${seconds(recordsChild)} on Lambda)`),
      row('site step (a chain)', `${seconds(siteMs)}  (${seconds(onLambda(m.site))} at ${int(m.n)} on Lambda, x${scale})`),
      row('wall, start to settled', seconds(wallMs)),
      row('S3 requests', `${int(requestsOf(t) * scale)} (${perArticle(requestsOf(t), m.n)} per article): ${dollars(s3)}`),
      row('Lambda', `${int(gbSeconds)} GB-s: ${dollars(lambda)}`),
      row('state transitions', `${int(transitionCount)}: ${dollars(transitions)}`),
      row('cost', dollars(total)),
    ],
    minutes: wallMs / 60_000,
    dollars: total,
    indexFits: indexMs <= LAMBDA_TIMEOUT_MS,
  };
}

export async function runFanOutBench(sizes: readonly number[]): Promise<void> {
  const server = await startS3Server();
  const measured: Measured[] = [];
  try {
    for (const n of sizes) measured.push(await measure(server, n));
  } finally {
    await server.stop();
  }
  console.log(`\nThe distributed rebuild through s3rver: a child is the publisher given ${ITEMS_PER_CHILD} items (batches of ${REBUILD_BATCH} files), ${HERE_AT_ONCE} children at once here`);
  printTable(
    ['N', 'figure', 'median', 'max', 'per article'],
    measured.flatMap((m) => {
      const row = (figure: string, values: number[], format: (v: number) => string, per?: number) => [
        int(m.n),
        figure,
        format(median(values)),
        format(Math.max(...values)),
        per === undefined ? '' : per.toFixed(2),
      ];
      const phase = (name: string, p: Phase) => [
        row(
          `${name} child: wall (${p.children.length} children)`,
          p.children.map((i) => i.wallMs),
          ms,
        ),
        row(
          `${name} child: CPU`,
          p.children.map((i) => i.cpuMs),
          ms,
        ),
        row(
          `${name} child: peak RSS`,
          p.children.map((i) => i.peakRssMb),
          mb,
        ),
        row(`${name} step: wall, ${HERE_AT_ONCE} at once`, [p.wallMs], ms),
        row(`${name} step: requests`, [requestsOf(p.traffic)], int, requestsOf(p.traffic) / m.n),
      ];
      const one = (name: string, i: Invocation) => [row(`${name}: wall`, [i.wallMs], ms), row(`${name}: CPU`, [i.cpuMs], ms), row(`${name}: peak RSS`, [i.peakRssMb], mb)];
      const all = requestsOf(trafficOf(m));
      return [
        row('begin: list, items, start', [m.begin.wallMs], ms),
        ...phase('render', m.render),
        ...one('index step (the reduce, 1)', m.index),
        ...phase('records', m.records),
        ...one('site step (the reduce, 2)', m.site),
        row('index and site steps: requests', [requestsOf(m.reduceTraffic)], int, requestsOf(m.reduceTraffic) / m.n),
        row('requests, all (goal <= 3 per article)', [all], int, all / m.n),
      ];
    }),
    2,
  );
  const largest = measured.at(-1);
  if (!largest) return;
  console.log(`Estimate on AWS from N=${int(largest.n)} (the largest measured). Assumptions: the publisher at 1024 MB gets ${(LAMBDA_CPU_SHARE * 100).toFixed(0)}% of a vCPU`);
  console.log(`(one vCPU at 1,769 MB), so an invocation takes its CPU time here / ${LAMBDA_CPU_SHARE.toFixed(2)} or its wall here, whichever is longer; S3 round trips`);
  console.log('as through s3rver on this machine; children start at once (no cold-start or Distributed Map start-up time counted); the index and site');
  console.log("steps, and every step's requests, grow linearly with the archive (the index and site steps run in the chain: the site step over as many");
  console.log(`5-minute invocations as it needs). Prices: us-east-1 list, S3 PUT/LIST $0.005 and GET/HEAD $0.0004 per 1,000, Lambda arm64 $0.0000133334`);
  console.log(`per GB-s, standard state transitions $0.025 per 1,000 (${TRANSITIONS_PER_CHILD} per child, ${PARENT_TRANSITIONS} per execution, two executions).`);
  console.log(`Distributed Map limits used: MaxConcurrency ${MAX_CONCURRENCY} (of up to 10,000 child executions at once), a child's input ${ITEMS_PER_CHILD} items of`);
  console.log('a few hundred bytes (a batch input may be up to 256 KiB), the items one JSON array in S3 (the JSON item reader).\n');
  const rows: string[][] = [];
  let million: ReturnType<typeof estimate> | undefined;
  for (const articles of [100_000, 1_000_000]) {
    const e = estimate(largest, articles);
    rows.push(...e.rows);
    if (articles === 1_000_000) million = e;
  }
  printTable(['articles', 'estimate', 'figure'], rows, 3);
  if (million) {
    const verdict = (ok: boolean) => (ok ? 'ok' : 'SHORT');
    console.log(
      `Goal: 1,000,000 articles rebuilt in under 10 minutes: ${million.minutes.toFixed(1)} min, ${verdict(million.minutes < 10)}; for under $8: ${dollars(million.dollars)}, ${verdict(million.dollars < 8)} (floor $5.40: a PUT per page and a GET per article);`,
    );
    console.log(`the index step in one invocation: ${verdict(million.indexFits)}.`);
  }
}

export function parseFanOutArgs(args: readonly string[]): number[] {
  const { values } = parseArgs({ args: [...args], options: { sizes: { type: 'string' } }, strict: true });
  const sizes = values.sizes ? values.sizes.split(',').map(Number) : DEFAULT_SIZES;
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 1)) throw new Error(`--sizes: whole numbers of articles, comma-separated (got ${values.sizes})`);
  return sizes;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runFanOutBench(parseFanOutArgs(process.argv.slice(2)));
}
