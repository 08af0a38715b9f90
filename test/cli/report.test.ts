import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../functions/cli/main.ts';
import { articleText, captureIo, tempDir, writeContent } from '../helpers/content.ts';
import { freePort } from '../helpers/ports.ts';
import { S3RVER_CREDENTIALS, type S3TestServer, startS3Server } from '../helpers/s3-server.ts';
import { newS3Site, uniqueBucket } from '../helpers/s3-site.ts';

describe('a store that fails', () => {
  // The S3 client reads its endpoint and credentials from the process environment, as in production.
  const ENV = ['AWS_ENDPOINT_URL_S3', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION'] as const;
  let saved: Record<string, string | undefined>;
  let port: number;

  beforeEach(async () => {
    saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));
    for (const name of ENV) delete process.env[name];
    port = await freePort();
    process.env.AWS_ENDPOINT_URL_S3 = `http://127.0.0.1:${port}`;
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
  });

  afterEach(() => {
    for (const name of ENV) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  describe('on a real S3-compatible server', () => {
    let server: S3TestServer;
    beforeAll(async () => {
      server = await startS3Server();
    });
    afterAll(() => server.stop());
    beforeEach(() => {
      process.env.AWS_ENDPOINT_URL_S3 = server.endpoint;
      process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
    });

    it("`wirefeed publish` into a bucket that does not exist exits 3, naming it and S3's answer", async () => {
      // Prepare: the content bucket, but not the site bucket
      const s = await newS3Site(server);
      await s.putArticle('good-news.md', { title: 'Good news', date: '2025-03-14' });
      const missing = uniqueBucket('missing');
      const io = captureIo();

      // Act
      const code = await main(['publish', '--content', `s3://${s.contentBucket}`, '--site', `s3://${missing}`], io);

      // Assess
      expect(code).toBe(3);
      expect(io.stderr).toEqual([
        expect.stringMatching(
          new RegExp(`^s3://${missing}/\\S+: could not be written \\(NoSuchBucket: The specified bucket does not exist \\(HTTP 404\\)\\)\\. Nothing more was written; the previous site stays\\.$`),
        ),
      ]);
      expect(await s.site.list('')).toEqual([]);
    });

    it("`wirefeed publish` with a key S3 refuses exits 3, with S3's error name and status", async () => {
      // Prepare
      const s = await newS3Site(server);
      process.env.AWS_ACCESS_KEY_ID = 'NOT-A-KEY';
      const io = captureIo();

      // Act
      const code = await main(['publish', '--content', `s3://${s.contentBucket}`, '--site', `s3://${s.siteBucket}`], io);

      // Assess
      expect(code).toBe(3);
      // The first request is the durable record of the work, in the content bucket's .wirefeed/.
      expect(io.stderr).toEqual([expect.stringMatching(new RegExp(`^s3://${s.contentBucket}/\\S+: could not be (read|written) \\(InvalidAccessKeyId: .* \\(HTTP 403\\)\\)\\. Nothing more`))]);
    });
  });

  const publish = ['publish', '--content', 's3://wirefeed-content', '--site', 's3://wirefeed-site'];

  it('`wirefeed publish` to an unreachable endpoint exits 3 with one line naming the location and the cause, and no stack', async () => {
    // Prepare
    const io = captureIo();

    // Act: the client retries as in production (a fraction of a second against a closed port)
    const code = await main(publish, io);

    // Assess
    expect(code).toBe(3);
    expect(io.stdout).toEqual([]);
    expect(io.stderr).toEqual([
      expect.stringMatching(
        new RegExp(`^s3://wirefeed-content/\\S+: could not be (read|written) \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)\\. Nothing more was written; the previous site stays\\.$`),
      ),
    ]);
  });

  it('`wirefeed publish --json` puts the failure in the object and leaves stderr empty', async () => {
    const io = captureIo();
    expect(await main([...publish, '--json'], io)).toBe(3);
    expect(io.stderr).toEqual([]);
    expect(JSON.parse(io.stdout[0] as string)).toEqual({
      exit: 3,
      error: {
        file: expect.stringMatching(/^s3:\/\/wirefeed-content\//),
        problem: expect.stringMatching(new RegExp(`^could not be (read|written) \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)$`)),
      },
      ms: expect.any(Number),
    });
  });

  it('`wirefeed build` into a folder it cannot create exits 3, naming the path and the errno code', async () => {
    // Prepare: --out names a file, so no folder can be made under it
    const dir = await tempDir();
    const content = await writeContent(path.join(dir, 'content'), { 'good-news.md': articleText({ title: 'Good news', date: '2025-03-14' }) });
    const out = path.join(dir, 'not-a-folder');
    await writeFile(out, 'a file\n');
    const io = captureIo();

    // Act
    const code = await main(['build', '--content', content, '--out', out], io);

    // Assess
    expect(code).toBe(3);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(new RegExp(`^${out}/\\S+: could not be written \\(ENOTDIR: not a directory, mkdir '${out}/[^']+'\\)\\. Nothing more was written; the previous site stays\\.$`));
  });
});
