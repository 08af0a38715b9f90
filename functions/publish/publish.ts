import { type ArticleError, type FeedCheckError, type LocatedError, type Notice, SettingsError } from '../core/errors.ts';
import { settingsHash } from '../core/hash.ts';
import { isArchiveKey, isFeedKey, SITE_FILE } from '../core/keys.ts';
import { parseSettings, type Settings } from '../core/settings.ts';
import { type Head, STATE, StateError, stateInFlux } from '../core/state/state.ts';
import type { Stores } from '../stores/store.ts';
import { addResults, type CycleContext, type CycleResult, emptyResult, type Parse } from './context.ts';
import { runCycle } from './cycle/cycle.ts';
import { parseHere } from './cycle/read.ts';
import { selectKeys } from './cycle/select.ts';
import { StateView } from './cycle/state-view.ts';
import { writeHead } from './protocol/commit.ts';
import { LEASE_TIMING, Lease, LeaseLostError, type LeaseTiming } from './protocol/lease.ts';
import { type Log, recover } from './protocol/recover.ts';
import { mediaListed, reconcileDue, reconcileSite } from './protocol/repair.ts';
import { ask, asksAnything, deleteRequests, drainRequests, type Request, requestsWaiting, writeRequest } from './protocol/requests.ts';
import type { FanOut } from './rebuild/fan-out.ts';
import { REBUILD_BATCH, rebuild, servedSettings } from './rebuild/rebuild.ts';

export interface PublishOptions {
  /** The publish's notion of now (a clock for long runs): embargoes and expiry are judged against it. */
  now: Date | (() => Date);
  /** Overrides site.yaml's url (SITE_URL, or the local server's address). */
  siteUrl?: string;
  /** What this publish is asked. @default a scan */
  request?: Request;
  /** Parallel store requests. */
  concurrency?: number;
  parse?: Parse;
  releaseParse?: () => Promise<void>;
  lease?: LeaseTiming;
  /** Article files per checkpoint of a full rebuild. @default REBUILD_BATCH */
  rebuildBatch?: number;
  /** Where a large archive's render step is fanned out (the state machine); none: every batch renders in the chain. */
  fanOut?: FanOut;
  /**
   * When another publish holds the lease: false (the Lambda) hands the work to it and returns at once
   * (`queued`); true (the command line) waits for the lease, up to this many milliseconds.
   */
  waitMs?: number;
  /**
   * Milliseconds this process has left (the Lambda's getRemainingTimeInMillis): a holder starts no new
   * cycle with less than a minute to go, and leaves the rest queued for the next publish.
   */
  remainingMs?: () => number;
  /** Told about what a publish repairs or gives up on (state found unreadable, a lease taken over). */
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export interface PublishReport {
  mode: 'full' | 'scan' | 'changed';
  /** Public articles on the site after this publish. */
  public: number;
  /** Articles parsed and rendered in this publish. */
  rendered: number;
  /** Articles refused, one per file, each with its problem. */
  rejected: ArticleError[];
  /** Feeds that failed their parse-back, one per site key: the previous, good version was kept. */
  feedFailures: FeedCheckError[];
  /** Published, but worth a line each (a tag spelt another way than its title), one per file. */
  notices: Notice[];
  /** Site keys written and deleted, for CDN invalidation. */
  written: string[];
  deleted: string[];
  /** Subscription feeds (main and tags) that changed, as absolute URLs: what a WebSub hub is told about. */
  feedsChanged: string[];
  /** The WebSub hub from site.yaml, if any. */
  hub?: string;
  /** Cycles run while holding the lease (a holder drains what others queued before it lets go). */
  attempts: number;
  /** Content keys of drafts. */
  drafts: string[];
  /** Articles waiting for their time, soonest first. */
  embargoed: { file: string; at: string }[];
  /** The lease was held by another publish, which will do this work: nothing was published by this call. */
  queued: boolean;
}

/** Keys per cycle: a bigger batch is carried on in further cycles, each committed on its own. */
export const MAX_KEYS_PER_CYCLE = 500;
/** A cycle is not started with less time than this left (a cycle of MAX_KEYS_PER_CYCLE takes seconds). */
const LAST_CYCLE_MS = 60_000;

/**
 * Publish: record the work durably, take the lease (or hand the work to whoever holds it), and run
 * cycles until no request is left. See README "Publishing" for the protocol and why it is safe.
 */
export async function publish(stores: Stores, options: PublishOptions): Promise<PublishReport> {
  const own = options.request ?? ask.scan();
  // Durable first: once this is written, the event cannot be lost, whoever publishes it.
  if (asksAnything(own)) await writeRequest(stores.state, own);
  const timing = options.lease ?? LEASE_TIMING;
  const waitUntil = performance.now() + (options.waitMs ?? 0);
  let total = emptyResult();
  let attempts = 0;
  let settings: Settings | undefined;
  for (;;) {
    const lease = await Lease.acquire(stores.state, timing);
    if (!(lease instanceof Lease)) {
      if (performance.now() < waitUntil) {
        await sleep(100 + Math.random() * 200);
        continue;
      }
      return report(stores, own, total, attempts, settings, true);
    }
    try {
      const held = await hold(stores, lease, options);
      total = addResults(total, held.result);
      attempts += held.cycles;
      settings = held.settings;
      if (held.outOfTime) break; // the rest stays queued: the next event or the minute schedule takes it
    } finally {
      await lease.release().catch(() => undefined);
    }
    // A request written while we let go finds no holder: take the lease again for it.
    if (!(await requestsWaiting(stores.state))) break;
  }
  return report(stores, own, total, attempts, settings, false);
}

async function hold(stores: Stores, lease: Lease, options: PublishOptions): Promise<{ result: CycleResult; cycles: number; settings: Settings; outOfTime?: boolean }> {
  const io: Stores = { content: stores.content, site: lease.guard(stores.site), state: lease.guard(stores.state) };
  const concurrency = options.concurrency ?? 16;
  const clock = typeof options.now === 'function' ? options.now : () => options.now as Date;
  const log: Log = options.log ?? (() => undefined);
  const outOfTime = () => options.remainingMs !== undefined && options.remainingMs() < LAST_CYCLE_MS;
  let result = emptyResult();
  let cycles = 0;
  let forceFull = false;
  // Set by the first cycle: the settings it ran with.
  let settings: Settings | undefined;
  for (;;) {
    lease.check();
    if (settings !== undefined && outOfTime()) {
      log('info', 'time is short: the rest stays queued for the next publish', { remainingMs: options.remainingMs?.() });
      return { result, cycles, settings, outOfTime: true };
    }
    cycles++;
    const now = clock();
    const view = new StateView(io.state);
    let head: Head | undefined;
    try {
      head = await view.base(STATE.head);
    } catch (err) {
      if (!(err instanceof StateError)) throw err;
      log('warn', 'the publisher state could not be read; rebuilding everything from the content', { problem: err.message });
      forceFull = true;
    }
    let siteFile: Uint8Array | undefined;
    const headEtag = head ? view.etagOf(STATE.head) : forceFull ? (await io.state.head(STATE.head))?.etag : undefined;
    try {
      siteFile = (await io.content.get(SITE_FILE))?.body;
      settings = parseSettings(siteFile, options.siteUrl);
    } catch (err) {
      // Remembered, so the first publish after the fix looks at every article (the events of the
      // broken time are still queued as requests, never lost).
      if (err instanceof SettingsError && head && !head.settingsError) await writeHead(io.state, { ...head, settingsError: err.problem }, headEtag);
      throw err;
    }
    const ctx: CycleContext = { settings, now, parse: options.parse ?? parseHere, ...(options.releaseParse ? { releaseParse: options.releaseParse } : {}), concurrency, lease };
    try {
      let etag = headEtag;
      const drained = await drainRequests(io.state, concurrency);
      // A state built with other settings than site.yaml's now (a rebuild is due or under way) is served, and
      // repaired, with the settings it was built with, until the rebuild replaces it.
      const served = head && !forceFull && !stateInFlux(head) && head.settings !== settingsHash(settings) ? await servedSettings(io.state, head, options.siteUrl) : undefined;
      const current: CycleContext = served ? { ...ctx, settings: served } : ctx;
      if (head && !forceFull) ({ head, etag } = await recover(io, current, head, headEtag as string, drained.intents, log));
      // This publish's own work is among them: it was written as a request before the lease was asked for.
      const asked = drained.request;
      const full = forceFull || !head || head.rebuild !== undefined || head.settings !== settingsHash(settings) || asked.full;
      if (full) {
        // Publishing goes on while a rebuild reads the content: the files asked about (and embargoes due) go
        // through an ordinary cycle on the current state, with the settings it was built with. What that
        // changes behind the rebuild's cursor is found by the scan queued after it.
        const serving = head !== undefined && !forceFull && !stateInFlux(head) && (served !== undefined || head.settings === settingsHash(settings));
        if (head && serving) {
          const keys = await selectKeys(io.content, view, ask.keys(asked.keys), now, concurrency);
          if (keys.length > 0) {
            if (keys.length > MAX_KEYS_PER_CYCLE) await writeRequest(io.state, ask.keys(keys.slice(MAX_KEYS_PER_CYCLE)));
            const cycle = await runCycle(io, current, keys.slice(0, MAX_KEYS_PER_CYCLE), head, etag as string);
            result = addResults(result, cycle);
            ({ head, etag } = cycle);
          }
        }
        const rebuilt = await rebuild(
          io,
          ctx,
          { ...(head && !forceFull ? { head } : {}), ...(etag ? { etag } : {}) },
          { batchSize: options.rebuildBatch ?? REBUILD_BATCH, outOfTime, siteYaml: Buffer.from(siteFile ?? '').toString('utf8'), ...(options.fanOut ? { fanOut: options.fanOut } : {}) },
        );
        for (const phase of ['render', 'records'] as const) {
          const batches = rebuilt.madeUp.filter((b) => b.phase === phase).map(({ phase: _, ...item }) => item);
          if (batches.length > 0) log('warn', `the fan-out did not make these batches of the ${phase} step: this publish made them`, { batches });
        }
        result = addResults(result, rebuilt);
        forceFull = false;
        // Requests drained here are done once a cycle took them or the rebuild is: it reads every file, and
        // one that spanned holders is followed by a scan for what changed behind its cursor meanwhile. While
        // the state was being remade (no cycle), they stay, so the first holder to find the state serving
        // again (the site step) publishes them, before the rebuild ends.
        if (serving || rebuilt.done) await deleteRequests(io.state, drained.keys, concurrency);
        if (!rebuilt.done) {
          log('info', 'the rebuild goes on in the next publish', { step: rebuilt.head.rebuild?.step, batches: rebuilt.head.rebuild?.batches, done: rebuilt.head.rebuild?.done });
          return { result, cycles, settings, outOfTime: true };
        }
        if (rebuilt.resumed) await writeRequest(io.state, ask.changes()); // the rebuild reconciled as it ended
      } else {
        const scan = asked.scan || head?.settingsError !== undefined;
        let current = head as Head;
        if (current.settingsError !== undefined) {
          const { settingsError: _fixed, ...rest } = current;
          current = rest;
          etag = await writeHead(io.state, current, etag);
        }
        const keys = await selectKeys(io.content, view, { ...asked, scan }, now, concurrency);
        const rest = keys.slice(MAX_KEYS_PER_CYCLE);
        if (rest.length > 0) await writeRequest(io.state, ask.keys(rest));
        const cycle = await runCycle(io, ctx, keys.slice(0, MAX_KEYS_PER_CYCLE), current, etag as string);
        result = addResults(result, cycle);
        if (scan) {
          const media = await mediaListed(io.content); // before the reconcile, which puts on the site what it lists
          if (asked.reconcile || (await reconcileDue(io.site, cycle.head, now, media))) {
            result = addResults(result, { ...emptyResult(), ...(await reconcileSite(io, ctx, cycle.head)) });
            await writeHead(io.state, { ...cycle.head, reconciled: now.toISOString(), media }, cycle.etag);
          }
        }
      }
      await deleteRequests(io.state, drained.keys, concurrency);
    } catch (err) {
      if (err instanceof StateError) {
        log('warn', 'the publisher state could not be read; rebuilding everything from the content', { problem: err.message });
        forceFull = true;
        continue;
      }
      throw err;
    }
    if (!(await requestsWaiting(io.state))) return { result, cycles, settings };
  }
}

async function report(stores: Stores, asked: Request, total: CycleResult, attempts: number, settings: Settings | undefined, queued: boolean): Promise<PublishReport> {
  const view = new StateView(stores.state);
  const head = await view.base(STATE.head).catch(() => undefined);
  const schedule = await view.base(STATE.schedule).catch(() => undefined);
  const feedsChanged = settings ? total.written.filter((k) => isFeedKey(k) && !isArchiveKey(k)).map((k) => new URL(k, settings.url).href) : [];
  return {
    mode: total.full || asked.full ? 'full' : asked.scan ? 'scan' : 'changed',
    public: head?.public ?? 0,
    rendered: total.rendered,
    rejected: dedupe(total.rejected),
    feedFailures: dedupe(total.feedFailures),
    notices: [...new Map((total.notices ?? []).map((n) => [n.message, n])).values()].sort((a, b) => (a.message < b.message ? -1 : 1)),
    written: total.written,
    deleted: total.deleted,
    feedsChanged,
    ...(settings?.hub ? { hub: settings.hub } : {}),
    attempts,
    drafts: (schedule?.drafts ?? []).map((d) => d.key),
    embargoed: (schedule?.embargoed ?? []).map((e) => ({ file: e.key, at: e.at })),
    queued,
  };
}

/** Rejected articles and feeds kept back, in one list by file. */
export function problemsOf(report: Pick<PublishReport, 'rejected' | 'feedFailures'>): LocatedError[] {
  return [...report.rejected, ...report.feedFailures].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** One line per file: a file rejected in two cycles is named once, with its latest problem. */
function dedupe<T extends LocatedError>(errors: readonly T[]): T[] {
  const byFile = new Map<string, T>();
  for (const e of errors) byFile.set(e.file, e);
  return [...byFile.values()].sort((a, b) => (a.file < b.file ? -1 : 1));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export { LeaseLostError };
