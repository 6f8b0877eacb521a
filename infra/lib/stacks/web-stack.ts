/**
 * WebStack: the dashboard on S3 behind CloudFront, and the API under the same domain.
 *
 * `app.<zone>/*` serves the SPA from a private bucket through origin access control; paths
 * without a file extension are rewritten to /index.html at the edge (a CloudFront Function on
 * the default behaviour only, so API 404s stay API 404s). `app.<zone>/v1/*` goes uncached to the
 * HTTP API with the viewer's cookies, query and headers: one origin for the browser, so session
 * cookies stay SameSite and no CORS is needed. Security headers on every response.
 *
 * The routes that need response streaming (`streamedPaths`) go to the API's streaming function
 * instead, through its Function URL. Origin access control signs those requests (the URL takes
 * only IAM-signed calls), which replaces the viewer's Authorization header with CloudFront's
 * signature; a viewer-request function first copies the viewer's header to
 * `viewerAuthorizationHeader`, and the streaming entry puts it back.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { Certificate, CertificateValidation, type ICertificate } from "aws-cdk-lib/aws-certificatemanager";
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { FunctionUrlOrigin, HttpOrigin, S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { AaaaRecord, ARecord, HostedZone, type IHostedZone, RecordTarget } from "aws-cdk-lib/aws-route53";
import { CloudFrontTarget } from "aws-cdk-lib/aws-route53-targets";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import type { Construct } from "constructs";
import type { StageConfig } from "../config/stages.ts";
import { acknowledgeBucketControls } from "../constructs/bucket-controls.ts";
import { deployAgentPackage, deploySite } from "../constructs/site-deployment.ts";
import { acknowledge, acknowledgeGuard } from "../nag.ts";
import type { ApiStack } from "./api-stack.ts";
import type { DataStack } from "./data-stack.ts";

/**
 * Routes the streaming function serves: live log follows (open up to 14 minutes) and the
 * artifact archive (a buffered response is capped at 6 MB). More specific than `/v1/*`, so they
 * are listed before it (CloudFront takes the first pattern that matches). GET and HEAD only.
 */
export const streamedPaths = [
  "/v1/orgs/*/envs/*/executions/*/logs",
  "/v1/orgs/*/envs/*/executions/*/artifacts.tar.gz",
] as const;

/** Must match functions/api/viewer-authorization.ts (infra imports no runtime code). */
export const viewerAuthorizationHeader = "x-assay-viewer-authorization";

/** Keeps the viewer's Authorization where origin access control's signature cannot overwrite it. */
const keepViewerAuthorization = `function handler(event) {
  var headers = event.request.headers;
  delete headers["${viewerAuthorizationHeader}"];
  if (headers.authorization) headers["${viewerAuthorizationHeader}"] = { value: headers.authorization.value };
  return event.request;
}`;

/** Client-side routes have no file extension; serve them the app shell. */
const spaRewrite = `function handler(event) {
  var request = event.request;
  if (!/\\.[A-Za-z0-9]+$/.test(request.uri)) request.uri = "/index.html";
  return request;
}`;

export interface WebStackProps extends StackProps {
  readonly config: StageConfig;
  readonly data: DataStack;
  readonly api: ApiStack;
  /** Built dashboard (web/dist) to upload; omitted, the bucket is left for `aws s3 sync`. */
  readonly assetsDir?: string;
  /**
   * The agent's npm tarball directory (agent/dist-package): uploaded under /agent/, where the
   * install commands' `npx <url>` fetch it. Omitted or empty, nothing is uploaded there.
   */
  readonly agentPackageDir?: string;
}

export class WebStack extends Stack {
  readonly distribution: Distribution;
  readonly siteBucket: Bucket;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    const { config, data, api } = props;
    const domainName = `app.${config.dns.zoneName}`;
    const zone = HostedZone.fromHostedZoneAttributes(this, "Zone", {
      zoneName: config.dns.zoneName,
      hostedZoneId: config.dns.hostedZoneId,
    });

    // CloudFront's standard logs need ACLs; S3 access logs of the site bucket land here too.
    const logBucket = new Bucket(this, "EdgeLogs", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(config.retention.accessLogsDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeBucketControls(logBucket, "access-logs");
    this.siteBucket = new Bucket(this, "Site", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logBucket,
      serverAccessLogsPrefix: "s3/site/",
      // Rebuilt from git at every deploy; versions only let a bad upload be rolled back for a week.
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(7), expiredObjectDeleteMarker: true }],
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledgeBucketControls(this.siteBucket, "data");

    const headers = new ResponseHeadersPolicy(this, "SecurityHeaders", {
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          override: true,
          contentSecurityPolicy: [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            // Artifact previews (<img>, sandboxed <iframe>) redirect to presigned GETs on the bucket.
            `img-src 'self' data: blob: https://${data.artifactsBucket.bucketRegionalDomainName}`,
            `frame-src 'self' https://${data.artifactsBucket.bucketRegionalDomainName}`,
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
          ].join("; "),
        },
        strictTransportSecurity: {
          override: true,
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { override: true, frameOption: HeadersFrameOption.DENY },
        referrerPolicy: {
          override: true,
          referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
        },
      },
    });

    this.distribution = new Distribution(this, "Distribution", {
      comment: `Assay ${config.stage} dashboard and API`,
      domainNames: [domainName],
      certificate: this.certificate(config, domainName, zone),
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultRootObject: "index.html",
      enableLogging: true,
      logBucket,
      logFilePrefix: "cloudfront/",
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.siteBucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [
          {
            eventType: FunctionEventType.VIEWER_REQUEST,
            function: new EdgeFunction(this, "SpaRewrite", {
              code: FunctionCode.fromInline(spaRewrite),
              runtime: FunctionRuntime.JS_2_0,
            }),
          },
        ],
      },
      additionalBehaviors: {
        ...this.streamedBehaviors(api, headers),
        "/v1/*": {
          origin: new HttpOrigin(api.originDomain, {
            protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
            readTimeout: Duration.seconds(30),
          }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
        },
      },
    });
    acknowledge(this.distribution, "AwsSolutions-CFR1", {
      reason: "Agents, users and CI run worldwide; there is no country to block.",
    });
    acknowledgeGuard(
      this.distribution,
      "cloudfront_origin_failover_enabled_check",
      "One region, one site bucket and one API: there is no second origin to fail over to; CloudFront serves the SPA from cache while S3 recovers.",
    );
    acknowledgeGuard(
      this.distribution,
      "lambda_function_public_access_prohibited_check",
      "CloudFront's permissions on the streaming Function URL carry aws:SourceArn = this distribution as Fn::Join, which the control cannot evaluate; the deploy-rules suite checks every service-principal permission has a source condition.",
    );
    acknowledge(this.distribution, "AwsSolutions-CFR2", {
      reason:
        "No WAF by default (about $6/month + per request): the API enforces its own rate limits on login, signup and tokens. Add a web ACL per stage if abuse appears.",
    });

    const target = RecordTarget.fromAlias(new CloudFrontTarget(this.distribution));
    new ARecord(this, "AliasRecord", { zone, recordName: domainName, target });
    new AaaaRecord(this, "AliasRecordIpv6", { zone, recordName: domainName, target });

    if (props.assetsDir && existsSync(join(props.assetsDir, "index.html"))) {
      deploySite(this, {
        assetsDir: props.assetsDir,
        bucket: this.siteBucket,
        distribution: this.distribution,
      });
    }
    const agentPackageDir = props.agentPackageDir;
    if (
      agentPackageDir &&
      existsSync(agentPackageDir) &&
      readdirSync(agentPackageDir).some((f) => f.endsWith(".tgz"))
    ) {
      deployAgentPackage(this, {
        dir: agentPackageDir,
        bucket: this.siteBucket,
        distribution: this.distribution,
      });
    }
  }

  /** The streamed routes, uncached, to the streaming function's URL signed by origin access control. */
  private streamedBehaviors(api: ApiStack, headers: ResponseHeadersPolicy): Record<string, BehaviorOptions> {
    const origin = FunctionUrlOrigin.withOriginAccessControl(api.streamUrl, {
      // Also the longest silence between two chunks: a quiet follow is cut after it and the
      // client resumes from Last-Event-ID. 60 s is the most CloudFront allows without a quota raise.
      readTimeout: Duration.seconds(60),
    });
    const keepAuthorization = new EdgeFunction(this, "KeepViewerAuthorization", {
      code: FunctionCode.fromInline(keepViewerAuthorization),
      runtime: FunctionRuntime.JS_2_0,
    });
    const behavior: BehaviorOptions = {
      origin,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      // Not the Host header: the Function URL routes (and the signature covers) its own host.
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: headers,
      functionAssociations: [{ eventType: FunctionEventType.VIEWER_REQUEST, function: keepAuthorization }],
    };
    return Object.fromEntries(streamedPaths.map((path) => [path, behavior]));
  }

  /** CloudFront takes certificates from us-east-1 only. */
  private certificate(config: StageConfig, domainName: string, zone: IHostedZone): ICertificate {
    if (config.web.certificateArn) {
      return Certificate.fromCertificateArn(this, "Certificate", config.web.certificateArn);
    }
    if (config.env.region === "us-east-1") {
      return new Certificate(this, "Certificate", {
        domainName,
        validation: CertificateValidation.fromDns(zone),
      });
    }
    throw new Error(
      `Stage ${config.stage}: CloudFront needs a us-east-1 certificate for ${domainName}; set web.certificateArn (docs/deploy.md, "DNS and certificates").`,
    );
  }
}
