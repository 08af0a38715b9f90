import { watch } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ARTICLES_PREFIX } from './core/article.ts';
import { SiteError } from './core/errors.ts';
import { isArticleKey, publish, type PublishMode, type PublishReport } from './publish.ts';
import { RenderPool, type Parse } from './render-pool.ts';
import { startServer } from './serve.ts';
import { pingHub } from './websub.ts';
import { FsStore } from './stores/fs-store.ts';
import { MemoryStore } from './stores/memory-store.ts';
import { StoreError, type ObjectInfo, type Store, type StoredObject } from './stores/store.ts';

const CONTENT = ['--content DIR', 'the content folder: site.yaml, articles/, media/ (default content/)'] as const;
const FULL = ['--full', 're-render and rewrite everything, not only what changed'] as const;
const JSON_FLAG = ['--json', 'print one JSON object on stdout instead of the summary lines (below)'] as const;

const COMMANDS = {
  build: {
    synopsis: 'wirefeed build   [--content DIR] [--out DIR] [--full] [--json]',
    what: 'build the feeds and pages (default content/ into dist/); only changed articles are re-rendered',
    options: [CONTENT, ['--out DIR', 'where to write (default dist/)'], FULL, JSON_FLAG],
  },
  check: {
    synopsis: 'wirefeed check   [--content DIR] [--json] [FILE...]',
    what: 'validate every article, or only the named article FILEs (with the site.yaml of --content); write nothing',
    options: [CONTENT, ['FILE...', 'article files to check, in or outside the content folder (default: every article)'], JSON_FLAG],
  },
  serve: {
    synopsis: 'wirefeed serve   [--content DIR] [--out DIR] [--port N]',
    what: 'build into .wirefeed/preview/ beside the content folder, serve it on localhost, rebuild on change',
    options: [
      CONTENT,
      ['--out DIR', 'where to build the preview (default .wirefeed/preview/ beside the content folder, never dist/)'],
      ['--port N', 'the local port (default: PORT, else 8080; 0 takes any free port)'],
    ],
  },
  publish: {
    synopsis: 'wirefeed publish --content s3://BUCKET[/PREFIX] --site s3://BUCKET[/PREFIX] [--full] [--json]',
    what: 'publish from S3 to S3, exactly as the Lambda does (AWS_ENDPOINT_URL_S3: an S3-compatible server)',
    options: [['--content URL', 'the content bucket, s3://BUCKET or s3://BUCKET/PREFIX'], ['--site URL', 'the site bucket, likewise'], FULL, JSON_FLAG],
  },
} as const;
type Command = keyof typeof COMMANDS;

const optionLines = (options: readonly (readonly [string, string])[]) => options.map(([flag, text]) => `  ${flag.padEnd(14)} ${text}`).join('\n');

const OUTPUT = `Output: each rejected article on stderr as FILE: PROBLEM; on stdout one summary line, and a second when
there are drafts or embargoed articles: "2 drafts, 1 embargoed (next goes live 2026-12-24T06:00:00Z: content/articles/budget.md)".`;

const JSON_SHAPE = `With --json, stdout holds one JSON object whatever the outcome (a usage error aside), and stderr
carries no FILE: PROBLEM lines (they are only in the object):
  {"exit": 1, "published": 3, "rendered": 1,
   "rejected": [{"file": "content/articles/bad.md", "problem": "\\"date\\" must be a date such as 2020-01-08 …"}],
   "drafts": ["content/articles/notes.md"],
   "embargoed": [{"file": "content/articles/budget.md", "goes_live": "2026-12-24T06:00:00Z"}],
   "written": 9, "deleted": 0, "ms": 70}
  published: public articles after the run (check: that would be); rendered: articles parsed and rendered;
  written, deleted: how many site files (check: 0); embargoed: soonest first; "file": named as on stderr.
  On exit 2 or 3: {"exit": 3, "error": {"file": "s3://bucket/site.yaml", "problem": "could not be read (…)"}, "ms": 12}`;

const EXIT_STATUS = `Exit status:
  0  every article published (check: every article valid)
  1  some articles rejected, each named; the others were published
  2  a usage or site.yaml error; nothing was written
  3  the content or site store failed (unreachable, listing error, access denied), named on stderr in one
     line with its cause; nothing more was written and the previous site stays`;

const SERVE_EXIT = `Exit status: 0 once stopped (Ctrl+C, SIGTERM, SIGHUP, or the process that started it gone, as when
npm start is killed); 2 a usage error.`;

export const USAGE = `Usage:
${Object.values(COMMANDS)
  .map((c) => `  ${c.synopsis}\n      ${c.what}`)
  .join('\n')}
  wirefeed COMMAND --help    that command's usage (also -h)
  wirefeed --version         the version

Options:
${optionLines([
  CONTENT,
  ['--out DIR', 'where to write: build default dist/; serve default .wirefeed/preview/ beside the content folder'],
  FULL,
  JSON_FLAG,
  ['--port N', 'serve: the local port (default: PORT, else 8080; 0 takes any free port)'],
  ['--site URL', 'publish: the site bucket; --content is then the content bucket (s3://BUCKET[/PREFIX])'],
  ['-h, --help', 'print the usage and exit 0'],
])}

${OUTPUT}

${JSON_SHAPE}

${EXIT_STATUS}`;

/** One command's usage: what `wirefeed build --help` prints. */
export function commandUsage(command: Command): string {
  const c = COMMANDS[command];
  return [
    `Usage: ${c.synopsis.replace(/ {2,}/, ' ')}\n  ${c.what}`,
    `Options:\n${optionLines([...c.options, ['-h, --help', 'print this usage and exit 0']])}`,
    // Every command but serve prints a report, and takes --json.
    ...(command === 'serve' ? [SERVE_EXIT] : [OUTPUT, JSON_SHAPE, EXIT_STATUS]),
  ].join('\n\n');
}

/** Exit codes, as USAGE documents them. */
export const EXIT = { ok: 0, rejected: 1, usage: 2, store: 3 } as const;

/** Wrong arguments: print the usage, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  now: () => Date;
}

const defaultIo: Io = { out: (l) => console.log(l), err: (l) => console.error(l), env: process.env, now: () => new Date() };

const isCommand = (name: string | undefined): name is Command => name !== undefined && Object.hasOwn(COMMANDS, name);
/** -h or --help anywhere before a `--`: the usage, whatever else is on the line. */
const wantsHelp = (args: readonly string[]): boolean => args.slice(0, args.includes('--') ? args.indexOf('--') : undefined).some((a) => a === '-h' || a === '--help');

/** `wirefeed ...`: argv in, exit code out, so tests call it without spawning a process. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === '--version') {
      io.out(await version());
      return EXIT.ok;
    }
    if (command === undefined) {
      io.out(USAGE);
      return EXIT.usage;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      const [topic] = rest;
      if (topic !== undefined && !isCommand(topic)) throw new UsageError(`no command "${topic}" to describe`);
      io.out(topic === undefined ? USAGE : commandUsage(topic));
      return EXIT.ok;
    }
    if (!isCommand(command)) throw new UsageError(`unknown command "${command}"`);
    if (wantsHelp(rest)) {
      io.out(commandUsage(command));
      return EXIT.ok;
    }
    switch (command) {
      case 'build':
        return await build(rest, io);
      case 'check':
        return await check(rest, io);
      case 'serve':
        return await serve(rest, io);
      case 'publish':
        return await (await import('./publish-s3.ts')).publishCommand(rest, io);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`wirefeed: ${(err as Error).message}\n\n${isCommand(command) ? commandUsage(command) : USAGE}`);
      return EXIT.usage;
    }
    // runPublish reports these itself; anything else that meets one still gets a line, not a stack.
    const failure = fatal(err, (file) => file);
    if (failure) {
      io.err(failure.line);
      return failure.exit;
    }
    throw err; // unexpected: keep the stack
  }
}

async function version(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

type Flag = 'content' | 'out' | 'full' | 'json' | 'port';
const FLAGS = { content: { type: 'string' }, out: { type: 'string' }, port: { type: 'string' }, full: { type: 'boolean' }, json: { type: 'boolean' } } as const;

function options(args: readonly string[], flags: readonly Flag[], positionals = false) {
  const { values, positionals: files } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: positionals,
    options: Object.fromEntries(flags.map((f) => [f, FLAGS[f]])),
  });
  return { ...(values as { content?: string; out?: string; full?: boolean; json?: boolean; port?: string }), files };
}

async function build(args: readonly string[], io: Io): Promise<number> {
  const opts = options(args, ['content', 'out', 'full', 'json']);
  const contentDir = opts.content ?? 'content';
  const outDir = opts.out ?? 'dist';
  // Worker threads pay off past a few hundred articles; below that their start-up costs more than they save.
  const articles = await readdir(path.join(contentDir, 'articles')).catch(() => []);
  const pool = articles.length > 300 ? new RenderPool() : undefined;
  try {
    return await runPublish(new FsStore(contentDir), new FsStore(outDir), contentDir, outDir, io, {
      mode: opts.full ? { kind: 'full' } : { kind: 'scan' },
      siteUrl: io.env.SITE_URL,
      json: opts.json === true,
      ...(pool ? { parse: pool.parse } : {}),
    });
  } finally {
    await pool?.close();
  }
}

async function check(args: readonly string[], io: Io): Promise<number> {
  const opts = options(args, ['content', 'json'], true);
  const contentDir = opts.content ?? 'content';
  const run = { mode: { kind: 'full' } as const, siteUrl: io.env.SITE_URL, json: opts.json === true };
  if (opts.files.length === 0) return runPublish(new FsStore(contentDir), new MemoryStore(), contentDir, undefined, io, run);
  const named = await NamedArticles.open(new FsStore(contentDir), contentDir, opts.files);
  return runPublish(named, new MemoryStore(), contentDir, undefined, io, { ...run, locate: (file) => named.label(file) ?? location(contentDir, file) });
}

/** Where `serve` builds unless --out says otherwise: its own folder, so `build`'s dist/ is never rewritten with localhost links. */
export function previewFolder(contentDir: string): string {
  return path.join(path.dirname(path.resolve(contentDir)), '.wirefeed', 'preview');
}

async function serve(args: readonly string[], io: Io): Promise<number> {
  const opts = options(args, ['content', 'out', 'port']);
  const contentDir = opts.content ?? 'content';
  const outDir = opts.out ?? previewFolder(contentDir);
  const port = Number(opts.port ?? io.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (got "${opts.port ?? io.env.PORT}")`);
  const stopped = untilStopped(); // from the start: a signal during the first build still stops
  const server = await startServer({ dir: outDir, port });
  // The local server's own address, so every link in the feeds and pages works on this machine.
  const siteUrl = server.url;
  const rebuild = (mode: PublishMode) =>
    runPublish(new FsStore(contentDir), new FsStore(outDir), contentDir, outDir, io, { mode, siteUrl, watching: true }).catch((err: unknown) => {
      io.err(String((err as Error).stack ?? err));
      return EXIT.usage;
    });
  await rebuild({ kind: 'scan' });
  io.out(`Serving ${path.resolve(outDir)} at ${siteUrl}\n  ${siteUrl}rss.xml\n  ${siteUrl}atom.xml\n  ${siteUrl}feed.json\nWatching ${contentDir}/ for changes; Ctrl+C stops.`);
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve(0);
  const watcher = watch(contentDir, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => (running = running.then(() => rebuild({ kind: 'scan' }))), 100);
  });
  await stopped;
  watcher.close();
  clearTimeout(timer);
  await running;
  await server.close();
  return EXIT.ok;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Resolves when serve should stop: Ctrl+C (SIGINT), kill (SIGTERM), a closed terminal (SIGHUP), or the
 * process that started it gone. The last is what `kill <pid of npm start>` looks like from here: npm
 * forwards SIGTERM only to its child, `sh -c "node …"`, and dash (Debian's sh) neither execs the command
 * nor passes the signal on; it dies, and this process is left to init, serving. So the parent is polled.
 */
function untilStopped(): Promise<void> {
  const parent = process.ppid;
  return new Promise((resolve) => {
    const stop = () => {
      clearInterval(orphaned);
      for (const signal of STOP_SIGNALS) process.off(signal, stop); // a second Ctrl+C then kills at once
      resolve();
    };
    const orphaned = setInterval(() => process.ppid !== parent && stop(), 250);
    orphaned.unref();
    for (const signal of STOP_SIGNALS) process.on(signal, stop);
  });
}

/** Run a publish and turn its report into lines (or one JSON object) and an exit code. */
export async function runPublish(
  content: Store,
  out: Store,
  contentLabel: string,
  outLabel: string | undefined,
  io: Io,
  opts: {
    mode: PublishMode;
    siteUrl?: string | undefined;
    ping?: boolean;
    parse?: Parse;
    /** One JSON object on stdout instead of the lines. */
    json?: boolean;
    /** How a content key is named to the user. @default the content folder or URL joined with the key */
    locate?: (file: string) => string;
    /** serve: a site.yaml error says to save again rather than that nothing was written. */
    watching?: boolean;
  },
): Promise<number> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const locate = opts.locate ?? ((file: string) => location(contentLabel, file));
  let report: PublishReport;
  try {
    report = await publish(content, out, {
      now: io.now(),
      mode: opts.mode,
      ...(opts.siteUrl ? { siteUrl: opts.siteUrl } : {}),
      ...(opts.parse ? { parse: opts.parse, concurrency: 64 } : {}),
    });
  } catch (err) {
    const failure = fatal(err, locate, opts.watching);
    if (!failure) throw err;
    if (opts.json) io.out(JSON.stringify({ exit: failure.exit, error: { file: failure.file, problem: failure.problem }, ms: ms() }));
    else io.err(failure.line);
    return failure.exit;
  }
  const exit = report.rejected.length > 0 ? EXIT.rejected : EXIT.ok;
  if (opts.json) {
    io.out(JSON.stringify(toJson(report, exit, outLabel === undefined, locate, ms())));
  } else {
    for (const error of report.rejected) io.err(`${locate(error.file)}: ${error.problem}`);
    io.out(summary(report, outLabel, ms()));
    const waiting = waitingLine(report, locate);
    if (waiting) io.out(waiting);
  }
  // Only a publish to the real site tells the hub; local builds have no public URLs to announce.
  if (opts.ping && report.hub && report.feedsChanged.length > 0) {
    await pingHub(report.hub, report.feedsChanged, (level, message, fields) => (level === 'info' ? undefined : io.err(`${message} ${JSON.stringify(fields ?? {})}`)));
  }
  return exit;
}

/** The --json object; USAGE documents it. */
function toJson(report: PublishReport, exit: number, dryRun: boolean, locate: (file: string) => string, ms: number) {
  return {
    exit,
    published: report.public,
    rendered: report.rendered,
    rejected: report.rejected.map((e) => ({ file: locate(e.file), problem: e.problem })),
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
function fatal(err: unknown, locate: (file: string) => string, watching = false): Failure | undefined {
  if (err instanceof SiteError) {
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

function location(contentLabel: string, file: string): string {
  return contentLabel.startsWith('s3://') ? `${contentLabel.replace(/\/$/, '')}/${file}` : path.join(contentLabel, file);
}

const n = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

function summary(report: PublishReport, outLabel: string | undefined, ms: number): string {
  if (outLabel === undefined) return `${n(report.public, 'article')} would be published, ${report.rejected.length} rejected; nothing written (${ms} ms)`;
  const where = `into ${outLabel}`;
  return `${n(report.public, 'article')} published, ${report.rejected.length} rejected, ${n(report.rendered, 'page')} rendered, ${n(report.written.length, 'file')} written ${where} in ${ms} ms`;
}

/** "2 drafts, 1 embargoed (next goes live 2026-12-24T06:00:00Z: content/articles/budget.md)", or nothing when none wait. */
function waitingLine(report: PublishReport, locate: (file: string) => string): string | undefined {
  const parts: string[] = [];
  if (report.drafts.length > 0) parts.push(n(report.drafts.length, 'draft'));
  const next = report.embargoed[0];
  if (next) parts.push(`${report.embargoed.length} embargoed (next goes live ${next.at}: ${locate(next.file)})`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/**
 * The content folder as `check FILE...` sees it: its site.yaml and media/, and of the articles only the
 * named files. A file inside the folder's articles/ keeps its key (articles/2025/x.md); one elsewhere
 * (a draft not yet moved in) is checked as articles/<its name>, where it would go.
 */
class NamedArticles implements Store {
  readonly #folder: Store;
  /** Content key -> the file as the user named it. */
  readonly #files: ReadonlyMap<string, string>;

  private constructor(folder: Store, files: ReadonlyMap<string, string>) {
    this.#folder = folder;
    this.#files = files;
  }

  static async open(folder: Store, contentDir: string, files: readonly string[]): Promise<NamedArticles> {
    const articles = path.resolve(contentDir, 'articles');
    const byKey = new Map<string, string>();
    for (const file of files) {
      const inside = path.relative(articles, path.resolve(file));
      const key = inside.startsWith('..') || path.isAbsolute(inside) ? `${ARTICLES_PREFIX}${path.basename(file)}` : `${ARTICLES_PREFIX}${inside.split(path.sep).join('/')}`;
      if (!isArticleKey(key)) throw new UsageError(`check: ${file} is not an article (an article is a .md file whose name does not start with a dot)`);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) throw new UsageError(`check: ${file} is not a file`);
      const other = byKey.get(key);
      if (other !== undefined && path.resolve(other) !== path.resolve(file)) throw new UsageError(`check: ${other} and ${file} would both be ${key}; check them one at a time`);
      byKey.set(key, file);
    }
    return new NamedArticles(folder, byKey);
  }

  /** The file as the user named it, for a key this view holds. */
  label(key: string): string | undefined {
    return this.#files.get(key);
  }

  describe(key: string): string {
    return this.#files.get(key) ?? this.#folder.describe(key);
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const file = this.#files.get(key);
    if (file === undefined) return key.startsWith(ARTICLES_PREFIX) ? undefined : this.#folder.get(key);
    const body = await readFile(file).catch((err: unknown) => {
      throw new StoreError(file, 'could not be read', { cause: err });
    });
    return { body, etag: `"${body.byteLength}"` };
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    if (key.startsWith(ARTICLES_PREFIX)) return (await this.list(key)).find((info) => info.key === key);
    return this.#folder.head(key);
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const named = await Promise.all(
      [...this.#files].filter(([key]) => key.startsWith(prefix)).map(async ([key, file]) => {
        const { size } = await stat(file);
        return { key, etag: `"${size}"`, size };
      }),
    );
    const others = prefix.startsWith(ARTICLES_PREFIX) ? [] : (await this.#folder.list(prefix)).filter((info) => !info.key.startsWith(ARTICLES_PREFIX));
    return [...named, ...others].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async put(key: string): Promise<{ etag: string }> {
    throw new StoreError(this.describe(key), 'is not written: check never writes to the content folder');
  }

  async delete(key: string): Promise<void> {
    throw new StoreError(this.describe(key), 'is not deleted: check never writes to the content folder');
  }
}
