import { Readable } from 'node:stream';
import type { S3Client, ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-s3';
import type { DeserializeHandlerArguments, DeserializeMiddleware, HandlerExecutionContext, HttpResponse } from '@smithy/types';

/**
 * CLIENT-SIDE FAULT INJECTOR. A real server (s3rver, or S3 on a good day) cannot be made to throttle,
 * fail with a 5xx, or stall on demand, so these faults are produced inside the SDK client instead:
 * a middleware answers the next matching requests itself, without sending them.
 *
 * It sits in the 'deserialize' step at low priority, the innermost place, between the request
 * handler and the SDK's deserializer. So the request has been built, signed and passed through the
 * retry middleware like any other; the fake HTTP answer (a 503 SlowDown or 500 InternalError with an
 * S3-style XML body) is parsed by the SDK into the same error S3 would cause, and a thrown
 * TimeoutError / ECONNRESET is what the Node HTTP handler throws. The retry middleware sees each
 * fault and retries it as it would in production; retries count against `failNext` too.
 *
 * Use only in tests. Every test using it says "injected client-side" in its name.
 */
type FaultKind = 'throttle' | '5xx' | 'timeout' | 'network';

export interface FaultOptions {
  /** How many matching requests fail (attempts, retries included); Infinity for a permanent fault. */
  failNext: number;
  kind: FaultKind;
  /** Which requests to fail, by command (e.g. 'GetObjectCommand') and input; default: all. */
  match?: (commandName: string, input: Record<string, unknown>) => boolean;
}

export interface FaultHandle {
  /** Faults injected so far. */
  readonly injected: number;
  /** Requests that matched and went through to the server after the faults ran out. */
  readonly passed: number;
  /** Takes the middleware out of the client. */
  remove(): void;
}

let nextId = 0;

export function injectFaults(client: S3Client, options: FaultOptions): FaultHandle {
  const name = `wirefeedInjectedFaults${++nextId}`;
  let injected = 0;
  let passed = 0;

  const middleware: DeserializeMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next, context: HandlerExecutionContext) => async (args: DeserializeHandlerArguments<ServiceInputTypes>) => {
    const commandName = context.commandName ?? '';
    const input = args.input as unknown as Record<string, unknown>;
    if (options.match && !options.match(commandName, input)) return next(args);
    if (injected >= options.failNext) {
      passed++;
      return next(args);
    }
    injected++;
    switch (options.kind) {
      case 'throttle':
        return { response: s3ErrorResponse(503, 'SlowDown', 'Please reduce your request rate.'), output: {} as never };
      case '5xx':
        return {
          response: s3ErrorResponse(500, 'InternalError', 'We encountered an internal error. Please try again.'),
          output: {} as never,
        };
      case 'timeout':
        // What @smithy/node-http-handler throws when requestTimeout passes.
        throw Object.assign(new Error(`injected fault: the request exceeded its requestTimeout`), {
          name: 'TimeoutError',
          code: 'ETIMEDOUT',
        });
      case 'network':
        throw Object.assign(new Error('injected fault: socket hang up'), { code: 'ECONNRESET' });
    }
  };

  client.middlewareStack.add(middleware, { step: 'deserialize', priority: 'low', name, tags: ['TEST_FAULTS'] });
  return {
    get injected() {
      return injected;
    },
    get passed() {
      return passed;
    },
    remove() {
      client.middlewareStack.remove(name);
    },
  };
}

/** An HTTP answer shaped like S3's: XML error body, request id headers. */
function s3ErrorResponse(statusCode: number, code: string, message: string): HttpResponse {
  const requestId = `INJECTED${String(nextId).padStart(8, '0')}`;
  const body = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>` + `<RequestId>${requestId}</RequestId><HostId>injected-client-side</HostId></Error>`,
  );
  return {
    statusCode,
    headers: {
      'content-type': 'application/xml',
      'content-length': String(body.byteLength),
      'x-amz-request-id': requestId,
    },
    body: Readable.from([body]),
  };
}
