import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Match } from "aws-cdk-lib/assertions";
import { resourcesOf, type Stages, synthesize } from "../../test/fixture.ts";
import { natsImage } from "../constructs/nats-cluster.ts";

/** Template assertions for NetworkStack, run by test/stacks.test.ts on the shared synthesized stages. */
export function networkStackSuite(synthesized: Stages): void {
  const { prod, dev } = synthesized;
  const template = prod.template("network");
  describe("NetworkStack", () => {
    it("builds a two-AZ VPC with NAT per stage, gateway endpoints for S3 and DynamoDB, and flow logs", () => {
      template.resourceCountIs("AWS::EC2::VPC", 1);
      template.resourceCountIs("AWS::EC2::NatGateway", 2);
      dev.template("network").resourceCountIs("AWS::EC2::NatGateway", 1);
      const endpoints = resourcesOf(template, "AWS::EC2::VPCEndpoint");
      assert.equal(endpoints.length, 2);
      for (const [, endpoint] of endpoints) assert.equal(endpoint.VpcEndpointType, "Gateway");
      template.hasResourceProperties("AWS::EC2::FlowLog", {
        ResourceType: "VPC",
        LogDestinationType: "cloud-watch-logs",
      });
    });

    it("runs a three-node NATS cluster on arm64 Fargate with Cloud Map discovery and routes between nodes", () => {
      template.hasResourceProperties("AWS::ECS::Service", {
        DesiredCount: 3,
        ServiceRegistries: [Match.objectLike({ RegistryArn: Match.anyValue() })],
      });
      template.hasResourceProperties("AWS::ServiceDiscovery::PrivateDnsNamespace", {
        Name: "prod.assay.internal",
      });
      template.hasResourceProperties("AWS::ServiceDiscovery::Service", {
        Name: "nats",
        DnsConfig: Match.objectLike({ DnsRecords: [{ Type: "A", TTL: 10 }] }),
      });
      template.hasResourceProperties("AWS::ECS::TaskDefinition", {
        RuntimePlatform: { CpuArchitecture: "ARM64", OperatingSystemFamily: "LINUX" },
        ContainerDefinitions: [
          Match.objectLike({
            Image: natsImage,
            Command: Match.arrayWith(["--routes", "nats://nats.prod.assay.internal:6222"]),
            HealthCheck: Match.anyValue(),
          }),
        ],
      });
    });

    it("admits NATS clients only from the clients group and cluster routes only between nodes", () => {
      const rules = resourcesOf(template, "AWS::EC2::SecurityGroupIngress");
      assert.deepEqual(rules.map(([, rule]) => rule.FromPort).sort(), [4222, 6222]);
      for (const [, rule] of rules) assert.ok(rule.SourceSecurityGroupId && !rule.CidrIp);
      const client = rules.find(([, rule]) => rule.FromPort === 4222)?.[1];
      assert.deepEqual(client?.SourceSecurityGroupId, {
        "Fn::GetAtt": [
          prod.stacks.network.getLogicalId(prod.stacks.network.natsClients.node.defaultChild as never),
          "GroupId",
        ],
      });
    });

    it("has ECS Container Insights on (the ingress scaling metric comes from it)", () => {
      template.hasResourceProperties("AWS::ECS::Cluster", {
        ClusterSettings: [{ Name: "containerInsights", Value: "enabled" }],
      });
    });

    it("leaves NATS out entirely when a stage sets zero tasks", () => {
      const none = synthesize("dev", { override: (config) => ({ ...config, nats: { tasks: 0 } }) });
      none.template("network").resourceCountIs("AWS::ECS::Service", 0);
      none.template("api").hasResourceProperties("AWS::Lambda::Function", {
        VpcConfig: Match.absent(),
        Environment: { Variables: Match.objectLike({ ASSAY_NATS_URL: Match.absent() }) },
      });
    });
  });
}
