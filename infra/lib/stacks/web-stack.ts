/**
 * WebStack: the dashboard on S3 behind CloudFront, and the API under the same domain.
 *
 * `app.<zone>/*` serves the SPA from a private bucket through origin access control; paths
 * without a file extension are rewritten to /index.html at the edge (a CloudFront Function on
 * the default behaviour only, so API 404s stay API 404s). `app.<zone>/v1/*` goes uncached to the
 * HTTP API with the viewer's cookies, query and headers: one origin for the browser, so session
 * cookies stay SameSite and no CORS is needed. Security headers on every response.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { Certificate, CertificateValidation, type ICertificate } from "aws-cdk-lib/aws-certificatemanager";
import {
  AllowedMethods,
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
import { HttpOrigin, S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { AaaaRecord, ARecord, HostedZone, RecordTarget } from "aws-cdk-lib/aws-route53";
import { CloudFrontTarget } from "aws-cdk-lib/aws-route53-targets";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import { BucketDeployment, Source } from "aws-cdk-lib/aws-s3-deployment";
import type { Construct } from "constructs";
import type { StageConfig } from "../config/stages.ts";
import { acknowledge } from "../nag.ts";
import type { ApiStack } from "./api-stack.ts";
import type { DataStack } from "./data-stack.ts";

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
            // Artifact previews are fetched by presigned GET straight from the artifacts bucket.
            `img-src 'self' data: blob: https://${data.artifactsBucket.bucketRegionalDomainName}`,
            `connect-src 'self' https://${data.artifactsBucket.bucketRegionalDomainName}`,
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
      const deployment = new BucketDeployment(this, "Assets", {
        sources: [Source.asset(props.assetsDir)],
        destinationBucket: this.siteBucket,
        distribution: this.distribution,
        distributionPaths: ["/*"],
        memoryLimit: 512,
      });
      acknowledgeBucketDeployment(this, deployment);
    }
  }

  /** CloudFront takes certificates from us-east-1 only. */
  private certificate(
    config: StageConfig,
    domainName: string,
    zone: import("aws-cdk-lib/aws-route53").IHostedZone,
  ): ICertificate {
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

/** The deployment's singleton Lambda is CDK's own; its findings are acknowledged with reasons. */
function acknowledgeBucketDeployment(stack: Stack, deployment: BucketDeployment): void {
  const reasons: Record<string, string> = {
    "AwsSolutions-IAM4":
      "CDK's BucketDeployment handler uses the AWS-managed basic execution role (logs only).",
    "AwsSolutions-IAM5":
      "CDK's BucketDeployment copies a whole asset prefix into the site bucket and invalidates the distribution; its grants are generated for that.",
    "AwsSolutions-L1": "The BucketDeployment handler's runtime is chosen and maintained by aws-cdk-lib.",
  };
  for (const [rule, reason] of Object.entries(reasons)) {
    acknowledge(deployment, rule, { reason });
    for (const child of stack.node.children) {
      if (child.node.id.startsWith("Custom::CDKBucketDeployment")) acknowledge(child, rule, { reason });
    }
  }
}
