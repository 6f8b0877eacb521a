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
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
} from "aws-cdk-lib/aws-s3";
import { BucketDeployment, Source } from "aws-cdk-lib/aws-s3-deployment";
import type { Construct } from "constructs";
import type { StageConfig } from "../config/stages.ts";
import { acknowledge } from "../nag.ts";
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
    acknowledge(logBucket, "AwsSolutions-S1", {
      reason: "This is the log bucket for CloudFront and the site bucket; logging it into itself would loop.",
    });
    this.siteBucket = new Bucket(this, "Site", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logBucket,
      serverAccessLogsPrefix: "s3/site/",
      // The dashboard is rebuilt from git at every deploy: nothing here needs keeping.
      removalPolicy: RemovalPolicy.DESTROY,
    });

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
    acknowledge(this.distribution, "AwsSolutions-CFR2", {
      reason:
        "No WAF by default (about $6/month + per request): the API enforces its own rate limits on login, signup and tokens. Add a web ACL per stage if abuse appears.",
    });

    const target = RecordTarget.fromAlias(new CloudFrontTarget(this.distribution));
    new ARecord(this, "AliasRecord", { zone, recordName: domainName, target });
    new AaaaRecord(this, "AliasRecordIpv6", { zone, recordName: domainName, target });

    if (props.assetsDir && existsSync(join(props.assetsDir, "index.html"))) {
      new BucketDeployment(this, "Assets", {
        sources: [Source.asset(props.assetsDir)],
        // The agent tarball has its own deployment; pruning the dashboard leaves it alone.
        exclude: ["agent/*"],
        destinationBucket: this.siteBucket,
        distribution: this.distribution,
        distributionPaths: ["/*"],
        memoryLimit: 512,
      });
      acknowledgeBucketDeployment(this, this.siteBucket);
    }
    const agentPackageDir = props.agentPackageDir;
    if (
      agentPackageDir &&
      existsSync(agentPackageDir) &&
      readdirSync(agentPackageDir).some((f) => f.endsWith(".tgz"))
    ) {
      new BucketDeployment(this, "AgentPackage", {
        sources: [Source.asset(agentPackageDir, { exclude: [".stage-*"] })],
        destinationBucket: this.siteBucket,
        destinationKeyPrefix: "agent/",
        // Older versions stay downloadable for agents that pin them.
        prune: false,
        distribution: this.distribution,
        distributionPaths: ["/agent/*"],
        memoryLimit: 512,
      });
      acknowledgeBucketDeployment(this, this.siteBucket);
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

/**
 * BucketDeployment's handler is a CDK-maintained singleton Lambda whose grants CDK generates.
 * cdk-nag 3 takes acknowledgements per finding, so each expected finding is listed with why.
 */
function acknowledgeBucketDeployment(stack: Stack, site: Bucket): void {
  const siteArn = `<${stack.getLogicalId(site.node.defaultChild as CfnBucket)}.Arn>`;
  const qualifier = String(stack.node.tryGetContext("@aws-cdk/core:bootstrapQualifier") ?? "hnb659fds");
  const assets = `arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-<AWS::AccountId>-${stack.region}`;
  const generated =
    "CDK's BucketDeployment handler: generated grants to copy the dashboard asset into the site bucket";
  const findings: Array<[string, string, string]> = [
    [
      "AwsSolutions-IAM4",
      "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
      "CDK's BucketDeployment handler uses the AWS-managed basic execution role, which only writes its logs.",
    ],
    ...["s3:Abort*", "s3:DeleteObject*", "s3:GetBucket*", "s3:GetObject*", "s3:List*"].map(
      (action): [string, string, string] => [
        "AwsSolutions-IAM5",
        `Action::${action}`,
        `${generated} (read the asset, replace and prune the site).`,
      ],
    ),
    [
      "AwsSolutions-IAM5",
      `Resource::${siteArn}/*`,
      `${generated}: every object of the site bucket, which holds only the dashboard.`,
    ],
    [
      "AwsSolutions-IAM5",
      `Resource::${assets}/*`,
      `${generated}: the CDK bootstrap asset bucket it reads the zip from.`,
    ],
    [
      "AwsSolutions-IAM5",
      "Resource::*",
      `${generated}: cloudfront:CreateInvalidation has no resource-level scoping in CDK's policy.`,
    ],
  ];
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith("Custom::CDKBucketDeployment")) continue;
    for (const [rule, finding, reason] of findings) acknowledge(child, rule, { finding, reason });
    acknowledge(child, "AwsSolutions-L1", {
      reason: "The BucketDeployment handler's runtime is chosen and updated by aws-cdk-lib, not by this app.",
    });
  }
}
