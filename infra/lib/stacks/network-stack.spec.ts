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

    it("runs three NATS nodes on arm64 Fargate, each with its own name, routing to every node's name", () => {
      template.resourcePropertiesCountIs(
        "AWS::ECS::Service",
        { DesiredCount: 1, ServiceRegistries: [Match.objectLike({ RegistryArn: Match.anyValue() })] },
        3,
      );
      // Rolled one node at a time: each service waits for the one before it.
      const services = resourcesOf(template, "AWS::ECS::Service").map(([id]) => id);
      const dependsOn = Object.values(template.findResources("AWS::ECS::Service")).map((s) =>
        JSON.stringify(s.DependsOn ?? []),
      );
      assert.ok(dependsOn.filter((d, i) => i > 0 && d.includes(services[i - 1] ?? "?")).length === 2);
      template.hasResourceProperties("AWS::ServiceDiscovery::PrivateDnsNamespace", {
        Name: "prod.assay.internal",
      });
      for (const name of ["nats-0", "nats-1", "nats-2"]) {
        template.hasResourceProperties("AWS::ServiceDiscovery::Service", {
          Name: name,
          DnsConfig: Match.objectLike({ DnsRecords: [{ Type: "A", TTL: 10 }] }),
        });
      }
      template.hasResourceProperties("AWS::ECS::TaskDefinition", {
        RuntimePlatform: { CpuArchitecture: "ARM64", OperatingSystemFamily: "LINUX" },
        ContainerDefinitions: [
          Match.objectLike({
            Image: natsImage,
            Command: Match.arrayWith([
              "--routes",
              [0, 1, 2].map((i) => `nats://nats-${i}.prod.assay.internal:6222`).join(","),
            ]),
            HealthCheck: Match.anyValue(),
            User: "65534:65534",
            ReadonlyRootFilesystem: true,
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
