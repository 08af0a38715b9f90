import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createS3Client } from '../../functions/stores/s3-client.ts';
import { S3Store } from '../../functions/stores/s3-store.ts';
import { S3RVER_CREDENTIALS, type S3TestServer, startS3Server } from '../helpers/s3-server.ts';

/**
 * The S3 client wirefeed makes, configured by the process environment as in production, against a real
 * S3-compatible server (s3rver behind the proxy of test/helpers/s3-server.ts) on 127.0.0.1.
 */

let server: S3TestServer;
let buckets = 0;

async function newBucket(): Promise<string> {
  const bucket = `wirefeed-client-${++buckets}`;
  await server.createBucket(bucket);
  return bucket;
}

beforeAll(async () => {
  server = await startS3Server();
});

afterAll(async () => {
  await server?.stop();
});

describe('createS3Client', () => {
  const saved: Record<string, string | undefined> = {};
  const variables = ['AWS_ENDPOINT_URL_S3', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE'];

  beforeEach(() => {
    for (const name of variables) saved[name] = process.env[name];
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
  });

  afterEach(() => {
    for (const name of variables) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('sends requests to the server named by AWS_ENDPOINT_URL_S3, in us-east-1 when AWS_REGION is unset', async () => {
    // Prepare
    const bucket = await newBucket();
    await new S3Store(server.client, bucket).put('posts/a.md', 'a', { contentType: 'text/markdown; charset=utf-8' });
    process.env.AWS_ENDPOINT_URL_S3 = server.endpoint;
    const client = createS3Client();
    server.resetCounts();
    try {
      // Act
      const listed = await new S3Store(client, bucket).list('');
      // Assess
      expect(listed.map((info) => info.key)).toEqual(['posts/a.md']);
      expect(server.counts().list).toBe(1);
      expect(await client.config.region()).toBe('us-east-1');
    } finally {
      client.destroy();
    }
  });

  it('addresses buckets path-style on an AWS_ENDPOINT_URL_S3 named localhost (the SDK alone would try bucket.localhost)', async () => {
    // Prepare
    const bucket = await newBucket();
    process.env.AWS_ENDPOINT_URL_S3 = server.endpoint.replace('127.0.0.1', 'localhost');
    const client = createS3Client();
    try {
      // Act
      const res = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      // Assess
      expect(res.KeyCount ?? 0).toBe(0);
      expect(res.Name).toBe(bucket);
    } finally {
      client.destroy();
    }
  });

  it.each([
    ['AWS_REGION', { AWS_REGION: 'eu-west-3', AWS_DEFAULT_REGION: 'eu-central-1' }, 'eu-west-3'],
    ['AWS_DEFAULT_REGION when AWS_REGION is blank', { AWS_REGION: '  ', AWS_DEFAULT_REGION: ' eu-central-1 ' }, 'eu-central-1'],
    ['us-east-1 when both are blank', { AWS_REGION: '', AWS_DEFAULT_REGION: '' }, 'us-east-1'],
  ])('takes its region from %s', async (_what, env, region) => {
    // Prepare
    Object.assign(process.env, env);

    // Act
    const client = createS3Client();

    // Assess
    try {
      expect(await client.config.region()).toBe(region);
    } finally {
      client.destroy();
    }
  });

  it('lets the caller override what the environment says', async () => {
    // Prepare
    process.env.AWS_REGION = 'eu-west-3';

    // Act
    const client = createS3Client({ region: 'ap-southeast-2' });

    // Assess
    try {
      expect(await client.config.region()).toBe('ap-southeast-2');
    } finally {
      client.destroy();
    }
  });

  it('stores a streamed upload byte for byte, with no aws-chunked checksum framing around it', async () => {
    // Prepare: s3rver, like other S3-compatible servers, would store the framing as the object's bytes
    const bucket = await newBucket();
    process.env.AWS_ENDPOINT_URL_S3 = server.endpoint;
    const client = createS3Client();
    try {
      // Act
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'media/note.txt', Body: Readable.from([Buffer.from('hello '), Buffer.from('stream')]), ContentLength: 12 }));

      // Assess
      const stored = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'media/note.txt' }));
      expect(await stored.Body?.transformToString()).toBe('hello stream');
    } finally {
      client.destroy();
    }
  });
});
