import { parseArgs } from 'node:util';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { invalidate } from '../after-publish/invalidate.ts';
import { stateMachineFanOut } from '../lambda/state-machine.ts';
import { ask } from '../publish/protocol/requests.ts';
import { openS3, stateBeside } from '../stores/open.ts';
import { createS3Client } from '../stores/s3-client.ts';
import { runPublish } from './report.ts';
import { type Io, UsageError } from './usage.ts';

/** `wirefeed publish`: the Lambda's work from a laptop or a CI job, to publish or repair a site. */
export async function publishCommand(args: readonly string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      content: { type: 'string' },
      site: { type: 'string' },
      state: { type: 'string' },
      full: { type: 'boolean' },
      distributed: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  if (!values.content || !values.site) throw new UsageError('publish needs --content s3://BUCKET[/PREFIX] and --site s3://BUCKET[/PREFIX]');
  const machine = io.env.REBUILD_STATE_MACHINE;
  if (values.distributed && !values.full) throw new UsageError('--distributed goes with --full: it fans a full rebuild out on the state machine');
  if (values.distributed && !machine) throw new UsageError('--distributed needs REBUILD_STATE_MACHINE: the state machine ARN the stack prints as RebuildStateMachineArn');
  // The state machine's children are the stack's Lambda: they read its state bucket and render with its SITE_URL,
  // so this run must name the same, or every child would find the run not theirs and the holders would do it all.
  if (values.distributed && (!values.state || !io.env.SITE_URL)) {
    throw new UsageError("--distributed needs --state s3://<the stack's StateBucketName> and SITE_URL as the stack sets it: the state machine's children are the stack's publisher");
  }
  const content = parseS3Url(values.content, '--content');
  const site = parseS3Url(values.site, '--site');
  const state = values.state ? parseS3Url(values.state, '--state') : stateBeside(content);
  if (state.bucket === site.bucket && state.prefix.startsWith(site.prefix)) {
    throw new UsageError('--state must not be inside --site: the state holds drafts and embargoed stories, and the site is public');
  }
  const s3 = createS3Client();
  const distributionId = io.env.DISTRIBUTION_ID;
  const cloudfront = distributionId ? new CloudFrontClient({ maxAttempts: 5 }) : undefined;
  try {
    const stores = openS3(s3, { content, site, state });
    return await runPublish(stores, values.content, values.site, io, {
      request: values.full ? ask.full() : ask.changes(),
      siteUrl: io.env.SITE_URL,
      ping: true,
      json: values.json === true,
      // The rebuild's render and records steps on the state machine; this run waits for them, saying how far they got.
      ...(values.distributed && machine ? { fanOut: stateMachineFanOut(machine, state, { minFiles: 1 }), untilSettled: { pollMs: pollMs(io.env.WIREFEED_POLL_SECONDS) } } : {}),
      ...(cloudfront && distributionId ? { invalidate: (keys: readonly string[], ref: string) => invalidate(cloudfront, distributionId, keys, ref) } : {}),
    });
  } finally {
    s3.destroy();
    cloudfront?.destroy();
  }
}

/** How often a distributed rebuild's progress is looked at. @default 10 s */
function pollMs(value: string | undefined): number {
  const seconds = value === undefined ? 10 : Number(value);
  if (!(seconds > 0 && seconds <= 600)) throw new UsageError(`WIREFEED_POLL_SECONDS must be a number of seconds from 0 to 600 (got "${value}")`);
  return seconds * 1000;
}

export function parseS3Url(value: string, flag: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(value);
  if (!match) throw new UsageError(`${flag} must look like s3://BUCKET or s3://BUCKET/PREFIX (got "${value}")`);
  const prefix = match[2] ?? '';
  return { bucket: match[1] as string, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}
