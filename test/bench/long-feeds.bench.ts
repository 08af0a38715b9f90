// Long articles against the feed byte budget: 30 articles near the 2 MB input limit (test/helpers/long-articles.ts),
// one tag, feed_size 50, built by `wirefeed build` in a fresh process (a full build), then one short article
// published incrementally (the main and tag feeds rebuilt from 30 long records). Prints each run's wall time and
// peak RSS (the child's own VmHWM, as build.bench.ts measures it) and the largest feed document written.
//
//   npx tsx test/bench/long-feeds.bench.ts [COUNT]     (default 30; about a minute on 2 cores)
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FEED_BYTES } from '../../functions/core/output/feed-budget.ts';
import { articleText, listFiles, SITE_SETTINGS, tempDir, writeContent } from '../helpers/content.ts';
import { longArticle } from '../helpers/long-articles.ts';
import { runNode } from './build.bench.ts';

const CLI = path.join(import.meta.dirname, '..', '..', 'functions', 'bin', 'wirefeed.js');
const count = Number(process.argv[2] ?? 30);

const dir = await tempDir('wirefeed-long-');
const files = Object.fromEntries(
  Array.from({ length: count }, (_, i) => [`long-${i}.md`, longArticle(i, { title: `Long read ${i}`, date: new Date(Date.UTC(2025, 2, 1) + i * 3_600_000).toISOString(), tags: ['Long reads'] }).text]),
);
const content = await writeContent(path.join(dir, 'content'), files, { ...SITE_SETTINGS, feed_size: 50 });
const out = path.join(dir, 'dist');

async function largestFeed(): Promise<{ key: string; bytes: number }> {
  let largest = { key: '', bytes: 0 };
  for (const key of (await listFiles(out)).filter((k) => /(rss\.xml|atom\.xml|feed\.json)$/.test(k))) {
    const bytes = (await stat(path.join(out, key))).size;
    if (bytes > largest.bytes) largest = { key, bytes };
  }
  return largest;
}

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
console.log(`${count} articles of ${mb(Buffer.byteLength(Object.values(files)[0] ?? ''))} each, feed_size 50, budget ${mb(FEED_BYTES)} per feed document`);
const full = await runNode([CLI, 'build', '--content', content, '--out', out, '--full']);
if (full.code !== 0) throw new Error(`full build failed:\n${full.stderr}`);
const afterFull = await largestFeed();
console.log(`full build:          ${(full.wallMs / 1000).toFixed(1)} s, peak RSS ${full.peakRssMb.toFixed(0)} MB, largest feed ${afterFull.key} ${mb(afterFull.bytes)}`);
await writeFile(path.join(content, 'articles', 'short.md'), articleText({ title: 'Short news', date: '2026-01-01T09:00:00Z', tags: ['Long reads'] }));
const one = await runNode([CLI, 'build', '--content', content, '--out', out]);
if (one.code !== 0) throw new Error(`incremental build failed:\n${one.stderr}`);
const afterOne = await largestFeed();
console.log(`one article added:   ${(one.wallMs / 1000).toFixed(1)} s, peak RSS ${one.peakRssMb.toFixed(0)} MB, largest feed ${afterOne.key} ${mb(afterOne.bytes)}`);
