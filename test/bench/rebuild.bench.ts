// A full rebuild through invocations that are cut off (README "Publishing", item 9): does a rebuild that no
// single Lambda invocation could finish get finished by a chain of them, how long does each run past its
// budget, what does the chain cost beside an uninterrupted rebuild, is an article uploaded meanwhile live
// before the rebuild ends, and is the rebuilt site the one an uninterrupted rebuild gives?
//
// Per N, two copies of the generated corpus (test/bench/generate.ts) in s3rver behind the test server's
// counting proxy, each published in full from no state, in this process (after a warm-up publish of 50
// articles, so that no figure pays for compiling the engine), through the AWS SDK:
//   reference: its full publish is timed (T) and counted; then site.yaml gets a new title and one publish
//     rebuilds it with all the time it needs (ask.keys(['site.yaml']), no remainingMs); then one new article
//     (dated after every other) is uploaded and published by key on the settled site.
//   chain: the same site.yaml change, rebuilt by a chain of "invocations" (publish() calls, one after the
//     other), each given T/5 of wall time: its remainingMs reports the Lambda's 300 s scaled to that budget, so
//     a holder stops at a checkpoint with T/5 * 60/300 left, as a Lambda with a minute left does. The first
//     asks ask.keys(['site.yaml']) (the event), the second publishes the new article by key (its event, during
//     the rebuild), the rest are minute ticks (ask.keys()), run back to back, until the head has no rebuild and
//     no request waits. An invocation that runs past T/5 would have been killed on AWS.
// "Live" is seen at the Store port, as each write lands (no request, no read of an object mid-write): the
// article's page is there, and each of the site's three feeds linking to it; so is the time the head names
// each rebuild step (from one head write to the next). The rebuilt sites are compared object by object (key
// and ETag, i.e. the bytes' MD5) and checked on their own: a page per public article, the new title, the new
// article first in feed.json.
//
//   npx tsx test/bench/rebuild.bench.ts [--sizes 1000,10000] [--runs 1]
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { FEEDS, PAGES_PREFIX, pageKey } from '../../functions/core/keys.ts';
import { readState, STATE } from '../../functions/core/state/state.ts';
import { ask, type Request, requestsWaiting } from '../../functions/publish/protocol/requests.ts';
import { type PublishReport, publish } from '../../functions/publish/publish.ts';
import type { PutOptions, Store, Stores } from '../../functions/stores/store.ts';
import { PassThroughStore } from '../helpers/pass-through-store.ts';
import { type S3TestServer, startS3Server } from '../helpers/s3-server.ts';
import { printTable } from './build.bench.ts';
import { siteYaml } from './generate.ts';
import { added, int, kb, MARKDOWN, median, ms, NOW, s3Stores, seedCorpus } from './publish.bench.ts';

const DEFAULT_SIZES = [1_000, 10_000];
/** The publisher Lambda's timeout (infra/publisher.ts, Duration.minutes(5)): what getRemainingTimeInMillis counts down from. */
const LAMBDA_TIMEOUT_MS = 300_000;
/** Each invocation of the chain is given T / SLICES of wall time. */
const SLICES = 5;
/** A chain that has not settled after this many invocations is stuck: the bench says so and stops. */
const MAX_INVOCATIONS = 500;
const NEW_TITLE = 'Bench Wire Renamed';
const RENAMED_YAML = siteYaml.replace(/^title: .*$/m, `title: ${NEW_TITLE}`);
const YAML = { contentType: 'application/yaml; charset=utf-8' };

/** Requests by kind and body bytes, as the proxy counted them. */
export interface Traffic {
  get: number;
  put: number;
  delete: number;
  list: number;
  head: number;
  read: number;
  written: number;
}
const NO_TRAFFIC: Traffic = { get: 0, put: 0, delete: 0, list: 0, head: 0, read: 0, written: 0 };
export const requestsOf = (t: Traffic) => t.get + t.put + t.delete + t.list + t.head;
export const plus = (a: Traffic, b: Traffic): Traffic => ({
  get: a.get + b.get,
  put: a.put + b.put,
  delete: a.delete + b.delete,
  list: a.list + b.list,
  head: a.head + b.head,
  read: a.read + b.read,
  written: a.written + b.written,
});

/** What the proxy counted since the last reset ('other' with HEAD, as the publish bench does); then a reset. */
export function take(server: S3TestServer): Traffic {
  const c = server.counts();
  const b = server.bytes();
  server.resetCounts();
  return { get: c.get, put: c.put, delete: c.delete, list: c.list, head: c.head + c.other, read: b.read, written: b.written };
}

/** Runs `work` alone on the proxy's counters: its traffic and wall time. */
async function counted<T>(server: S3TestServer, work: () => Promise<T>): Promise<{ value: T; traffic: Traffic; wallMs: number }> {
  server.resetCounts();
  const started = performance.now();
  const value = await work();
  const wallMs = performance.now() - started;
  return { value, traffic: take(server), wallMs };
}

/** One Lambda invocation given `budgetMs` of wall time: remainingMs is the Lambda's clock, scaled to that budget. */
function invoke(stores: Stores, request: Request, budgetMs: number): Promise<PublishReport> {
  const deadline = performance.now() + budgetMs;
  const remainingMs = () => (deadline - performance.now()) * (LAMBDA_TIMEOUT_MS / budgetMs);
  return publish(stores, { now: new Date(NOW), request, remainingMs });
}

/** The rebuild step the head names, or 'settled' when it names none. */
async function stepOf(state: Store): Promise<string> {
  const object = await state.get(STATE.head);
  if (!object) return 'no head';
  return label(readState(STATE.head, object.body).rebuild?.step);
}
const label = (step: Step | undefined) => (step === undefined ? 'settled' : `rebuild (${step})`);

const STEPS = ['render', 'index', 'records', 'site'] as const;
type Step = (typeof STEPS)[number];
type StepTimes = Record<Step, number>;
const bytesOf = (body: Uint8Array | string) => (typeof body === 'string' ? Buffer.from(body) : body);

/** A store that tells `landed` of each put once it has landed: the key exists, with these bytes. The rest passes through. */
class WatchedStore extends PassThroughStore {
  readonly #landed: (key: string, body: Uint8Array | string) => void;
  constructor(inner: Store, landed: (key: string, body: Uint8Array | string) => void) {
    super(inner);
    this.#landed = landed;
  }
  override async put(key: string, body: Uint8Array | string, options: PutOptions): Promise<{ etag: string }> {
    const written = await this.inner.put(key, body, options);
    this.#landed(key, body);
    return written;
  }
}

interface Live {
  /** From the upload until the page has landed. */
  pageMs?: number;
  /** From the upload until all three main feeds linking to the page have landed. */
  feedsMs?: number;
  /** What the head said then. */
  headThen?: string;
}

/**
 * What a corpus's publishes write, as it lands (seen at the Store port, so it costs no request and never reads
 * an object mid-write): the time the head names each rebuild step, and when a new article's page and the main
 * feeds linking to it are there.
 */
class Watch {
  readonly stores: Stores;
  #step: Step | undefined;
  #since = performance.now();
  #spent: StepTimes = { render: 0, index: 0, records: 0, site: 0 };
  #article: { page: string; link: string; since: number; linked: Set<string>; live: Live } | undefined;
  constructor(base: Stores) {
    this.stores = {
      content: base.content,
      site: new WatchedStore(base.site, (key, body) => this.#site(key, body)),
      state: new WatchedStore(base.state, (key, body) => {
        if (key === STATE.head) this.#enter(readState(STATE.head, bytesOf(body)).rebuild?.step);
      }),
    };
  }
  /** The time in each step since the last call (the step under way counted to now). */
  steps(): StepTimes {
    this.#enter(this.#step);
    const spent = this.#spent;
    this.#spent = { render: 0, index: 0, records: 0, site: 0 };
    return spent;
  }
  /** Watch for this article's page and feeds from `since` (its upload). */
  expect(slug: string, since: number): void {
    this.#article = { page: pageKey(slug), link: `/${PAGES_PREFIX}${slug}/`, since, linked: new Set(), live: {} };
  }
  live(): Live {
    return this.#article?.live ?? {};
  }
  #enter(step: Step | undefined): void {
    const now = performance.now();
    if (this.#step) this.#spent[this.#step] += now - this.#since;
    this.#since = now;
    this.#step = step;
  }
  #site(key: string, body: Uint8Array | string): void {
    const a = this.#article;
    if (!a) return;
    const now = performance.now();
    if (key === a.page && a.live.pageMs === undefined) {
      a.live.pageMs = now - a.since;
      a.live.headThen = label(this.#step);
    }
    if (MAIN_FEEDS.includes(key) && Buffer.from(bytesOf(body)).toString('utf8').includes(a.link)) a.linked.add(key);
    if (a.linked.size === MAIN_FEEDS.length && a.live.feedsMs === undefined) a.live.feedsMs = now - a.since;
  }
}
const MAIN_FEEDS: string[] = [FEEDS.rss, FEEDS.atom, FEEDS.json];

/** Every object of a site bucket, key -> ETag (s3rver's ETag is the MD5 of the bytes). */
async function etags(site: Store): Promise<Map<string, string>> {
  return new Map((await site.list('')).map((i) => [i.key, i.etag]));
}

/** The chain's site against the reference's: equal object for object, or which keys differ. */
function compareSites(chain: Map<string, string>, reference: Map<string, string>): string {
  const differ = [...new Set([...chain.keys(), ...reference.keys()])].filter((key) => chain.get(key) !== reference.get(key)).sort();
  if (differ.length === 0) return `yes, ${int(chain.size)} objects`;
  return `NO: ${int(differ.length)} of ${int(reference.size)} differ (${differ.slice(0, 3).join(', ')}${differ.length > 3 ? ', ...' : ''})`;
}

/** The rebuilt site on its own: a page per public article, the new title, the new article first in feed.json. */
async function checkSite(site: Store, objects: Map<string, string>, publicArticles: number, newest: string): Promise<string> {
  const problems: string[] = [];
  const pages = [...objects.keys()].filter((k) => /^articles\/[^/]+\/index\.html$/.test(k)).length;
  if (pages !== publicArticles) problems.push(`${int(pages)} article pages for ${int(publicArticles)} public articles`);
  const feed = JSON.parse(Buffer.from((await site.get(FEEDS.json))?.body ?? '{}').toString('utf8')) as { title?: string; items?: { url?: string }[] };
  if (feed.title !== NEW_TITLE) problems.push(`feed.json is titled "${feed.title}"`);
  if (!feed.items?.[0]?.url?.endsWith(`/${PAGES_PREFIX}${newest}/`)) problems.push(`feed.json starts with ${feed.items?.[0]?.url}`);
  return problems.length === 0 ? 'yes' : `NO: ${problems.join('; ')}`;
}

/** One invocation of the chain: its wall time and the step the head was left at. */
interface Invocation {
  wallMs: number;
  after: string;
}

interface Run {
  /** The reference's full publish from no state. */
  full: { wallMs: number; traffic: Traffic };
  /** Time in each rebuild step: the full publish's, the uninterrupted rebuild's, the chain's (all its invocations). */
  steps: { full: Record<Step, number>; reference: Record<Step, number>; chain: Record<Step, number> };
  /** The chain corpus's own full publish: a second sample of T, for the notes. */
  secondFullMs: number;
  /** The reference: the site.yaml publish uninterrupted (rebuildMs), then the new article on the settled site; wallMs and traffic are both. */
  reference: { rebuildMs: number; wallMs: number; traffic: Traffic; live: Live };
  budgetMs: number;
  invocations: Invocation[];
  chain: { traffic: Traffic; live: Live; afterFirst: string };
  siteEqual: string;
  siteCheck: string;
  referenceObjects: number;
}

async function runOnce(server: S3TestServer, n: number, run: number): Promise<Run> {
  const say = (what: string) => process.stderr.write(`rebuild bench: N=${n}${run > 0 ? ` (run ${run + 1})` : ''}: ${what}\n`);
  const ref = new Watch(await s3Stores(server, `ref-content-${n}-${run}`, `ref-site-${n}-${run}`));
  const chain = new Watch(await s3Stores(server, `chain-content-${n}-${run}`, `chain-site-${n}-${run}`));
  say('uploading the corpus twice...');
  await seedCorpus(ref.stores.content, n);
  await seedCorpus(chain.stores.content, n);

  say('full publish from no state (T)...');
  const full = await counted(server, () => publish(ref.stores, { now: new Date(NOW), request: ask.full() }));
  if (full.value.public !== n) throw new Error(`N=${n} full publish: ${full.value.public} public, expected ${n}`);
  const fullSteps = ref.steps();
  say(`T = ${ms(full.wallMs)}; the chain's copy published in full too...`);
  const secondFull = await counted(server, () => publish(chain.stores, { now: new Date(NOW), request: ask.full() }));
  if (secondFull.value.public !== n) throw new Error(`N=${n} second full publish: ${secondFull.value.public} public, expected ${n}`);
  chain.steps(); // not compared
  const budgetMs = full.wallMs / SLICES;
  const article = added(n, 1);
  const slug = article.name.slice('articles/'.length, -'.md'.length);

  say('reference: site.yaml changed, rebuilt uninterrupted, then the new article...');
  await ref.stores.content.put('site.yaml', RENAMED_YAML, YAML);
  const rebuilt = await counted(server, () => publish(ref.stores, { now: new Date(NOW), request: ask.keys(['site.yaml']) }));
  if (rebuilt.value.public !== n) throw new Error(`N=${n} uninterrupted rebuild: ${rebuilt.value.public} public, expected ${n}`);
  const refSteps = ref.steps();
  ref.expect(slug, performance.now());
  await ref.stores.content.put(article.name, article.text, MARKDOWN);
  const refArticle = await counted(server, () => invoke(ref.stores, ask.keys([article.name]), budgetMs));

  say(`chain: site.yaml changed, rebuilt by invocations of ${ms(budgetMs)} each...`);
  await chain.stores.content.put('site.yaml', RENAMED_YAML, YAML);
  const invocations: Invocation[] = [];
  let traffic = NO_TRAFFIC;
  let afterFirst = '';
  do {
    if (invocations.length >= MAX_INVOCATIONS) throw new Error(`N=${n}: the chain has not settled after ${MAX_INVOCATIONS} invocations`);
    let request = ask.keys(); // a minute tick
    if (invocations.length === 0) request = ask.keys(['site.yaml']);
    if (invocations.length === 1) {
      // The rebuild is under way: a new article comes in, and its event is the next invocation.
      chain.expect(slug, performance.now());
      await chain.stores.content.put(article.name, article.text, MARKDOWN);
      request = ask.keys([article.name]);
    }
    const one = await counted(server, () => invoke(chain.stores, request, budgetMs));
    if (one.value.rejected.length > 0) throw new Error(`N=${n}: rejected ${one.value.rejected.map((e) => e.message).join('; ')}`);
    traffic = plus(traffic, one.traffic);
    invocations.push({ wallMs: one.wallMs, after: await stepOf(chain.stores.state) });
    if (invocations.length === 1) afterFirst = invocations[0]?.after ?? '';
    say(`invocation ${invocations.length}: ${ms(one.wallMs)}, then ${invocations.at(-1)?.after}`);
  } while (invocations.length < 2 || (await stepOf(chain.stores.state)) !== 'settled' || (await requestsWaiting(chain.stores.state)));

  say('comparing the sites...');
  const chainObjects = await etags(chain.stores.site);
  const refObjects = await etags(ref.stores.site);
  return {
    full: { wallMs: full.wallMs, traffic: full.traffic },
    steps: { full: fullSteps, reference: refSteps, chain: chain.steps() },
    secondFullMs: secondFull.wallMs,
    reference: { rebuildMs: rebuilt.wallMs, wallMs: rebuilt.wallMs + refArticle.wallMs, traffic: plus(rebuilt.traffic, refArticle.traffic), live: ref.live() },
    budgetMs,
    invocations,
    chain: { traffic, live: chain.live(), afterFirst },
    siteEqual: compareSites(chainObjects, refObjects),
    siteCheck: await checkSite(chain.stores.site, chainObjects, n + 1, slug),
    referenceObjects: refObjects.size,
  };
}

/** A figure in each column (undefined: '-'); `ratios` when chain/reference means something. */
interface Row {
  figure: string;
  chain: (r: Run) => number | string | undefined;
  reference?: (r: Run) => number | string | undefined;
  full?: (r: Run) => number | string | undefined;
  format: (v: number) => string;
  ratios?: boolean;
}

const perArticle = (n: number, f: (t: Traffic) => number, format: (v: number) => string) => ({
  chain: (r: Run) => f(r.chain.traffic) / n,
  reference: (r: Run) => f(r.reference.traffic) / n,
  full: (r: Run) => f(r.full.traffic) / n,
  format,
  ratios: true,
});
const twoDecimals = (v: number) => v.toFixed(2);
const kbPerArticle = (v: number) => kb(v);
const longest = (r: Run) => Math.max(...r.invocations.map((i) => i.wallMs));

function rowsFor(n: number): Row[] {
  return [
    { figure: 'invocations', chain: (r) => r.invocations.length, reference: () => '1 + 1', full: () => 1, format: int },
    { figure: 'budget of each (T/5)', chain: (r) => r.budgetMs, format: ms },
    { figure: 'longest invocation', chain: longest, reference: (r) => r.reference.rebuildMs, full: (r) => r.full.wallMs, format: ms },
    { figure: 'longest / budget', chain: (r) => `${(longest(r) / r.budgetMs).toFixed(2)}x`, format: String },
    { figure: 'over budget (killed on AWS)', chain: (r) => r.invocations.filter((i) => i.wallMs > r.budgetMs).length, format: int },
    { figure: 'total wall', chain: (r) => r.invocations.reduce((a, i) => a + i.wallMs, 0), reference: (r) => r.reference.wallMs, full: (r) => r.full.wallMs, format: ms, ratios: true },
    ...STEPS.map(
      (step): Row => ({
        figure: `  in the ${step} step${step === 'index' ? ' (never cut)' : ''}`,
        chain: (r) => r.steps.chain[step],
        reference: (r) => r.steps.reference[step],
        full: (r) => r.steps.full[step],
        format: ms,
        ratios: true,
      }),
    ),
    { figure: 'index step / budget', chain: (r) => `${(r.steps.chain.index / r.budgetMs).toFixed(2)}x`, format: String },
    { figure: 'requests per article', ...perArticle(n, requestsOf, twoDecimals) },
    { figure: '  GET', ...perArticle(n, (t) => t.get, twoDecimals) },
    { figure: '  PUT', ...perArticle(n, (t) => t.put, twoDecimals) },
    { figure: '  DELETE', ...perArticle(n, (t) => t.delete, twoDecimals) },
    { figure: '  LIST', ...perArticle(n, (t) => t.list, twoDecimals) },
    { figure: '  HEAD (and other)', ...perArticle(n, (t) => t.head, twoDecimals) },
    { figure: 'bytes read per article', ...perArticle(n, (t) => t.read, kbPerArticle) },
    { figure: 'bytes written per article', ...perArticle(n, (t) => t.written, kbPerArticle) },
    { figure: 'head after the first invocation', chain: (r) => r.chain.afterFirst, format: String },
    { figure: 'new article: upload to page live', chain: (r) => r.chain.live.pageMs ?? 'never', reference: (r) => r.reference.live.pageMs ?? 'never', format: ms, ratios: true },
    { figure: 'new article: to all main feeds', chain: (r) => r.chain.live.feedsMs ?? 'never', reference: (r) => r.reference.live.feedsMs ?? 'never', format: ms, ratios: true },
    { figure: 'head when its page went live', chain: (r) => r.chain.live.headThen ?? '-', reference: (r) => r.reference.live.headThen ?? '-', format: String },
    { figure: 'site = the uninterrupted one', chain: (r) => r.siteEqual, reference: (r) => `${int(r.referenceObjects)} objects`, format: String },
    { figure: 'pages, new title, newest first', chain: (r) => r.siteCheck, format: String },
  ];
}

/** A column's figure over the runs: the median of numbers, or the distinct texts. */
function summarise(runs: readonly Run[], pick: ((r: Run) => number | string | undefined) | undefined, format: (v: number) => string): { text: string; value?: number } {
  if (!pick) return { text: '-' };
  const values = runs.map(pick);
  if (values.every((v) => typeof v === 'number')) {
    const value = median(values as number[]);
    return { text: format(value), value };
  }
  return { text: [...new Set(values.map((v) => (typeof v === 'number' ? format(v) : (v ?? '-'))))].join(' / ') };
}

export interface RebuildBenchOptions {
  sizes: readonly number[];
  runs: number;
}

export async function runRebuildBench(options: RebuildBenchOptions): Promise<void> {
  const started = performance.now();
  const sizes = [...options.sizes].sort((a, b) => a - b);
  const results = new Map<number, Run[]>();
  const server = await startS3Server();
  try {
    // The process's first publish pays for compiling the engine: a small one first, so that T is the publish's own.
    process.stderr.write('rebuild bench: a warm-up publish of 50 articles...\n');
    const warm = await s3Stores(server, 'warm-content', 'warm-site');
    await seedCorpus(warm.content, 50);
    await publish(warm, { now: new Date(NOW), request: ask.full() });
    for (const n of sizes) {
      const runs: Run[] = [];
      for (let r = 0; r < options.runs; r++) runs.push(await runOnce(server, n, r));
      results.set(n, runs);
    }
  } finally {
    await server.stop();
  }

  const table: string[][] = [];
  const notes: string[] = [];
  for (const n of sizes) {
    const runs = results.get(n) as Run[];
    rowsFor(n).forEach((row, i) => {
      const chain = summarise(runs, row.chain, row.format);
      const reference = summarise(runs, row.reference, row.format);
      const full = summarise(runs, row.full, row.format);
      const ratio = (base: { value?: number }) => (row.ratios && chain.value !== undefined && base.value !== undefined && base.value > 0 ? `${(chain.value / base.value).toFixed(2)}x` : '');
      table.push([i === 0 ? n.toLocaleString('en') : '', row.figure, chain.text, reference.text, full.text, ratio(reference), ratio(full)]);
    });
    for (const run of runs) {
      const trace = run.invocations.map((inv, i) => `${i + 1}: ${(inv.wallMs / 1000).toFixed(1)} s -> ${inv.after}`).join('; ');
      notes.push(`N=${n.toLocaleString('en')}: T ${ms(run.full.wallMs)} (the chain's copy: ${ms(run.secondFullMs)}); invocations ${trace}`);
    }
  }

  console.log(
    `A full rebuild (site.yaml's title changed) finished by cut-off invocations, against S3 (AWS SDK -> the test server's\n` +
      `counting proxy -> s3rver, on this machine), ${options.runs} run${options.runs > 1 ? 's (medians)' : ''} per size, now = ${NOW}.\n` +
      `full publish (T): N articles from no state, one uninterrupted publish(): the clock for the chain's budgets.\n` +
      `uninterrupted: the same site.yaml change rebuilt by one publish() with all the time it needs, then one new article\n` +
      `  published by key on the settled site. cut-off chain: the same work by publish() "invocations" run back to back,\n` +
      `  each given T/5 (its remainingMs the Lambda's ${LAMBDA_TIMEOUT_MS / 1000} s scaled to that): the site.yaml event, then the new\n` +
      `  article's event (uploaded after the first), then minute ticks until nothing is left. An invocation over its budget\n` +
      `  would have been killed on AWS (the next one goes on from its last checkpoint). Both columns include the new article.\n` +
      `Live: from the upload until its page has landed in the site bucket; until all three main feeds linking to it have.\n` +
      `Steps: the time the head named each rebuild step, from one head write to the next (the chain's summed over its invocations).\n` +
      `Site: the chain's site bucket against the uninterrupted one's, key by key and ETag (MD5 of the bytes).\n`,
  );
  printTable(['N', 'figure', 'cut-off chain', 'uninterrupted', 'full publish (T)', 'chain/unint.', 'chain/T'], table, 2);
  for (const line of notes) console.log(line);
  console.log(`\n(rebuild bench: ${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
}

export function parseRebuildArgs(args: readonly string[]): RebuildBenchOptions {
  const { values } = parseArgs({ args: [...args], options: { sizes: { type: 'string' }, runs: { type: 'string' } }, strict: true, allowPositionals: false });
  const sizes = (values.sizes ?? DEFAULT_SIZES.join(',')).split(',').map((s) => Number(s.replace(/_/g, '')));
  if (sizes.some((n) => !Number.isInteger(n) || n < 10)) throw new Error(`--sizes must be whole numbers of articles, at least 10 (got "${values.sizes}")`);
  const runs = Number(values.runs ?? 1);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number, at least 1 (got "${values.runs}")`);
  return { sizes, runs };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runRebuildBench(parseRebuildArgs(process.argv.slice(2)));
}
