// What the publisher costs at cold start: bundle it exactly as the CDK stack does (PUBLISHER_ESBUILD: ESM,
// minified, node target, AWS SDK bundled rather than taken from the runtime), then time a cold `import()` of it
// in fresh Node processes, next to a floor bundle that imports nothing but S3Client. The difference is what our
// own code and its dependencies add on top of the one SDK client the publisher cannot do without.
//   npx tsx test/bench/bundle.bench.ts
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { PUBLISHER_ENTRY, PUBLISHER_ESBUILD } from '../../infra/publisher.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = 10;

interface BundleResult {
  name: string;
  kb: number;
  mapKb: number;
  importMs: number;
  importWithSourceMapsMs: number;
}

/** The stack's esbuild settings, verbatim. */
const shipped: BuildOptions = {
  bundle: true,
  platform: PUBLISHER_ESBUILD.platform,
  format: PUBLISHER_ESBUILD.format,
  target: PUBLISHER_ESBUILD.target,
  minify: PUBLISHER_ESBUILD.minify,
  sourcemap: PUBLISHER_ESBUILD.sourcemap,
  sourcesContent: PUBLISHER_ESBUILD.sourcesContent,
  mainFields: [...PUBLISHER_ESBUILD.mainFields],
  banner: { js: PUBLISHER_ESBUILD.banner },
  external: [...PUBLISHER_ESBUILD.external],
  alias: { ...PUBLISHER_ESBUILD.alias },
  logLevel: 'error',
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median wall time of `await import(file)` in a fresh process each run (one discarded warm-up for the disk cache). */
function coldImportMs(file: string, nodeFlags: string[]): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  const once = () => Number(execFileSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], { encoding: 'utf8' }).trim());
  once();
  return median(Array.from({ length: RUNS }, once));
}

async function bundle(name: string, outfile: string, input: Pick<BuildOptions, 'entryPoints' | 'stdin'>): Promise<BundleResult> {
  await build({ ...shipped, ...input, outfile });
  return {
    name,
    kb: statSync(outfile).size / 1024,
    mapKb: statSync(`${outfile}.map`).size / 1024,
    importMs: coldImportMs(outfile, []),
    // As Lambda runs it: the stack sets NODE_OPTIONS=--enable-source-maps, which parses the map at load.
    importWithSourceMapsMs: coldImportMs(outfile, ['--enable-source-maps']),
  };
}

export async function runBundleBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wirefeed-bundle-bench-'));
  try {
    const publisher = await bundle('publisher (functions/handler.ts)', join(dir, 'publisher', 'index.mjs'), {
      entryPoints: [PUBLISHER_ENTRY],
    });
    const floor = await bundle('floor (S3Client only)', join(dir, 'floor', 'index.mjs'), {
      stdin: {
        contents: "import { S3Client } from '@aws-sdk/client-s3'; export const c = S3Client;",
        resolveDir: REPO_ROOT, // resolve @aws-sdk/client-s3 from the repo's node_modules
        sourcefile: 'floor.ts',
        loader: 'ts',
      },
    });

    const { format, target } = PUBLISHER_ESBUILD;
    console.log(
      `Publisher bundle as the stack builds it (esbuild ${format}, ${target}, minified, AWS SDK bundled);\n` + `cold import: median of ${RUNS} fresh processes, Node ${process.versions.node}\n`,
    );
    console.table(
      Object.fromEntries(
        [publisher, floor].map((r) => [
          r.name,
          {
            'bundle KB': r.kb.toFixed(1),
            'map KB': r.mapKb.toFixed(1),
            'import ms': r.importMs.toFixed(1),
            'import ms (--enable-source-maps)': r.importWithSourceMapsMs.toFixed(1),
          },
        ]),
      ),
    );
    const diff = (a: number, b: number) => `${a - b >= 0 ? '+' : ''}${(a - b).toFixed(1)}`;
    console.log(
      `publisher - floor: ${diff(publisher.kb, floor.kb)} KB, ${diff(publisher.importMs, floor.importMs)} ms ` +
        `(${diff(publisher.importWithSourceMapsMs, floor.importWithSourceMapsMs)} ms with --enable-source-maps)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runBundleBench();
}
