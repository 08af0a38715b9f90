// The CDK app `cdk.json` runs (`npx tsx infra/app.ts`): one environment-agnostic stack, checked by cdk-nag.
// Deployment options come from context, so nothing is hard-coded and a clean clone synthesises offline:
//   npx cdk deploy -c domainName=news.example.com \
//     -c certificateArn=arn:aws:acm:us-east-1:111122223333:certificate/... -c alarmEmail=ops@example.com
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { WirefeedStack } from './wirefeed-stack.ts';

const app = new App();
/** A non-empty string from context (`-c key=value` or cdk.json), else undefined. */
function context(key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

new WirefeedStack(app, 'Wirefeed', {
  description: 'wirefeed: Markdown articles in S3 published as RSS, Atom, JSON Feed and HTML behind CloudFront',
  domainNames: context('domainName')?.split(','),
  certificateArn: context('certificateArn'),
  alarmEmail: context('alarmEmail'),
});

// Synthesis fails on any cdk-nag finding that is not acknowledged, with a reason, on its construct.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
