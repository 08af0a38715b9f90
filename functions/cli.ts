import { watch } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ArticleError, SiteError } from './core/errors.ts';
import { publish, type PublishMode, type PublishReport } from './publish.ts';
import { RenderPool, type Parse } from './render-pool.ts';
import { startServer } from './serve.ts';
import { pingHub } from './websub.ts';
import { FsStore } from './stores/fs-store.ts';
import { MemoryStore } from './stores/memory-store.ts';
import type { Store } from './stores/store.ts';

export const USAGE = `Usage:
  wirefeed build   [--content DIR] [--out DIR] [--full]   build the feeds and pages (default content/ to dist/)
  wirefeed check   [--content DIR]                        validate every article, write nothing
  wirefeed serve   [--content DIR] [--out DIR] [--port N] build, serve on localhost (PORT, default 8080), rebuild on change
  wirefeed publish --content s3://BUCKET[/PREFIX] --site s3://BUCKET [--full]
                                                          publish from S3 to S3, as the Lambda does

Exit status: 0 all published, 1 some articles rejected (the rest published), 2 usage or site.yaml error.`;

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

/** `wirefeed ...`: argv in, exit code out, so tests call it without spawning a process. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case 'build':
        return await build(rest, io);
      case 'check':
        return await check(rest, io);
      case 'serve':
        return await serve(rest, io);
      case 'publish':
        return await (await import('./publish-s3.ts')).publishCommand(rest, io);
      case undefined:
      case '--help':
      case 'help':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`wirefeed: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof SiteError) {
      io.err(`${err.message}\nNothing was written.`);
      return 2;
    }
    throw err; // unexpected: keep the stack
  }
}

function options(args: readonly string[], extra: Record<string, { type: 'string' | 'boolean' }> = {}) {
  return parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: { content: { type: 'string' }, out: { type: 'string' }, ...extra },
  }).values as { content?: string; out?: string; full?: boolean; port?: string; site?: string };
}

async function build(args: readonly string[], io: Io): Promise<number> {
  const opts = options(args, { full: { type: 'boolean' } });
  const contentDir = opts.content ?? 'content';
  const outDir = opts.out ?? 'dist';
  // Worker threads pay off past a few hundred articles; below that their start-up costs more than they save.
  const articles = await readdir(path.join(contentDir, 'articles')).catch(() => []);
  const pool = articles.length > 300 ? new RenderPool() : undefined;
  try {
    return await runPublish(new FsStore(contentDir), new FsStore(outDir), contentDir, outDir, io, {
      mode: opts.full ? { kind: 'full' } : { kind: 'scan' },
      siteUrl: io.env.SITE_URL,
      ...(pool ? { parse: pool.parse } : {}),
    });
  } finally {
    await pool?.close();
  }
}

async function check(args: readonly string[], io: Io): Promise<number> {
  const opts = options(args);
  const contentDir = opts.content ?? 'content';
  return runPublish(new FsStore(contentDir), new MemoryStore(), contentDir, undefined, io, { mode: { kind: 'full' }, siteUrl: io.env.SITE_URL });
}

async function serve(args: readonly string[], io: Io): Promise<number> {
  const opts = options(args, { port: { type: 'string' } });
  const contentDir = opts.content ?? 'content';
  const outDir = opts.out ?? 'dist';
  const port = Number(opts.port ?? io.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (got "${opts.port ?? io.env.PORT}")`);
  const server = await startServer({ dir: outDir, port });
  // The local server's own address, so every link in the feeds and pages works on this machine.
  const siteUrl = server.url;
  const rebuild = (mode: PublishMode) =>
    runPublish(new FsStore(contentDir), new FsStore(outDir), contentDir, outDir, io, { mode, siteUrl }).catch((err: unknown) => {
      io.err(err instanceof SiteError ? `${err.message} (fix it and save again)` : String((err as Error).stack ?? err));
      return 2;
    });
  await rebuild({ kind: 'scan' });
  io.out(`Serving ${path.resolve(outDir)} at ${siteUrl}\n  ${siteUrl}rss.xml\n  ${siteUrl}atom.xml\n  ${siteUrl}feed.json\nWatching ${contentDir}/ for changes; Ctrl+C stops.`);
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve(0);
  const watcher = watch(contentDir, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => (running = running.then(() => rebuild({ kind: 'scan' }))), 100);
  });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  watcher.close();
  await running;
  await server.close();
  return 0;
}

/** Run a publish and turn its report into lines and an exit code. */
export async function runPublish(
  content: Store,
  out: Store,
  contentLabel: string,
  outLabel: string | undefined,
  io: Io,
  opts: { mode: PublishMode; siteUrl?: string | undefined; ping?: boolean; parse?: Parse },
): Promise<number> {
  const started = performance.now();
  const report = await publish(content, out, {
    now: io.now(),
    mode: opts.mode,
    ...(opts.siteUrl ? { siteUrl: opts.siteUrl } : {}),
    ...(opts.parse ? { parse: opts.parse, concurrency: 64 } : {}),
  });
  for (const error of report.rejected) io.err(`${location(contentLabel, error)}: ${error.problem}`);
  io.out(summary(report, outLabel, performance.now() - started));
  // Only a publish to the real site tells the hub; local builds have no public URLs to announce.
  if (opts.ping && report.hub && report.feedsChanged.length > 0) {
    await pingHub(report.hub, report.feedsChanged, (level, message, fields) => (level === 'info' ? undefined : io.err(`${message} ${JSON.stringify(fields ?? {})}`)));
  }
  return report.rejected.length > 0 ? 1 : 0;
}

function location(contentLabel: string, error: ArticleError): string {
  return contentLabel.startsWith('s3://') ? `${contentLabel.replace(/\/$/, '')}/${error.file}` : path.join(contentLabel, error.file);
}

function summary(report: PublishReport, outLabel: string | undefined, ms: number): string {
  const n = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
  if (outLabel === undefined) return `${n(report.public, 'article')} would be published, ${report.rejected.length} rejected; nothing written (${Math.round(ms)} ms)`;
  const where = `into ${outLabel}`;
  return `${n(report.public, 'article')} published, ${report.rejected.length} rejected, ${n(report.rendered, 'page')} rendered, ${n(report.written.length, 'file')} written ${where} in ${Math.round(ms)} ms`;
}
