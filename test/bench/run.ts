// Every benchmark, in order: the local build (build.bench.ts), the S3 publisher (publish.bench.ts), feed readers
// polling the local server (poll.bench.ts), then the publisher bundle's cold start (bundle.bench.ts). Each prints
// its own table and says what it measures. The build bench compares with Hugo when `hugo` is on PATH.
//
//   npm run bench                      N = 1,000 and 10,000 (several minutes: the 10,000-object upload to s3rver dominates)
//   npm run bench -- --quick           N = 200 and 1,000, a smoke run
//   npm run bench -- --only build      one of build | publish | poll | bundle
//   npm run bench -- --large           the build bench only, at N = 10,000 and 100,000, for the memory growth
//                                      10k -> 100k (goal <= 1.5x); takes minutes (100,000 articles, ~350 MB, written
//                                      and built several times); not with --quick, nor with --only other than build
import os from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_SIZES, runBuildBench } from './build.bench.ts';
import { runBundleBench } from './bundle.bench.ts';
import { runPollBench } from './poll.bench.ts';
import { runPublishBench } from './publish.bench.ts';

const BENCHES = ['build', 'publish', 'poll', 'bundle'] as const;
type Bench = (typeof BENCHES)[number];

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { quick: { type: 'boolean', default: false }, large: { type: 'boolean', default: false }, only: { type: 'string' } },
  strict: true,
  allowPositionals: false,
});
const only = values.only;
if (only !== undefined && !(BENCHES as readonly string[]).includes(only)) {
  console.error(`--only must be one of ${BENCHES.join(', ')} (got "${only}")`);
  process.exit(2);
}
if (values.large && (values.quick || (only !== undefined && only !== 'build'))) {
  console.error('--large runs the build bench only: it does not go with --quick or --only other than build');
  process.exit(2);
}
const selected = (name: Bench) => (values.large ? name === 'build' : only === undefined || only === name);
const sizes = values.large ? [10_000, 100_000] : values.quick ? [200, 1_000] : DEFAULT_SIZES;

const cpus = os.cpus();
console.log(
  [
    'wirefeed benchmarks',
    `  node ${process.version} on ${os.platform()} ${os.release()} (${os.arch()})`,
    `  ${cpus.length} CPUs: ${cpus[0]?.model.trim() ?? 'unknown'}`,
    `  memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB total, ${(os.freemem() / 1024 ** 3).toFixed(1)} GB free`,
    `  sizes: ${sizes.map((n) => n.toLocaleString('en')).join(', ')} articles${values.quick ? ' (--quick)' : ''}` +
      (values.large ? ' (--large: the build bench only)' : ''),
    `  started ${new Date().toISOString()}`,
    '',
  ].join('\n'),
);

const heading = (title: string) => console.log(`== ${title} ${'='.repeat(Math.max(0, 70 - title.length))}\n`);
const started = performance.now();
if (selected('build')) {
  heading('build: local full build, no-op rebuild, I/O floor, Hugo');
  await runBuildBench(sizes);
}
if (selected('publish')) {
  heading('publish: S3 full rebuild and incremental publishes');
  await runPublishBench(sizes);
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
