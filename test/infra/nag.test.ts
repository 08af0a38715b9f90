// The shared cdk-nag helpers, against cdk-nag itself: the names they build are the ones it reports.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acknowledgeCdkProvided, BASIC_EXECUTION_ROLE, CDK_PROVIDED, objectsArn } from '../../infra/nag.ts';

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'wirefeed-nag-test-'));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function testStack(): { app: App; stack: Stack } {
  const app = new App({ outdir: mkdtempSync(join(scratch, 'cdk.out-')) });
  return { app, stack: new Stack(app, 'Test') };
}

/** Every cdk-nag finding in the app, as `<finding id> at <construct path>`. */
function findings(app: App): string[] {
  return new AwsSolutionsChecks().validateScope(app).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
}

describe('objectsArn', () => {
  it("names a bucket's objects exactly as cdk-nag's wildcard finding does, so an acknowledgement matches it", () => {
    // Prepare: a role that may read one bucket's objects (a wildcard on them)
    const { app, stack } = testStack();
    const bucket = new s3.Bucket(stack, 'Articles');
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    bucket.grantRead(role);
    // Act
    const found = findings(app);
    // Assess
    expect(found).toContain(`AwsSolutions-IAM5[Resource::${objectsArn(bucket)}] at Test/Reader/DefaultPolicy/Resource`);
  });
});

describe('acknowledgeCdkProvided', () => {
  it("acknowledges the named findings on CDK's own stack-level function, found by its id prefix", () => {
    // Prepare: S3 notifications make CDK add its BucketNotificationsHandler singleton to the stack
    const { app, stack } = testStack();
    new s3.Bucket(stack, 'Content').addEventNotification(s3.EventType.OBJECT_CREATED, new SqsDestination(new sqs.Queue(stack, 'Queue')));
    const onHandler = () => findings(app).filter((f) => f.startsWith(`${BASIC_EXECUTION_ROLE} at Test/BucketNotificationsHandler`));
    expect(onHandler()).toHaveLength(1);
    // Act
    acknowledgeCdkProvided(stack, 'BucketNotificationsHandler', { [BASIC_EXECUTION_ROLE]: CDK_PROVIDED });
    // Assess
    expect(onHandler()).toEqual([]);
  });
});
