import { parseArgs } from 'node:util';
import { UsageError, runPublish, type Io } from './cli.ts';
import { createS3Client } from './stores/s3-client.ts';
import { S3Store } from './stores/s3-store.ts';

/** `wirefeed publish`: the Lambda's work from a laptop or a CI job, to publish or repair a site. */
export async function publishCommand(args: readonly string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: { content: { type: 'string' }, site: { type: 'string' }, full: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  if (!values.content || !values.site) throw new UsageError('publish needs --content s3://BUCKET[/PREFIX] and --site s3://BUCKET[/PREFIX]');
  const content = parseS3Url(values.content, '--content');
  const site = parseS3Url(values.site, '--site');
  const s3 = createS3Client();
  try {
    return await runPublish(new S3Store(s3, content.bucket, content.prefix), new S3Store(s3, site.bucket, site.prefix), values.content, values.site, io, {
      mode: values.full ? { kind: 'full' } : { kind: 'scan' },
      siteUrl: io.env.SITE_URL,
      ping: true,
      json: values.json === true,
    });
  } finally {
    s3.destroy();
  }
}

export function parseS3Url(value: string, flag: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(value);
  if (!match) throw new UsageError(`${flag} must look like s3://BUCKET or s3://BUCKET/PREFIX (got "${value}")`);
  const prefix = match[2] ?? '';
  return { bucket: match[1] as string, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}
