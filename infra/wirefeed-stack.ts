import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Annotations, CfnOutput, DefaultStackSynthesizer, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ARTICLES_PREFIX, FEEDS } from '../functions/core/keys.ts';
import { privateBucket } from './defaults.ts';
import { FeedSite } from './feed-site.ts';
import { acknowledgeCdkProvided, BASIC_EXECUTION_ROLE, CDK_PROVIDED, objectsArn } from './nag.ts';
import { Publisher } from './publisher.ts';

const REPO_CONTENT_DIR = fileURLToPath(new URL('../content', import.meta.url));

/** Props for {@link WirefeedStack}: the deployment's knobs. All optional; the defaults deploy a working site. */
export interface WirefeedStackProps extends StackProps {
  /**
   * Custom domain names for the site; the first is its canonical URL. Requires `certificateArn`.
   * @default - none: the site is served on its CloudFront domain
   */
  readonly domainNames?: readonly string[];
  /**
   * ARN of the ACM certificate covering `domainNames`. It must be issued in us-east-1 (a CloudFront rule),
   * whatever region the stack is deployed to; it is referenced, not created, so it can be shared and renewed outside.
   * @default - none
   */
  readonly certificateArn?: string;
  /**
   * E-mail address subscribed to the operations topic (publishing failures). The address must confirm the subscription.
   * @default - no subscription: alarms go to the topic only
   */
  readonly alarmEmail?: string;
  /**
   * How long overwritten or deleted article versions are kept in the content bucket before they expire.
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * Folder deployed into the content bucket as its first content (site.yaml and articles/*.md).
   * Nothing is deployed if the folder is missing or empty.
   * @default - the repository's top-level `content/` folder
   */
  readonly contentDir?: string;
  /**
   * How long access logs (S3 server access logs and CloudFront standard logs) are kept.
   * @default Duration.days(90)
   */
  readonly accessLogExpiration?: Duration;
}

/**
 * wirefeed: Markdown articles in a content bucket are published, within seconds of being written or deleted,
 * as RSS, Atom and JSON feeds plus HTML pages in a site bucket served by CloudFront.
 * Environment-agnostic: it synthesises offline, with no account or region lookups.
 */
export class WirefeedStack extends Stack {
  readonly contentBucket: s3.Bucket;
  /** The publisher's private state (lease, requests, journals, indexes, drafts and embargoes): only it reads or writes it. */
  readonly stateBucket: s3.Bucket;
  readonly site: FeedSite;
  /** The publishing path: queues, the publisher Lambda, its grants and schedules. */
  readonly publishing: Publisher;
  readonly publisher: NodejsFunction;
  readonly publishQueue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: WirefeedStackProps = {}) {
    super(scope, id, props);

    const accessLogs = this.accessLogsBucket(props.accessLogExpiration ?? Duration.days(90));
    this.contentBucket = this.createContentBucket(accessLogs, props.noncurrentVersionExpiration ?? Duration.days(90));
    this.stateBucket = this.createStateBucket(accessLogs);
    this.site = new FeedSite(this, 'Site', {
      domainNames: props.domainNames,
      certificate: props.certificateArn ? Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn) : undefined,
      accessLogsBucket: accessLogs,
    });

    // Id 'Default', which CDK leaves out of logical ids: the queues, the function and the rest keep the logical ids
    // they had when the stack created them itself (a new logical id would replace the deployed queues).
    this.publishing = new Publisher(this, 'Default', { contentBucket: this.contentBucket, site: this.site, stateBucket: this.stateBucket });
    this.publisher = this.publishing.function;
    this.publishQueue = this.publishing.queue;
    this.deadLetterQueue = this.publishing.deadLetterQueue;
    this.deployInitialContent(props.contentDir ?? REPO_CONTENT_DIR);
    this.alarmTopic = this.alarms(props.alarmEmail);
    this.outputs();
  }

  /** One bucket for all access logs: who wrote to the content bucket, and what readers fetched. */
  private accessLogsBucket(expiration: Duration): s3.Bucket {
    const bucket = new s3.Bucket(
      this,
      'AccessLogs',
      privateBucket({
        // CloudFront standard logging delivers with object ACLs, which only Object Writer ownership accepts.
        objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
        lifecycleRules: [{ expiration }],
      }),
    );
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging its own access would log into itself.',
    });
    return bucket;
  }

  /** The source of truth: articles and site.yaml, written by authors (or CI) and never served directly. */
  private createContentBucket(accessLogs: s3.IBucket, noncurrentVersionExpiration: Duration): s3.Bucket {
    return new s3.Bucket(
      this,
      'ContentBucket',
      privateBucket({
        // Versioned so an overwritten or deleted article can be recovered, for a bounded time.
        versioned: true,
        lifecycleRules: [{ noncurrentVersionExpiration, abortIncompleteMultipartUploadAfter: Duration.days(7) }],
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: 'content-bucket/',
      }),
    );
  }

  /**
   * The publisher's memory, in a bucket of its own: nothing public serves it, no notification watches it, and the
   * publisher needs no write access to the content bucket. Derived data: losing it costs one full rebuild.
   */
  private createStateBucket(accessLogs: s3.IBucket): s3.Bucket {
    return new s3.Bucket(
      this,
      'StateBucket',
      privateBucket({
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        // Not versioned: the lease is rewritten every 10 s while a publish runs and the state churns with every
        // publish, so versions would keep every old copy, and a full rebuild recreates it anyway.
        versioned: false,
        // The publisher writes single-part objects; this only sweeps up after anything else.
        lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(1) }],
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: 'state-bucket/',
      }),
    );
  }

  /**
   * Ship the repository's content as the bucket's first content. prune: false, so articles written straight into
   * the bucket survive later deploys; files that do exist in the folder are re-synced when the folder changes
   * (the bucket is versioned, so an overwritten edit can be recovered).
   */
  private deployInitialContent(dir: string): void {
    if (!hasFiles(dir)) {
      Annotations.of(this).addInfoV2('wirefeed:noInitialContent', `No initial content deployed: ${dir} has no files.`);
      return;
    }
    const deployment = new s3deploy.BucketDeployment(this, 'InitialContent', {
      sources: [s3deploy.Source.asset(dir)],
      destinationBucket: this.contentBucket,
      prune: false,
      // Keep the custom resource's response small however many articles there are (4 KB response limit).
      outputObjectKeys: false,
    });
    // After the bucket notifications exist, so that the first content triggers the first publish.
    deployment.node.addDependency(this.contentBucket.node.findChild('Notifications'));

    const qualifier = DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const assets = `arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*`;
    const copies = 'Copies the content asset from the CDK assets bucket into the content bucket (CDK grant groups on those two buckets).';
    acknowledgeCdkProvided(this, 'Custom::CDKBucketDeployment', {
      [BASIC_EXECUTION_ROLE]: CDK_PROVIDED,
      'AwsSolutions-L1': 'CDK-provided deployment function: aws-cdk-lib pins its runtime, and it runs only during deployments.',
      [`AwsSolutions-IAM5[Resource::${assets}]`]: copies,
      [`AwsSolutions-IAM5[Resource::${objectsArn(this.contentBucket)}]`]: copies,
      'AwsSolutions-IAM5[Action::s3:GetObject*]': copies,
      'AwsSolutions-IAM5[Action::s3:GetBucket*]': copies,
      'AwsSolutions-IAM5[Action::s3:List*]': copies,
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]': `${copies} prune: false, so it never deletes.`,
      'AwsSolutions-IAM5[Action::s3:Abort*]': copies,
    });
  }

  /** Operators hear about publishing failures: messages dead-lettered, the function erroring, a rebuild's state machine failing. */
  private alarms(alarmEmail: string | undefined): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'wirefeed alarms', enforceSSL: true });
    Validations.of(topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Carries only CloudWatch alarm state changes (no content). CloudWatch cannot publish to a topic encrypted ' +
        'with the AWS-managed SNS key, and a customer-managed key would add cost and a key policy for no confidentiality gain.',
    });
    if (alarmEmail) topic.addSubscription(new EmailSubscription(alarmEmail));
    const action = new SnsAction(topic);

    new cloudwatch.Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: 'S3 events the publisher failed 5 times are in the dead-letter queue: articles are not published.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(action);

    new cloudwatch.Alarm(this, 'PublisherErrorsAlarm', {
      alarmDescription: 'The publisher failed (threw or timed out); the queue or schedule will retry it.',
      metric: this.publisher.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(action);

    const machine = this.publishing.rebuild.stateMachine;
    new cloudwatch.Alarm(this, 'RebuildFailedAlarm', {
      alarmDescription: "A fanned-out rebuild's state machine failed, timed out or was aborted: the publisher renders what it did not, in 5-minute invocations.",
      metric: new cloudwatch.MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: machine.metricFailed({ statistic: cloudwatch.Stats.SUM }),
          timedOut: machine.metricTimedOut({ statistic: cloudwatch.Stats.SUM }),
          aborted: machine.metricAborted({ statistic: cloudwatch.Stats.SUM }),
        },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(action);
    return topic;
  }

  private outputs(): void {
    const url = this.site.url;
    new CfnOutput(this, 'SiteUrl', { value: url, description: 'The published site' });
    new CfnOutput(this, 'RssFeedUrl', { value: `${url}${FEEDS.rss}`, description: 'RSS 2.0 feed' });
    new CfnOutput(this, 'AtomFeedUrl', { value: `${url}${FEEDS.atom}`, description: 'Atom 1.0 feed' });
    new CfnOutput(this, 'JsonFeedUrl', { value: `${url}${FEEDS.json}`, description: 'JSON Feed 1.1' });
    new CfnOutput(this, 'ContentBucketName', { value: this.contentBucket.bucketName });
    new CfnOutput(this, 'StateBucketName', {
      value: this.stateBucket.bucketName,
      description: "The publisher's private state; emptying it makes the next publish a full rebuild",
    });
    new CfnOutput(this, 'PublishCommand', {
      value: `aws s3 cp story.md s3://${this.contentBucket.bucketName}/${ARTICLES_PREFIX}`,
      description: 'Publish an article: copy its Markdown into the content bucket',
    });
    new CfnOutput(this, 'RebuildStateMachineArn', {
      value: this.publishing.rebuild.stateMachineArn,
      description: 'The full rebuild of a large archive, fanned out: REBUILD_STATE_MACHINE for `wirefeed publish --full --distributed`',
    });
  }
}

function hasFiles(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir, { recursive: true, withFileTypes: true }).some((e) => e.isFile());
}
