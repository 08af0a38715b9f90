import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ARTICLES_PREFIX, isArticleKey, LOCAL_PREVIEW_FOLDER, LOCAL_STATE_FOLDER } from '../core/keys.ts';
import { ask, type Request } from '../publish/protocol/requests.ts';
import { FsStore, isFolder } from '../stores/fs-store.ts';
import { MemoryStore } from '../stores/memory-store.ts';
import { openFs } from '../stores/open.ts';
import { NamedArticles } from './named-articles.ts';
import { RenderPool } from './render-pool.ts';
import { fatal, location, runPublish } from './report.ts';
import { startServer } from './serve.ts';
import { COMMANDS, type Command, commandUsage, defaultIo, EXIT, type Io, USAGE, UsageError } from './usage.ts';

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
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

type Flag = 'content' | 'out' | 'state' | 'full' | 'json' | 'port';
const FLAGS = { content: { type: 'string' }, out: { type: 'string' }, state: { type: 'string' }, port: { type: 'string' }, full: { type: 'boolean' }, json: { type: 'boolean' } } as const;

function options(args: readonly string[], flags: readonly Flag[], positionals = false) {
  const { values, positionals: files } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: positionals,
    options: Object.fromEntries(flags.map((f) => [f, FLAGS[f]])),
  });
  return { ...(values as { content?: string; out?: string; state?: string; full?: boolean; json?: boolean; port?: string }), files };
}

async function build(args: readonly string[], io: Io): Promise<number> {
  const opts = options(args, ['content', 'out', 'state', 'full', 'json']);
  const contentDir = opts.content ?? 'content';
  const outDir = opts.out ?? 'dist';
  const stateDir = opts.state ?? localStateFolder(contentDir, outDir);
  // Worker threads pay off past a few hundred articles; below that their start-up costs more than they save.
  const articles = await readdir(path.join(contentDir, 'articles')).catch(() => []);
  const pool = articles.length > 300 ? new RenderPool() : undefined;
  try {
    return await runPublish(openFs({ content: contentDir, site: outDir, state: stateDir }), contentDir, outDir, io, {
      request: opts.full ? ask.full() : ask.changes(),
      siteUrl: io.env.SITE_URL,
      json: opts.json === true,
      ...(pool ? { parse: pool.parse, releaseParse: () => pool.close() } : {}),
    });
  } finally {
    await pool?.close();
  }
}

async function check(args: readonly string[], io: Io): Promise<number> {
  const opts = options(args, ['content', 'json'], true);
  const contentDir = opts.content ?? 'content';
  const run = { request: ask.full(), siteUrl: io.env.SITE_URL, json: opts.json === true };
  // A build into memory: everything is validated and rendered, nothing is written anywhere.
  const into = () => ({ site: new MemoryStore(), state: new MemoryStore() });
  if (opts.files.length === 0) return runPublish({ content: new FsStore(contentDir), ...into() }, contentDir, undefined, io, run);
  const named = await NamedArticles.open(new FsStore(contentDir), contentDir, opts.files);
  return runPublish({ content: named, ...into() }, contentDir, undefined, io, { ...run, locate: (file) => named.label(file) ?? location(contentDir, file) });
}

/**
 * The publisher's private state for a local build: beside the content folder, in .wirefeed/state/, one
 * folder per output folder (the state describes what is in that output). Never inside the output, so a
 * build folder uploaded anywhere carries no drafts or embargoed headlines.
 */
export function localStateFolder(contentDir: string, outDir: string): string {
  const out = path.resolve(outDir);
  const name = `${path.basename(out) || 'out'}-${createHash('sha256').update(out).digest('hex').slice(0, 8)}`;
  return path.join(path.dirname(path.resolve(contentDir)), ...LOCAL_STATE_FOLDER, name);
}

/** Where `serve` builds unless --out says otherwise: its own folder, so `build`'s dist/ is never rewritten with localhost links. */
function previewFolder(contentDir: string): string {
  return path.join(path.dirname(path.resolve(contentDir)), ...LOCAL_PREVIEW_FOLDER);
}

async function serve(args: readonly string[], io: Io): Promise<number> {
  const opts = options(args, ['content', 'out', 'state', 'port']);
  const contentDir = opts.content ?? 'content';
  const outDir = opts.out ?? previewFolder(contentDir);
  const stateDir = opts.state ?? localStateFolder(contentDir, outDir);
  const port = Number(opts.port ?? io.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (got "${opts.port ?? io.env.PORT}")`);
  // Watching needs the folder; without this check a missing one read as a missing site.yaml, then a crash.
  if (!(await isFolder(contentDir))) throw new UsageError(`serve: there is no content folder ${contentDir}`);
  const stopped = untilStopped(); // from the start: a signal during the first build still stops
  const server = await startServer({ dir: outDir, port });
  // The local server's own address, so every link in the feeds and pages works on this machine.
  const siteUrl = server.url;
  const stores = () => openFs({ content: contentDir, site: outDir, state: stateDir });
  const rebuild = (request: Request) =>
    runPublish(stores(), contentDir, outDir, io, { request, siteUrl, watching: true }).catch((err: unknown) => {
      io.err(String((err as Error).stack ?? err));
      return EXIT.usage;
    });
  // A saved article is published on its own (its key); anything else (site.yaml, media, a rename
  // the watcher cannot name) is a scan. Either costs what changed, not the archive. Publishes run one
  // after another, each after the one before.
  let running = Promise.resolve(0);
  let timer: NodeJS.Timeout | undefined;
  let saved = new Set<string>();
  let scan = false;
  const changed = (key: string | undefined) => {
    if (key && isArticleKey(key)) saved.add(key);
    else if (!key?.startsWith(`${ARTICLES_PREFIX}.`)) scan = true;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const request = scan ? ask.changes() : ask.keys([...saved]);
      saved = new Set();
      scan = false;
      running = running.then(() => rebuild(request));
    }, 100);
  };
  // Watching starts before the first build, so a file saved while it runs, or the moment "Serving" is
  // printed, is published after it: Node's watcher reports nothing about files that exist when it starts.
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(contentDir, { recursive: true }, (_event, name) => changed(name ? String(name).split(path.sep).join('/') : undefined));
    // A watcher that fails (the system's limit on watches) may have missed changes: say so, and look at everything.
    watcher.on('error', (err) => {
      io.err(`Watching ${contentDir}/ failed: ${err.message}; publishing everything that changed`);
      changed(undefined);
    });
    running = rebuild(ask.changes());
    await running;
    io.out(`Serving ${path.resolve(outDir)} at ${siteUrl}\n  ${siteUrl}rss.xml\n  ${siteUrl}atom.xml\n  ${siteUrl}feed.json\nWatching ${contentDir}/ for changes; Ctrl+C stops.`);
    await stopped;
  } finally {
    watcher?.close();
    clearTimeout(timer);
    await running;
    await server.close();
  }
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
