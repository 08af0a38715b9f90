import { afterEach, beforeEach } from 'vitest';
import { S3RVER_CREDENTIALS, type S3TestServer } from './s3-server.ts';

/** What the S3 client wirefeed makes (createS3Client) reads from the process environment, as in production. */
const AWS_VARIABLES = ['AWS_ENDPOINT_URL_S3', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION'] as const;

/**
 * Before each test of the calling suite, aim the shells' own S3 client at the test server through the
 * environment (endpoint, its credentials, us-east-1), with `others` unset; after it, put every variable back.
 */
export function useS3Environment(server: () => S3TestServer, others: readonly string[] = []): void {
  const names = [...AWS_VARIABLES, ...others];
  let saved: Record<string, string | undefined> = {};

  beforeEach(() => {
    saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
    for (const name of names) delete process.env[name];
    process.env.AWS_ENDPOINT_URL_S3 = server().endpoint;
    process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
    process.env.AWS_REGION = 'us-east-1';
  });

  afterEach(() => {
    for (const name of names) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });
}
