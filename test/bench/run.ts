// Every benchmark, in order: the publishing engine (publish.bench.ts: one edited and one new article published
// incrementally, local no-op and one-article rebuilds, at 1,000, 10,000 and 100,000 articles side by side), a full
// rebuild through S3 finished by cut-off invocations (rebuild.bench.ts), the distributed rebuild played through S3
// with its estimate at 1,000,000 articles (fan-out.bench.ts), the local cold and warm builds against the I/O
// floor and Hugo (build.bench.ts), feed readers polling the local server (poll.bench.ts), then the publisher
// bundle's cold start (bundle.bench.ts). Each prints its own table and says what it measures.
//
//   npm run bench                              everything (about 30 minutes on 2 cores; the rebuilds through s3rver and
//                                              the 100,000-article state dominate)
//   npm run bench -- publish                   one or more of: publish rebuild fanout build poll bundle
//   npm run bench -- publish --sizes 1000,10000 --runs 3
//                                              sizes (also BENCH_SIZES) and runs per median (BENCH_RUNS, default 5);
//                                              --s3-max N: the largest size seeded through s3rver (default 10,000)
//   npm run bench -- rebuild --sizes 1000      the rebuild at the sizes up to --s3-max, one run unless --runs says
//   npm run bench -- --quick                   a smoke run: sizes 200 and 1,000, 2 runs
//   npm run bench -- build --large             the full build at 10,000 and 100,000, for its memory growth
//   --only NAME                                the same as naming one part
import os from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_SIZES, runBuildBench } from './build.bench.ts';
import { runBundleBench } from './bundle.bench.ts';
import { runFanOutBench } from './fan-out.bench.ts';
import { runPollBench } from './poll.bench.ts';
import { parseEngineArgs, runPublishBench } from './publish.bench.ts';
import { parseRebuildArgs, runRebuildBench } from './rebuild.bench.ts';

const BENCHES = ['publish', 'rebuild', 'fanout', 'build', 'poll', 'bundle'] as const;
type Bench = (typeof BENCHES)[number];

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: {
    quick: { type: 'boolean', default: false },
    large: { type: 'boolean', default: false },
    only: { type: 'string' },
    sizes: { type: 'string' },
    runs: { type: 'string' },
    's3-max': { type: 'string' },
  },
  strict: true,
  allowPositionals: true,
});
const parts = [...positionals, ...(values.only !== undefined ? [values.only] : [])];
for (const part of parts) {
  if (!(BENCHES as readonly string[]).includes(part)) {
    console.error(`a part must be one of ${BENCHES.join(', ')} (got "${part}")`);
    process.exit(2);
  }
}
const selected = (name: Bench) => parts.length === 0 || parts.includes(name);
const engineArgs = [
  ...(values.sizes !== undefined ? ['--sizes', values.sizes] : values.quick ? ['--sizes', '200,1000'] : []),
  ...(values.runs !== undefined ? ['--runs', values.runs] : values.quick ? ['--runs', '2'] : []),
  ...(values['s3-max'] !== undefined ? ['--s3-max', values['s3-max']] : []),
];
let engine: ReturnType<typeof parseEngineArgs>;
try {
  engine = parseEngineArgs(engineArgs);
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
// Through s3rver, like the engine's S3 rows: its sizes up to --s3-max; one run (10,000 takes minutes) unless --runs says.
const rebuild = { ...parseRebuildArgs(values.runs !== undefined ? ['--runs', values.runs] : []), sizes: engine.sizes.filter((n) => n <= engine.s3Max) };
const buildSizes = values.large ? [10_000, 100_000] : values.sizes !== undefined ? engine.sizes : values.quick ? [200, 1_000] : DEFAULT_SIZES;

const cpus = os.cpus();
console.log(
  [
    'wirefeed benchmarks',
    `  node ${process.version} on ${os.platform()} ${os.release()} (${os.arch()})`,
    `  ${cpus.length} CPUs: ${cpus[0]?.model.trim() ?? 'unknown'}`,
    `  memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB total, ${(os.freemem() / 1024 ** 3).toFixed(1)} GB free`,
    `  parts: ${BENCHES.filter(selected).join(', ')}; publish sizes ${engine.sizes.map((n) => n.toLocaleString('en')).join(', ')}` +
      ` (${engine.runs} runs each); rebuild sizes ${rebuild.sizes.map((n) => n.toLocaleString('en')).join(', ')} (${rebuild.runs} run${rebuild.runs > 1 ? 's' : ''} each); build sizes ${buildSizes.map((n) => n.toLocaleString('en')).join(', ')}${values.quick ? ' (--quick)' : ''}`,
    `  started ${new Date().toISOString()}`,
    '',
  ].join('\n'),
);

const heading = (title: string) => console.log(`== ${title} ${'='.repeat(Math.max(0, 70 - title.length))}\n`);
const started = performance.now();
if (selected('publish')) {
  heading('publish: one edited and one new article, local rebuilds, side by side');
  await runPublishBench(engine);
}
if (selected('rebuild')) {
  heading('rebuild: a full rebuild through S3 by cut-off invocations');
  if (rebuild.sizes.length > 0) await runRebuildBench(rebuild);
  else console.log(`No size up to --s3-max ${engine.s3Max.toLocaleString('en')}: the rebuild goes through s3rver, so it was not run.\n`);
}
if (selected('fanout')) {
  heading('fanout: the distributed rebuild, played through S3, and its estimate at 1,000,000');
  if (rebuild.sizes.length > 0) await runFanOutBench(rebuild.sizes);
  else console.log(`No size up to --s3-max ${engine.s3Max.toLocaleString('en')}: the fan-out goes through s3rver, so it was not run.\n`);
}
if (selected('build')) {
  heading('build: local cold build, warm and no-op rebuilds, I/O floor, Hugo');
  await runBuildBench(buildSizes);
}
if (selected('poll')) {
  heading('poll: /feed.json under load, with and without If-None-Match');
  await runPollBench();
  console.log('');
}
if (selected('bundle')) {
  heading('bundle: publisher bundle size and cold import');
  await runBundleBench();
  console.log('');
}
console.log(`All done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
