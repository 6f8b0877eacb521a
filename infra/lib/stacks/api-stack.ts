/**
 * ApiStack: the Hono app on Lambda behind an HTTP API.
 *
 * HTTP API, not a Function URL: it gives stage throttling, access logs and custom domains at a
 * third of REST API's price, and the entry uses hono/aws-lambda's buffered `handle()`. It cannot
 * stream: integrations are capped at 30 s and responses are buffered, so live logs (SSE) are
 * served as bounded batches the browser's EventSource re-requests with Last-Event-ID
 * (docs/deploy.md, "Live logs"). The dashboard reaches the API through CloudFront on its own
 * domain (`/v1/*`), so no CORS is configured here.
 */
import { Duration, Stack, type StackProps } from "aws-cdk-lib";
import { DomainName, HttpApi, type HttpStage, LogGroupLogDestination } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { Certificate, CertificateValidation } from "aws-cdk-lib/aws-certificatemanager";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { ARecord, HostedZone, type IHostedZone, RecordTarget } from "aws-cdk-lib/aws-route53";
import { ApiGatewayv2DomainProperties } from "aws-cdk-lib/aws-route53-targets";
import { EmailIdentity, Identity } from "aws-cdk-lib/aws-ses";
import type { Construct } from "constructs";
import { arn, resourceNames } from "../config/names.ts";
import type { StageConfig } from "../config/stages.ts";
import { jobKinds, objectPrefixes } from "../config/table-schema.ts";
import { AssayFunction } from "../constructs/assay-function.ts";
import { grantPrefix, grantTableData } from "../constructs/grants.ts";
import { configKeyEnvironment, runtimeEnvironment } from "../constructs/runtime-env.ts";
import { acknowledge } from "../nag.ts";
import type { DataStack } from "./data-stack.ts";
import type { NetworkStack } from "./network-stack.ts";

export interface ApiStackProps extends StackProps {
  readonly config: StageConfig;
  readonly data: DataStack;
  readonly network: NetworkStack;
}

export class ApiStack extends Stack {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly handler: AssayFunction;
  /** `<id>.execute-api.<region>.amazonaws.com`, CloudFront's origin for `/v1/*`. */
  readonly originDomain: string;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, data, network } = props;
    const names = resourceNames(config);

    this.handler = new AssayFunction(this, "Handler", {
      entry: "api",
      memoryMiB: config.api.memoryMiB,
      timeout: Duration.seconds(config.api.timeoutSeconds),
      environment: { ...runtimeEnvironment(config, data, network.natsUrl), ...configKeyEnvironment(data) },
      logRetention: config.retention.cloudWatchLogs,
      // In the VPC only to reach NATS (doorbells, live log fan-out).
      vpc: network.natsUrl ? { vpc: network.vpc, securityGroup: network.natsClients } : undefined,
    });
    const fn = this.handler.function;
    grantTableData(fn, this.handler.role, names);
    // Reads logs; presigns artifact downloads and uploads (a presigned URL carries the signer's rights).
    grantPrefix(fn, this.handler.role, names, {
      bucket: "logs",
      prefix: objectPrefixes.logs,
      actions: ["s3:GetObject"],
      list: true,
    });
    grantPrefix(fn, this.handler.role, names, {
      bucket: "artifacts",
      prefix: objectPrefixes.artifacts,
      actions: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
      list: true,
    });
    // Core enqueues any job kind (cleanup on delete, compaction and unpacking on completion).
    for (const kind of jobKinds) data.queues[kind].queue.grantSendMessages(fn);

    this.mail(config, fn);

    this.api = new HttpApi(this, "HttpApi", {
      description: `Assay ${config.stage} control plane API`,
      defaultIntegration: new HttpLambdaIntegration("Hono", fn),
      createDefaultStage: false,
    });
    acknowledge(this.api, "AwsSolutions-APIG4", {
      reason:
        "Authentication (session cookies, API tokens) is enforced by the application on every route, in core; public routes (signup, login, health) must stay reachable.",
    });

    const accessLogs = new LogGroup(this, "AccessLogs", { retention: config.retention.cloudWatchLogs });
    const domainName = this.directDomain(config);
    this.stage = this.api.addStage("DefaultStage", {
      stageName: "$default",
      autoDeploy: true,
      throttle: config.api.throttle,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
      domainMapping: domainName ? { domainName } : undefined,
    });
    this.originDomain = `${this.api.apiId}.execute-api.${this.region}.amazonaws.com`;
  }

  /**
   * Verifies the mail domain in SES (DKIM records written into the zone) and lets the handler
   * send as that identity only. New SES accounts start in the sandbox: request production access.
   */
  private mail(config: StageConfig, fn: LambdaFunction): void {
    if (!config.mail) return;
    const zone = this.zone(config);
    new EmailIdentity(this, "MailIdentity", {
      identity:
        config.mail.domain === config.dns.zoneName
          ? Identity.publicHostedZone(zone)
          : Identity.domain(config.mail.domain),
    });
    fn.addEnvironment("ASSAY_MAIL_FROM", config.mail.from);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ["ses:SendEmail"],
        resources: [
          arn(`arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/${config.mail.domain}`).value,
        ],
      }),
    );
  }

  private zone(config: StageConfig): IHostedZone {
    const existing = this.node.tryFindChild("Zone") as IHostedZone | undefined;
    return (
      existing ??
      HostedZone.fromHostedZoneAttributes(this, "Zone", {
        zoneName: config.dns.zoneName,
        hostedZoneId: config.dns.hostedZoneId,
      })
    );
  }

  /** Optional `api.<zone>` for direct API clients (CLI, CI) when configured. */
  private directDomain(config: StageConfig): DomainName | undefined {
    if (!config.api.directSubdomain) return undefined;
    const zone = this.zone(config);
    const name = `${config.api.directSubdomain}.${config.dns.zoneName}`;
    const domainName = new DomainName(this, "DomainName", {
      domainName: name,
      certificate: new Certificate(this, "Certificate", {
        domainName: name,
        validation: CertificateValidation.fromDns(zone),
      }),
    });
    new ARecord(this, "AliasRecord", {
      zone,
      recordName: name,
      target: RecordTarget.fromAlias(
        new ApiGatewayv2DomainProperties(domainName.regionalDomainName, domainName.regionalHostedZoneId),
      ),
    });
    return domainName;
  }
}
