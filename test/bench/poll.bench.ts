// Feed readers polling /feed.json: wirefeed's local server as `npm start` runs it (`wirefeed serve`: serve-static
// with our headers, behind the compression middleware), next to serve-static alone on node:http with its default
// options, serving the same folder. Each server runs in its own child process so the load generator (autocannon,
// in this process) does not share its event loop; everything is on 127.0.0.1.
//
// The site: a generated corpus of ARTICLES wire reports (test/bench/generate.ts) built with the CLI, so feed.json
// holds 50 full items, as a real feed does. `wirefeed serve` then rebuilds it once with its own localhost URL.
//
// Before any load, one raw request per server checks the conditional path: a GET returns an ETag, and the same GET
// with `If-None-Match: <that ETag>` returns 304 with no Content-Length (or 0) and not one byte after the headers
// (read off the socket, not through an HTTP parser that would drop them).
//
// Then, after a warm-up, autocannon for DURATION_S seconds per row, CONNECTIONS connections, no pipelining, scenario
// by scenario with the servers back to back:
// - GET: a reader with no cache, the whole feed every time;
// - If-None-Match: a reader that kept the ETag, and the feed has not changed;
// - Accept-Encoding: gzip (wirefeed only; plain serve-static does not compress).
// Latency percentiles come from every response's own time (autocannon's histogram rounds to whole milliseconds).
//
//   npx tsx test/bench/poll.bench.ts
import { type ChildProcess, spawn } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { main } from '../../functions/cli/main.ts';
import type { Io } from '../../functions/cli/usage.ts';
import { printTable } from './build.bench.ts';
import { writeCorpus } from './generate.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(REPO_ROOT, 'functions', 'bin', 'wirefeed.js');
const ARTICLES = 60;
const DURATION_S = 8;
const WARMUP_S = 2;
const CONNECTIONS = 10;
const HOST = '127.0.0.1';
const FEED = '/feed.json';
const READY_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------------------------------------------
// autocannon ships no type declarations (and @types/autocannon is not installed): the part we use, typed here.
// ---------------------------------------------------------------------------------------------------

interface Histogram {
  average: number;
  mean: number;
  total: number;
  p50: number;
  p90: number;
  p99: number;
}
interface AutocannonResult {
  requests: Histogram;
  latency: Histogram;
  throughput: Histogram;
  errors: number;
  timeouts: number;
  non2xx: number;
  resets: number;
  '1xx': number;
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
  statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  pipelining: number;
  duration: number;
  headers?: Record<string, string>;
}
/** The instance is an EventEmitter and a promise of the result. */
type AutocannonInstance = EventEmitter & PromiseLike<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: AutocannonOptions) => AutocannonInstance;

// ---------------------------------------------------------------------------------------------------
// Servers, each in its own process
// ---------------------------------------------------------------------------------------------------

interface Server {
  name: string;
  origin: string; // http://127.0.0.1:PORT
  child: ChildProcess;
}

/** serve-static alone, default options, no compression: the library doing the plainest job it can. */
const PLAIN_SCRIPT = `
import http from 'node:http';
import { createRequire } from 'node:module';
const [root, repo] = process.argv.slice(1);
const serveStatic = createRequire(repo + '/package.json')('serve-static');
const files = serveStatic(root);
const server = http.createServer((req, res) => files(req, res, () => { res.statusCode = 404; res.end('Not found\\n'); }));
server.listen(0, '127.0.0.1', () => console.log('LISTENING ' + server.address().port));
process.once('SIGTERM', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
`;

/** Spawns a server and waits for the line that gives its port. */
function startChild(name: string, args: readonly string[], portLine: RegExp): Promise<Server> {
  const child = spawn(process.execPath, [...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  return new Promise<Server>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${name}: no port line within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    };
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const port = portLine.exec(stdout)?.[1];
      if (port) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ name, origin: `http://${HOST}:${port}`, child });
      }
    });
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`${name} exited early (${signal ?? code})`)));
  });
}

/** SIGTERM (both servers close on it), SIGKILL after 5 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------------
// The conditional-request check, before any load
// ---------------------------------------------------------------------------------------------------

interface FirstGet {
  status: number;
  etag: string | undefined;
  bodyBytes: number;
  contentType: string | undefined;
  contentEncoding: string | undefined;
}

function get(origin: string, headers: Record<string, string> = {}): Promise<FirstGet> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${origin}${FEED}`, { headers, agent: false }, (res) => {
      let bodyBytes = 0;
      res.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          etag: res.headers.etag,
          bodyBytes,
          contentType: res.headers['content-type'],
          contentEncoding: res.headers['content-encoding'],
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

interface RawResponse {
  status: number;
  headers: Map<string, string>;
  /** Bytes on the socket after the blank line that ends the headers. */
  bytesAfterHeaders: number;
}

/** One request with `Connection: close`, every byte the server sends until it closes: no parser in between. */
function rawRequest(origin: string, headers: Record<string, string>): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  const lines = [`GET ${FEED} HTTP/1.1`, `Host: ${hostname}:${port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'Connection: close'];
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(port), hostname, () => socket.write(`${lines.join('\r\n')}\r\n\r\n`));
    socket.setTimeout(5_000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const raw = Buffer.concat(chunks);
      const end = raw.indexOf('\r\n\r\n');
      if (end < 0) return reject(new Error(`no end of headers in ${raw.length} bytes`));
      const [statusLine = '', ...headerLines] = raw.subarray(0, end).toString('latin1').split('\r\n');
      const headers = new Map(
        headerLines.map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const;
        }),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, bytesAfterHeaders: raw.length - end - 4 });
    });
  });
}

/** One line saying what the conditional GET returned, and whether that is a proper empty 304. */
async function checkConditional(server: Server, etag: string, extra: Record<string, string> = {}): Promise<boolean> {
  const res = await rawRequest(server.origin, { 'If-None-Match': etag, ...extra });
  const length = res.headers.get('content-length');
  const ok = res.status === 304 && res.bytesAfterHeaders === 0 && (length === undefined || Number(length) === 0);
  const label =
    Object.keys(extra).length > 0
      ? `If-None-Match + ${Object.entries(extra)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ')}`
      : 'If-None-Match';
  console.log(
    `  ${label}: ${res.status}, ${res.bytesAfterHeaders} bytes after the headers, Content-Length ${length ?? 'absent'}` +
      `, ETag ${res.headers.get('etag') ?? 'absent'}  ${ok ? 'ok' : 'NOT AN EMPTY 304'}`,
  );
  return ok;
}

// ---------------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------------

interface Scenario {
  name: string;
  headers: Record<string, string>;
  /** Add `If-None-Match` with the server's own ETag. */
  conditional?: boolean;
  /** Run against this server only. */
  only?: Server;
}

interface Measured {
  result: AutocannonResult;
  /** Every response's time in ms, sorted. */
  times: Float64Array;
  /** Largest number of bytes on the wire for one 304, headers included. */
  max304Bytes: number;
}

async function load(origin: string, headers: Record<string, string>, duration: number): Promise<Measured> {
  const times: number[] = [];
  let max304Bytes = 0;
  const instance = autocannon({ url: `${origin}${FEED}`, connections: CONNECTIONS, pipelining: 1, duration, headers });
  instance.on('response', (_client: unknown, statusCode: number, resBytes: number, responseTime: number) => {
    times.push(responseTime);
    if (statusCode === 304) max304Bytes = Math.max(max304Bytes, resBytes);
  });
  const result = await instance;
  return { result, times: Float64Array.from(times).sort(), max304Bytes };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const ms = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(2));
const count = (n: number) => n.toLocaleString('en');

function row(server: string, scenario: string, m: Measured): string[] {
  const r = m.result;
  const responses = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'];
  const other = r['1xx'] + r['4xx'] + r['5xx'];
  return [
    server,
    scenario,
    count(Math.round(r.requests.average)),
    ms(percentile(m.times, 50)),
    ms(percentile(m.times, 90)),
    ms(percentile(m.times, 99)),
    `${r.latency.p50}/${r.latency.p90}/${r.latency.p99}`,
    (r.throughput.average / 1e6).toFixed(1),
    responses > 0 ? count(Math.round(r.throughput.total / responses)) : '-',
    count(r['2xx']),
    count(r['3xx']),
    r['3xx'] > 0 ? count(m.max304Bytes) : '-',
    `${other}/${r.errors}/${r.timeouts}`,
  ];
}

// ---------------------------------------------------------------------------------------------------

export async function runPollBench(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'wirefeed-poll-bench-'));
  const content = path.join(tmp, 'content');
  const out = path.join(tmp, 'out');
  const servers: Server[] = [];
  const killAll = () => {
    for (const s of servers) s.child.kill('SIGKILL');
  };
  process.once('exit', killAll); // a crash in here must not leave a server behind
  try {
    await writeCorpus(content, ARTICLES);
    const io: Io = { out() {}, err: console.error, env: {}, now: () => new Date('2026-11-25T12:00:00Z') };
    const code = await main(['build', '--content', content, '--out', out], io);
    if (code !== 0) throw new Error(`wirefeed build exited ${code}`);

    const wirefeed = await startChild('wirefeed (npm start)', [CLI, 'serve', '--content', content, '--out', out, '--port', '0'], /Serving .* at http:\/\/localhost:(\d+)\//);
    servers.push(wirefeed);
    const plain = await startChild('serve-static (plain)', ['--input-type=module', '-e', PLAIN_SCRIPT, out, REPO_ROOT], /LISTENING (\d+)/);
    servers.push(plain);
    const feedBytes = (await stat(path.join(out, 'feed.json'))).size;

    console.log(
      `${ARTICLES} generated articles, feed.json ${count(feedBytes)} bytes (50 items; rebuilt by \`wirefeed serve\` with its localhost URL).\n` +
        `autocannon ${DURATION_S} s per row after a ${WARMUP_S} s warm-up per server, ${CONNECTIONS} connections, pipelining 1, all on ${HOST};\n` +
        `each server in its own Node ${process.version} process, autocannon in this one (${os.cpus().length} CPUs).\n`,
    );

    // The check, and each server's ETag.
    const etags = new Map<Server, string>();
    let allOk = true;
    for (const server of servers) {
      const first = await get(server.origin);
      console.log(`${server.name}: GET ${first.status}, ${count(first.bodyBytes)} body bytes, ${first.contentType ?? 'no Content-Type'}, ETag ${first.etag ?? 'absent'}`);
      if (first.status !== 200 || first.bodyBytes !== feedBytes) allOk = false;
      if (!first.etag) {
        console.log('  no ETag: nothing to make a conditional request with');
        allOk = false;
        continue;
      }
      etags.set(server, first.etag);
      allOk = (await checkConditional(server, first.etag)) && allOk;
      if (server === wirefeed) {
        const gz = await get(server.origin, { 'Accept-Encoding': 'gzip' });
        console.log(`  Accept-Encoding: gzip: ${gz.status}, ${count(gz.bodyBytes)} body bytes, Content-Encoding ${gz.contentEncoding ?? 'absent'}, ETag ${gz.etag ?? 'absent'}`);
        allOk = (await checkConditional(server, first.etag, { 'Accept-Encoding': 'gzip' })) && allOk;
      }
    }
    console.log(allOk ? 'Conditional check: ok, every 304 is empty.\n' : 'Conditional check: FAILED (see above).\n');

    // Scenario by scenario, the two servers back to back, so a slow patch on the machine hits both rows alike.
    const scenarios: Scenario[] = [
      { name: 'GET', headers: {} },
      { name: 'If-None-Match', headers: {}, conditional: true },
      { name: 'Accept-Encoding: gzip', headers: { 'Accept-Encoding': 'gzip' }, only: wirefeed },
    ];
    for (const server of servers) await load(server.origin, {}, WARMUP_S);
    const rows: string[][] = [];
    for (const scenario of scenarios) {
      for (const server of servers) {
        if (scenario.only && scenario.only !== server) continue;
        const etag = etags.get(server);
        if (scenario.conditional && !etag) continue;
        const headers = scenario.conditional && etag ? { ...scenario.headers, 'If-None-Match': etag } : scenario.headers;
        rows.push(row(server.name, scenario.name, await load(server.origin, headers, DURATION_S)));
      }
    }
    printTable(['server', 'scenario', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'autocannon p50/p90/p99', 'MB/s', 'bytes/resp', '2xx', '3xx', 'max 304 bytes', 'other/errors/timeouts'], rows);
    console.log(
      "req/s: autocannon's mean of per-second counts. p50-p99: from every response's own time; autocannon's own histogram\n" +
        'records whole milliseconds. MB/s and bytes/resp: bytes on the wire, headers included (1 MB = 10^6 bytes).\n' +
        'max 304 bytes: the largest 304 seen under load, headers included; a body would show up here.\n' +
        'other: 1xx, 4xx and 5xx responses.',
    );
  } finally {
    await Promise.all(servers.map((s) => stopChild(s.child)));
    process.removeListener('exit', killAll);
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runPollBench();
}
