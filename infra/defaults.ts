import { RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';

/** The settings every bucket shares; a bucket's own props cannot name them. */
type PrivateBucketSettings = 'blockPublicAccess' | 'encryption' | 'enforceSSL' | 'removalPolicy';

/**
 * Every bucket wirefeed creates is private: all public access blocked, encrypted at rest with S3-managed keys,
 * plain HTTP refused by its bucket policy. And retained when the stack is deleted: the content is the newsroom's,
 * the site is live, the state spares a full rebuild, the logs are the record. `extra` adds a bucket's own settings.
 */
export function privateBucket(extra: Omit<s3.BucketProps, PrivateBucketSettings> = {}): s3.BucketProps {
  return {
    ...extra,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.RETAIN,
  };
}

/** Every queue is encrypted with SQS-managed keys and refuses plain HTTP; `extra` adds its own settings. */
export function privateQueue(extra: Omit<sqs.QueueProps, 'encryption' | 'enforceSSL'> = {}): sqs.QueueProps {
  return { ...extra, encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true };
}
