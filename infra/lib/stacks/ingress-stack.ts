/**
 * IngressStack: the long-lived gRPC server agents dial out to, on Fargate behind a Network Load
 * Balancer that terminates TLS on 443 (ALPN HTTP/2 only) and forwards plaintext HTTP/2 (h2c) to
 * the tasks. Why an NLB rather than an ALB is written down in docs/deploy.md ("Ingress"): in
 * short, its idle timer counts HTTP/2 PINGs, it bills connections not requests, and it passes a
 * 30-minute stream through untouched.
 *
 * Stopping a task (deploy, scale-in): ECS deregisters it (new streams go elsewhere at once),
 * waits the short deregistration delay, then sends SIGTERM; the ingress tells its agents to
 * reconnect elsewhere and exits within the drain grace; SIGKILL comes only after the stop
 * timeout. Connection termination at deregistration is off, so the NLB never cuts a draining
 * stream. Deploys roll in waves (at most 150 % of the tasks running), so only part of the
 * agents reconnect at a time.
 */

import { readFileSync } from "node:fs";
import { Duration, IgnoreMode, Stack, type StackProps } from "aws-cdk-lib";
import { Certificate, CertificateValidation } from "aws-cdk-lib/aws-certificatemanager";
import { MathExpression, Metric } from "aws-cdk-lib/aws-cloudwatch";
import { Peer, Port, SecurityGroup, SubnetType } from "aws-cdk-lib/aws-ec2";
import { Platform } from "aws-cdk-lib/aws-ecr-assets";
import {
  type CfnService,
  ContainerImage,
  CpuArchitecture,
  Secret as EcsSecret,
  FargateService,
  FargateTaskDefinition,
  LogDrivers,
  OperatingSystemFamily,
  UlimitName,
} from "aws-cdk-lib/aws-ecs";
import {
  AlpnPolicy,
  NetworkLoadBalancer,
  type NetworkTargetGroup,
  Protocol,
  SslPolicy,
} from "aws-cdk-lib/aws-elasticloadbalancingv2";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { ARecord, HostedZone, RecordTarget } from "aws-cdk-lib/aws-route53";
import { LoadBalancerTarget } from "aws-cdk-lib/aws-route53-targets";
import type { Construct } from "constructs";
import { resourceNames } from "../config/names.ts";
import { fromRoot, ingressImage, repoRoot } from "../config/paths.ts";
import type { StageConfig } from "../config/stages.ts";
import { jobKinds, objectPrefixes } from "../config/table-schema.ts";
import { grantPrefix, grantTableData } from "../constructs/grants.ts";
import { scaleIngress, streamsPerTaskExpression } from "../constructs/ingress-scaling.ts";
import { acknowledgeLogGroup } from "../constructs/log-groups.ts";
import { runtimeEnvironment } from "../constructs/runtime-env.ts";
import { acknowledge, acknowledgeGuard } from "../nag.ts";
import type { DataStack } from "./data-stack.ts";
import type { NetworkStack } from "./network-stack.ts";

/** gRPC (h2c) port the NLB forwards to, and the health endpoint's port. */
export const ingressPorts = { grpc: 8080, health: 8081 } as const;
/** Well above ~19k streams per task plus files, sockets to AWS and NATS. */
export const ingressNofile = 65_536;
/** Deploy waves: at most this share of the desired tasks runs during a rollout. */
export const ingressMaxHealthyPercent = 150;
/** Fargate's ceiling for the stop timeout. */
const maxStopTimeoutSeconds = 120;

export interface IngressStackProps extends StackProps {
  readonly config: StageConfig;
  readonly data: DataStack;
  readonly network: NetworkStack;
}

export class IngressStack extends Stack {
  readonly service: FargateService;
  readonly loadBalancer: NetworkLoadBalancer;
  readonly targetGroup: NetworkTargetGroup;
  /** Agent streams per running task: the scaling and alarm signal. */
  readonly streamsPerTask: MathExpression;

  constructor(scope: Construct, id: string, props: IngressStackProps) {
    super(scope, id, props);
    const { config, data, network } = props;
    const names = resourceNames(config);
    const drainGraceSeconds = config.ingress.drainGraceSeconds;
    const hostName = `agents.${config.dns.zoneName}`;

    const taskDefinition = new FargateTaskDefinition(this, "Task", {
      cpu: config.ingress.cpu,
      memoryLimitMiB: config.ingress.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: CpuArchitecture.ARM64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
    });
    const logs = new LogGroup(this, "Logs", { retention: config.retention.cloudWatchLogs });
    acknowledgeLogGroup(logs);
    const container = taskDefinition.addContainer("ingress", {
      image: ContainerImage.fromAsset(repoRoot, {
        file: ingressImage.dockerfile,
        platform: Platform.LINUX_ARM64,
        ignoreMode: IgnoreMode.DOCKER,
        exclude: dockerIgnorePatterns(),
      }),
      environment: {
        ...runtimeEnvironment(config, data, network.natsUrl),
        ASSAY_INGRESS_PORT: String(ingressPorts.grpc),
        ASSAY_HEALTH_PORT: String(ingressPorts.health),
        // The NLB terminates TLS; the task speaks plaintext HTTP/2.
        ASSAY_INGRESS_TLS: "off",
        ASSAY_DRAIN_GRACE_MS: String(drainGraceSeconds * 1000),
        // Explicit, not left to the platform: the runtime config silently defaults it to us-east-1.
        AWS_REGION: this.region,
      },
      // Injected by ECS at start from Secrets Manager; never in the task definition.
      secrets: { ASSAY_CONFIG_KEY: EcsSecret.fromSecretsManager(data.configKey) },
      // The image's unprivileged user; the process writes no files (TLS is off behind the NLB).
      user: "node",
      readonlyRootFilesystem: true,
      memoryLimitMiB: config.ingress.memoryMiB,
      portMappings: [{ containerPort: ingressPorts.grpc }, { containerPort: ingressPorts.health }],
      ulimits: [{ name: UlimitName.NOFILE, softLimit: ingressNofile, hardLimit: ingressNofile }],
      stopTimeout: Duration.seconds(Math.min(maxStopTimeoutSeconds, drainGraceSeconds + 30)),
      healthCheck: {
        command: [
          "CMD",
          "node",
          "-e",
          `fetch('http://127.0.0.1:${ingressPorts.health}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
        ],
        interval: Duration.seconds(15),
        startPeriod: Duration.seconds(20),
      },
      logging: LogDrivers.awsLogs({ streamPrefix: "ingress", logGroup: logs }),
    });
    acknowledge(taskDefinition, "AwsSolutions-IAM5", {
      finding: "Resource::*",
      reason:
        "The execution role pulls the image: ecr:GetAuthorizationToken has no resource-level permissions.",
    });
    acknowledge(taskDefinition, "AwsSolutions-ECS2", {
      reason:
        "Only resource names, URLs and ports are passed as environment; the task holds no secrets (it uses its task role).",
    });

    const taskRole = taskDefinition.taskRole;
    grantTableData(taskRole, taskDefinition, names);
    // Persists log chunks; mints presigned artifact uploads (multipart included) and downloads.
    grantPrefix(taskRole, taskDefinition, names, {
      bucket: "logs",
      prefix: objectPrefixes.logs,
      actions: ["s3:GetObject", "s3:PutObject"],
      list: true,
    });
    grantPrefix(taskRole, taskDefinition, names, {
      bucket: "artifacts",
      prefix: objectPrefixes.artifacts,
      actions: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
      list: true,
    });
    // Core enqueues any job kind (compaction and unpacking on completion, cleanup on delete).
    for (const kind of jobKinds) data.queues[kind].queue.grantSendMessages(taskRole);

    const lbSecurityGroup = new SecurityGroup(this, "LoadBalancerSecurityGroup", {
      vpc: network.vpc,
      description: "Ingress NLB: agents connect from anywhere on 443",
      allowAllOutbound: false,
    });
    lbSecurityGroup.addIngressRule(Peer.anyIpv4(), Port.tcp(443), "Agents (TLS, HTTP/2 gRPC)");
    acknowledge(lbSecurityGroup, "AwsSolutions-EC23", {
      reason:
        "Agents run in customers' networks anywhere on the internet and dial out to 443; authentication is the agent token.",
    });
    const taskSecurityGroup = new SecurityGroup(this, "TaskSecurityGroup", {
      vpc: network.vpc,
      description: "Ingress tasks: gRPC and health checks from the NLB only",
      allowAllOutbound: true,
    });
    for (const port of [ingressPorts.grpc, ingressPorts.health]) {
      taskSecurityGroup.addIngressRule(lbSecurityGroup, Port.tcp(port), "From the ingress NLB");
      lbSecurityGroup.addEgressRule(taskSecurityGroup, Port.tcp(port), "To ingress tasks");
    }

    this.service = new FargateService(this, "Service", {
      cluster: network.cluster,
      taskDefinition,
      // Start replacements before stopping old tasks, in waves of at most half the service (so
      // never every agent reconnecting at once); roll back a deploy that never gets healthy.
      minHealthyPercent: 100,
      maxHealthyPercent: ingressMaxHealthyPercent,
      circuitBreaker: { rollback: true },
      healthCheckGracePeriod: Duration.seconds(60),
      securityGroups: [taskSecurityGroup, network.natsClients],
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
    });
    // Autoscaling owns the task count; a deploy must not reset it (that would cut streams).
    (this.service.node.defaultChild as CfnService).addPropertyDeletionOverride("DesiredCount");

    this.loadBalancer = new NetworkLoadBalancer(this, "LoadBalancer", {
      vpc: network.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      securityGroups: [lbSecurityGroup],
      crossZoneEnabled: true,
      deletionProtection: config.protectData,
    });
    if (!config.protectData) {
      acknowledgeGuard(
        this.loadBalancer,
        "elbv2_deletion_protection_enabled_check",
        "Stages that do not protect data (dev) are torn down whole; deletion protection stays on where data is protected (prod).",
      );
    }
    this.loadBalancer.logAccessLogs(data.accessLogsBucket, `nlb/${config.stage}-ingress`);
    acknowledgeGuard(
      this.loadBalancer,
      "elbv2_logging_enabled_check",
      "Access logging is on; the bucket is the Data stack's access-log bucket, imported (Fn::ImportValue), which the control cannot resolve. The Ingress suite checks the attributes.",
    );

    const zone = HostedZone.fromHostedZoneAttributes(this, "Zone", {
      zoneName: config.dns.zoneName,
      hostedZoneId: config.dns.hostedZoneId,
    });
    const certificate = new Certificate(this, "Certificate", {
      domainName: hostName,
      validation: CertificateValidation.fromDns(zone),
    });
    const listener = this.loadBalancer.addListener("Tls", {
      port: 443,
      protocol: Protocol.TLS,
      certificates: [certificate],
      sslPolicy: SslPolicy.RECOMMENDED_TLS,
      // gRPC is HTTP/2 only; refusing HTTP/1.1 at the handshake gives clients a clear error.
      alpnPolicy: AlpnPolicy.HTTP2_ONLY,
    });
    this.targetGroup = listener.addTargets("Ingress", {
      port: ingressPorts.grpc,
      protocol: Protocol.TCP,
      targets: [
        this.service.loadBalancerTarget({
          containerName: container.containerName,
          containerPort: ingressPorts.grpc,
        }),
      ],
      // Short: only until the NLB sends no new flows; the SIGTERM drain moves the agents.
      deregistrationDelay: Duration.seconds(config.ingress.deregistrationDelaySeconds),
      healthCheck: {
        protocol: Protocol.HTTP,
        port: String(ingressPorts.health),
        path: "/healthz",
        interval: Duration.seconds(10),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
    });
    // Explicit (it is the default): a deregistered task keeps its streams until it drains them.
    this.targetGroup.setAttribute("deregistration_delay.connection_termination.enabled", "false");
    new ARecord(this, "AliasRecord", {
      zone,
      recordName: hostName,
      target: RecordTarget.fromAlias(new LoadBalancerTarget(this.loadBalancer)),
    });

    const runningTasks = new Metric({
      namespace: "ECS/ContainerInsights",
      metricName: "RunningTaskCount",
      dimensionsMap: { ClusterName: network.cluster.clusterName, ServiceName: this.service.serviceName },
      statistic: "Average",
      period: Duration.minutes(1),
    });
    const flows = this.loadBalancer.metrics.activeFlowCount({
      statistic: "Average",
      period: Duration.minutes(1),
    });
    this.streamsPerTask = new MathExpression({
      expression: streamsPerTaskExpression,
      usingMetrics: { flows, tasks: runningTasks },
      label: "Agent streams per task",
      period: Duration.minutes(1),
    });
    scaleIngress(this.service, config.ingress, flows, runningTasks);
  }
}

/** The ignore list beside the Dockerfile, applied to the asset copy CDK stages for the build. */
function dockerIgnorePatterns(): string[] {
  return readFileSync(fromRoot(ingressImage.ignoreFile), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}
