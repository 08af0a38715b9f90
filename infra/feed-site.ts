import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ARCHIVE_PREFIX, FEEDS, FRONT_PAGE, NOT_FOUND_PAGE, tagFolder } from '../functions/core/keys.ts';
import { CONTENT_SECURITY_POLICY } from '../functions/core/output/objects.ts';
import { privateBucket } from './defaults.ts';

/** Every JSON feed: the site's, each tag's, and each archive page (JSON Feed next_url leads apps there). */
const DEFAULT_CORS_PATHS: readonly string[] = [FEEDS.json, `${tagFolder('*')}${FEEDS.json}`, `${ARCHIVE_PREFIX}*/${FEEDS.json}`].map((key) => `/${key}`);

/** The response headers policies: every response's security headers, and the feeds' with CORS as well. */
interface ResponseHeaders {
  readonly pages: cloudfront.IResponseHeadersPolicy;
  readonly feeds: cloudfront.IResponseHeadersPolicy;
}

/** The CloudFront Functions: one before the cache (which object), one after it (how browsers may cache it). */
interface EdgeFunctions {
  readonly viewerRequest: cloudfront.IFunction;
  readonly viewerResponse: cloudfront.IFunction;
}

/** Props for {@link FeedSite}. Everything is optional: the defaults serve the site on its CloudFront domain. */
export interface FeedSiteProps {
  /**
   * Custom domain names (aliases) for the distribution, e.g. `['news.example.com']`.
   * The first one becomes the site's canonical URL. Requires `certificate`.
   * @default - none: the site is served on its `*.cloudfront.net` domain
   */
  readonly domainNames?: readonly string[];
  /**
   * ACM certificate covering `domainNames`. CloudFront only accepts certificates issued in us-east-1.
   * @default - none: CloudFront's default `*.cloudfront.net` certificate
   */
  readonly certificate?: ICertificate;
  /**
   * Paths whose responses carry CORS headers (allow-origin `*`, GET/HEAD, conditional requests),
   * so browser-based feed readers on other origins can fetch them.
   * @default ['/feed.json', '/tags/*\/feed.json', '/archive/*\/feed.json'] - the JSON feeds, read from JavaScript;
   * the archive pages too, since apps follow JSON Feed's next_url into them to backfill
   */
  readonly corsPaths?: readonly string[];
  /**
   * Content-Security-Policy sent with every response.
   * @default - static pages: inline styles only, no scripts, images from this site or any HTTPS origin
   */
  readonly contentSecurityPolicy?: string;
  /**
   * How long CloudFront keeps an object that came without a Cache-Control header.
   * The publisher sets Cache-Control on what it writes, and it invalidates changed paths, so this is a fallback.
   * @default Duration.minutes(5)
   */
  readonly defaultTtl?: Duration;
  /**
   * Bucket receiving the site bucket's server access logs (prefix `site-bucket/`)
   * and the distribution's standard logs (prefix `cloudfront/`). It must allow ACL writes (Object Writer ownership),
   * which CloudFront standard logging requires.
   * @default - no access logs
   */
  readonly accessLogsBucket?: s3.IBucket;
}

/**
 * Where readers get the site from: a private S3 bucket the publisher writes pages and feeds into,
 * served only through a CloudFront distribution (HTTPS, HTTP/2 and HTTP/3, compression, security headers,
 * pretty URLs, a real 404 page, CORS on the JSON feeds).
 */
export class FeedSite extends Construct {
  /** The bucket holding the rendered site; nothing but CloudFront (and whoever is granted access) can read it. */
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** Canonical base URL of the site, with a trailing slash: `https://<first domain name or CloudFront domain>/`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: FeedSiteProps = {}) {
    super(scope, id);
    const domainNames = props.domainNames ? [...props.domainNames] : undefined;
    if (domainNames?.length && !props.certificate) {
      throw new Error('FeedSite: domainNames need a certificate (an ACM certificate in us-east-1)');
    }
    this.bucket = this.createBucket(props.accessLogsBucket);
    const cachePolicy = this.createCachePolicy(props.defaultTtl ?? Duration.minutes(5));
    const headers = this.createResponseHeaders(props.contentSecurityPolicy ?? CONTENT_SECURITY_POLICY);
    const edge = this.createEdgeFunctions();
    this.distribution = this.createDistribution(props, domainNames, cachePolicy, headers, edge);
    this.url = `https://${domainNames?.[0] ?? this.distribution.distributionDomainName}/`;
    this.acknowledgeFindings(props.certificate !== undefined);
  }

  /** Holds the rendered site; readable only through the distribution, and it answers CORS preflights. */
  private createBucket(accessLogsBucket: s3.IBucket | undefined): s3.Bucket {
    return new s3.Bucket(
      this,
      'Bucket',
      privateBucket({
        // The site is derived data: the publisher can rebuild it from the content bucket, so it is not versioned.
        // Retained anyway (privateBucket) so deleting the stack never takes a live site down with it.
        serverAccessLogsBucket: accessLogsBucket,
        serverAccessLogsPrefix: accessLogsBucket ? 'site-bucket/' : undefined,
        // S3 only answers a CORS preflight (OPTIONS) if the bucket has a CORS rule; CloudFront then overrides
        // the headers with the response headers policy below, so this rule only has to let the preflight succeed.
        cors: [
          {
            allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.HEAD],
            allowedOrigins: ['*'],
            allowedHeaders: ['If-None-Match', 'If-Modified-Since'],
            exposedHeaders: ['ETag'],
            maxAge: Duration.days(1).toSeconds(),
          },
        ],
      }),
    );
  }

  /**
   * Cache keys are the path alone (no cookies, headers or query strings: the site is static),
   * and the TTLs bound, rather than replace, the Cache-Control the publisher puts on each object.
   */
  private createCachePolicy(defaultTtl: Duration): cloudfront.CachePolicy {
    return new cloudfront.CachePolicy(this, 'CachePolicy', {
      comment: 'Static feed site: honour the origin Cache-Control, path-only cache key',
      minTtl: Duration.seconds(0),
      defaultTtl,
      maxTtl: Duration.days(365),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
    });
  }

  /** Security headers on every response (override: true, whatever S3 sends); the feeds' policy adds CORS. */
  private createResponseHeaders(contentSecurityPolicy: string): ResponseHeaders {
    const securityHeadersBehavior: cloudfront.ResponseSecurityHeadersBehavior = {
      strictTransportSecurity: {
        accessControlMaxAge: Duration.days(730),
        // Not includeSubdomains: with a custom apex domain that would pin HTTPS on sibling hosts we do not own.
        includeSubdomains: false,
        override: true,
      },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      referrerPolicy: {
        referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
        override: true,
      },
      contentSecurityPolicy: {
        contentSecurityPolicy,
        override: true,
      },
    };
    const pageHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Security headers for the static feed site',
      securityHeadersBehavior,
    });
    const feedHeaders = new cloudfront.ResponseHeadersPolicy(this, 'FeedCorsHeaders', {
      comment: 'Security headers plus CORS for feeds read by browser-based readers',
      securityHeadersBehavior,
      corsBehavior: {
        accessControlAllowOrigins: ['*'],
        accessControlAllowMethods: ['GET', 'HEAD', 'OPTIONS'],
        // Readers poll: let them revalidate with conditional requests and read the validator back.
        accessControlAllowHeaders: ['If-None-Match', 'If-Modified-Since'],
        accessControlExposeHeaders: ['ETag', 'Last-Modified'],
        accessControlAllowCredentials: false,
        accessControlMaxAge: Duration.days(1),
        originOverride: true,
      },
    });
    return { pages: pageHeaders, feeds: feedHeaders };
  }

  /** Pretty URLs and the feed view at the edge; what deploys is the file test/infra/cloudfront/edge.test.ts runs. */
  private createEdgeFunctions(): EdgeFunctions {
    const indexRewrite = new cloudfront.Function(this, 'IndexRewrite', {
      comment: 'Serve /dir/ and /dir from /dir/index.html, and feed navigations from the feed view',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromFile({
        filePath: fileURLToPath(new URL('./cloudfront/index-rewrite.js', import.meta.url)),
      }),
    });
    const feedView = new cloudfront.Function(this, 'FeedView', {
      comment: 'Vary on the headers that choose between a feed and its browser view',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromFile({
        filePath: fileURLToPath(new URL('./cloudfront/feed-view.js', import.meta.url)),
      }),
    });
    return { viewerRequest: indexRewrite, viewerResponse: feedView };
  }

  /**
   * HTTPS only, HTTP/2 and HTTP/3, compressed: pages through the default behaviour, the CORS paths through the
   * feeds' behaviour, a missing path answered with the site's 404 page.
   */
  private createDistribution(props: FeedSiteProps, domainNames: string[] | undefined, cachePolicy: cloudfront.ICachePolicy, headers: ResponseHeaders, edge: EdgeFunctions): cloudfront.Distribution {
    // LIST as well as READ: without s3:ListBucket S3 answers a missing key with 403, which would hide
    // real "not found" pages behind an access-denied error.
    const origin = S3BucketOrigin.withOriginAccessControl(this.bucket, {
      originAccessLevels: [cloudfront.AccessLevel.READ, cloudfront.AccessLevel.LIST],
    });
    const feedBehavior: cloudfront.BehaviorOptions = {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      compress: true,
      cachePolicy,
      // OPTIONS for CORS preflights; the Origin and Access-Control-Request-* headers go to S3 so it answers them.
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
      originRequestPolicy: cloudfront.OriginRequestPolicy.CORS_S3_ORIGIN,
      responseHeadersPolicy: headers.feeds,
    };

    return new cloudfront.Distribution(this, 'Distribution', {
      comment: 'wirefeed: news feeds and article pages',
      defaultRootObject: FRONT_PAGE,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      domainNames,
      certificate: props.certificate,
      // Only meaningful with our own certificate; the default *.cloudfront.net one has a fixed policy.
      minimumProtocolVersion: props.certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      enableLogging: props.accessLogsBucket !== undefined,
      logBucket: props.accessLogsBucket,
      logFilePrefix: props.accessLogsBucket ? 'cloudfront/' : undefined,
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        compress: true,
        cachePolicy,
        responseHeadersPolicy: headers.pages,
        functionAssociations: [
          { function: edge.viewerRequest, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
          { function: edge.viewerResponse, eventType: cloudfront.FunctionEventType.VIEWER_RESPONSE },
        ],
      },
      additionalBehaviors: Object.fromEntries((props.corsPaths ?? DEFAULT_CORS_PATHS).map((path) => [path, feedBehavior])),
      errorResponses: [
        {
          httpStatus: 404,
          responseHttpStatus: 404,
          responsePagePath: `/${NOT_FOUND_PAGE}`,
          // Short, so a page published a moment after someone asked for it does not stay "missing".
          ttl: Duration.minutes(1),
        },
      ],
    });
  }

  /** Findings that do not apply to a public, static, read-only news site, with the reason why. */
  private acknowledgeFindings(hasCertificate: boolean): void {
    const distribution = Validations.of(this.distribution);
    distribution.acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'A public news site is meant to be read everywhere; there is no licensing or legal reason to geo-block.',
    });
    distribution.acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'Static, read-only objects from S3: no forms, logins or dynamic origin for WAF rules to protect, and only ' +
        'GET, HEAD and CORS-preflight OPTIONS are allowed. Shield Standard, included with CloudFront, covers ' +
        'network-layer DDoS.',
    });
    if (!hasCertificate) {
      distribution.acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a custom domain the distribution uses the *.cloudfront.net certificate, whose TLS policy CloudFront ' +
          'fixes; with domainNames and a certificate this construct enforces TLSv1.2_2021.',
      });
    }
    distribution.acknowledge({
      id: 'Annotation::@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
      reason:
        'defaultRootObject is index.html, the viewer-request function rewrites every other "directory" URL to its ' +
        'index.html and query strings are not forwarded, so no request can reach S3 as a bucket listing.',
    });
  }
}
