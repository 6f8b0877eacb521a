/**
 * NatsCluster: core NATS (no JetStream: nothing is persisted, DynamoDB and S3 are the truth) as a
 * small Fargate service. Tasks find each other through one Cloud Map name: every node routes to
 * `nats.<namespace>:6222`, which resolves to all task IPs, and gossip completes the mesh.
 *
 * Reachable only from the `clients` security group (the ingress tasks and the functions that
 * publish doorbells or read live logs); cluster routes only between NATS tasks.
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
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { DnsRecordType, type INamespace } from "aws-cdk-lib/aws-servicediscovery";
import { Construct } from "constructs";

/** Pinned minor version; public ECR mirrors the official image, so no Docker Hub rate limits. */
export const natsImage = "public.ecr.aws/docker/library/nats:2.11-alpine";
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
  /** `nats://nats.<namespace>:4222`, resolvable inside the VPC. */
  readonly url: string;
  readonly service: FargateService;

  constructor(scope: Construct, id: string, props: NatsClusterProps) {
    super(scope, id);
    const host = `nats.${props.namespace.namespaceName}`;
    this.url = `nats://${host}:${natsClientPort}`;

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
        `nats://${host}:${natsClusterPort}`,
      ],
      portMappings: [{ containerPort: natsClientPort }, { containerPort: natsClusterPort }],
      healthCheck: {
        command: ["CMD-SHELL", `wget -q -O /dev/null http://127.0.0.1:${natsMonitorPort}/healthz || exit 1`],
        interval: Duration.seconds(10),
        startPeriod: Duration.seconds(10),
      },
      logging: LogDrivers.awsLogs({
        streamPrefix: "nats",
        logGroup: new LogGroup(this, "Logs", { retention: props.logRetention }),
      }),
    });

    const securityGroup = new SecurityGroup(this, "SecurityGroup", {
      vpc: props.vpc,
      description: "NATS cluster: clients on 4222 from the clients group, routes between members",
      allowAllOutbound: true,
    });
    securityGroup.addIngressRule(props.clients, Port.tcp(natsClientPort), "NATS clients");
    securityGroup.addIngressRule(securityGroup, Port.tcp(natsClusterPort), "NATS cluster routes");

    this.service = new FargateService(this, "Service", {
      cluster: props.cluster,
      taskDefinition,
      desiredCount: props.tasks,
      // Replace one node at a time: start the new task before stopping the old one.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      securityGroups: [securityGroup],
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      cloudMapOptions: {
        cloudMapNamespace: props.namespace,
        name: "nats",
        dnsRecordType: DnsRecordType.A,
        dnsTtl: Duration.seconds(10),
      },
    });
  }
}
