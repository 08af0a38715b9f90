// The local build at scale: a generated corpus of N wire reports (test/bench/generate.ts) built into a
// folder by the real CLI, `node functions/bin/wirefeed.js build --content DIR --out OUT`, in a fresh child
// process each time, so start-up (Node, the tsx loader, our imports) is in the figure, as a user sees it, and
// nothing is warm from an earlier run.
//
// Measured per N, each in its own child process, in this order:
// - I/O floor: a plain Node script that reads every article file and writes one 6 KB file per article
//   (16 at a time, the publisher's default concurrency), no parsing or rendering: what the disk and
//   the event loop cost whatever the publisher does. The ratio to it is the publisher's own overhead.
// - cold build: `build --full` into an empty folder; wall time from spawn to exit, and peak RSS (the child's
//   own VmHWM, or maxRSS off Linux, printed at exit by a small --import preload);
// - no-op rebuild: the same command without --full over the output just written, nothing changed;
// - warm rebuild: site.yaml given a new title, then `build` without --full over that output: every page
//   carries the title, so every page is rendered again (checked: a page carries the new title, and at least
//   one file per article was written);
// - Hugo, when `hugo` is on PATH (Debian's package): the same corpus as a site of the kinds Hugo has built in
//   (a page per article, the main RSS of the newest 50, a page and an RSS feed per tag, the sitemap; what it
//   leaves out is in test/bench/hugo.ts), wall time and peak RSS. Without hugo the bench says so and carries on.
// Plus, once, the start-up cost: `wirefeed --help`, which loads the CLI and everything it imports.
// The issue's goals, each marked ok or SHORT: a cold build within 0.5x Hugo's wall time and 3x the I/O floor;
// peak RSS under 512 MB at every size, and at 100,000 articles within 1.2x the peak at 10,000 (printed as the
// memory growth when both sizes run: `npx tsx test/bench/run.ts build --large`).
//
//   npx tsx test/bench/build.bench.ts [N ...]     (default 1000 10000)
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { siteYaml, writeCorpus } from './generate.ts';
import { buildHugoSite, type HugoRun, hugoVersion } from './hugo.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(REPO_ROOT, 'functions', 'bin', 'wirefeed.js');
export const DEFAULT_SIZES = [1_000, 10_000];

/** The issue's goals (issue 18). */
const GOAL_COLD_TO_HUGO = 0.5;
const GOAL_COLD_TO_FLOOR = 3;
const GOAL_RSS_MB = 512;
const GOAL_RSS_GROWTH = 1.2;

/** The warm rebuild's change: a new site title, which every page carries. */
const WARM_TITLE = 'Bench Wire Revised';

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
/** The last JSON line a bench child printed (its result), or an error naming `what` with the child's output. */
export function jsonResultOf<T>(run: ChildRun, what: string): T {
  const line = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (run.code !== 0 || !line) throw new Error(`${what}: the child failed (exit ${run.code})\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(line) as T;
}

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

/**
 * The warm rebuild rebuilt every page: at least one file per article written, and an article's page (the first
 * in name order) carries the new title.
 */
async function expectRetitled(run: ChildRun, n: number, out: string): Promise<void> {
  const written = / (\d+) files? written/.exec(run.stdout);
  if (!written || Number(written[1]) < n) throw new Error(`warm rebuild: expected at least ${n} files written (a page per article); got: ${run.stdout}`);
  const slug = (await readdir(path.join(out, 'articles'))).sort()[0];
  if (slug === undefined) throw new Error(`warm rebuild: no article pages in ${out}/articles`);
  const page = await readFile(path.join(out, 'articles', slug, 'index.html'), 'utf8');
  if (!page.includes(WARM_TITLE)) throw new Error(`warm rebuild: articles/${slug}/index.html does not carry the new site title "${WARM_TITLE}"`);
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
  /** `build --full` into an empty folder. */
  build: ChildRun;
  /** `build` after site.yaml's title changed: every page again. */
  warm: ChildRun;
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
      process.stderr.write(`build bench: N=${n}: I/O floor, cold build, no-op rebuild, warm rebuild...\n`);
      const floor = await runNode(['--input-type=module', '-e', FLOOR_SCRIPT, content, path.join(dir, 'floor')]);
      if (floor.code !== 0 || !floor.stdout.startsWith(`${n} files`)) throw new Error(`I/O floor failed:\n${floor.stdout}\n${floor.stderr}`);
      const build = expectBuild(await runNode([CLI, 'build', '--content', content, '--out', out, '--full']), n, 'cold build');
      const noop = expectBuild(await runNode([CLI, 'build', '--content', content, '--out', out]), n, 'no-op rebuild');
      if (!/ 0 pages rendered, 0 files written/.test(noop.stdout)) process.stderr.write(`note: the no-op rebuild did work: ${noop.stdout}\n`);
      const retitled = siteYaml.replace(/^title: .*$/m, `title: ${WARM_TITLE}`);
      if (retitled === siteYaml) throw new Error('warm rebuild: no `title:` line in the bench site.yaml to change');
      await writeFile(path.join(content, 'site.yaml'), retitled);
      const warm = expectBuild(await runNode([CLI, 'build', '--content', content, '--out', out]), n, 'warm rebuild');
      await expectRetitled(warm, n, out);
      let hugo: HugoRun | undefined;
      if (hugoVersionLine !== undefined) {
        process.stderr.write(`build bench: N=${n}: Hugo...\n`);
        hugo = await buildHugoSite(content, path.join(dir, 'hugo'));
      }
      rows.push({ n, corpusMb, build, warm, noop, floor, hugo });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  console.log(
    `Local build (FsStore to FsStore), each run a fresh \`node functions/bin/wirefeed.js build\` process; ` +
      `wall = spawn to exit, peak RSS = the child's own high-water mark (VmHWM).\n` +
      `cold = \`build --full\` into an empty folder; warm = \`build\` after site.yaml's title changed (every page again); ` +
      `no-op = \`build\` with nothing changed.\n` +
      `Start-up alone (wirefeed --help: Node + tsx loader + imports): ${seconds(startup.wallMs)} s, ${startup.peakRssMb.toFixed(0)} MB.\n` +
      `I/O floor: read every article, write one 6 KB file per article, 16 at a time, plain Node (no tsx).\n` +
      (hugoVersionLine === undefined
        ? 'hugo not on PATH: apt-get install hugo for the comparison\n'
        : `Hugo: ${hugoVersionLine}; a page per article, the main RSS and a page + RSS per tag (newest 50, full content), ` +
          `sitemap.xml; no Atom/JSON feeds, no archives, nothing parsed back (test/bench/hugo.ts). \`hugo --quiet\`, ` +
          `peak RSS from /usr/bin/time -v.\n`) +
      `Goals: cold <= ${GOAL_COLD_TO_HUGO}x Hugo, cold <= ${GOAL_COLD_TO_FLOOR}x the floor, peak RSS < ${GOAL_RSS_MB} MB, ` +
      `peak RSS at 100,000 <= ${GOAL_RSS_GROWTH}x the peak at 10,000.\n`,
  );
  const label = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));
  const short: string[] = [];
  /** One figure across the sizes; with a goal, the verdict: ok, or SHORT at the sizes that miss it. */
  const figure = (name: string, value: (r: BuildBenchRow) => number | undefined, text: (v: number) => string, goal?: { text: string; met: (v: number) => boolean }): string[] => {
    const values = rows.map(value);
    let verdict = '';
    if (goal) {
      const missed = rows.filter((_, i) => values[i] !== undefined && !goal.met(values[i] as number));
      verdict = missed.length === 0 ? 'ok' : `SHORT (at ${missed.map((r) => label(r.n)).join(', ')})`;
      for (const r of missed) short.push(`${name.trim()} at ${r.n.toLocaleString('en')}: ${text(values[rows.indexOf(r)] as number)} (goal ${goal.text})`);
    }
    return [name, ...values.map((v) => (v === undefined ? '-' : text(v))), goal?.text ?? '', verdict];
  };
  const mb = (v: number) => v.toFixed(0);
  const x = (v: number) => `${v.toFixed(2)}x`;
  const rssGoal = { text: `< ${GOAL_RSS_MB} MB`, met: (v: number) => v < GOAL_RSS_MB };
  const hugoS = (r: BuildBenchRow) => (r.hugo ? r.hugo.wallS * 1000 : undefined);
  printTable(
    ['figure', ...rows.map((r) => r.n.toLocaleString('en')), 'goal', 'verdict'],
    [
      figure(
        'corpus MB',
        (r) => r.corpusMb,
        (v) => v.toFixed(1),
      ),
      figure('cold build s', (r) => r.build.wallMs, seconds),
      figure(
        '  µs/article',
        (r) => (r.build.wallMs * 1000) / r.n,
        (v) => Math.round(v).toLocaleString('en'),
      ),
      figure('  peak RSS MB', (r) => r.build.peakRssMb, mb, rssGoal),
      figure('warm rebuild s', (r) => r.warm.wallMs, seconds),
      figure('  peak RSS MB', (r) => r.warm.peakRssMb, mb, rssGoal),
      figure('no-op rebuild s', (r) => r.noop.wallMs, seconds),
      figure('  peak RSS MB', (r) => r.noop.peakRssMb, mb),
      figure('I/O floor s', (r) => r.floor.wallMs, seconds),
      figure('  peak RSS MB', (r) => r.floor.peakRssMb, mb),
      figure('Hugo s', hugoS, seconds),
      figure('  peak RSS MB', (r) => r.hugo?.peakRssMb, mb),
      figure('cold / Hugo', (r) => (r.hugo ? r.build.wallMs / 1000 / r.hugo.wallS : undefined), x, { text: `<= ${GOAL_COLD_TO_HUGO}x`, met: (v) => v <= GOAL_COLD_TO_HUGO }),
      figure('cold / floor', (r) => r.build.wallMs / r.floor.wallMs, x, { text: `<= ${GOAL_COLD_TO_FLOOR}x`, met: (v) => v <= GOAL_COLD_TO_FLOOR }),
      figure('warm / floor', (r) => r.warm.wallMs / r.floor.wallMs, x),
    ],
    1,
  );
  const small = rows.find((r) => r.n === 10_000);
  const large = rows.find((r) => r.n === 100_000);
  if (small && large) {
    const growth = (what: string, from: number, to: number) => {
      const ratio = to / from;
      const ok = ratio <= GOAL_RSS_GROWTH;
      if (!ok) short.push(`${what} peak RSS growth 10k -> 100k: ${x(ratio)} (goal <= ${GOAL_RSS_GROWTH}x)`);
      return `${what} ${x(ratio)} (${mb(from)} -> ${mb(to)} MB) ${ok ? 'ok' : 'SHORT'}`;
    };
    const hugoGrowth = small.hugo && large.hugo ? `${x(large.hugo.peakRssMb / small.hugo.peakRssMb)} (${mb(small.hugo.peakRssMb)} -> ${mb(large.hugo.peakRssMb)} MB)` : 'n/a (not on PATH)';
    console.log(
      `memory growth 10k -> 100k (goal <= ${GOAL_RSS_GROWTH}x): ${growth('cold build', small.build.peakRssMb, large.build.peakRssMb)}; ` +
        `${growth('warm rebuild', small.warm.peakRssMb, large.warm.peakRssMb)}; hugo ${hugoGrowth}\n`,
    );
  }
  if (short.length === 0) console.log('Every figure with a goal meets it.\n');
  else console.log(`Short of the goals (${short.length}):\n${short.map((line) => `  - ${line}`).join('\n')}\n`);
  console.log('What the CLI itself reported:');
  const clean = (line: string) => line.replace(/ into \S+/, ' into OUT');
  for (const r of rows) console.log(`  N=${r.n} cold:  ${clean(r.build.stdout)}\n  N=${r.n} no-op: ${clean(r.noop.stdout)}\n  N=${r.n} warm:  ${clean(r.warm.stdout)}`);
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
