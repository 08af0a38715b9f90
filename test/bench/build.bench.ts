// The local build at scale: a generated corpus of N wire reports (test/bench/generate.ts) built into a
// folder by the real CLI, `node functions/bin/wirefeed.js build --content DIR --out OUT --full`, in a fresh
// child process each time, so start-up (Node, the tsx loader, our imports) is in the figure, as a user
// sees it, and nothing is warm from an earlier run.
//
// Measured per N, each in its own child process:
// - full build: wall time from spawn to exit, and peak RSS (the child's own VmHWM, or maxRSS off Linux,
//   printed at exit by a small --import preload);
// - no-op rebuild: the same command without --full over the output just written, nothing changed;
// - I/O floor: a plain Node script that reads every article file and writes one 6 KB file per article
//   (16 at a time, the publisher's default concurrency), no parsing or rendering: what the disk and
//   the event loop cost whatever the publisher does. The ratio to it is the publisher's own overhead.
// - Hugo, when `hugo` is on PATH (Debian's package): a minimal site from the same corpus (a page per article,
//   the home RSS of the newest 50; test/bench/hugo.ts), wall time and peak RSS, and wirefeed's full build
//   wall time over Hugo's. Without hugo the bench says so and carries on.
// Plus, once, the start-up cost: `wirefeed --help`, which loads the CLI and everything it imports.
// The issue's goals: a full build within 3x the I/O floor; peak RSS at 100,000 articles within 1.5x the peak
// at 10,000 (printed as the memory growth when both sizes run: `npx tsx test/bench/run.ts --large`).
//
//   npx tsx test/bench/build.bench.ts [N ...]     (default 1000 10000)
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeCorpus } from './generate.ts';
import { buildHugoSite, type HugoRun, hugoVersion } from './hugo.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(REPO_ROOT, 'functions', 'bin', 'wirefeed.js');
export const DEFAULT_SIZES = [1_000, 10_000];

/**
 * Loaded before the child's own code: prints its peak RSS (KB) and CPU time (µs, user and system) on stderr
 * as it exits. The peak is /proc/self/status VmHWM where there is one: Linux carries getrusage's maxRSS over
 * exec from the forked copy of the parent, so a child of a large bench process would report the parent's
 * size (every small child read ~200 MB); VmHWM is the child's own. Elsewhere, maxRSS.
 */
const MAX_RSS_MARKER = 'WIREFEED_BENCH_MAXRSS_KB=';
const RSS_PRELOAD = `data:text/javascript,${encodeURIComponent(
  `import { readFileSync } from 'node:fs';
process.on('exit', () => {
  const u = process.resourceUsage();
  let kb = u.maxRSS;
  try { kb = Number(/VmHWM:\\s*(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]); } catch {}
  process.stderr.write('\\n${MAX_RSS_MARKER}' + kb + ' ' + u.userCPUTime + ' ' + u.systemCPUTime + '\\n');
});`,
)}`;

/** The floor: read every article, write one page-sized file each, as plainly as Node allows. */
const FLOOR_SCRIPT = `
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
const [content, out] = process.argv.slice(1);
const names = (await readdir(path.join(content, 'articles'))).filter((n) => n.endsWith('.md'));
await mkdir(out, { recursive: true });
const page = Buffer.alloc(6 * 1024, 'x');
let next = 0;
let bytes = 0;
await Promise.all(Array.from({ length: 16 }, async () => {
  while (next < names.length) {
    const name = names[next++];
    bytes += (await readFile(path.join(content, 'articles', name))).byteLength;
    await writeFile(path.join(out, name.replace(/\\.md$/, '.html')), page);
  }
}));
console.log(names.length + ' files, ' + bytes + ' bytes read');
`;

export interface ChildRun {
  wallMs: number;
  /** Peak resident set size in MB. */
  peakRssMb: number;
  /** CPU time, user and system, in ms: less disturbed than wall time by other work on a shared machine. */
  cpuMs: number;
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `node ARGS` in a fresh process: wall time from spawn to exit, and its peak RSS. */
export function runNode(args: readonly string[]): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', RSS_PRELOAD, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let wallMs = 0;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', () => (wallMs = performance.now() - started));
    child.once('close', (code, signal) => {
      const at = stderr.lastIndexOf(MAX_RSS_MARKER);
      if (at === -1) {
        reject(new Error(`node ${args.join(' ')}: no peak RSS reported (code ${code}, signal ${signal})\n${stderr}`));
        return;
      }
      const [kb = 0, user = 0, system = 0] = stderr
        .slice(at + MAX_RSS_MARKER.length)
        .trim()
        .split(/\s+/)
        .map(Number);
      resolve({ wallMs, peakRssMb: kb / 1024, cpuMs: (user + system) / 1000, code: code ?? -1, stdout: stdout.trim(), stderr: stderr.slice(0, at).trim() });
    });
  });
}

/** A build that did not exit 0 or did not publish every article is a broken bench, not a figure. */
function expectBuild(run: ChildRun, n: number, what: string): ChildRun {
  const published = /^(\d+) articles? published, 0 rejected/.exec(run.stdout);
  if (run.code !== 0 || !published || Number(published[1]) !== n) {
    throw new Error(`${what}: expected ${n} articles published, exit 0; got exit ${run.code}\n${run.stdout}\n${run.stderr}`);
  }
  return run;
}

export interface BuildBenchRow {
  n: number;
  corpusMb: number;
  build: ChildRun;
  noop: ChildRun;
  floor: ChildRun;
  /** Undefined when hugo is not on PATH. */
  hugo: HugoRun | undefined;
}

export async function runBuildBench(sizes: readonly number[] = DEFAULT_SIZES): Promise<BuildBenchRow[]> {
  const startup = await runNode([CLI, '--help']);
  const hugoVersionLine = hugoVersion();
  if (hugoVersionLine === undefined) process.stderr.write('build bench: hugo not on PATH, no Hugo comparison\n');
  const rows: BuildBenchRow[] = [];
  for (const n of sizes) {
    const dir = await mkdtemp(path.join(os.tmpdir(), `wirefeed-build-bench-${n}-`));
    try {
      const content = path.join(dir, 'content');
      const out = path.join(dir, 'out');
      process.stderr.write(`build bench: writing ${n} articles...\n`);
      await writeCorpus(content, n);
      const corpusMb = (await duBytes(path.join(content, 'articles'))) / 1024 / 1024;
      process.stderr.write(`build bench: N=${n}: I/O floor, full build, no-op rebuild...\n`);
      const floor = await runNode(['--input-type=module', '-e', FLOOR_SCRIPT, content, path.join(dir, 'floor')]);
      if (floor.code !== 0 || !floor.stdout.startsWith(`${n} files`)) throw new Error(`I/O floor failed:\n${floor.stdout}\n${floor.stderr}`);
      const build = expectBuild(await runNode([CLI, 'build', '--content', content, '--out', out, '--full']), n, 'full build');
      const noop = expectBuild(await runNode([CLI, 'build', '--content', content, '--out', out]), n, 'no-op rebuild');
      if (!/ 0 pages rendered, 0 files written/.test(noop.stdout)) process.stderr.write(`note: the no-op rebuild did work: ${noop.stdout}\n`);
      let hugo: HugoRun | undefined;
      if (hugoVersionLine !== undefined) {
        process.stderr.write(`build bench: N=${n}: Hugo...\n`);
        hugo = await buildHugoSite(content, path.join(dir, 'hugo'));
      }
      rows.push({ n, corpusMb, build, noop, floor, hugo });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  console.log(
    `Local build (FsStore to FsStore), each run a fresh \`node functions/bin/wirefeed.js build\` process; ` +
      `wall = spawn to exit, peak RSS = the child's own high-water mark (VmHWM).\n` +
      `Start-up alone (wirefeed --help: Node + tsx loader + imports): ${seconds(startup.wallMs)} s, ${startup.peakRssMb.toFixed(0)} MB.\n` +
      `I/O floor: read every article, write one 6 KB file per article, 16 at a time, plain Node (no tsx). Goal: full build <= 3x the floor.\n` +
      (hugoVersionLine === undefined
        ? 'hugo not on PATH: apt-get install hugo for the comparison\n'
        : `Hugo: ${hugoVersionLine}; a minimal site (a page per article, home RSS of the newest 50), \`hugo --quiet\`, ` +
          `peak RSS from /usr/bin/time -v. Ratio to Hugo = wirefeed full build wall / Hugo wall.\n`),
  );
  const withHugo = hugoVersionLine !== undefined;
  printTable(
    [
      'N',
      'corpus MB',
      'full build s',
      'µs/article',
      'peak RSS MB',
      'floor s',
      'floor RSS MB',
      'ratio to floor',
      ...(withHugo ? ['hugo s', 'hugo RSS MB', 'ratio to Hugo'] : []),
      'no-op rebuild s',
      'no-op RSS MB',
    ],
    rows.map((r) => [
      r.n.toLocaleString('en'),
      r.corpusMb.toFixed(1),
      seconds(r.build.wallMs),
      Math.round((r.build.wallMs * 1000) / r.n).toLocaleString('en'),
      r.build.peakRssMb.toFixed(0),
      seconds(r.floor.wallMs),
      r.floor.peakRssMb.toFixed(0),
      `${(r.build.wallMs / r.floor.wallMs).toFixed(1)}x`,
      ...(withHugo ? (r.hugo ? [r.hugo.wallS.toFixed(2), r.hugo.peakRssMb.toFixed(0), `${(r.build.wallMs / 1000 / r.hugo.wallS).toFixed(1)}x`] : ['-', '-', '-']) : []),
      seconds(r.noop.wallMs),
      r.noop.peakRssMb.toFixed(0),
    ]),
  );
  const small = rows.find((r) => r.n === 10_000);
  const large = rows.find((r) => r.n === 100_000);
  if (small && large) {
    const hugoGrowth = small.hugo && large.hugo ? `${(large.hugo.peakRssMb / small.hugo.peakRssMb).toFixed(1)}x` : 'n/a (not on PATH)';
    console.log(`memory growth 10k -> 100k: wirefeed ${(large.build.peakRssMb / small.build.peakRssMb).toFixed(1)}x (goal <= 1.5x), hugo ${hugoGrowth}\n`);
  }
  console.log('What the CLI itself reported:');
  const clean = (line: string) => line.replace(/ into \S+/, ' into OUT');
  for (const r of rows) console.log(`  N=${r.n} full:  ${clean(r.build.stdout)}\n  N=${r.n} no-op: ${clean(r.noop.stdout)}`);
  console.log('');
  return rows;
}

const seconds = (ms: number): string => (ms / 1000).toFixed(2);

async function duBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(path.join(dir, name))).size;
  return total;
}

/** A plain text table, numbers right-aligned (the first `left` columns left-aligned), for copying into notes. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[], left = 0): void {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c < left ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log('');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizes = process.argv.slice(2).map(Number);
  await runBuildBench(sizes.length > 0 ? sizes : DEFAULT_SIZES);
}
