import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** Attempts per request, first try included. Retries back off exponentially with jitter (SDK standard mode). */
export const S3_MAX_ATTEMPTS = 5;
/** Milliseconds to open a connection, and to get an answer, before the attempt fails and is retried. */
const S3_CONNECTION_TIMEOUT_MS = 5_000;
const S3_REQUEST_TIMEOUT_MS = 30_000;

/**
 * The one S3Client wirefeed makes: share it between stores (it pools connections).
 *
 * - Endpoint: the standard `AWS_ENDPOINT_URL_S3` variable points it at an S3-compatible server
 *   (s3rver, MinIO, LocalStack). The SDK (3.1175) reads that variable by itself too, but keeps
 *   virtual-hosted addressing for host names (`http://localhost:4568` becomes `bucket.localhost`,
 *   which does not resolve; only IP addresses get path style), so it is read here and path-style
 *   addressing is forced with it. Without it: real S3, virtual-hosted style.
 * - Region: `AWS_REGION` (as the Lambda runtime sets), else us-east-1 — a local server needs one.
 * - Checksums only WHEN_REQUIRED: since 3.729 the SDK adds a CRC32 checksum to every upload by default
 *   (and asks for one on downloads). For a streamed body it sends `Content-Encoding: aws-chunked`
 *   framing with the checksum in a trailer; S3-compatible servers that do not speak it store the
 *   framing as the object's bytes (s3rver 3.7.1 does: "c\r\nhello stream\r\n0\r\nx-amz-checksum-crc32:…").
 *   Buffers would only get a header, but one setting for every body and every server is safer; TLS
 *   still protects the bytes in transit to S3.
 * - Retries: standard mode (exponential backoff, jitter, a retry quota), S3_MAX_ATTEMPTS attempts;
 *   throttling (503 SlowDown), 5xx, timeouts and connection resets are retried. Bodies are Buffers,
 *   never streams, so every request can be replayed.
 * - Timeouts: connection and request timeouts, so a stalled connection is retried instead of hanging
 *   the Lambda until its own timeout. `throwOnRequestTimeout` is required: without it the SDK only
 *   logs a warning when requestTimeout passes (smithy node-http-handler 4.x).
 *
 * The request handler is given as options (`requestHandler: {...}`), which the SDK turns into its
 * NodeHttpHandler: @smithy/node-http-handler is a dependency of client-s3, not of wirefeed.
 */
export function createS3Client(overrides: S3ClientConfig = {}): S3Client {
  const endpoint = nonEmpty(process.env.AWS_ENDPOINT_URL_S3);
  const config: S3ClientConfig = {
    region: nonEmpty(process.env.AWS_REGION) ?? nonEmpty(process.env.AWS_DEFAULT_REGION) ?? 'us-east-1',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: S3_MAX_ATTEMPTS,
    retryMode: 'standard',
    requestHandler: {
      connectionTimeout: S3_CONNECTION_TIMEOUT_MS,
      requestTimeout: S3_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
    ...overrides,
  };
  return new S3Client(config);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
