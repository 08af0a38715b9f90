// The private defaults, checked where they land: on every bucket and queue of the synthesised stack.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateBucket } from '../../infra/defaults.ts';
import { WirefeedStack } from '../../infra/wirefeed-stack.ts';

// biome-ignore lint/suspicious/noExplicitAny: a synthesised CloudFormation template is untyped JSON, read by path
type Json = Record<string, any>;

const cdkContext = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context as Json;

let scratch: string;
/** A fresh app with cdk.json's context; no stack is bundled (these tests read buckets and queues, not the code). */
const app = () => new App({ context: { ...cdkContext, [cxapi.BUNDLING_STACKS]: [] }, outdir: mkdtempSync(join(scratch, 'cdk.out-')) });
const resources = (template: Template, type: string): [string, Json][] => Object.entries(template.findResources(type));

/** Whether a policy of `policyType` on the resource `id` refuses plain HTTP. */
function refusesPlainHttp(template: Template, policyType: string, refKey: string, id: string): boolean {
  return resources(template, policyType).some(([, policy]) => {
    const targets = [policy.Properties[refKey]].flat();
    const onThis = targets.some((t: Json) => JSON.stringify(t) === JSON.stringify({ Ref: id }));
    const statements = policy.Properties.PolicyDocument.Statement as Json[];
    return onThis && statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false');
  });
}

let template: Template;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'wirefeed-defaults-test-'));
  template = Template.fromStack(new WirefeedStack(app(), 'Wirefeed'));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('privateBucket', () => {
  it('gives every bucket of the stack all public access blocked, S3-managed encryption, SSL only, and retention on stack deletion', () => {
    // Prepare, Act: the stack synthesised once (beforeAll); its buckets are access logs, content, state and site
    const buckets = resources(template, 'AWS::S3::Bucket');
    // Assess
    expect(buckets).toHaveLength(4);
    for (const [id, bucket] of buckets) {
      expect({ id, blocks: bucket.Properties.PublicAccessBlockConfiguration }).toEqual({
        id,
        blocks: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      });
      expect({ id, encryption: bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration }).toEqual({
        id,
        encryption: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
      expect({ id, deletion: bucket.DeletionPolicy, replacement: bucket.UpdateReplacePolicy }).toEqual({ id, deletion: 'Retain', replacement: 'Retain' });
      expect({ id, sslOnly: refusesPlainHttp(template, 'AWS::S3::BucketPolicy', 'Bucket', id) }).toEqual({ id, sslOnly: true });
    }
  });

  it("keeps the private settings when a bucket's own props try to override them", () => {
    // Prepare: what the type forbids, smuggled past it the way an untyped caller could
    const stack = new Stack(app(), 'Loose');
    const weaker = { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS_ONLY, enforceSSL: false } as object;
    // Act
    new s3.Bucket(stack, 'Bucket', privateBucket({ versioned: true, ...weaker }));
    // Assess
    const loose = Template.fromStack(stack);
    const [[id, bucket]] = resources(loose, 'AWS::S3::Bucket') as [[string, Json]];
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(refusesPlainHttp(loose, 'AWS::S3::BucketPolicy', 'Bucket', id)).toBe(true);
  });
});

describe('privateQueue', () => {
  it('gives every queue of the stack SQS-managed encryption and refuses plain HTTP', () => {
    // Prepare, Act: the stack synthesised once (beforeAll); its queues are the publish queue and its dead letters
    const queues = resources(template, 'AWS::SQS::Queue');
    // Assess
    expect(queues).toHaveLength(2);
    for (const [id, queue] of queues) {
      expect({ id, sse: queue.Properties.SqsManagedSseEnabled }).toEqual({ id, sse: true });
      expect({ id, sslOnly: refusesPlainHttp(template, 'AWS::SQS::QueuePolicy', 'Queues', id) }).toEqual({ id, sslOnly: true });
    }
  });
});
