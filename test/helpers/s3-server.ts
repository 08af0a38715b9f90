import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../functions/stores/s3-client.ts';

/**
 * A real S3-compatible server for tests and benchmarks, over HTTP on 127.0.0.1:
 *
 *   S3Client (AWS SDK) --HTTP--> conditional-write proxy (this file) --HTTP--> s3rver 3.7.1 (child process)
 *
 * s3rver does the storage: buckets, PUT/GET/HEAD/DELETE, ListObjectsV2 with paging. It runs in a child
 * process started with `--openssl-legacy-provider`, because its ListObjectsV2 continuation tokens use
 * DES, which OpenSSL 3 refuses otherwise (any listing past 1,000 keys fails). The test process needs no
 * flags. It gets a fresh temporary directory and a free port, both removed or released by stop().
 *
 * The proxy adds what s3rver lacks and counts requests; see the block marked PROXY below.
 */

type RequestKind = 'get' | 'put' | 'delete' | 'head' | 'list' | 'other';
type RequestCounts = Record<RequestKind, number>;
/** Body bytes the clients sent (PUT/POST bodies) and received (GET object and listing bodies). */
interface ByteCounts {
  written: number;
  read: number;
}

interface RequestCounter {
  /** Requests the clients made, by kind, since the start or the last reset (the proxy's own HEADs are not counted). */
  counts(): RequestCounts;
  /** Body bytes through the proxy since the start or the last reset (headers not included). */
  bytes(): ByteCounts;
  resetCounts(): void;
}

export interface S3TestServer extends RequestCounter {
  /** The URL clients use (the proxy), e.g. http://127.0.0.1:43121. Suitable for AWS_ENDPOINT_URL_S3. */
  endpoint: string;
  /** s3rver itself, bypassing the proxy (no conditional writes, no counting). */
  upstreamEndpoint: string;
  /** A real S3Client from createS3Client, aimed at `endpoint`, path-style, credentials S3RVER/S3RVER. */
  client: S3Client;
  /** The same counter as counts()/resetCounts(), for code that passes it around. */
  requests: RequestCounter;
  createBucket(name: string): Promise<void>;
  /**
   * Sees every object write (PUT, DELETE) before it is served, and may drop it: the connection is cut and
   * nothing is stored, as when the writing process dies mid-request. undefined: no interception.
   */
  interceptWrites(hook: WriteHook | undefined): void;
  stop(): Promise<void>;
}

/** An object write as the proxy receives it; `userAgent` carries the SDK's `app/<AWS_SDK_UA_APP_ID>` when set. */
interface ObservedWrite {
  method: 'PUT' | 'DELETE';
  bucket: string;
  key: string;
  userAgent: string;
}
type WriteHook = (write: ObservedWrite) => 'forward' | 'drop';

/** s3rver accepts any SigV4 signature made with this key pair (it checks the key id, not the signature). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

const CHILD_SCRIPT = fileURLToPath(new URL('./s3rver-process.cjs', import.meta.url));
const START_TIMEOUT_MS = 20_000;

export async function startS3Server(): Promise<S3TestServer> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'wirefeed-s3rver-'));
  let child: ChildProcess | undefined;
  let proxy: Proxy | undefined;
  try {
    const started = await startChild(directory);
    child = started.child;
    const upstreamEndpoint = `http://127.0.0.1:${started.port}`;
    proxy = await startProxy(started.port);
    const endpoint = `http://127.0.0.1:${proxy.port}`;
    const client = createS3Client({
      endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: S3RVER_CREDENTIALS,
    });
    const counter: RequestCounter = { counts: () => ({ ...proxy!.counts }), bytes: () => ({ ...proxy!.bytes }), resetCounts: () => proxy!.resetCounts() };
    let stopped = false;
    return {
      endpoint,
      upstreamEndpoint,
      client,
      requests: counter,
      counts: counter.counts,
      bytes: counter.bytes,
      resetCounts: counter.resetCounts,
      async createBucket(name: string) {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      },
      interceptWrites(hook: WriteHook | undefined) {
        proxy!.hook = hook;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        client.destroy();
        await proxy!.close();
        await stopChild(child!);
        await rm(directory, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await proxy?.close();
    if (child) await stopChild(child);
    await rm(directory, { recursive: true, force: true });
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------
// s3rver child process
// ---------------------------------------------------------------------------------------------------

function startChild(directory: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--openssl-legacy-provider', CHILD_SCRIPT, directory], {
    // stdin stays open: the child exits when it closes, so it cannot outlive this process.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const fail = (problem: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`s3rver child process ${problem}${stderr ? `:\n${stderr}` : ''}`));
    };
    const timer = setTimeout(() => fail(`did not report its port within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (err) => fail(`could not start (${err.message})`));
    child.on('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      // From now on the server's own complaints reach the test output: a crash must not pass unseen.
      child.stderr!.on('data', (chunk: string) => process.stderr.write(`[s3rver] ${chunk}`));
      child.once('exit', (code, signal) => {
        if (code !== 0 && signal !== 'SIGTERM') process.stderr.write(`[s3rver] exited (code ${code}, signal ${signal})\n`);
      });
      try {
        const { port } = JSON.parse(stdout.slice(0, newline)) as { port: number };
        resolve({ child, port });
      } catch {
        fail(`printed something unexpected: ${stdout}`);
      }
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------------
// PROXY — a thin HTTP proxy in front of s3rver. NOT PART OF s3rver; it adds, as S3 does:
//
// 1. Conditional writes on PutObject, which s3rver 3.7.1 ignores (it writes regardless):
//    - `If-None-Match: *` — 412 PreconditionFailed when the key exists;
//    - `If-Match: <etag>` — 412 PreconditionFailed when the current ETag differs, 404 NoSuchKey when
//      there is no object (S3's answer to If-Match on a missing key).
//    - on DeleteObject, `If-Match: <etag>` — the same answers (412 on another ETag, 404 NoSuchKey when the
//      key is absent), as S3 general purpose buckets give since 2025.
//    The proxy reads the current ETag with a HEAD to s3rver, then forwards the PUT. Every PUT and DELETE
//    of a key (conditional or not) goes through a per-key queue, so check-and-write is atomic with
//    respect to other writes of that key, as it is on S3. Writes to different keys stay concurrent.
//    Reads of a key (GET, HEAD) wait for the key's writes before them, and its writes wait for the reads
//    before them (reads of a key stay concurrent with each other): s3rver takes an object's length from
//    its file, then opens it again to read it, so a write landing between the two made a reply whose
//    Content-Length promised more bytes than came (the reader waited two minutes for them) or bytes of
//    one version under the ETag of another. On S3 a read sees one whole version.
//    Error bodies are S3-style XML, so the SDK raises the same errors it raises against S3.
//    On a ranged GetObject of an empty object, 416 InvalidRange (S3 refuses any range of zero bytes;
//    s3rver answers 206 with a Content-Length of 1 and no byte, and the client waits for it).
// 2. Request counts by kind (get, put, delete, head, list, other) and body bytes each way, for tests and
//    benchmarks (bytes written from the request's Content-Length, bytes read as the answer streams back).
// 3. An optional hook on object writes (interceptWrites): a test may cut a write off before it is stored, to
//    play a writer that dies mid-request (the stress test's kill chains kill `wirefeed publish` at its Nth write).
//
// Everything else is forwarded byte for byte.
// ---------------------------------------------------------------------------------------------------

interface Proxy {
  port: number;
  hook: WriteHook | undefined;
  counts: RequestCounts;
  bytes: ByteCounts;
  resetCounts(): void;
  close(): Promise<void>;
}

function zeroCounts(): RequestCounts {
  return { get: 0, put: 0, delete: 0, head: 0, list: 0, other: 0 };
}

async function startProxy(upstreamPort: number): Promise<Proxy> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const queues = new Map<string, KeyQueue>();
  const proxy: Proxy = {
    port: 0,
    hook: undefined,
    counts: zeroCounts(),
    bytes: { written: 0, read: 0 },
    resetCounts() {
      proxy.counts = zeroCounts();
      proxy.bytes = { written: 0, read: 0 };
    },
    close: async () => {},
  };

  const server = http.createServer((req, res) => {
    let target: Target;
    try {
      target = parseTarget(req);
    } catch {
      sendError(res, 400, 'InvalidURI', `Couldn't parse the specified URI.`, {});
      return;
    }
    proxy.counts[kindOf(req.method ?? 'GET', target)]++;
    // Not a 'data' listener: that would start the body flowing before a conditional write has decided.
    proxy.bytes.written += Number(header(req, 'x-amz-decoded-content-length') ?? header(req, 'content-length') ?? 0) || 0;
    const received = (n: number) => (proxy.bytes.read += n);
    const isObjectWrite = target.key !== undefined && (req.method === 'PUT' || req.method === 'DELETE');
    if (isObjectWrite && proxy.hook?.({ method: req.method as 'PUT' | 'DELETE', bucket: target.bucket ?? '', key: target.key ?? '', userAgent: header(req, 'user-agent') ?? '' }) === 'drop') {
      req.socket.destroy(); // the writer died mid-request: nothing reaches s3rver
      return;
    }
    const isObjectRead = target.key !== undefined && (req.method === 'GET' || req.method === 'HEAD') && [...target.query.keys()].every((name) => name.startsWith('x-id'));
    const isRangedRead = isObjectRead && req.method === 'GET' && header(req, 'range') !== undefined;
    const name = `${target.bucket}/${target.key}`;
    const handle = isObjectWrite
      ? () => serialised(queues, name, 'write', () => writeObject(req, res, target))
      : isRangedRead
        ? () => serialised(queues, name, 'read', () => readRange(req, res, target, received))
        : isObjectRead
          ? () => serialised(queues, name, 'read', () => forward(req, res, agent, upstreamPort, req.method === 'HEAD' ? undefined : received))
          : () => forward(req, res, agent, upstreamPort, received);
    handle().catch((err: unknown) => failRequest(res, err));
  });

  async function writeObject(req: http.IncomingMessage, res: http.ServerResponse, target: Target): Promise<void> {
    const ifMatch = header(req, 'if-match');
    const ifNoneMatch = header(req, 'if-none-match');
    const conditional = req.method === 'PUT' ? ifMatch !== undefined || ifNoneMatch !== undefined : ifMatch !== undefined;
    if (conditional) {
      const refusal = await checkConditions(ifMatch, req.method === 'PUT' ? ifNoneMatch : undefined, target);
      if (refusal) {
        req.resume(); // drain the body we will not store
        // A client that died while the condition was checked has already closed: waiting for its end would hang this key's queue.
        if (!req.complete && !req.destroyed) await new Promise((resolve) => req.once('end', resolve).once('error', resolve).once('close', resolve));
        sendError(res, refusal.status, refusal.code, refusal.message, refusal.extra);
        return;
      }
      delete req.headers['if-match'];
      delete req.headers['if-none-match'];
    }
    await forward(req, res, agent, upstreamPort);
  }

  /** S3 refuses any range of an empty object; s3rver answers it with a 206 that promises a byte it never sends. */
  async function readRange(req: http.IncomingMessage, res: http.ServerResponse, target: Target, received: (n: number) => void): Promise<void> {
    const current = await headUpstream(agent, upstreamPort, target.rawPath);
    if (current?.size === 0) {
      sendError(res, 416, 'InvalidRange', 'The requested range is not satisfiable', { RangeRequested: header(req, 'range') ?? '', ActualObjectSize: '0' }, { 'content-range': 'bytes */0' });
      return;
    }
    await forward(req, res, agent, upstreamPort, received);
  }

  async function checkConditions(ifMatch: string | undefined, ifNoneMatch: string | undefined, target: Target): Promise<Refusal | undefined> {
    const current = (await headUpstream(agent, upstreamPort, target.rawPath))?.etag;
    if (ifNoneMatch !== undefined) {
      if (ifNoneMatch.trim() !== '*') {
        return { status: 501, code: 'NotImplemented', message: 'If-None-Match on PUT only supports "*"', extra: {} };
      }
      if (current !== undefined) {
        return { status: 412, code: 'PreconditionFailed', message: PRECONDITION_MESSAGE, extra: { Condition: 'If-None-Match' } };
      }
    }
    if (ifMatch !== undefined) {
      if (current === undefined) {
        return { status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.', extra: { Key: target.key ?? '' } };
      }
      const wanted = ifMatch.split(',').map((tag) => normaliseEtag(tag));
      if (!wanted.includes('*') && !wanted.includes(normaliseEtag(current))) {
        return { status: 412, code: 'PreconditionFailed', message: PRECONDITION_MESSAGE, extra: { Condition: 'If-Match' } };
      }
    }
    return undefined;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  proxy.port = (server.address() as AddressInfo).port;
  proxy.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    agent.destroy();
  };
  return proxy;
}

interface Refusal {
  status: number;
  code: string;
  message: string;
  extra: Record<string, string>;
}

const PRECONDITION_MESSAGE = 'At least one of the pre-conditions you specified did not hold';

interface Target {
  /** The path as sent, still percent-encoded, without the query. */
  rawPath: string;
  bucket?: string;
  key?: string;
  query: URLSearchParams;
}

/** Path-style addressing only (the client is configured so): /bucket/key. */
function parseTarget(req: http.IncomingMessage): Target {
  const url = new URL(req.url ?? '/', 'http://proxy.invalid');
  const [bucket, ...rest] = url.pathname.slice(1).split('/');
  const key = rest.length > 0 && rest.join('/') !== '' ? decodeURIComponent(rest.join('/')) : undefined;
  return { rawPath: url.pathname, ...(bucket ? { bucket: decodeURIComponent(bucket) } : {}), ...(key !== undefined ? { key } : {}), query: url.searchParams };
}

/** Sub-resources (?acl, ?tagging, ?uploads, ...) are 'other'; ListObjects(V2) and multi-delete count as list and delete. */
function kindOf(method: string, target: Target): RequestKind {
  const subresources = [...target.query.keys()].filter((name) => !LIST_PARAMS.has(name) && !name.startsWith('x-id'));
  if (target.bucket === undefined) return 'other';
  if (target.key === undefined) {
    if (method === 'GET' && subresources.length === 0) return 'list';
    if (method === 'POST' && target.query.has('delete')) return 'delete';
    return 'other';
  }
  if (subresources.length > 0) return 'other';
  switch (method) {
    case 'GET':
      return 'get';
    case 'PUT':
      return 'put';
    case 'DELETE':
      return 'delete';
    case 'HEAD':
      return 'head';
    default:
      return 'other';
  }
}

const LIST_PARAMS = new Set(['list-type', 'prefix', 'delimiter', 'max-keys', 'continuation-token', 'start-after', 'marker', 'encoding-type', 'fetch-owner']);

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function normaliseEtag(tag: string): string {
  return tag
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
}

/** A key's queue: when every task queued so far has finished, and when every write queued so far has. */
interface KeyQueue {
  all: Promise<void>;
  writes: Promise<void>;
}

/** Runs `task` after every earlier task queued under `name` has finished (a read: every earlier write). */
function serialised(queues: Map<string, KeyQueue>, name: string, kind: 'read' | 'write', task: () => Promise<void>): Promise<void> {
  const previous = queues.get(name) ?? { all: Promise.resolve(), writes: Promise.resolve() };
  const current = (kind === 'write' ? previous.all : previous.writes).then(task, task);
  const settled = current.then(
    () => undefined,
    () => undefined,
  );
  const next: KeyQueue = kind === 'write' ? { all: settled, writes: settled } : { all: Promise.all([previous.all, settled]).then(() => undefined), writes: previous.writes };
  queues.set(name, next);
  void next.all.then(() => {
    if (queues.get(name) === next) queues.delete(name);
  });
  return current;
}

/** The current ETag and size of an object (s3rver allows unsigned requests), or undefined when there is none. */
function headUpstream(agent: http.Agent, port: number, rawPath: string): Promise<{ etag: string; size: number } | undefined> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'HEAD', path: rawPath, agent }, (res) => {
      res.resume();
      res.once('end', () => {
        if (res.statusCode === 200) resolve({ etag: String(res.headers.etag ?? ''), size: Number(res.headers['content-length'] ?? 0) });
        else if (res.statusCode === 404) resolve(undefined);
        else reject(new Error(`HEAD ${rawPath} upstream: ${res.statusCode}`));
      });
    });
    req.once('error', reject);
    req.end();
  });
}

/** Forwards the request to s3rver and its answer back; resolves once s3rver has answered in full. `received` counts the answer's bytes. */
function forward(req: http.IncomingMessage, res: http.ServerResponse, agent: http.Agent, port: number, received?: (n: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    // Gone while it waited its turn (a conditional check, another write of the key): nothing to send. A whole
    // body counts too: destroying the request dropped what it had buffered, so piping it would never end.
    if (req.destroyed && !req.readableEnded) {
      reject(new Error('the client went away before its request was complete'));
      return;
    }
    const headers = { ...req.headers };
    delete headers.expect; // this server already answered 100-continue
    const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers, agent }, (upstreamRes) => {
      if (received) upstreamRes.on('data', (chunk: Buffer) => received(chunk.length));
      upstreamRes.once('error', reject);
      // Done when s3rver is done, whether or not the client is still there to take the answer: a client gone
      // before it (a killed publisher) fired its 'close' already, and waiting for that held the key's queue.
      upstreamRes.once('end', () => resolve());
      upstreamRes.once('close', () => resolve());
      if (res.destroyed) {
        upstreamRes.resume(); // nobody to answer: read it and drop it
        return;
      }
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, upstreamRes.headers);
      upstreamRes.pipe(res);
      res.once('close', () => upstreamRes.resume()); // a client gone mid-answer: the rest is read and dropped
    });
    upstream.once('error', reject);
    req.once('error', (err) => upstream.destroy(err));
    // A client that dies mid-body (a killed publisher) must not leave the upstream request waiting for the
    // rest forever: it would hold this key's write queue, and every later write of the key would hang.
    req.once('close', () => {
      if (!req.readableEnded) upstream.destroy(new Error('the client went away before its request was complete'));
    });
    req.pipe(upstream);
  });
}

function failRequest(res: http.ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy(err instanceof Error ? err : undefined);
    return;
  }
  sendError(res, 502, 'BadGateway', `test proxy could not reach s3rver: ${String(err)}`, {});
}

function sendError(res: http.ServerResponse, status: number, code: string, message: string, extra: Record<string, string>, headers: http.OutgoingHttpHeaders = {}): void {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const fields = Object.entries({ Code: code, Message: message, ...extra, RequestId: requestId, HostId: 'wirefeed-test-proxy' })
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${fields}</Error>`;
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': requestId,
    ...headers,
  });
  res.end(body);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
