// One incremental publish in a process of its own, as the Lambda runs it (publish() with mode 'changed' and
// the event's keys), so the bench can read its peak RSS. Run by engine.bench.ts with
//   node --import tsx test/bench/publish-child.ts '<json>'
// where the JSON says which stores: { "fs": { content, site, state } } (counted here, by CountingStore) or
// { "s3": { endpoint, content, site, state, statePrefix } } (counted by the test server's proxy). Prints one
// line of JSON: the publish's own wall time (start-up excluded), its report's figures, and the counts.

import { ask } from '../../functions/publish/protocol/requests.ts';
import { publish } from '../../functions/publish/publish.ts';
import { FsStore } from '../../functions/stores/fs-store.ts';
import { createS3Client } from '../../functions/stores/s3-client.ts';
import { S3Store } from '../../functions/stores/s3-store.ts';
import type { Store } from '../../functions/stores/store.ts';
import { S3RVER_CREDENTIALS } from '../helpers/s3-server.ts';
import { CountingStore, zeroStoreCounts } from './counting-store.ts';

export interface ChildJob {
  keys: string[];
  now: string;
  fs?: { content: string; site: string; state: string };
  s3?: { endpoint: string; content: string; site: string; state: string; statePrefix: string };
}

export interface ChildResult {
  ms: number;
  rendered: number;
  written: number;
  deleted: number;
  public: number;
  rejected: string[];
  /** Only for fs: the S3 proxy counts the others. */
  counts?: ReturnType<typeof zeroStoreCounts>;
}

const job = JSON.parse(process.argv[2] ?? '{}') as ChildJob;
const counts = zeroStoreCounts();
let stores: { content: Store; site: Store; state: Store };
let close = () => {};
if (job.fs) {
  const wrap = (dir: string) => new CountingStore(new FsStore(dir), counts);
  stores = { content: wrap(job.fs.content), site: wrap(job.fs.site), state: wrap(job.fs.state) };
} else if (job.s3) {
  const client = createS3Client({ endpoint: job.s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: S3RVER_CREDENTIALS });
  stores = { content: new S3Store(client, job.s3.content), site: new S3Store(client, job.s3.site), state: new S3Store(client, job.s3.state, job.s3.statePrefix) };
  close = () => client.destroy();
} else {
  throw new Error('publish-child: give fs or s3 stores');
}
const started = performance.now();
const report = await publish(stores, { now: new Date(job.now), request: ask.keys(job.keys) });
const ms = performance.now() - started;
close();
const result: ChildResult = {
  ms,
  rendered: report.rendered,
  written: report.written.length,
  deleted: report.deleted.length,
  public: report.public,
  rejected: report.rejected.map((e) => `${e.file}: ${e.problem}`),
  ...(job.fs ? { counts } : {}),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
