// The publishing engine at scale (issue 11): what ONE edited and ONE new article cost to publish
// incrementally, and what a local no-op and one-article rebuild cost, at archives of 1,000, 10,000 and
// 100,000 articles, side by side, each with its ratio to the smallest size. The goal: every figure at the
// largest size within 1.2x of the smallest; the table says which fall short.
//
// Per N (test/bench/generate.ts writes the corpus: article i is the same bytes at every N):
//   local: `wirefeed build --full` once (the state; its time and RSS are printed, not compared), then R runs
//     each of `wirefeed build` with nothing changed (no-op) and after editing one article's title
//     (one-article rebuild), each a fresh CLI process: wall from spawn to exit, the time the CLI reports,
//     and the child's peak RSS.
//   fs publish: against that same local state, R runs each of publish() with mode 'changed' and one key,
//     as the Lambda runs it, in a child process (test/bench/publish-child.ts): first an edit of the newest
//     two-tag article, then a new article dated after every other. Counted at the Store port by
//     CountingStore around FsStore (one list() call = one LIST, whatever it returns).
//   s3 publish (N <= --s3-max, default 10,000): the corpus uploaded to s3rver, a full publish through the
//     AWS SDK, then the same R edits and R new articles in a child process, counted by the test server's
//     proxy: real S3 requests (a LIST per 1,000 keys), body bytes each way. Above --s3-max the state is not
//     seeded through s3rver (100,000 uploads plus a full rebuild through it take most of an hour); the fs
//     rows are the figures there.
// Wall times and RSS are medians of R runs; request and byte counts are medians too (they do not vary).
//
//   npx tsx test/bench/publish.bench.ts [--sizes 1000,10000,100000] [--runs 5] [--s3-max 10000]
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { localStateFolder } from '../../functions/cli/main.ts';
import { mapLimit } from '../../functions/core/concurrency.ts';
import { STATE_PREFIX_IN_CONTENT } from '../../functions/core/keys.ts';
import { ask } from '../../functions/publish/protocol/requests.ts';
import { publish } from '../../functions/publish/publish.ts';
import { S3Store } from '../../functions/stores/s3-store.ts';
import type { Store, Stores } from '../../functions/stores/store.ts';
import { type S3TestServer, startS3Server } from '../helpers/s3-server.ts';
import { type ChildRun, jsonResultOf, printTable, runNode } from './build.bench.ts';
import type { StoreCounts } from './counting-store.ts';
import { BENCH_LATEST, generateArticle, siteYaml, writeCorpus } from './generate.ts';
import type { ChildJob, ChildResult } from './publish-child.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(REPO_ROOT, 'functions', 'bin', 'wirefeed.js');
const CHILD = path.join(REPO_ROOT, 'test', 'bench', 'publish-child.ts');
export const ENGINE_SIZES = [1_000, 10_000, 100_000];
/** The goal: every figure at the largest size within this factor of the smallest. */
const GOAL = 1.2;
/** Every generated date is before BENCH_LATEST (2026-11-20), so every article is public at this now. */
export const NOW = '2026-11-25T12:00:00Z';
export const MARKDOWN = { contentType: 'text/markdown; charset=utf-8' };

/** One figure per size: the value, how it prints. */
type Figure = { value: number; text: string };
/** scenario -> figure name -> N -> figure. */
type Results = Map<string, Map<string, Map<number, Figure>>>;

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
export const int = (v: number) => Math.round(v).toLocaleString('en');
export const kb = (v: number) => `${(v / 1024).toLocaleString('en', { maximumFractionDigits: 1, minimumFractionDigits: 1 })} KB`;
export const ms = (v: number) => `${Math.round(v).toLocaleString('en')} ms`;
const mb = (v: number) => `${Math.round(v)} MB`;

function record(results: Results, scenario: string, figure: string, n: number, value: number, format: (v: number) => string): void {
  const byFigure = results.get(scenario) ?? new Map<string, Map<number, Figure>>();
  results.set(scenario, byFigure);
  const byN = byFigure.get(figure) ?? new Map<number, Figure>();
  byFigure.set(figure, byN);
  byN.set(n, { value, text: format(value) });
}

/** The newest generated article with two tags: an edit of it touches the main feed and two tag feeds at every size. */
function newestTwoTag(n: number): number {
  let best = 0;
  let bestDate = '';
  for (let i = 0; i < n; i++) {
    const text = generateArticle(i).text;
    const date = /^date: (\S+)$/m.exec(text)?.[1] ?? '';
    const tags = (/^tags: \[(.*)\]$/m.exec(text)?.[1] ?? '').split(',').length;
    if (tags === 2 && date > bestDate) [best, bestDate] = [i, date];
  }
  return best;
}

/** Edit k of article `target`: a corrected title, so the file changes every time. */
const edited = (target: number, k: number) => {
  const original = generateArticle(target);
  const title = `${/^title: "(.*)"$/m.exec(original.text)?.[1] ?? 'Report'} (correction ${k})`;
  return generateArticle(target, { title });
};
/** New article k: after every generated date and every earlier new one, with fixed tags. */
export const added = (n: number, k: number) => generateArticle(n + k, { date: `2026-11-25T11:${String(k % 60).padStart(2, '0')}:00Z`, tags: ['politics', 'economy'] });

function expectCli(run: ChildRun, what: string, pattern: RegExp): number {
  if (run.code !== 0 || !pattern.test(run.stdout)) throw new Error(`${what}: exit ${run.code}, expected ${pattern}\n${run.stdout}\n${run.stderr}`);
  return Number(/ in (\d+) ms$/m.exec(run.stdout)?.[1] ?? Number.NaN);
}

async function runChild(job: ChildJob, what: string): Promise<{ run: ChildRun; result: ChildResult }> {
  const run = await runNode(['--import', 'tsx', CHILD, JSON.stringify(job)]);
  const result = jsonResultOf<ChildResult>(run, `${what}: publish`);
  if (result.rejected.length > 0) throw new Error(`${what}: rejected ${result.rejected.join('; ')}`);
  if (result.rendered !== 1) throw new Error(`${what}: rendered ${result.rendered}, expected 1`);
  return { run, result };
}

interface Sample {
  get: number;
  put: number;
  delete: number;
  list: number;
  head: number;
  bytesRead: number;
  bytesWritten: number;
  ms: number;
  cpuMs: number;
  rssMb: number;
}

function recordSamples(results: Results, scenario: string, n: number, samples: readonly Sample[]): void {
  const m = (f: (s: Sample) => number) => median(samples.map(f));
  record(
    results,
    scenario,
    'requests',
    n,
    m((s) => s.get + s.put + s.delete + s.list + s.head),
    int,
  );
  for (const kind of ['get', 'put', 'delete', 'list', 'head'] as const)
    record(
      results,
      scenario,
      `  ${kind.toUpperCase()}`,
      n,
      m((s) => s[kind]),
      int,
    );
  record(
    results,
    scenario,
    'bytes read',
    n,
    m((s) => s.bytesRead),
    kb,
  );
  record(
    results,
    scenario,
    'bytes written',
    n,
    m((s) => s.bytesWritten),
    kb,
  );
  record(
    results,
    scenario,
    'wall (publish)',
    n,
    m((s) => s.ms),
    ms,
  );
  record(
    results,
    scenario,
    'CPU (child process)',
    n,
    m((s) => s.cpuMs),
    ms,
  );
  record(
    results,
    scenario,
    'peak RSS (child)',
    n,
    m((s) => s.rssMb),
    mb,
  );
}

const fromStoreCounts = (c: StoreCounts, result: ChildResult, run: ChildRun): Sample => ({
  get: c.get,
  put: c.put,
  delete: c.delete,
  list: c.list,
  head: c.head,
  bytesRead: c.bytesRead,
  bytesWritten: c.bytesWritten,
  ms: result.ms,
  cpuMs: run.cpuMs,
  rssMb: run.peakRssMb,
});

interface Notes {
  lines: string[];
  /** By size: the no-op rebuild's median wall and the scan floor's (see SCAN_FLOOR). */
  scans: Map<number, { noop: number; floor: number }>;
}

/**
 * The least any scan without a watcher pays: a plain Node process (no tsx, none of wirefeed) that stats every
 * article file and lists the `seen/` markers' names; it prints the two counts, which the bench checks.
 */
const SCAN_FLOOR = `
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
const [content, state] = process.argv.slice(1);
const dir = path.join(content, 'articles');
let files = 0;
for (const name of readdirSync(dir)) if (statSync(path.join(dir, name)).isFile()) files++;
console.log(files + ' ' + readdirSync(path.join(state, 'seen')).length);
`;

/** Goal of issue 18 for the local no-op and one-article rebuilds: at 100,000 within this factor of 1,000. */
const GOAL_SCAN = 1.5;

/** The local part at one size: full build (the state), then no-op and one-article rebuilds, then fs publishes. */
async function localSize(n: number, runs: number, results: Results, notes: Notes): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `wirefeed-engine-bench-${n}-`));
  try {
    const content = path.join(dir, 'content');
    const out = path.join(dir, 'out');
    const state = localStateFolder(content, out);
    process.stderr.write(`publish bench: N=${n}: writing the corpus...\n`);
    await writeCorpus(content, n);
    process.stderr.write(`publish bench: N=${n}: full build (the local state)...\n`);
    const full = await runNode([CLI, 'build', '--content', content, '--out', out, '--full']);
    expectCli(full, `N=${n} full build`, new RegExp(`^${n} articles published, 0 rejected`));
    notes.lines.push(
      `N=${n.toLocaleString('en')}: full local build ${(full.wallMs / 1000).toFixed(1)} s (CPU ${(full.cpuMs / 1000).toFixed(1)} s), peak RSS ${mb(full.peakRssMb)} (the state the rows below start from; not compared)`,
    );

    const target = newestTwoTag(n);
    const targetFile = path.join(content, generateArticle(target).name);
    let k = 0;
    process.stderr.write(`publish bench: N=${n}: ${runs} no-op and ${runs} one-article local rebuilds...\n`);
    const noop: { wall: number; cli: number; cpu: number; rss: number }[] = [];
    const one: { wall: number; cli: number; cpu: number; rss: number }[] = [];
    for (let r = 0; r < runs; r++) {
      const run = await runNode([CLI, 'build', '--content', content, '--out', out]);
      noop.push({ wall: run.wallMs, cli: expectCli(run, `N=${n} no-op rebuild`, / 0 pages rendered, 0 files written/), cpu: run.cpuMs, rss: run.peakRssMb });
    }
    const floor: number[] = [];
    for (let r = 0; r < runs; r++) {
      const run = await runNode(['--input-type=module', '-e', SCAN_FLOOR, content, state]);
      if (run.stdout !== `${n} ${n}`) throw new Error(`N=${n} scan floor: counted "${run.stdout}", expected "${n} ${n}"\n${run.stderr}`);
      floor.push(run.wallMs);
    }
    notes.scans.set(n, { noop: median(noop.map((s) => s.wall)), floor: median(floor) });
    for (let r = 0; r < runs; r++) {
      await writeFile(targetFile, edited(target, ++k).text);
      const run = await runNode([CLI, 'build', '--content', content, '--out', out]);
      one.push({ wall: run.wallMs, cli: expectCli(run, `N=${n} one-article rebuild`, / 1 page rendered/), cpu: run.cpuMs, rss: run.peakRssMb });
    }
    for (const [scenario, samples] of [
      ['local no-op rebuild', noop],
      ['local one-article rebuild', one],
    ] as const) {
      record(results, scenario, 'wall (process)', n, median(samples.map((s) => s.wall)), ms);
      record(results, scenario, 'time the CLI reports', n, median(samples.map((s) => s.cli)), ms);
      record(results, scenario, 'CPU (process)', n, median(samples.map((s) => s.cpu)), ms);
      record(results, scenario, 'peak RSS', n, median(samples.map((s) => s.rss)), mb);
    }

    process.stderr.write(`publish bench: N=${n}: ${runs} edited and ${runs} new articles published (FsStore, counted at the Store port)...\n`);
    const fs = { content, site: out, state };
    const editSamples: Sample[] = [];
    for (let r = 0; r < runs; r++) {
      const { name, text } = edited(target, ++k);
      await writeFile(path.join(content, name), text);
      const { run, result } = await runChild({ keys: [name], now: NOW, fs }, `N=${n} fs edit`);
      editSamples.push(fromStoreCounts(result.counts as StoreCounts, result, run));
    }
    const newSamples: Sample[] = [];
    for (let r = 0; r < runs; r++) {
      const { name, text } = added(n, r + 1);
      await writeFile(path.join(content, name), text);
      const { run, result } = await runChild({ keys: [name], now: NOW, fs }, `N=${n} fs new`);
      if (result.public !== n + r + 1) throw new Error(`N=${n} fs new: ${result.public} public, expected ${n + r + 1}`);
      newSamples.push(fromStoreCounts(result.counts as StoreCounts, result, run));
    }
    recordSamples(results, 'edited article, FsStore', n, editSamples);
    recordSamples(results, 'new article, FsStore', n, newSamples);
    // What the engine keeps: the state folder's size, for the notes.
    const stateFiles = await readdir(state, { recursive: true });
    notes.lines.push(`N=${n.toLocaleString('en')}: local state ${stateFiles.length.toLocaleString('en')} entries under .wirefeed/state/`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** New buckets for content (the state under its STATE_PREFIX_IN_CONTENT, as the CLI keeps it) and site, and their stores. */
export async function s3Stores(server: S3TestServer, contentBucket: string, siteBucket: string): Promise<Stores> {
  await server.createBucket(contentBucket);
  await server.createBucket(siteBucket);
  return {
    content: new S3Store(server.client, contentBucket),
    site: new S3Store(server.client, siteBucket),
    state: new S3Store(server.client, contentBucket, STATE_PREFIX_IN_CONTENT),
  };
}

/** Uploads site.yaml and articles 0..n-1 of the corpus; answers the time it took. */
export async function seedCorpus(content: Store, n: number): Promise<number> {
  const started = performance.now();
  await content.put('site.yaml', siteYaml, { contentType: 'application/yaml; charset=utf-8' });
  await mapLimit(
    Array.from({ length: n }, (_, i) => i),
    32,
    async (i) => {
      const { name, text } = generateArticle(i);
      await content.put(name, text, MARKDOWN);
    },
  );
  return performance.now() - started;
}

/** The S3 part at one size: seed through s3rver, full publish, then edits and new articles in a child. */
async function s3Size(server: S3TestServer, n: number, runs: number, results: Results, notes: Notes): Promise<void> {
  const contentBucket = `content-${n}`;
  const siteBucket = `site-${n}`;
  const { content, site, state } = await s3Stores(server, contentBucket, siteBucket);
  process.stderr.write(`publish bench: N=${n}: uploading the corpus to s3rver...\n`);
  const uploadMs = await seedCorpus(content, n);
  process.stderr.write(`publish bench: N=${n}: full publish through s3rver...\n`);
  server.resetCounts();
  const fullStarted = performance.now();
  const full = await publish({ content, site, state }, { now: new Date(NOW), request: ask.full() });
  const fullMs = performance.now() - fullStarted;
  if (full.public !== n) throw new Error(`N=${n} S3 full publish: ${full.public} public, expected ${n}`);
  const fullRequests = Object.values(server.counts()).reduce((a, b) => a + b, 0);
  notes.lines.push(
    `N=${n.toLocaleString('en')}: S3 seeding: upload ${(uploadMs / 1000).toFixed(1)} s, full publish ${(fullMs / 1000).toFixed(1)} s and ${fullRequests.toLocaleString('en')} requests (not compared)`,
  );

  const s3 = { endpoint: server.endpoint, content: contentBucket, site: siteBucket, state: contentBucket, statePrefix: STATE_PREFIX_IN_CONTENT };
  const target = newestTwoTag(n);
  const sample = async (job: ChildJob, what: string, check?: (r: ChildResult) => void): Promise<Sample> => {
    server.resetCounts();
    const { run, result } = await runChild(job, what);
    check?.(result);
    const c = server.counts();
    const b = server.bytes();
    return { get: c.get, put: c.put, delete: c.delete, list: c.list, head: c.head + c.other, bytesRead: b.read, bytesWritten: b.written, ms: result.ms, cpuMs: run.cpuMs, rssMb: run.peakRssMb };
  };
  process.stderr.write(`publish bench: N=${n}: ${runs} edited and ${runs} new articles published through s3rver...\n`);
  const editSamples: Sample[] = [];
  for (let r = 0; r < runs; r++) {
    const { name, text } = edited(target, 100 + r);
    await content.put(name, text, MARKDOWN);
    editSamples.push(await sample({ keys: [name], now: NOW, s3 }, `N=${n} S3 edit`));
  }
  const newSamples: Sample[] = [];
  for (let r = 0; r < runs; r++) {
    const { name, text } = added(n, r + 1);
    await content.put(name, text, MARKDOWN);
    newSamples.push(
      await sample({ keys: [name], now: NOW, s3 }, `N=${n} S3 new`, (res) => {
        if (res.public !== n + r + 1) throw new Error(`N=${n} S3 new: ${res.public} public, expected ${n + r + 1}`);
      }),
    );
  }
  recordSamples(results, 'edited article, S3 (s3rver)', n, editSamples);
  recordSamples(results, 'new article, S3 (s3rver)', n, newSamples);
}

export interface EngineBenchOptions {
  sizes: readonly number[];
  runs: number;
  /** The largest N seeded through s3rver. */
  s3Max: number;
}

export async function runPublishBench(options: EngineBenchOptions): Promise<void> {
  if (BENCH_LATEST >= Date.parse(NOW)) throw new Error('generated dates must be before the bench now');
  const sizes = [...options.sizes].sort((a, b) => a - b);
  const results: Results = new Map();
  const notes: Notes = { lines: [], scans: new Map() };
  const started = performance.now();
  const s3Sizes = sizes.filter((n) => n <= options.s3Max);
  if (s3Sizes.length > 0) {
    const server = await startS3Server();
    try {
      for (const n of s3Sizes) await s3Size(server, n, options.runs, results, notes);
    } finally {
      await server.stop();
    }
  }
  for (const n of sizes) await localSize(n, options.runs, results, notes);

  const ref = sizes[0] as number;
  const largest = sizes[sizes.length - 1] as number;
  const others = sizes.slice(1);
  const label = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));
  const short: string[] = [];
  const rows: string[][] = [];
  for (const [scenario, figures] of results) {
    for (const [figure, byN] of figures) {
      const base = byN.get(ref);
      const ratios = others.map((n) => {
        const v = byN.get(n);
        if (!v || !base) return '-';
        if (base.value === 0) return v.value === 0 ? '=' : 'from 0';
        return `${(v.value / base.value).toFixed(2)}x`;
      });
      // The verdict: the largest size this scenario ran at, against the smallest.
      const top = [...sizes].reverse().find((n) => byN.has(n) && n !== ref);
      let verdict = '';
      if (base && top !== undefined) {
        const v = byN.get(top) as Figure;
        const ok = base.value === 0 ? v.value === 0 : v.value / base.value <= GOAL;
        verdict = ok ? 'ok' : `SHORT${top !== largest ? ` (at ${label(top)})` : ''}`;
        if (!ok) short.push(`${scenario}: ${figure.trim()} ${base.text} -> ${v.text} at ${top.toLocaleString('en')}`);
      }
      // The scenario's name on its first row only.
      const first = figures.keys().next().value === figure;
      rows.push([first ? scenario : '', figure, ...sizes.map((n) => byN.get(n)?.text ?? 'n/a'), ...ratios, verdict]);
    }
  }

  console.log(
    `Incremental publishing, ${options.runs} runs per figure (medians), now = ${NOW}.\n` +
      `S3 rows: publish() in a child process, AWS SDK -> the test server's counting proxy -> s3rver, on this machine;\n` +
      `  requests as S3 sees them (HEAD column also holds any 'other'), body bytes each way; sizes up to ${options.s3Max.toLocaleString('en')} only:\n` +
      `  larger states are not seeded through s3rver (too slow), so at those sizes the FsStore rows stand in.\n` +
      `FsStore rows: publish() in a child process against the local state a full \`wirefeed build\` left, counted at the\n` +
      `  Store port by a CountingStore (one list() call = one LIST, however many keys; list and head move no bytes).\n` +
      `Local rows: \`wirefeed build\` (a scan: every article file is listed and compared with the state) in a fresh process.\n` +
      `wall (publish) = publish() alone, start-up excluded; wall (process) = spawn to exit; CPU = the child's user+system\n` +
      `  time, start-up included (steadier than wall on a shared machine); peak RSS = the child's own high-water mark (VmHWM).\n` +
      `Goal: every figure at ${largest.toLocaleString('en')} within ${GOAL}x of ${ref.toLocaleString('en')}.\n`,
  );
  printTable(['scenario', 'figure', ...sizes.map((n) => n.toLocaleString('en')), ...others.map((n) => `${label(n)}/${label(ref)}`), `goal <=${GOAL}x`], rows, 2);
  for (const line of notes.lines) console.log(line);
  for (const line of scanLines(notes.scans)) console.log(line);
  console.log('');
  if (short.length === 0) console.log(`Every figure is within ${GOAL}x.`);
  else {
    console.log(`Short of the ${GOAL}x goal (${short.length} figures):`);
    for (const line of short) console.log(`  - ${line}`);
  }
  console.log(`\n(publish bench: ${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
}

/**
 * The no-op rebuild against the scan floor: how much of its growth from the smallest size to the largest any
 * scan pays, and what issue 18's goal (the largest within GOAL_SCAN of the smallest) leaves for it.
 */
function scanLines(scans: Map<number, { noop: number; floor: number }>): string[] {
  const sizes = [...scans.keys()].sort((a, b) => a - b);
  const lines = sizes.map(
    (n) => `N=${n.toLocaleString('en')}: scan floor (plain Node: stat every article file, list seen/) ${ms(scans.get(n)?.floor ?? 0)}; no-op rebuild ${ms(scans.get(n)?.noop ?? 0)}`,
  );
  const [small, large] = [sizes[0], sizes.at(-1)];
  if (small === undefined || large === undefined || small === large) return lines;
  const a = scans.get(small) as { noop: number; floor: number };
  const b = scans.get(large) as { noop: number; floor: number };
  const allowed = a.noop * (GOAL_SCAN - 1);
  lines.push(
    `no-op rebuild, ${small.toLocaleString('en')} -> ${large.toLocaleString('en')}: grows by ${ms(b.noop - a.noop)}, the scan floor by ${ms(b.floor - a.floor)}; ` +
      `a ${GOAL_SCAN}x goal allows ${ms(allowed)} of growth: ${b.floor - a.floor > allowed ? 'less than the floor itself grows' : 'more than the floor grows'}`,
  );
  return lines;
}

export function parseEngineArgs(args: readonly string[]): EngineBenchOptions {
  const { values } = parseArgs({
    args: [...args],
    options: { sizes: { type: 'string' }, runs: { type: 'string' }, 's3-max': { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const list = (values.sizes ?? process.env.BENCH_SIZES ?? ENGINE_SIZES.join(',')).split(',').map((s) => Number(s.replace(/_/g, '')));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 10)) throw new Error(`--sizes must be whole numbers of articles, at least 10 (got "${values.sizes}")`);
  const runs = Number(values.runs ?? process.env.BENCH_RUNS ?? 5);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number, at least 1 (got "${values.runs}")`);
  const s3Max = Number(values['s3-max'] ?? process.env.BENCH_S3_MAX ?? 10_000);
  if (!Number.isInteger(s3Max) || s3Max < 0) throw new Error(`--s3-max must be a whole number (got "${values['s3-max']}")`);
  return { sizes: list, runs, s3Max };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runPublishBench(parseEngineArgs(process.argv.slice(2)));
}
