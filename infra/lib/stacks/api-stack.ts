/**
 * ApiStack: the Hono app on Lambda, twice.
 *
 * - `Handler` (functions/api/lambda.ts) behind an HTTP API serves every route. HTTP API, not a
 *   Function URL: stage throttling, access logs and custom domains at a third of REST API's
 *   price. It buffers responses and cuts them at 30 s, so there a log follow answers within 20 s
 *   and the client resumes from Last-Event-ID.
 * - `Stream` (functions/api/lambda-stream.ts) is the same app with Lambda response streaming
 *   behind a Function URL (IAM auth, RESPONSE_STREAM). CloudFront sends it only the routes that
 *   need streaming (live log follows, the artifact archive) and signs each request with origin
 *   access control (WebStack). Follows stay open up to 14 minutes.
 *
 * The dashboard reaches both through CloudFront on its own domain, so no CORS is configured here.
 * docs/deploy.md, "API: HTTP API and live logs", explains the split.
 */
import { Duration, Stack, type StackProps } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import { DomainName, HttpApi, type HttpStage, LogGroupLogDestination } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { Certificate, CertificateValidation } from "aws-cdk-lib/aws-certificatemanager";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import {
  type FunctionUrl,
  FunctionUrlAuthType,
  InvokeMode,
  type Function as LambdaFunction,
} from "aws-cdk-lib/aws-lambda";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { ARecord, HostedZone, type IHostedZone, RecordTarget } from "aws-cdk-lib/aws-route53";
import { ApiGatewayv2DomainProperties } from "aws-cdk-lib/aws-route53-targets";
import { EmailIdentity, Identity } from "aws-cdk-lib/aws-ses";
import type { Construct } from "constructs";
import { arn, type ResourceNames, resourceNames } from "../config/names.ts";
import type { StageConfig } from "../config/stages.ts";
import { jobKinds, objectPrefixes } from "../config/table-schema.ts";
import { AssayFunction } from "../constructs/assay-function.ts";
import { grantPrefix, grantTableData } from "../constructs/grants.ts";
import { acknowledgeLogGroup } from "../constructs/log-groups.ts";
import { runtimeEnvironment, useConfigKey } from "../constructs/runtime-env.ts";
import { acknowledge, acknowledgeGuard } from "../nag.ts";
import type { DataStack } from "./data-stack.ts";
import type { NetworkStack } from "./network-stack.ts";

/** One JSON object per request, with HTTP API's own context variables (not REST API's). */
export const httpApiAccessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: "$context.requestId",
    ip: "$context.identity.sourceIp",
    requestTime: "$context.requestTime",
    method: "$context.httpMethod",
    path: "$context.path",
    status: "$context.status",
    protocol: "$context.protocol",
    responseLength: "$context.responseLength",
    latencyMs: "$context.responseLatency",
    integrationError: "$context.integrationErrorMessage",
  }),
);

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
  /** The streaming twin of the handler, reached only through CloudFront. */
  readonly stream: AssayFunction;
  /** Its Function URL (IAM auth, response streaming): CloudFront's origin for the streamed routes. */
  readonly streamUrl: FunctionUrl;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, data, network } = props;
    const names = resourceNames(config);

    // In the VPC only to reach NATS (doorbells, live log fan-out).
    const vpc = network.natsUrl ? { vpc: network.vpc, securityGroup: network.natsClients } : undefined;
    this.handler = new AssayFunction(this, "Handler", {
      entry: "api",
      memoryMiB: config.api.memoryMiB,
      timeout: Duration.seconds(config.api.timeoutSeconds),
      environment: runtimeEnvironment(config, data, network.natsUrl),
      logRetention: config.retention.cloudWatchLogs,
      vpc,
    });
    const fn = this.handler.function;
    useConfigKey(fn, data);
    grantReads(this.handler, names);
    // Core enqueues any job kind (cleanup on delete, compaction and unpacking on completion).
    for (const kind of jobKinds) data.queues[kind].queue.grantSendMessages(fn);

    this.stream = new AssayFunction(this, "Stream", {
      entry: "api-stream",
      memoryMiB: config.api.stream.memoryMiB,
      // Lambda's ceiling; the entry ends a follow after 14 minutes and the client resumes.
      timeout: Duration.minutes(15),
      // No config key, no mail sender, no job sends: it serves reads (follows, archives).
      environment: runtimeEnvironment(config, data, network.natsUrl),
      logRetention: config.retention.cloudWatchLogs,
      reservedConcurrency: config.api.stream.reservedConcurrency,
      vpc,
    });
    grantReads(this.stream, names);
    this.streamUrl = this.stream.function.addFunctionUrl({
      authType: FunctionUrlAuthType.AWS_IAM,
      invokeMode: InvokeMode.RESPONSE_STREAM,
    });

    this.mail(config, fn);

    this.api = new HttpApi(this, "HttpApi", {
      description: `Assay ${config.stage} control plane API`,
      defaultIntegration: new HttpLambdaIntegration("Hono", fn),
      createDefaultStage: false,
    });
    const appAuth =
      "Authentication (session cookies, API tokens) is enforced by the application on every route, in core; public routes (signup, login, health) must stay reachable.";
    acknowledge(this.api, "AwsSolutions-APIG4", { reason: appAuth });
    acknowledgeGuard(this.api, "api_gw_v2_authorization_type_configured_check", appAuth);
    acknowledgeGuard(
      this.api,
      "lambda_function_public_access_prohibited_check",
      "API Gateway's invoke permission carries aws:SourceArn = this API as Fn::Join, which the control cannot evaluate; the deploy-rules suite checks every service-principal permission has a source condition.",
    );

    const accessLogs = new LogGroup(this, "AccessLogs", { retention: config.retention.cloudWatchLogs });
    acknowledgeLogGroup(accessLogs);
    const domainName = this.directDomain(config);
    this.stage = this.api.addStage("DefaultStage", {
      stageName: "$default",
      autoDeploy: true,
      throttle: config.api.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: httpApiAccessLogFormat,
      },
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

/**
 * What both API functions need to serve reads: items (authentication itself writes rate windows
 * and token last-used stamps), log objects, and artifact objects for presigned downloads and the
 * archive. Uploads are presigned by the ingress, never by the API, so no PutObject here.
 */
function grantReads(fn: AssayFunction, names: ResourceNames): void {
  grantTableData(fn.function, fn.role, names);
  for (const bucket of ["logs", "artifacts"] as const) {
    grantPrefix(fn.function, fn.role, names, {
      bucket,
      prefix: objectPrefixes[bucket],
      actions: ["s3:GetObject"],
      list: true,
    });
  }
}
