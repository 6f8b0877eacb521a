/**
 * NetworkStack: the VPC the long-lived parts run in, the ECS cluster, and the NATS cluster that
 * both the ingress and some functions use (so it sits below both rather than inside either).
 *
 * Two AZs; tasks and VPC functions in private subnets behind NAT; free gateway endpoints keep
 * DynamoDB and S3 traffic (logs, the bulk of it) off the NAT gateways. Flow logs to CloudWatch.
 */
import { Stack, type StackProps } from "aws-cdk-lib";
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  SecurityGroup,
  SubnetType,
  Vpc,
} from "aws-cdk-lib/aws-ec2";
import { Cluster, ContainerInsights } from "aws-cdk-lib/aws-ecs";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { PrivateDnsNamespace } from "aws-cdk-lib/aws-servicediscovery";
import type { Construct } from "constructs";
import type { StageConfig } from "../config/stages.ts";
import { acknowledgeLogGroup } from "../constructs/log-groups.ts";
import { NatsCluster } from "../constructs/nats-cluster.ts";

export interface NetworkStackProps extends StackProps {
  readonly config: StageConfig;
}

export class NetworkStack extends Stack {
  readonly vpc: Vpc;
  readonly cluster: Cluster;
  /** Attach to anything that must reach NATS (ingress tasks, VPC functions). */
  readonly natsClients: SecurityGroup;
  /** Every node's `nats://...` URL (comma-separated) inside the VPC, or undefined without NATS. */
  readonly natsUrl: string | undefined;
  readonly nats: NatsCluster | undefined;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.vpc = new Vpc(this, "Vpc", {
      maxAzs: 2,
      natGateways: config.network.natGateways,
      subnetConfiguration: [
        // Only NAT gateways (Elastic IPs) and the NLB live here: nothing needs an automatic public IP.
        { name: "public", subnetType: SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: "private", subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
      gatewayEndpoints: {
        s3: { service: GatewayVpcEndpointAwsService.S3 },
        dynamodb: { service: GatewayVpcEndpointAwsService.DYNAMODB },
      },
      // Avoid the custom-resource Lambda that strips the default group; nothing uses it.
      restrictDefaultSecurityGroup: false,
    });
    const flowLogs = new LogGroup(this, "FlowLogGroup", { retention: config.retention.cloudWatchLogs });
    acknowledgeLogGroup(flowLogs);
    this.vpc.addFlowLog("FlowLogs", {
      destination: FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: FlowLogTrafficType.REJECT,
    });

    this.cluster = new Cluster(this, "Cluster", {
      vpc: this.vpc,
      containerInsightsV2: ContainerInsights.ENABLED,
    });

    this.natsClients = new SecurityGroup(this, "NatsClients", {
      vpc: this.vpc,
      description: "Members may connect to NATS; used by ingress tasks and VPC functions",
      allowAllOutbound: true,
    });

    if (config.nats.tasks > 0) {
      const namespace = new PrivateDnsNamespace(this, "Namespace", {
        vpc: this.vpc,
        name: `${config.stage}.assay.internal`,
      });
      this.nats = new NatsCluster(this, "Nats", {
        vpc: this.vpc,
        cluster: this.cluster,
        namespace,
        clients: this.natsClients,
        tasks: config.nats.tasks,
        logRetention: config.retention.cloudWatchLogs,
      });
      this.natsUrl = this.nats.url;
    } else {
      this.nats = undefined;
      this.natsUrl = undefined;
    }
  }
}
