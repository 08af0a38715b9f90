// The CDK app, synthesised for real (the publisher is bundled with the local esbuild) and checked the way an
// operator relies on it: private buckets, the publish path from S3 event to Lambda, the CloudFront behaviour
// readers see, least-privilege IAM, alarms, outputs, and zero unacknowledged cdk-nag findings.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type CfnElement, type IResource, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHER_ESBUILD, PUBLISHER_RUNTIME } from '../../infra/publisher.ts';
import { WirefeedStack, type WirefeedStackProps } from '../../infra/wirefeed-stack.ts';

// biome-ignore lint/suspicious/noExplicitAny: a synthesised CloudFormation template is untyped JSON, read by path in every assertion
type Json = Record<string, any>;

interface Synthesised {
  app: App;
  stack: WirefeedStack;
  template: Template;
}

/** The same context `npx cdk synth` runs with (feature flags included), so tests see what the CLI deploys. */
const cdkContext = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context as Json;
const repoContentDir = fileURLToPath(new URL('../../content', import.meta.url));
const repoHasContent = existsSync(repoContentDir) && readdirSync(repoContentDir, { recursive: true, withFileTypes: true }).some((e) => e.isFile());

/** Synthesises into a fresh temp dir (removed after the tests), never into the repo's cdk.out. */
function synth(props?: WirefeedStackProps): Synthesised {
  const app = new App({ context: cdkContext, outdir: mkdtempSync(join(scratch, 'cdk.out-')) });
  const stack = new WirefeedStack(app, 'Wirefeed', props);
  return { app, stack, template: Template.fromStack(stack) };
}

function logicalId(resource: IResource): string {
  return resource.stack.getLogicalId(resource.node.defaultChild as CfnElement);
}

/** The CloudFront Function whose comment mentions `word`. */
function edgeFunction(word: string): Json {
  const fn = resources(real.template, 'AWS::CloudFront::Function').find((f) => String((f as Json).Properties.FunctionConfig.Comment).includes(word));
  if (!fn) throw new Error(`no CloudFront Function mentions ${word}`);
  return fn as Json;
}

/** The rebuild state machine's ARN as the stack writes it where the machine itself cannot be referred to (a cycle). */
function rebuildMachineArn(stack: WirefeedStack): Json {
  const name = (stack.publishing.rebuild.stateMachine.node.defaultChild as sfn.CfnStateMachine).stateMachineName;
  return {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:stateMachine:${name}`]],
  };
}

function resources(template: Template, type: string): Json[] {
  return Object.values(template.findResources(type));
}

function statements(template: Template, type: string): Json[] {
  return resources(template, type).flatMap((r) => r.Properties.PolicyDocument.Statement as Json[]);
}

const asList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

let scratch: string;
let real: Synthesised;
let configured: Synthesised;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'wirefeed-infra-test-'));
  real = synth();
  const fixtureContent = join(scratch, 'content');
  mkdirSync(join(fixtureContent, 'articles'), { recursive: true });
  writeFileSync(join(fixtureContent, 'site.yaml'), 'title: Test wire\n');
  writeFileSync(join(fixtureContent, 'articles', 'hello.md'), '---\ntitle: Hello\n---\nHello, world.\n');
  configured = synth({
    domainNames: ['news.example.com'],
    certificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000',
    alarmEmail: 'ops@example.com',
    contentDir: fixtureContent,
  });
}, 120_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('storage', () => {
  it('keeps every bucket private: all four S3 public-access blocks are on', () => {
    for (const { template } of [real, configured]) {
      const buckets = resources(template, 'AWS::S3::Bucket');
      expect(buckets.length).toBeGreaterThanOrEqual(3);
      for (const bucket of buckets) {
        expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
      }
    }
  });

  it('refuses plain-HTTP requests to every bucket, queue and topic', () => {
    const { template } = real;
    const denied = (type: string) => statements(template, type).filter((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false');
    const bucketPolicies = resources(template, 'AWS::S3::BucketPolicy');
    expect(bucketPolicies).toHaveLength(resources(template, 'AWS::S3::Bucket').length);
    expect(denied('AWS::S3::BucketPolicy')).toHaveLength(bucketPolicies.length);
    expect(denied('AWS::SQS::QueuePolicy')).toHaveLength(2);
    expect(denied('AWS::SNS::TopicPolicy')).toHaveLength(1);
  });

  it('versions articles, encrypts them, and expires overwritten or deleted versions after 90 days', () => {
    const bucket = real.template.toJSON().Resources[logicalId(real.stack.contentBucket)] as Json;
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toMatchObject({
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
    });
    expect(bucket.Properties.LifecycleConfiguration.Rules).toContainEqual(expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 90 }, Status: 'Enabled' }));
  });

  it("keeps the publisher's state in a private, encrypted, unversioned bucket of its own, retained with the stack", () => {
    const { template, stack } = real;
    const state = template.toJSON().Resources[logicalId(stack.stateBucket)] as Json;
    expect(state.Properties.VersioningConfiguration).toBeUndefined();
    expect(state.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toMatchObject({
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
    });
    expect(state.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(state.Properties.LifecycleConfiguration.Rules).toEqual([{ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }]);
    expect(state).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    // Its own bucket: neither the content nor the site bucket.
    expect(new Set([stack.stateBucket, stack.contentBucket, stack.site.bucket].map(logicalId)).size).toBe(3);
    // Its bucket policy only refuses plain HTTP: it grants nobody anything.
    const ref = { Ref: logicalId(stack.stateBucket) };
    const [policy] = resources(template, 'AWS::S3::BucketPolicy').filter((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify(ref));
    expect((policy?.Properties.PolicyDocument.Statement as Json[] | undefined)?.map((s) => s.Effect)).toEqual(['Deny']);
  });

  it('records who read or wrote the buckets, and what readers fetched through CloudFront, in an access-log bucket', () => {
    const { template, stack } = real;
    const content = template.toJSON().Resources[logicalId(stack.contentBucket)] as Json;
    const site = template.toJSON().Resources[logicalId(stack.site.bucket)] as Json;
    const state = template.toJSON().Resources[logicalId(stack.stateBucket)] as Json;
    expect(content.Properties.LoggingConfiguration.LogFilePrefix).toBe('content-bucket/');
    expect(site.Properties.LoggingConfiguration.LogFilePrefix).toBe('site-bucket/');
    expect(state.Properties.LoggingConfiguration.LogFilePrefix).toBe('state-bucket/');
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ Logging: Match.objectLike({ Prefix: 'cloudfront/' }) }),
    });
  });

  it.skipIf(!repoHasContent)("deploys the repository's content/ folder into the content bucket", () => {
    real.template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: logicalId(real.stack.contentBucket) },
      Prune: false,
    });
  });

  it('ships initial content without pruning, so articles written straight into the bucket survive deploys', () => {
    const { template, stack } = configured;
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: logicalId(stack.contentBucket) },
      Prune: false,
    });
    // Deployed only once the bucket notifications exist, so the first content is published straight away.
    const [deployment] = resources(template, 'Custom::CDKBucketDeployment');
    const notifications = Object.keys(template.findResources('Custom::S3BucketNotifications'));
    expect(deployment?.DependsOn).toEqual(expect.arrayContaining(notifications));
  });
});

describe('publishing path', () => {
  it('queues a message whenever an articles/*.md or site.yaml object is written or deleted', () => {
    const queue = { 'Fn::GetAtt': [logicalId(real.stack.publishQueue), 'Arn'] };
    const configs = resources(real.template, 'Custom::S3BucketNotifications').flatMap((r) => r.Properties.NotificationConfiguration.QueueConfigurations as Json[]);
    const rules = (c: Json) => Object.fromEntries((c.Filter.Key.FilterRules as Json[]).map((r) => [r.Name, r.Value]));
    for (const event of ['s3:ObjectCreated:*', 's3:ObjectRemoved:*']) {
      const forEvent = configs.filter((c) => c.Events.includes(event));
      expect(forEvent.map((c) => c.QueueArn)).toEqual([queue, queue]);
      expect(forEvent.map(rules)).toEqual(expect.arrayContaining([{ prefix: 'articles/', suffix: '.md' }, { prefix: 'site.yaml' }]));
    }
    // Only the content bucket may send to the queue.
    expect(statements(real.template, 'AWS::SQS::QueuePolicy')).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalId(real.stack.contentBucket), 'Arn'] } } },
      }),
    );
  });

  it('retries a failing event 5 times, then keeps it 14 days in an encrypted dead-letter queue', () => {
    const { template, stack } = real;
    const queue = template.toJSON().Resources[logicalId(stack.publishQueue)] as Json;
    const dlq = template.toJSON().Resources[logicalId(stack.deadLetterQueue)] as Json;
    expect(queue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stack.deadLetterQueue), 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    expect(dlq.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  it('hands events to the publisher within seconds, in batches, retrying only the records that failed', () => {
    const { template, stack } = real;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.publishQueue), 'Arn'] },
      FunctionName: { Ref: logicalId(stack.publisher) },
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: Match.anyValue(),
    });
    const fn = template.toJSON().Resources[logicalId(stack.publisher)] as Json;
    const queue = template.toJSON().Resources[logicalId(stack.publishQueue)] as Json;
    // A message must stay invisible while any (retried) invocation may still be working on it.
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Properties.Timeout + 5);
  });

  it('polls the queue with at most two publishers (the SQS minimum): one holds the lease, the other hands over', () => {
    const { template } = real;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 2 } });
    // No reserved concurrency: the schedules' invocations are never throttled by it.
    const fn = template.toJSON().Resources[logicalId(real.stack.publisher)] as Json;
    expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('runs the publisher on the newest Node.js runtime, on arm64, with JSON logs kept for a month', () => {
    const { template, stack } = real;
    expect(PUBLISHER_RUNTIME.name).toBe('nodejs24.x');
    expect(PUBLISHER_ESBUILD.target).toBe('node24'); // bundled for the Node.js it runs on
    const fn = template.toJSON().Resources[logicalId(stack.publisher)] as Json;
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 300,
      LoggingConfig: { LogFormat: 'JSON' },
    });
    const logGroup = logicalId(stack.publishing.logGroup);
    expect(fn.Properties.LoggingConfig.LogGroup).toEqual({ Ref: logGroup });
    expect((template.toJSON().Resources[logGroup] as Json).Properties.RetentionInDays).toBe(30);
  });

  it('tells the publisher its buckets (its state in a bucket of its own), its distribution and the public site URL', () => {
    const { template, stack } = real;
    const env = (template.toJSON().Resources[logicalId(stack.publisher)] as Json).Properties.Environment.Variables;
    expect(env).toEqual({
      CONTENT_BUCKET: { Ref: logicalId(stack.contentBucket) },
      SITE_BUCKET: { Ref: logicalId(stack.site.bucket) },
      STATE_BUCKET: { Ref: logicalId(stack.stateBucket) },
      DISTRIBUTION_ID: { Ref: logicalId(stack.site.distribution) },
      SITE_URL: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(stack.site.distribution), 'DomainName'] }, '/']] },
      REBUILD_STATE_MACHINE: rebuildMachineArn(stack),
      NODE_OPTIONS: '--enable-source-maps',
    });
    const configuredEnv = (configured.template.toJSON().Resources[logicalId(configured.stack.publisher)] as Json).Properties.Environment.Variables;
    expect(configuredEnv.SITE_URL).toBe('https://news.example.com/');
  });

  it('publishes embargoed articles every minute and reconciles the whole site daily', () => {
    const { template, stack } = real;
    const target = { 'Fn::GetAtt': [logicalId(stack.publisher), 'Arn'] };
    const rules = resources(template, 'AWS::Events::Rule');
    const byInput = (input: Json) => rules.find((r) => (r.Properties.Targets as Json[]).some((t) => t.Input === JSON.stringify(input)));
    const tick = byInput({ wirefeed: 'tick' });
    const reconcile = byInput({ wirefeed: 'reconcile' });
    expect(tick?.Properties.ScheduleExpression).toBe('rate(1 minute)');
    expect(reconcile?.Properties.ScheduleExpression).toMatch(/^cron\(\d+ \d+ \* \* \? \*\)$/);
    for (const rule of [tick, reconcile]) expect(rule?.Properties.Targets[0].Arn).toEqual(target);
  });
});

describe('least privilege', () => {
  it('gives no S3 permission on "*", to the publisher or to anything else', () => {
    for (const { template } of [real, configured]) {
      for (const s of statements(template, 'AWS::IAM::Policy')) {
        if (asList(s.Action).some((a: string) => a.startsWith('s3:'))) expect(asList(s.Resource)).not.toContain('*');
      }
    }
  });

  it('lets the publisher read content, write the site and its state, invalidate its distribution, use its queue: nothing else', () => {
    const { template, stack } = real;
    const role = logicalId(stack.publisher.role as IResource);
    const [policy] = resources(template, 'AWS::IAM::Policy').filter((p) => p.Properties.Roles.some((r: Json) => r.Ref === role));
    const byResource = new Map<string, string[]>();
    for (const s of (policy?.Properties.PolicyDocument.Statement ?? []) as Json[]) {
      expect(s.Effect).toBe('Allow');
      for (const r of asList(s.Resource)) byResource.set(JSON.stringify(r), asList(s.Action));
    }
    const arn = (resource: IResource) => JSON.stringify({ 'Fn::GetAtt': [logicalId(resource), 'Arn'] });
    const objects = (resource: IResource) => JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(resource), 'Arn'] }, '/*']] });
    const distributionArn = JSON.stringify({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: logicalId(stack.site.distribution) }]],
    });
    expect([...byResource.keys()].sort()).toEqual(
      [
        arn(stack.contentBucket),
        objects(stack.contentBucket),
        arn(stack.site.bucket),
        objects(stack.site.bucket),
        arn(stack.stateBucket),
        objects(stack.stateBucket),
        distributionArn,
        arn(stack.publishQueue),
        JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.publishing.logGroup), 'Arn'] }),
        JSON.stringify(rebuildMachineArn(stack)),
      ].sort(),
    );
    // Of Step Functions, it may start the rebuild's state machine, and nothing else.
    expect(byResource.get(JSON.stringify(rebuildMachineArn(stack)))).toEqual(['states:StartExecution']);
    // The content bucket is read only: with STATE_BUCKET set the publisher writes nothing there.
    for (const resource of [arn(stack.contentBucket), objects(stack.contentBucket)]) {
      const actions = byResource.get(resource) ?? [];
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.filter((a) => !/^s3:(Get|List)/.test(a))).toEqual([]);
    }
    // The state bucket: exactly what the state store does. GetObject covers HEAD and the If-Match delete's check;
    // PutObject and DeleteObject carry the conditions; ListBucket is ListObjectsV2. No wildcard, no versions.
    expect([...(byResource.get(objects(stack.stateBucket)) ?? [])].sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:PutObject']);
    expect(byResource.get(arn(stack.stateBucket))).toEqual(['s3:ListBucket']);
    expect(byResource.get(objects(stack.site.bucket))).toEqual(expect.arrayContaining(['s3:GetObject*', 's3:PutObject', 's3:DeleteObject*']));
    expect(byResource.get(arn(stack.site.bucket))).toContain('s3:List*');
    expect(byResource.get(distributionArn)).toEqual(['cloudfront:CreateInvalidation']);
    // Its own role, without the AWSLambdaBasicExecutionRole managed policy (logs in every log group).
    const roleResource = template.toJSON().Resources[role] as Json;
    expect(roleResource.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('state bucket access', () => {
  it("is reachable by the publisher role, and by the rebuild's state machine for its runs' items and ends alone: no bucket policy grant, no CloudFront origin", () => {
    for (const { template, stack } of [real, configured]) {
      const state = logicalId(stack.stateBucket);
      const role = logicalId(stack.publisher.role as IResource);
      const machineRole = logicalId(stack.publishing.rebuild.stateMachine.role);
      for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
        if (!JSON.stringify(policy.Properties.PolicyDocument).includes(state)) continue;
        const roles = policy.Properties.Roles as Json[];
        if (roles.some((r) => r.Ref === machineRole)) {
          expect({ id, roles }).toEqual({ id, roles: [{ Ref: machineRole }] });
          const onState = (policy.Properties.PolicyDocument.Statement as Json[]).filter((s) => JSON.stringify(s.Resource).includes(state));
          expect(onState.map((s) => [s.Action, JSON.stringify(s.Resource)]).sort()).toEqual(
            [
              ['s3:GetObject', JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [state, 'Arn'] }, '/rebuild/*/items.json']] })],
              ['s3:PutObject', JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [state, 'Arn'] }, '/rebuild/*/ended.json']] })],
            ].sort(),
          );
        } else expect({ id, roles }).toEqual({ id, roles: [{ Ref: role }] });
      }
      for (const s of statements(template, 'AWS::S3::BucketPolicy')) {
        if (s.Effect === 'Allow') expect(JSON.stringify(s.Resource)).not.toContain(state);
      }
      const config = (resources(template, 'AWS::CloudFront::Distribution')[0] as Json).Properties.DistributionConfig;
      expect(JSON.stringify(config.Origins)).not.toContain(state);
      expect(JSON.stringify(config.Origins)).toContain(logicalId(stack.site.bucket));
    }
  });
});

describe('site delivery', () => {
  const distributionConfig = (t: Template): Json => (resources(t, 'AWS::CloudFront::Distribution')[0] as Json).Properties.DistributionConfig;

  it('lets only this distribution read (and list) the site bucket, through Origin Access Control', () => {
    const { template, stack } = real;
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' }),
    });
    const site = logicalId(stack.site.bucket);
    const grant = statements(template, 'AWS::S3::BucketPolicy').find((s) => s.Principal?.Service === 'cloudfront.amazonaws.com');
    expect(grant?.Action).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(JSON.stringify(grant?.Resource)).toContain(site);
    expect(JSON.stringify(grant?.Condition.StringEquals['AWS:SourceArn'])).toContain(logicalId(stack.site.distribution));
    const [origin] = distributionConfig(template).Origins as Json[];
    expect(origin?.OriginAccessControlId).toBeDefined();
    expect(origin?.S3OriginConfig.OriginAccessIdentity).toBe('');
  });

  it('serves HTTPS only (HTTP redirects), over HTTP/2 and HTTP/3, compressed, with index.html at the root', () => {
    const config = distributionConfig(real.template);
    expect(config.HttpVersion).toBe('http2and3');
    expect(config.DefaultRootObject).toBe('index.html');
    for (const behavior of [config.DefaultCacheBehavior, ...(config.CacheBehaviors as Json[])]) {
      expect(behavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', Compress: true });
    }
  });

  it("caches by path alone, honouring each object's Cache-Control, with gzip and brotli", () => {
    real.template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        MinTTL: 0,
        DefaultTTL: 300,
        MaxTTL: 365 * 24 * 3600,
        ParametersInCacheKeyAndForwardedToOrigin: {
          EnableAcceptEncodingGzip: true,
          EnableAcceptEncodingBrotli: true,
          CookiesConfig: { CookieBehavior: 'none' },
          HeadersConfig: { HeaderBehavior: 'none' },
          QueryStringsConfig: { QueryStringBehavior: 'none' },
        },
      }),
    });
  });

  it('answers a missing page with /404.html and a real 404 status', () => {
    expect(distributionConfig(real.template).CustomErrorResponses).toEqual([expect.objectContaining({ ErrorCode: 404, ResponseCode: 404, ResponsePagePath: '/404.html' })]);
  });

  it('serves /articles/<slug>/ and /articles/<slug> from their index.html, at the edge', () => {
    const config = distributionConfig(real.template);
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([expect.objectContaining({ EventType: 'viewer-request' }), expect.objectContaining({ EventType: 'viewer-response' })]);
    const fn = edgeFunction('index.html');
    expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    // Run the deployed code itself on the URLs readers type.
    const handler = new Function(`${fn.Properties.FunctionCode}\nreturn handler;`)() as (e: Json) => Json;
    const served = (uri: string) => handler({ request: { uri, headers: {} } }).uri;
    expect(served('/')).toBe('/index.html');
    expect(served('/articles/moon-landing/')).toBe('/articles/moon-landing/index.html');
    expect(served('/articles/moon-landing')).toBe('/articles/moon-landing/index.html');
    expect(served('/tags/space/')).toBe('/tags/space/index.html');
    expect(served('/rss.xml')).toBe('/rss.xml');
    expect(served('/tags/space/feed.json')).toBe('/tags/space/feed.json');
    expect(served('/articles/moon-landing/cover.v2.jpg')).toBe('/articles/moon-landing/cover.v2.jpg');
  });

  it('gives a person who opens a feed in a browser its HTML view, under a cache key of its own, and a feed reader the feed', () => {
    const config = distributionConfig(real.template);
    // The choice is made before the cache (viewer-request), and the cache key is the URI alone: so the HTML
    // view is cached under /feed.html and /rss.xml's entry can only ever hold the feed.
    const [requestId, request] = Object.entries(real.template.findResources('AWS::CloudFront::Function')).find(([, f]) =>
      String((f as Json).Properties.FunctionConfig.Comment).includes('feed view'),
    ) as [string, Json];
    const association = (config.DefaultCacheBehavior.FunctionAssociations as Json[]).find((a) => a.EventType === 'viewer-request');
    expect(association?.FunctionARN).toEqual({ 'Fn::GetAtt': [requestId, 'FunctionARN'] });
    const policies = resources(real.template, 'AWS::CloudFront::CachePolicy');
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
      HeadersConfig: { HeaderBehavior: 'none' },
      CookiesConfig: { CookieBehavior: 'none' },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
    });
    const handler = new Function(`${request.Properties.FunctionCode}\nreturn handler;`)() as (e: Json) => Json;
    const key = (uri: string, headers: Json) => handler({ request: { uri, headers } }).uri;
    expect(key('/rss.xml', { 'sec-fetch-dest': { value: 'document' }, 'sec-fetch-mode': { value: 'navigate' } })).toBe('/feed.html');
    expect(key('/tags/space/atom.xml', { 'sec-fetch-dest': { value: 'document' }, 'sec-fetch-mode': { value: 'navigate' } })).toBe('/tags/space/feed.html');
    // A browser's Accept alone (a crawler, a reader copying it) gets the feed.
    expect(key('/tags/space/atom.xml', { accept: { value: 'text/html,application/xhtml+xml,*/*;q=0.8' } })).toBe('/tags/space/atom.xml');
    expect(key('/rss.xml', { accept: { value: 'application/rss+xml, application/atom+xml' } })).toBe('/rss.xml');
    // Browsers' Vary is set after the cache, on both answers.
    const vary = edgeFunction('Vary');
    const respond = new Function(`${vary.Properties.FunctionCode}\nreturn handler;`)() as (e: Json) => Json;
    expect(respond({ request: { uri: '/rss.xml', headers: {} }, response: { statusCode: 200, headers: {} } }).headers.vary.value).toBe('Sec-Fetch-Dest, Sec-Fetch-Mode');
    expect(respond({ request: { uri: '/index.html', headers: {} }, response: { statusCode: 200, headers: {} } }).headers.vary).toBeUndefined();
  });

  it("never serves an old publisher's manifest (drafts, embargoed stories) or any dot path, however encoded", () => {
    const fn = edgeFunction('index.html');
    // What deploys is the file test/infra-edge.test.ts runs over its full table of paths.
    expect(fn.Properties.FunctionCode).toBe(readFileSync(new URL('../../infra/cloudfront/index-rewrite.js', import.meta.url), 'utf8'));
    const handler = new Function(`${fn.Properties.FunctionCode}\nreturn handler;`)() as (e: Json) => Json;
    const served = (uri: string) => handler({ request: { uri, headers: {} } }).uri;
    for (const uri of ['/.wirefeed/manifest.json', '/%2ewirefeed/manifest.json', '/%252Ewirefeed/manifest.json', '/.%77irefeed/', '/articles/.hidden/', '/a%5cb', '/%zz']) {
      expect(served(uri)).toBe('/404-not-public');
    }
  });

  it('sends security headers: HSTS, nosniff, frame DENY, a referrer policy and a CSP allowing inline styles and no script', () => {
    const policies = resources(real.template, 'AWS::CloudFront::ResponseHeadersPolicy');
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      const headers = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
      expect(headers.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(365 * 24 * 3600);
      expect(headers.ContentTypeOptions).toEqual({ Override: true });
      expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
      expect(headers.ReferrerPolicy.ReferrerPolicy).toBe('strict-origin-when-cross-origin');
      const csp: string = headers.ContentSecurityPolicy.ContentSecurityPolicy;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("style-src 'unsafe-inline'");
      // No script at all: pages and feed views are static, and no XSL stylesheet is left to count as one.
      expect(csp).not.toContain('script-src');
    }
  });

  it('lets browser-based readers fetch every JSON feed (site, tags, archive pages) cross-origin, with conditional requests', () => {
    const { template, stack } = real;
    const config = distributionConfig(template);
    const behaviors = config.CacheBehaviors as Json[];
    // Archive pages too: apps follow JSON Feed's next_url into them from the browser.
    expect(behaviors.map((b) => b.PathPattern).sort()).toEqual(['/archive/*/feed.json', '/feed.json', '/tags/*/feed.json']);
    const cors = template.findResources('AWS::CloudFront::ResponseHeadersPolicy', {
      Properties: { ResponseHeadersPolicyConfig: { CorsConfig: Match.anyValue() } },
    });
    const [corsId] = Object.keys(cors);
    for (const behavior of behaviors) {
      expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: corsId });
      expect(behavior.AllowedMethods).toContain('OPTIONS');
    }
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).not.toEqual({ Ref: corsId });
    const corsConfig = (Object.values(cors)[0] as Json).Properties.ResponseHeadersPolicyConfig.CorsConfig;
    expect(corsConfig).toMatchObject({
      AccessControlAllowOrigins: { Items: ['*'] },
      AccessControlAllowMethods: { Items: expect.arrayContaining(['GET', 'HEAD']) },
      AccessControlAllowHeaders: { Items: expect.arrayContaining(['If-None-Match']) },
      AccessControlExposeHeaders: { Items: expect.arrayContaining(['ETag']) },
      AccessControlAllowCredentials: false,
    });
    // S3 itself must answer the preflight for the OPTIONS request to succeed.
    const site = template.toJSON().Resources[logicalId(stack.site.bucket)] as Json;
    expect(site.Properties.CorsConfiguration.CorsRules[0]).toMatchObject({ AllowedOrigins: ['*'] });
  });

  it('serves a custom domain with its us-east-1 certificate and TLS 1.2 or later', () => {
    const config = distributionConfig(configured.template);
    expect(config.Aliases).toEqual(['news.example.com']);
    expect(config.ViewerCertificate).toMatchObject({
      AcmCertificateArn: expect.stringContaining(':us-east-1:'),
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
  });
});

describe('operations', () => {
  it('alarms to an SNS topic when events reach the dead-letter queue or the publisher errors', () => {
    const { template, stack } = real;
    const topic = { Ref: logicalId(stack.alarmTopic) };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.deadLetterQueue), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack.publisher) } }],
      Threshold: 1,
      AlarmActions: [topic],
    });
  });

  it("alarms when a rebuild's state machine execution fails, times out or is aborted", () => {
    const { template, stack } = real;
    const machine = { Ref: logicalId(stack.publishing.rebuild.stateMachine) };
    const alarm = resources(template, 'AWS::CloudWatch::Alarm').find((a) => JSON.stringify(a.Properties.Metrics ?? []).includes('ExecutionsFailed'));
    const metrics = ((alarm?.Properties.Metrics ?? []) as Json[]).filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric);
    expect(metrics.map((m) => m.MetricName).sort()).toEqual(['ExecutionsAborted', 'ExecutionsFailed', 'ExecutionsTimedOut']);
    for (const m of metrics) expect(m).toMatchObject({ Namespace: 'AWS/States', Dimensions: [{ Name: 'StateMachineArn', Value: machine }] });
    expect(alarm?.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [{ Ref: logicalId(stack.alarmTopic) }] });
  });

  it('e-mails the alarms to alarmEmail when one is given, and to nobody otherwise', () => {
    real.template.resourceCountIs('AWS::SNS::Subscription', 0);
    configured.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: logicalId(configured.stack.alarmTopic) },
    });
  });

  it('outputs the site and feed URLs, the content and state buckets, the command that publishes an article and the rebuild state machine', () => {
    const outputs = real.template.toJSON().Outputs as Json;
    const siteUrl = outputs.SiteUrl.Value;
    expect(siteUrl).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(real.stack.site.distribution), 'DomainName'] }, '/']],
    });
    const withSuffix = (suffix: string) => ({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(real.stack.site.distribution), 'DomainName'] }, `/${suffix}`]],
    });
    expect(outputs.RssFeedUrl.Value).toEqual(withSuffix('rss.xml'));
    expect(outputs.AtomFeedUrl.Value).toEqual(withSuffix('atom.xml'));
    expect(outputs.JsonFeedUrl.Value).toEqual(withSuffix('feed.json'));
    expect(outputs.ContentBucketName.Value).toEqual({ Ref: logicalId(real.stack.contentBucket) });
    expect(outputs.StateBucketName.Value).toEqual({ Ref: logicalId(real.stack.stateBucket) });
    expect(outputs.RebuildStateMachineArn.Value).toEqual(rebuildMachineArn(real.stack));
    expect(outputs.PublishCommand.Value).toEqual({
      'Fn::Join': ['', ['aws s3 cp story.md s3://', { Ref: logicalId(real.stack.contentBucket) }, '/articles/']],
    });
    const configuredOutputs = configured.template.toJSON().Outputs as Json;
    expect(configuredOutputs.JsonFeedUrl.Value).toBe('https://news.example.com/feed.json');
  });

  it('is environment-agnostic: no account or region is looked up or baked in', () => {
    expect(Token.isUnresolved(real.stack.account)).toBe(true);
    expect(Token.isUnresolved(real.stack.region)).toBe(true);
    expect(real.app.synth().manifest.missing).toBeUndefined();
    expect(JSON.stringify(real.template.toJSON())).not.toMatch(/\b\d{12}\b/);
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  for (const [name, get] of [
    ['as cdk.json deploys it', () => real],
    ['with a custom domain, certificate, alarm e-mail and initial content', () => configured],
  ] as const) {
    it(`has no unacknowledged findings ${name}`, () => {
      const { app } = get();
      const report = new AwsSolutionsChecks().validateScope(app);
      const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId}: ${v.description}`));
      if (findings.length) console.error(findings.join('\n'));
      expect(findings).toEqual([]);
    });
  }

  it('leaves no CDK warning unacknowledged (e.g. OAC LIST access is acknowledged with a reason)', () => {
    for (const { stack } of [real, configured]) {
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    }
  });
});
