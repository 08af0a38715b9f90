// The Publisher construct on its own, in a stack of nothing but what it needs: what it does beyond the
// deployed stack's defaults (test/infra/wirefeed-stack.test.ts checks those).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateBucket } from '../../infra/defaults.ts';
import { FeedSite } from '../../infra/feed-site.ts';
import { Publisher, type PublisherProps } from '../../infra/publisher.ts';

// biome-ignore lint/suspicious/noExplicitAny: a synthesised CloudFormation template is untyped JSON, read by path
type Json = Record<string, any>;

const cdkContext = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context as Json;

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'wirefeed-publisher-test-'));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A stack holding a Publisher (id 'Publisher') and the buckets and site it publishes between; nothing is bundled. */
function publisherStack(options: Partial<PublisherProps> = {}): { app: App; stack: Stack; publisher: Publisher } {
  const app = new App({ context: { ...cdkContext, [cxapi.BUNDLING_STACKS]: [] }, outdir: mkdtempSync(join(scratch, 'cdk.out-')) });
  const stack = new Stack(app, 'Test');
  const publisher = new Publisher(stack, 'Publisher', {
    contentBucket: new s3.Bucket(stack, 'Content', privateBucket({ versioned: true })),
    stateBucket: new s3.Bucket(stack, 'State', privateBucket()),
    site: new FeedSite(stack, 'Site'),
    ...options,
  });
  return { app, stack, publisher };
}

describe('Publisher', () => {
  it('keeps a message invisible for six of its timeouts plus the batching window, whatever timeout it is given', () => {
    // Prepare
    const { stack, publisher } = publisherStack({ timeout: Duration.minutes(10) });
    // Act
    const template = Template.fromStack(stack);
    // Assess
    const fn = template.toJSON().Resources[stack.getLogicalId(publisher.function.node.defaultChild as CfnElement)] as Json;
    const queue = template.toJSON().Resources[stack.getLogicalId(publisher.queue.node.defaultChild as CfnElement)] as Json;
    expect(fn.Properties.Timeout).toBe(600);
    expect(queue.Properties.VisibilityTimeout).toBe(6 * 600 + 5);
  });

  it('acknowledges, with reasons, every cdk-nag finding on what it creates, in any stack and under any id', () => {
    // Prepare
    const { app } = publisherStack();
    // Act
    const report = new AwsSolutionsChecks().validateScope(app);
    // Assess: findings on the bare buckets and site of this test stack are not the Publisher's
    const ours = (path: string | undefined) => path?.startsWith('Test/Publisher/') || path?.startsWith('Test/BucketNotificationsHandler');
    const findings = report.violations.flatMap((v) => v.violatingResources.filter((r) => ours(r.constructPath)).map((r) => `${v.ruleName} at ${r.constructPath}`));
    expect(findings).toEqual([]);
  });
});
