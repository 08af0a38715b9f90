import path from 'node:path';
import { afterPublish } from '../after-publish/after-publish.ts';
import { FeedCheckError, type LocatedError, SettingsError } from '../core/errors.ts';
import { KEYS } from '../core/keys.ts';
import { STATE } from '../core/state/state.ts';
import type { Parse } from '../publish/context.ts';
import { leaseTiming } from '../publish/protocol/lease.ts';
import { ask, type Request } from '../publish/protocol/requests.ts';
import { type PublishReport, problemsOf, publish } from '../publish/publish.ts';
import { type FanOut, rebuildProgressOf } from '../publish/rebuild/fan-out.ts';
import { type Store, StoreError, type Stores } from '../stores/store.ts';
import { EXIT, type Io } from './usage.ts';

/** How long a command waits for a publish already under way (the lease) before giving up. */
const WAIT_FOR_LEASE_MS = 10 * 60_000;

/** Run a publish and turn its report into lines (or one JSON object) and an exit code. */
export async function runPublish(
  stores: Stores,
  contentLabel: string,
  outLabel: string | undefined,
  io: Io,
  opts: {
    request: Request;
    siteUrl?: string | undefined;
    ping?: boolean;
    /** Ask the CDN to drop what changed (DISTRIBUTION_ID set). */
    invalidate?: (keys: readonly string[], reference: string) => Promise<string[]>;
    parse?: Parse;
    releaseParse?: () => Promise<void>;
    /** One JSON object on stdout instead of the lines. */
    json?: boolean;
    /** How a content key is named to the user. @default the content folder or URL joined with the key */
    locate?: (file: string) => string;
    /** serve: a site.yaml error says to save again rather than that nothing was written. */
    watching?: boolean;
    /** Where a full rebuild's render and records steps are fanned out (`publish --distributed`). */
    fanOut?: FanOut;
    /** Publish again every `pollMs` until no rebuild is under way, each time saying on stderr how far it got. */
    untilSettled?: { pollMs: number };
  },
): Promise<number> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const locateContent = opts.locate ?? ((file: string) => location(contentLabel, file));
  // A feed kept back after a failed parse-back is named where it is on the site; everything else is content.
  const locateError = (e: LocatedError) => (e instanceof FeedCheckError ? (outLabel === undefined ? e.file : location(outLabel, e.file)) : locateContent(e.file));
  const locate = locateContent;
  let report: PublishReport;
  try {
    const once = (request: Request) =>
      publish(stores, {
        now: io.now,
        request,
        lease: leaseTiming(io.env.WIREFEED_LEASE_SECONDS),
        // A person or a CI job waits for another publish to finish rather than leave work queued.
        waitMs: WAIT_FOR_LEASE_MS,
        ...(opts.siteUrl ? { siteUrl: opts.siteUrl } : {}),
        ...(opts.parse ? { parse: opts.parse, concurrency: 64 } : {}),
        ...(opts.releaseParse ? { releaseParse: opts.releaseParse } : {}),
        ...(opts.fanOut ? { fanOut: opts.fanOut } : {}),
      });
    report = await once(opts.request);
    for (let line = await rebuildProgress(stores.state); opts.untilSettled && line !== undefined; line = await rebuildProgress(stores.state)) {
      io.err(line);
      await new Promise((resolve) => setTimeout(resolve, opts.untilSettled?.pollMs));
      report = mergeReports(report, await once(ask.keys()));
    }
  } catch (err) {
    const failure = fatal(err, locate, opts.watching);
    if (!failure) throw err;
    if (opts.json) io.out(JSON.stringify({ exit: failure.exit, error: { file: failure.file, problem: failure.problem }, ms: ms() }));
    else io.err(failure.line);
    return failure.exit;
  }
  // Rejected articles and feeds kept back are one list for the user, each named where it is: either fails the run.
  const problems = problemsOf(report);
  const exit = problems.length > 0 ? EXIT.rejected : EXIT.ok;
  if (opts.json) {
    io.out(JSON.stringify(toJson(report, exit, outLabel === undefined, locate, locateError, ms())));
  } else {
    for (const error of problems) io.err(`${locateError(error)}: ${error.problem}`);
    // Notices go to stderr too (diagnostics, not output), marked so, and never change the exit status.
    for (const notice of report.notices) io.err(`${locate(notice.file)}: notice: ${notice.problem}`);
    io.out(summary(report, outLabel, ms()));
    const waiting = waitingLine(report, locate);
    if (waiting) io.out(waiting);
  }
  // Only a publish to the real site tells the hub (and the CDN); local builds have no public URLs to announce.
  if (opts.ping)
    await afterPublish(report, {
      log: (level, message, fields) => (level === 'info' ? undefined : io.err(`${message} ${JSON.stringify(fields ?? {})}`)),
      ...(opts.invalidate ? { invalidate: opts.invalidate } : {}),
    });
  return exit;
}

/** How far a rebuild under way got, as a line for stderr; undefined when none is. */
async function rebuildProgress(state: Store): Promise<string | undefined> {
  const progress = await rebuildProgressOf(state);
  if (!progress) return undefined;
  const { fan } = progress;
  if (fan && progress.step === 'render') {
    const made = (await state.list(STATE.rebuildSummaries(fan.run), KEYS)).length;
    return `rebuild ${fan.run}: render step on the state machine, ${made} of ${fan.batches} batches rendered`;
  }
  if (fan?.records !== undefined && progress.step === 'records') {
    const made = (await state.list(STATE.fanDoneFolder(fan.run), KEYS)).length;
    return `rebuild ${fan.run}: records step on the state machine, ${made} of ${progress.batches} batches written`;
  }
  return `rebuild${fan ? ` ${fan.run}` : ''}: ${progress.step} step, ${progress.done} of ${progress.batches} batches done`;
}

/** Two publishes' reports as one: what both did, and the later one's view of the site. */
function mergeReports(a: PublishReport, b: PublishReport): PublishReport {
  return {
    ...b,
    mode: a.mode,
    rendered: a.rendered + b.rendered,
    rejected: [...a.rejected, ...b.rejected],
    feedFailures: [...a.feedFailures, ...b.feedFailures],
    notices: [...a.notices, ...b.notices],
    written: [...new Set([...a.written, ...b.written])].sort(),
    deleted: [...new Set([...a.deleted, ...b.deleted])].filter((k) => !b.written.includes(k)).sort(),
    feedsChanged: [...new Set([...a.feedsChanged, ...b.feedsChanged])],
    attempts: a.attempts + b.attempts,
  };
}

/** The --json object; USAGE documents it. */
function toJson(report: PublishReport, exit: number, dryRun: boolean, locate: (file: string) => string, locateError: (e: LocatedError) => string, ms: number) {
  return {
    exit,
    published: report.public,
    rendered: report.rendered,
    rejected: problemsOf(report).map((e) => ({ file: locateError(e), problem: e.problem })),
    ...(report.notices.length > 0 ? { notices: report.notices.map((n) => ({ file: locate(n.file), notice: n.problem })) } : {}),
    drafts: report.drafts.map(locate),
    embargoed: report.embargoed.map((e) => ({ file: locate(e.file), goes_live: e.at })),
    written: dryRun ? 0 : report.written.length,
    deleted: dryRun ? 0 : report.deleted.length,
    ms,
  };
}

interface Failure {
  exit: number;
  file: string;
  problem: string;
  /** What stderr says: one line for a store, site.yaml's problems and what follows from them. */
  line: string;
}

/** A failure that stops the whole run and is the user's to fix (site.yaml) or the store's (exit 3); undefined for a bug. */
export function fatal(err: unknown, locate: (file: string) => string, watching = false): Failure | undefined {
  if (err instanceof SettingsError) {
    const line = watching ? `${err.message} (fix it and save again)` : `${err.message}\nNothing was written.`;
    return { exit: EXIT.usage, file: locate(err.file), problem: err.problem, line };
  }
  if (err instanceof StoreError) {
    const cause = causeOf(err.cause);
    const problem = cause ? `${err.problem} (${cause})` : err.problem;
    return { exit: EXIT.store, file: err.location, problem, line: `${err.location}: ${problem}. Nothing more was written; the previous site stays.` };
  }
  return undefined;
}

/** A store failure's cause in a few words: the S3 error's name and message (and HTTP status), or the errno code and message. */
function causeOf(err: unknown): string | undefined {
  if (err === undefined) return undefined;
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  // Node's happy-eyeballs connect fails with an AggregateError that has a code but no message.
  const message = err.message || (err instanceof AggregateError ? err.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join('; ') : '');
  let text: string;
  if (typeof code === 'string') text = message.includes(code) ? message : [code, message].filter(Boolean).join(': ');
  else text = err.name && err.name !== 'Error' && !message.startsWith(err.name) ? `${err.name}: ${message}` : message;
  return `${text}${status ? ` (HTTP ${status})` : ''}`.replace(/\s*\n\s*/g, ' ').trim() || err.name;
}

export function location(contentLabel: string, file: string): string {
  return contentLabel.startsWith('s3://') ? `${contentLabel.replace(/\/$/, '')}/${file}` : path.join(contentLabel, file);
}

const n = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

function summary(report: PublishReport, outLabel: string | undefined, ms: number): string {
  if (outLabel === undefined) return `${n(report.public, 'article')} would be published, ${problemsOf(report).length} rejected; nothing written (${ms} ms)`;
  const where = `into ${outLabel}`;
  return `${n(report.public, 'article')} published, ${problemsOf(report).length} rejected, ${n(report.rendered, 'page')} rendered, ${n(report.written.length, 'file')} written ${where} in ${ms} ms`;
}

/** "2 drafts, 1 embargoed (next goes live 2026-12-24T06:00:00Z: content/articles/budget.md)", or nothing when none wait. */
function waitingLine(report: PublishReport, locate: (file: string) => string): string | undefined {
  const parts: string[] = [];
  if (report.drafts.length > 0) parts.push(n(report.drafts.length, 'draft'));
  const next = report.embargoed[0];
  if (next) parts.push(`${report.embargoed.length} embargoed (next goes live ${next.at}: ${locate(next.file)})`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}
