import { type CfnElement, type Stack, Validations } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** The cdk-nag finding for a function whose role carries AWS's logging-only managed policy. */
export const BASIC_EXECUTION_ROLE = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
export const CDK_PROVIDED = 'CDK-provided custom-resource function; aws-cdk-lib gives it this logging-only managed policy.';

/**
 * Acknowledge findings on a function CDK adds for its own custom resources (a singleton at stack level,
 * found by id prefix): their code, runtime and role are aws-cdk-lib's, not ours to change.
 */
export function acknowledgeCdkProvided(stack: Stack, idPrefix: string, findings: Record<string, string>): void {
  for (const construct of stack.node.children.filter((c) => c.node.id.startsWith(idPrefix))) {
    for (const [id, reason] of Object.entries(findings)) Validations.of(construct).acknowledge({ id, reason });
  }
}

/** A bucket's objects ARN (`<LogicalId.Arn>/*`) the way cdk-nag names it in IAM5 finding ids. */
export function objectsArn(bucket: s3.Bucket): string {
  return `<${bucket.stack.getLogicalId(bucket.node.defaultChild as CfnElement)}.Arn>/*`;
}
