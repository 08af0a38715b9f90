import type { S3Client } from '@aws-sdk/client-s3';
import { STATE_PREFIX_IN_CONTENT } from '../core/keys.ts';
import { FsStore } from './fs-store.ts';
import { S3Store } from './s3-store.ts';
import type { Stores } from './store.ts';

/** A bucket and a key prefix in it ('' or ending in '/'). */
export interface S3Location {
  bucket: string;
  prefix: string;
}

/**
 * The three stores of a publish on S3 (the Lambda, `wirefeed publish`). The state goes where it is told,
 * else under the content location's .wirefeed/, which the publish notifications ignore.
 */
export function openS3(s3: S3Client, where: { content: S3Location; site: S3Location; state?: S3Location | undefined }): Stores {
  const state = where.state ?? stateBeside(where.content);
  return {
    content: new S3Store(s3, where.content.bucket, where.content.prefix),
    site: new S3Store(s3, where.site.bucket, where.site.prefix),
    state: new S3Store(s3, state.bucket, state.prefix),
  };
}

/** Where the state lives when no place is given: the content location's .wirefeed/. */
export const stateBeside = (content: S3Location): S3Location => ({ bucket: content.bucket, prefix: `${content.prefix}${STATE_PREFIX_IN_CONTENT}` });

/** The three stores of a local build: folders. */
export function openFs(folders: { content: string; site: string; state: string }): Stores {
  return { content: new FsStore(folders.content), site: new FsStore(folders.site), state: new FsStore(folders.state) };
}
