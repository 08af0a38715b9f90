import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Annotations, CfnOutput, DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { FeedSite } from './feed-site.ts';

/** The publisher's source; ESM has no __dirname, so paths are resolved from this module's URL. */
export const PUBLISHER_ENTRY = fileURLToPath(new URL('../functions/handler.ts', import.meta.url));
const REPO_CONTENT_DIR = fileURLToPath(new URL('../content', import.meta.url));

const BASIC_EXECUTION_ROLE = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
const CDK_PROVIDED = 'CDK-provided custom-resource function; aws-cdk-lib gives it this logging-only managed policy.';

/** Newest non-deprecated Node.js runtime in the installed aws-cdk-lib. */
export const PUBLISHER_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * How the publisher is bundled, in esbuild's own terms, so test/bench/bundle.bench.ts measures exactly what ships.
 * The AWS SDK is bundled, not left to the runtime's copy: the deployed code then runs the SDK version the
 * tests ran against, instead of whatever the Lambda runtime happens to carry that month.
 */
export const PUBLISHER_ESBUILD = {
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  // Prefer packages' ES module builds: smaller, and tree-shakeable.
  mainFields: ['module', 'main'],
  // Some bundled CommonJS dependencies call require() for Node built-ins, which ES modules lack.
  banner: "import { createRequire as __wirefeedCreateRequire } from 'node:module'; const require = __wirefeedCreateRequire(import.meta.url);",
  external: [] as string[],
  // postcss is loaded by sanitize-html but used only for style attributes, which are never allowed.
  alias: { postcss: fileURLToPath(new URL('../functions/stubs/postcss.js', import.meta.url)) },
} as const;

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

    const { queue, deadLetters, fn } = this.publishingPath();
    this.publisher = fn;
    this.publishQueue = queue;
    this.deadLetterQueue = deadLetters;
    this.schedule(fn);
    this.deployInitialContent(props.contentDir ?? REPO_CONTENT_DIR);
    this.alarmTopic = this.alarms(props.alarmEmail);
    this.outputs();
  }

  /** One bucket for all access logs: who wrote to the content bucket, and what readers fetched. */
  private accessLogsBucket(expiration: Duration): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      // CloudFront standard logging delivers with object ACLs, which only Object Writer ownership accepts.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration }],
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging its own access would log into itself.',
    });
    return bucket;
  }

  /** The source of truth: articles and site.yaml, written by authors (or CI) and never served directly. */
  private createContentBucket(accessLogs: s3.IBucket, noncurrentVersionExpiration: Duration): s3.Bucket {
    return new s3.Bucket(this, 'ContentBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      // Versioned so an overwritten or deleted article can be recovered, for a bounded time.
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration, abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'content-bucket/',
    });
  }

  /**
   * The publisher's memory, in a bucket of its own: nothing public serves it, no notification watches it, and the
   * publisher needs no write access to the content bucket. Derived data: losing it costs one full rebuild.
   */
  private createStateBucket(accessLogs: s3.IBucket): s3.Bucket {
    return new s3.Bucket(this, 'StateBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Not versioned: the lease is rewritten every 10 s while a publish runs and the state churns with every
      // publish, so versions would keep every old copy, and a full rebuild recreates it anyway.
      versioned: false,
      // The publisher writes single-part objects; this only sweeps up after anything else.
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      // Retained like the site bucket: deleting the stack should not force a full rebuild on redeploy.
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'state-bucket/',
    });
  }

  /** S3 events -> queue (with a dead-letter queue) -> publisher, with the publisher's least-privilege grants. */
  private publishingPath(): { queue: sqs.Queue; deadLetters: sqs.Queue; fn: NodejsFunction } {
    // A full rebuild renders every article; 5 minutes leaves room for a large archive.
    const timeout = Duration.minutes(5);
    // "Within seconds": wait at most this long to gather a burst of uploads into one batch.
    const maxBatchingWindow = Duration.seconds(5);

    const deadLetters = new sqs.Queue(this, 'PublishDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const queue = new sqs.Queue(this, 'PublishQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's guidance for SQS event sources: at least 6x the function timeout (plus the batching window),
      // so a message is not handed out again while a slow, throttled or retried invocation still holds it.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6 + maxBatchingWindow.toSeconds()),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 },
    });

    for (const event of [s3.EventType.OBJECT_CREATED, s3.EventType.OBJECT_REMOVED]) {
      this.contentBucket.addEventNotification(event, new SqsDestination(queue), { prefix: 'articles/', suffix: '.md' });
      this.contentBucket.addEventNotification(event, new SqsDestination(queue), { prefix: 'site.yaml' });
    }
    this.acknowledgeCdkProvided('BucketNotificationsHandler', {
      [BASIC_EXECUTION_ROLE]: CDK_PROVIDED,
    });

    const logGroup = new logs.LogGroup(this, 'PublisherLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Own role instead of the default one, which carries the AWSLambdaBasicExecutionRole managed policy
    // (logs on every log group in the account): this one may write to its own log group only.
    const role = new iam.Role(this, 'PublisherRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'wirefeed publisher: read content, write the site and its own state, invalidate its distribution',
    });
    logGroup.grantWrite(role);

    const fn = new NodejsFunction(this, 'Publisher', {
      description: 'Renders Markdown articles into feeds and pages',
      entry: PUBLISHER_ENTRY,
      handler: 'handler',
      runtime: PUBLISHER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      // Markdown rendering and feed building are CPU-bound, and Lambda allocates CPU in proportion to memory:
      // 1024 MB buys most of a vCPU for a rebuild at a cost that is still cents a month at news-site volumes.
      memorySize: 1024,
      timeout,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        CONTENT_BUCKET: this.contentBucket.bucketName,
        SITE_BUCKET: this.site.bucket.bucketName,
        // With a state bucket the publisher writes nothing to the content bucket (else it would use its .wirefeed/).
        STATE_BUCKET: this.stateBucket.bucketName,
        SITE_URL: this.site.url,
        DISTRIBUTION_ID: this.site.distribution.distributionId,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: PUBLISHER_ESBUILD.target,
        minify: PUBLISHER_ESBUILD.minify,
        sourceMap: PUBLISHER_ESBUILD.sourcemap,
        sourcesContent: PUBLISHER_ESBUILD.sourcesContent,
        mainFields: [...PUBLISHER_ESBUILD.mainFields],
        banner: PUBLISHER_ESBUILD.banner,
        bundleAwsSDK: true,
        externalModules: [...PUBLISHER_ESBUILD.external],
        esbuildArgs: { '--alias:postcss': PUBLISHER_ESBUILD.alias.postcss },
      },
    });

    // Read only: articles, site.yaml and media. With STATE_BUCKET set the publisher never writes here.
    this.contentBucket.grantRead(fn);
    // Read and write pages and feeds; grantReadWrite also covers deleting the pages of removed articles
    // (s3:DeleteObject*) and listing the bucket (s3:List*), so a separate grantDelete would only duplicate it.
    this.site.bucket.grantReadWrite(fn);
    this.grantState(fn);
    this.site.distribution.grantCreateInvalidation(fn);
    this.acknowledgeGrantWildcards(role);

    fn.addEventSource(
      new SqsEventSource(queue, {
        batchSize: 100,
        maxBatchingWindow,
        reportBatchItemFailures: true,
        // A cap on the SQS pollers, and the lowest SQS allows. One publish writes at a time (the lease); a second
        // invocation records its work as a request for the holder and returns at once, so more buys nothing.
        // Not reserved concurrency: the schedules' invocations must never be throttled, and a new account's
        // minimum unreserved pool may refuse a reservation.
        maxConcurrency: 2,
      }),
    );
    return { queue, deadLetters, fn };
  }

  /**
   * Exactly what the state store does (S3Store): GetObject and HeadObject (s3:GetObject), conditional PutObject
   * (s3:PutObject), conditional DeleteObject (s3:DeleteObject, plus s3:GetObject for If-Match), ListObjectsV2
   * (s3:ListBucket). No wildcard actions, no versions, tags, ACLs or bucket configuration.
   */
  private grantState(fn: lambda.IFunction): void {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [this.stateBucket.arnForObjects('*')],
      }),
    );
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.stateBucket.bucketArn] }));
  }

  /**
   * The grants above use CDK's standard S3 action groups, each on one named bucket and its objects only.
   * Every wildcard is acknowledged individually, so a new one (another bucket, `Resource: *`) still fails synthesis.
   */
  private acknowledgeGrantWildcards(role: iam.Role): void {
    const findings: Record<string, string> = {
      [`Resource::${this.objectsArn(this.contentBucket)}`]: 'Reads any article: the objects of the content bucket only.',
      [`Resource::${this.objectsArn(this.site.bucket)}`]: 'Writes any page or feed: the objects of the site bucket only.',
      [`Resource::${this.objectsArn(this.stateBucket)}`]:
        'Reads, writes and deletes its own state (lease, requests, journals, records): the objects of the state bucket only, with three named actions.',
      'Action::s3:GetObject*': 'Reads objects and their metadata in the content and site buckets (grantRead), nothing else.',
      'Action::s3:GetBucket*': 'Reads the configuration of the content and site buckets (grantRead), no object data beyond them.',
      'Action::s3:List*': 'Lists keys in the content and site buckets: a rebuild lists articles, and removal finds stale pages.',
      'Action::s3:DeleteObject*': 'Deletes the pages of removed articles, in the site bucket only (grantReadWrite).',
      'Action::s3:Abort*': 'Aborts its own failed multipart uploads of large pages, in the site bucket only.',
    };
    for (const [finding, reason] of Object.entries(findings)) {
      Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    }
  }

  /** A bucket's objects ARN (`<LogicalId.Arn>/*`) the way cdk-nag names it in IAM5 finding ids. */
  private objectsArn(bucket: s3.Bucket): string {
    return `<${this.getLogicalId(bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*`;
  }

  /** Time-driven work the S3 events cannot trigger. The handler recognises exactly these two inputs. */
  private schedule(fn: lambda.IFunction): void {
    new events.Rule(this, 'EmbargoTick', {
      description: 'Publish embargoed articles whose time has come, take down expired ones, age the news sitemap',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(fn, { event: events.RuleTargetInput.fromObject({ wirefeed: 'tick' }) })],
    });
    new events.Rule(this, 'DailyReconcile', {
      description: 'Rebuild everything from the content bucket, repairing any missed event',
      // 04:15 UTC: off-peak for most newsrooms, and not on the hour when scheduled jobs pile up.
      schedule: events.Schedule.cron({ minute: '15', hour: '4' }),
      targets: [new LambdaFunction(fn, { event: events.RuleTargetInput.fromObject({ wirefeed: 'reconcile' }) })],
    });
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
    this.acknowledgeCdkProvided('Custom::CDKBucketDeployment', {
      [BASIC_EXECUTION_ROLE]: CDK_PROVIDED,
      'AwsSolutions-L1': 'CDK-provided deployment function: aws-cdk-lib pins its runtime, and it runs only during deployments.',
      [`AwsSolutions-IAM5[Resource::${assets}]`]: copies,
      [`AwsSolutions-IAM5[Resource::${this.objectsArn(this.contentBucket)}]`]: copies,
      'AwsSolutions-IAM5[Action::s3:GetObject*]': copies,
      'AwsSolutions-IAM5[Action::s3:GetBucket*]': copies,
      'AwsSolutions-IAM5[Action::s3:List*]': copies,
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]': `${copies} prune: false, so it never deletes.`,
      'AwsSolutions-IAM5[Action::s3:Abort*]': copies,
    });
  }

  /**
   * Acknowledge findings on a function CDK adds for its own custom resources (a singleton at stack level,
   * found by id prefix): their code, runtime and role are aws-cdk-lib's, not ours to change.
   */
  private acknowledgeCdkProvided(idPrefix: string, findings: Record<string, string>): void {
    for (const construct of this.node.children.filter((c) => c.node.id.startsWith(idPrefix))) {
      for (const [id, reason] of Object.entries(findings)) Validations.of(construct).acknowledge({ id, reason });
    }
  }

  /** Operators hear about publishing failures: messages dead-lettered, or the function erroring. */
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
    return topic;
  }

  private outputs(): void {
    const url = this.site.url;
    new CfnOutput(this, 'SiteUrl', { value: url, description: 'The published site' });
    new CfnOutput(this, 'RssFeedUrl', { value: `${url}rss.xml`, description: 'RSS 2.0 feed' });
    new CfnOutput(this, 'AtomFeedUrl', { value: `${url}atom.xml`, description: 'Atom 1.0 feed' });
    new CfnOutput(this, 'JsonFeedUrl', { value: `${url}feed.json`, description: 'JSON Feed 1.1' });
    new CfnOutput(this, 'ContentBucketName', { value: this.contentBucket.bucketName });
    new CfnOutput(this, 'StateBucketName', {
      value: this.stateBucket.bucketName,
      description: "The publisher's private state; emptying it makes the next publish a full rebuild",
    });
    new CfnOutput(this, 'PublishCommand', {
      value: `aws s3 cp story.md s3://${this.contentBucket.bucketName}/articles/`,
      description: 'Publish an article: copy its Markdown into the content bucket',
    });
  }
}

function hasFiles(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir, { recursive: true, withFileTypes: true }).some((e) => e.isFile());
}
