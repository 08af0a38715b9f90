// The S3 publisher at scale, against a real S3 API: s3rver in a child process behind the counting proxy of
// test/helpers/s3-server.ts, through the real AWS SDK client and S3Store, exactly the code the Lambda runs
// (publish() from functions/publish.ts), in this process.
//
// Per N: upload the generated corpus (test/bench/generate.ts) into a content bucket, then
//   1. full publish into an empty site bucket,
//   2. one changed article: a new version of the newest article (edited title), published with
//      mode 'changed' and its key, as an S3 event would trigger it;
//   3. one new article, dated an hour before `now` so it tops the feeds, published the same way.
// Each records wall time and the requests the publisher made, by kind (the proxy counts them; its own
// conditional-write HEADs to s3rver are not counted). The uploads themselves are not counted.
//
// Absolute times are s3rver's (a Node server on the same machine, storing on local disk), not S3's:
// the request counts are what carries over to AWS, where each request costs ~10-30 ms of latency.
//
//   npx tsx test/bench/publish.bench.ts [N ...]     (default 1000 10000)
import { pathToFileURL } from 'node:url';
import { mapLimit } from '../../functions/concurrency.ts';
import { STATE_PREFIX_IN_CONTENT } from '../../functions/core/keys.ts';
import { publish, type PublishOptions, type PublishReport } from '../../functions/publish/publish.ts';
import { S3Store } from '../../functions/stores/s3-store.ts';
import { startS3Server, type RequestCounts, type S3TestServer } from '../helpers/s3-server.ts';
import { DEFAULT_SIZES, printTable } from './build.bench.ts';
import { BENCH_LATEST, generateArticle, siteYaml } from './generate.ts';

/** Every generated date is before BENCH_LATEST (2026-11-20), so every article is public at this now. */
const NOW = new Date('2026-11-25T12:00:00Z');
const NEW_ARTICLE_DATE = '2026-11-25T11:00:00Z';
const UPLOAD_CONCURRENCY = 32;
const MARKDOWN = { contentType: 'text/markdown; charset=utf-8' };

interface Step {
  ms: number;
  counts: RequestCounts;
  report: PublishReport;
}

export interface PublishBenchRow {
  n: number;
  uploadMs: number;
  full: Step;
  changed: Step;
  added: Step;
  manifestKb: number;
}

async function step(server: S3TestServer, content: S3Store, site: S3Store, state: S3Store, mode: PublishOptions['mode']): Promise<Step> {
  server.resetCounts();
  const started = performance.now();
  const report = await publish({ content, site, state }, { now: NOW, mode });
  const ms = performance.now() - started;
  const counts = server.counts();
  if (report.rejected.length > 0) throw new Error(`publish rejected articles: ${report.rejected.map((e) => e.message).join('; ')}`);
  return { ms, counts, report };
}

/**
 * The index of the newest generated article with two tags: the one a correction is most likely to hit.
 * Two tags at every size, so the edit touches the same feeds (main, two tags) whatever the archive holds.
 */
function newest(n: number): number {
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

export async function runPublishBench(sizes: readonly number[] = DEFAULT_SIZES): Promise<PublishBenchRow[]> {
  if (BENCH_LATEST >= NOW.getTime()) throw new Error('generated dates must be before the bench now');
  const server = await startS3Server();
  const rows: PublishBenchRow[] = [];
  try {
    for (const n of sizes) {
      const contentBucket = `content-${n}`;
      const siteBucket = `site-${n}`;
      await server.createBucket(contentBucket);
      await server.createBucket(siteBucket);
      const content = new S3Store(server.client, contentBucket);
      const site = new S3Store(server.client, siteBucket);
      const state = new S3Store(server.client, contentBucket, STATE_PREFIX_IN_CONTENT);

      // Upload (not measured as the publisher's work).
      const uploadStarted = performance.now();
      await content.put('site.yaml', siteYaml, { contentType: 'application/yaml; charset=utf-8' });
      let uploaded = 0;
      const step10 = Math.max(1000, Math.ceil(n / 5 / 1000) * 1000);
      await mapLimit(Array.from({ length: n }, (_, i) => i), UPLOAD_CONCURRENCY, async (i) => {
        const { name, text } = generateArticle(i);
        await content.put(name, text, MARKDOWN);
        if (++uploaded % step10 === 0 || uploaded === n) process.stderr.write(`publish bench: N=${n}: uploaded ${uploaded}/${n}\n`);
      });
      const uploadMs = performance.now() - uploadStarted;

      process.stderr.write(`publish bench: N=${n}: full publish...\n`);
      const full = await step(server, content, site, state, { kind: 'full' });
      if (full.report.public !== n) throw new Error(`full publish: ${full.report.public} public, expected ${n}`);

      // One changed article: the newest, with an edited title.
      const target = newest(n);
      const original = generateArticle(target);
      const title = `${/^title: "(.*)"$/m.exec(original.text)?.[1] ?? 'Report'} (corrected)`;
      await content.put(original.name, generateArticle(target, { title }).text, MARKDOWN);
      const changed = await step(server, content, site, state, { kind: 'changed', keys: [original.name] });
      if (changed.report.rendered !== 1) throw new Error(`changed publish rendered ${changed.report.rendered}, expected 1`);

      // One new article, the newest of all.
      // Fixed tags, so the new article touches the same feeds at every size.
      const added = generateArticle(n, { date: NEW_ARTICLE_DATE, tags: ['politics', 'economy'] });
      await content.put(added.name, added.text, MARKDOWN);
      const addedStep = await step(server, content, site, state, { kind: 'changed', keys: [added.name] });
      if (addedStep.report.public !== n + 1) throw new Error(`new-article publish: ${addedStep.report.public} public, expected ${n + 1}`);

      const stateObjects = await state.list('');
      rows.push({ n, uploadMs, full, changed, added: addedStep, manifestKb: stateObjects.reduce((sum, o) => sum + o.size, 0) / 1024 });
    }
  } finally {
    await server.stop();
  }

  console.log(
    `S3 publish (publish() with S3Store, AWS SDK v3 -> counting proxy -> s3rver, all on this machine), now = ${NOW.toISOString()}.\n` +
      `Requests are the publisher's own, by kind; "written" = site objects written, as the report lists them.\n`,
  );
  const kinds: (keyof RequestCounts)[] = ['get', 'put', 'delete', 'head', 'list', 'other'];
  const total = (c: RequestCounts) => kinds.reduce((sum, k) => sum + c[k], 0);
  const scenario = (r: PublishBenchRow, name: string, s: Step, unit: 's' | 'ms') => [
    r.n.toLocaleString('en'),
    name,
    unit === 's' ? `${(s.ms / 1000).toFixed(2)} s` : `${Math.round(s.ms)} ms`,
    ...kinds.map((k) => s.counts[k].toLocaleString('en')),
    total(s.counts).toLocaleString('en'),
    s.report.written.length.toLocaleString('en'),
  ];
  printTable(
    ['N', 'scenario', 'wall', 'GET', 'PUT', 'DELETE', 'HEAD', 'LIST', 'other', 'total req', 'written'],
    rows.flatMap((r) => [
      scenario(r, 'full rebuild', r.full, 's'),
      scenario(r, 'one changed article', r.changed, 'ms'),
      scenario(r, 'one new article', r.added, 'ms'),
    ]),
  );
  console.log('Side by side:');
  for (const r of rows) {
    console.log(
      `  N=${r.n.toLocaleString('en')}: full rebuild ${(r.full.ms / 1000).toFixed(2)} s, ${total(r.full.counts).toLocaleString('en')} requests` +
        ` | one changed article ${Math.round(r.changed.ms)} ms, ${total(r.changed.counts)} requests` +
        ` | one new article ${Math.round(r.added.ms)} ms, ${total(r.added.counts)} requests` +
        ` | state ${r.manifestKb.toFixed(0)} KB in all | upload of the corpus ${(r.uploadMs / 1000).toFixed(1)} s`,
    );
  }
  console.log('');
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizes = process.argv.slice(2).map(Number);
  await runPublishBench(sizes.length > 0 ? sizes : DEFAULT_SIZES);
}
