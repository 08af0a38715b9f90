import { fileURLToPath } from 'node:url';
import { Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ARTICLE_EXTENSION, ARTICLES_PREFIX, SITE_FILE } from '../functions/core/keys.ts';
import { privateQueue } from './defaults.ts';
import type { FeedSite } from './feed-site.ts';
import { acknowledgeCdkProvided, BASIC_EXECUTION_ROLE, CDK_PROVIDED, objectsArn } from './nag.ts';
import { RebuildMachine } from './rebuild-machine.ts';

/** The publisher's source; ESM has no __dirname, so paths are resolved from this module's URL. */
export const PUBLISHER_ENTRY = fileURLToPath(new URL('../functions/handler.ts', import.meta.url));

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

/** "Within seconds": wait at most this long to gather a burst of uploads into one batch. */
const MAX_BATCHING_WINDOW = Duration.seconds(5);

/** Props for {@link Publisher}: the buckets it reads and writes, and the site it publishes to. */
export interface PublisherProps {
  /** Where authors write articles and site.yaml: its notifications start a publish, and the publisher only reads it. */
  readonly contentBucket: s3.Bucket;
  /** The site the publisher writes pages and feeds into, and whose distribution it invalidates. */
  readonly site: FeedSite;
  /** The publisher's private state (lease, requests, journals, indexes, drafts and embargoes): only it reads or writes it. */
  readonly stateBucket: s3.Bucket;
  /**
   * How long one invocation may run; the queue's visibility timeout follows it.
   * @default Duration.minutes(5) - a full rebuild renders every article, and this leaves room for a large archive
   */
  readonly timeout?: Duration;
}

/**
 * The publishing path: S3 events -> queue (with a dead-letter queue) -> the publisher Lambda, with its
 * least-privilege grants, plus the schedules for the time-driven work the S3 events cannot trigger.
 */
export class Publisher extends Construct {
  /** Receives the content bucket's events; the publisher polls it. */
  readonly queue: sqs.Queue;
  /** Events the publisher failed five times; an alarm watches it. */
  readonly deadLetterQueue: sqs.Queue;
  /** The publisher Lambda: S3 events from the queue, and the schedules' tick and reconcile. */
  readonly function: NodejsFunction;
  /** The function's own log group, the only one its role may write to. */
  readonly logGroup: logs.LogGroup;
  /** The full rebuild of a large archive, its render step fanned out over invocations of the function. */
  readonly rebuild: RebuildMachine;

  constructor(scope: Construct, id: string, props: PublisherProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.minutes(5);
    this.deadLetterQueue = new sqs.Queue(this, 'PublishDeadLetters', privateQueue({ retentionPeriod: Duration.days(14) }));
    this.queue = this.createQueue(timeout);
    this.notifyOnContentChanges(props.contentBucket);
    this.logGroup = new logs.LogGroup(this, 'PublisherLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = this.createRole();
    // Named before the function exists: the function is told its ARN, and the machine invokes the function.
    const machineName = `${Names.uniqueResourceName(this, { maxLength: 64 })}Rebuild`;
    this.function = this.createFunction(props, role, timeout, RebuildMachine.arnOf(this, machineName));
    this.rebuild = new RebuildMachine(this, 'Rebuild', { publisher: this.function, stateBucket: props.stateBucket, name: machineName });
    this.grant(props, role);
    this.pollQueue();
    this.schedule();
  }

  /** The queue S3 events wait in; a message failed five times goes to the dead letters. */
  private createQueue(timeout: Duration): sqs.Queue {
    return new sqs.Queue(
      this,
      'PublishQueue',
      privateQueue({
        // AWS's guidance for SQS event sources: at least 6x the function timeout (plus the batching window),
        // so a message is not handed out again while a slow, throttled or retried invocation still holds it.
        visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6 + MAX_BATCHING_WINDOW.toSeconds()),
        deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
      }),
    );
  }

  /** Writing or deleting an article or the site file queues a message; nothing else in the bucket does. */
  private notifyOnContentChanges(contentBucket: s3.Bucket): void {
    for (const event of [s3.EventType.OBJECT_CREATED, s3.EventType.OBJECT_REMOVED]) {
      contentBucket.addEventNotification(event, new SqsDestination(this.queue), { prefix: ARTICLES_PREFIX, suffix: ARTICLE_EXTENSION });
      contentBucket.addEventNotification(event, new SqsDestination(this.queue), { prefix: SITE_FILE });
    }
    acknowledgeCdkProvided(Stack.of(this), 'BucketNotificationsHandler', {
      [BASIC_EXECUTION_ROLE]: CDK_PROVIDED,
    });
  }

  /**
   * Own role instead of the default one, which carries the AWSLambdaBasicExecutionRole managed policy
   * (logs on every log group in the account): this one may write to its own log group only.
   */
  private createRole(): iam.Role {
    const role = new iam.Role(this, 'PublisherRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'wirefeed publisher: read content, write the site and its own state, invalidate its distribution',
    });
    this.logGroup.grantWrite(role);
    return role;
  }

  /** The publisher Lambda, bundled with PUBLISHER_ESBUILD, told where its buckets, distribution and site are. */
  private createFunction(props: PublisherProps, role: iam.Role, timeout: Duration, rebuildMachine: string): NodejsFunction {
    return new NodejsFunction(this, 'Publisher', {
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
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        CONTENT_BUCKET: props.contentBucket.bucketName,
        SITE_BUCKET: props.site.bucket.bucketName,
        // With a state bucket the publisher writes nothing to the content bucket (else it would use its .wirefeed/).
        STATE_BUCKET: props.stateBucket.bucketName,
        SITE_URL: props.site.url,
        DISTRIBUTION_ID: props.site.distribution.distributionId,
        REBUILD_STATE_MACHINE: rebuildMachine,
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
  }

  /** Read the content, write the site and its own state, invalidate the distribution: nothing else. */
  private grant(props: PublisherProps, role: iam.Role): void {
    // Read only: articles, site.yaml and media. With STATE_BUCKET set the publisher never writes here.
    props.contentBucket.grantRead(this.function);
    // Read and write pages and feeds; grantReadWrite also covers deleting the pages of removed articles
    // (s3:DeleteObject*) and listing the bucket (s3:List*), so a separate grantDelete would only duplicate it.
    props.site.bucket.grantReadWrite(this.function);
    this.grantState(props.stateBucket);
    props.site.distribution.grantCreateInvalidation(this.function);
    // Starts the rebuild's state machine, and nothing else of Step Functions.
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.rebuild.stateMachineArn] }));
    this.acknowledgeGrantWildcards(props, role);
  }

  /**
   * Exactly what the state store does (S3Store): GetObject and HeadObject (s3:GetObject), conditional PutObject
   * (s3:PutObject), conditional DeleteObject (s3:DeleteObject, plus s3:GetObject for If-Match), ListObjectsV2
   * (s3:ListBucket). No wildcard actions, no versions, tags, ACLs or bucket configuration.
   */
  private grantState(stateBucket: s3.Bucket): void {
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [stateBucket.arnForObjects('*')],
      }),
    );
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [stateBucket.bucketArn] }));
  }

  /**
   * The grants above use CDK's standard S3 action groups, each on one named bucket and its objects only.
   * Every wildcard is acknowledged individually, so a new one (another bucket, `Resource: *`) still fails synthesis.
   */
  private acknowledgeGrantWildcards(props: PublisherProps, role: iam.Role): void {
    const findings: Record<string, string> = {
      [`Resource::${objectsArn(props.contentBucket)}`]: 'Reads any article: the objects of the content bucket only.',
      [`Resource::${objectsArn(props.site.bucket)}`]: 'Writes any page or feed: the objects of the site bucket only.',
      [`Resource::${objectsArn(props.stateBucket)}`]: 'Reads, writes and deletes its own state (lease, requests, journals, records): the objects of the state bucket only, with three named actions.',
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

  /** The function reads the queue in batches, retrying only the records that failed. */
  private pollQueue(): void {
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 100,
        maxBatchingWindow: MAX_BATCHING_WINDOW,
        reportBatchItemFailures: true,
        // A cap on the SQS pollers, and the lowest SQS allows. One publish writes at a time (the lease); a second
        // invocation records its work as a request for the holder and returns at once, so more buys nothing.
        // Not reserved concurrency: the schedules' invocations must never be throttled, and a new account's
        // minimum unreserved pool may refuse a reservation.
        maxConcurrency: 2,
      }),
    );
  }

  /** Time-driven work the S3 events cannot trigger. The handler recognises exactly these two inputs. */
  private schedule(): void {
    new events.Rule(this, 'EmbargoTick', {
      description: 'Publish embargoed articles whose time has come, take down expired ones, age the news sitemap',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.function, { event: events.RuleTargetInput.fromObject({ wirefeed: 'tick' }) })],
    });
    new events.Rule(this, 'DailyReconcile', {
      description: 'Rebuild everything from the content bucket, repairing any missed event',
      // 04:15 UTC: off-peak for most newsrooms, and not on the hour when scheduled jobs pile up.
      schedule: events.Schedule.cron({ minute: '15', hour: '4' }),
      targets: [new LambdaFunction(this.function, { event: events.RuleTargetInput.fromObject({ wirefeed: 'reconcile' }) })],
    });
  }
}
