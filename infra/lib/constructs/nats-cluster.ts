/**
 * NatsCluster: core NATS (no JetStream: nothing is persisted, DynamoDB and S3 are the truth) as
 * one small Fargate service per node, each with its own stable Cloud Map name
 * (`nats-<i>.<namespace>`). Every node lists every node's name as an explicit route; NATS retries
 * an explicit route until it connects (resolving the name again on every attempt), so nodes that
 * start together cannot stay islands the way one shared name allowed (a node that resolved only
 * itself at start never dialled again). A node's route to itself is detected and dropped.
 *
 * Services are updated one after another (each depends on the previous one), so a deploy never
 * replaces every node at once. Reachable only from the `clients` security group (the ingress
 * tasks and the functions that publish doorbells or read live logs); routes only between nodes.
 */
import { Duration } from "aws-cdk-lib";
import { type IVpc, Port, SecurityGroup, SubnetType } from "aws-cdk-lib/aws-ec2";
import {
  type Cluster,
  ContainerImage,
  CpuArchitecture,
  FargateService,
  FargateTaskDefinition,
  LogDrivers,
  OperatingSystemFamily,
} from "aws-cdk-lib/aws-ecs";
import { FilterPattern, LogGroup, MetricFilter, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { DnsRecordType, type INamespace } from "aws-cdk-lib/aws-servicediscovery";
import { Construct } from "constructs";
import { acknowledgeLogGroup } from "./log-groups.ts";

/** Pinned minor version; public ECR mirrors the official image, so no Docker Hub rate limits. */
export const natsImage = "public.ecr.aws/docker/library/nats:2.11-alpine";
/** Unprivileged user of the alpine image's `nobody`: NATS needs no root and writes no files. */
const natsUser = "65534:65534";
/** Metric counting failed route connection attempts (one per attempt of a route that was up). */
export const natsRouteErrorsMetric = { namespace: "Assay/NATS", metricName: "RouteConnectErrors" } as const;
export const natsClientPort = 4222;
export const natsClusterPort = 6222;
const natsMonitorPort = 8222;

export interface NatsClusterProps {
  readonly vpc: IVpc;
  readonly cluster: Cluster;
  readonly namespace: INamespace;
  /** Members of this group may connect as clients. */
  readonly clients: SecurityGroup;
  readonly tasks: number;
  readonly logRetention: RetentionDays;
}

export class NatsCluster extends Construct {
  /** Every node's client URL, comma-separated, resolvable inside the VPC. */
  readonly url: string;
  /** One service per node, each with one task. */
  readonly services: FargateService[];
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: NatsClusterProps) {
    super(scope, id);
    const hosts = Array.from({ length: props.tasks }, (_, i) => `nats-${i}.${props.namespace.namespaceName}`);
    this.url = hosts.map((host) => `nats://${host}:${natsClientPort}`).join(",");
    this.logGroup = new LogGroup(this, "Logs", { retention: props.logRetention });
    acknowledgeLogGroup(this.logGroup);
    // Counted so a route that stays down alarms (MonitoringStack).
    new MetricFilter(this, "RouteErrors", {
      logGroup: this.logGroup,
      filterPattern: FilterPattern.literal('"Error trying to connect to route"'),
      metricNamespace: natsRouteErrorsMetric.namespace,
      metricName: natsRouteErrorsMetric.metricName,
      metricValue: "1",
      defaultValue: 0,
    });

    const taskDefinition = this.taskDefinition(hosts);
    const securityGroup = new SecurityGroup(this, "SecurityGroup", {
      vpc: props.vpc,
      description: "NATS cluster: clients on 4222 from the clients group, routes between members",
      allowAllOutbound: true,
    });
    securityGroup.addIngressRule(props.clients, Port.tcp(natsClientPort), "NATS clients");
    securityGroup.addIngressRule(securityGroup, Port.tcp(natsClusterPort), "NATS cluster routes");

    this.services = hosts.map((_, i) => {
      const service = new FargateService(this, i === 0 ? "Service" : `Service${i}`, {
        cluster: props.cluster,
        taskDefinition,
        desiredCount: 1,
        // Start the replacement before stopping the old task.
        minHealthyPercent: 100,
        maxHealthyPercent: 200,
        circuitBreaker: { rollback: true },
        securityGroups: [securityGroup],
        vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
        cloudMapOptions: {
          cloudMapNamespace: props.namespace,
          name: `nats-${i}`,
          dnsRecordType: DnsRecordType.A,
          dnsTtl: Duration.seconds(10),
        },
      });
      return service;
    });
    // One node at a time: CloudFormation updates a service only after the one it depends on.
    for (let i = 1; i < this.services.length; i++) {
      this.services[i]?.node.addDependency(this.services[i - 1] as FargateService);
    }
  }

  private taskDefinition(hosts: readonly string[]): FargateTaskDefinition {
    const taskDefinition = new FargateTaskDefinition(this, "Task", {
      cpu: 256,
      memoryLimitMiB: 512,
      runtimePlatform: {
        cpuArchitecture: CpuArchitecture.ARM64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
    });
    taskDefinition.addContainer("nats", {
      image: ContainerImage.fromRegistry(natsImage),
      user: natsUser,
      readonlyRootFilesystem: true,
      memoryLimitMiB: 512,
      command: [
        "--port",
        String(natsClientPort),
        "--http_port",
        String(natsMonitorPort),
        "--cluster_name",
        "assay",
        "--cluster",
        `nats://0.0.0.0:${natsClusterPort}`,
        "--routes",
        hosts.map((host) => `nats://${host}:${natsClusterPort}`).join(","),
      ],
      portMappings: [{ containerPort: natsClientPort }, { containerPort: natsClusterPort }],
      healthCheck: {
        command: ["CMD-SHELL", `wget -q -O /dev/null http://127.0.0.1:${natsMonitorPort}/healthz || exit 1`],
        interval: Duration.seconds(10),
        startPeriod: Duration.seconds(10),
      },
      logging: LogDrivers.awsLogs({ streamPrefix: "nats", logGroup: this.logGroup }),
    });
    return taskDefinition;
  }
}
