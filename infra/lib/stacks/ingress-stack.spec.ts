import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Match } from "aws-cdk-lib/assertions";
import { prodNatsUrl, resourcesOf, type Stages } from "../../test/fixture.ts";
import { actionsGrantedTo } from "../../test/iam.ts";
import { stages } from "../config/stages.ts";

/** Template assertions for IngressStack, run by test/stacks.test.ts on the shared synthesized stages. */
export function ingressStackSuite(synthesized: Stages): void {
  const { prod } = synthesized;
  const template = prod.template("ingress");
  const drainGraceSeconds = stages.prod.ingress.drainGraceSeconds;
  describe("IngressStack", () => {
    it("terminates TLS on 443 with ALPN HTTP/2 only and a modern policy", () => {
      template.resourceCountIs("AWS::ElasticLoadBalancingV2::LoadBalancer", 1);
      template.hasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", {
        Type: "network",
        Scheme: "internet-facing",
        LoadBalancerAttributes: Match.arrayWith([
          { Key: "load_balancing.cross_zone.enabled", Value: "true" },
          { Key: "access_logs.s3.enabled", Value: "true" },
        ]),
      });
      template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
        Port: 443,
        Protocol: "TLS",
        AlpnPolicy: ["HTTP2Only"],
        SslPolicy: Match.stringLikeRegexp("TLS13"),
        Certificates: [{ CertificateArn: Match.anyValue() }],
      });
      template.hasResourceProperties("AWS::CertificateManager::Certificate", {
        DomainName: "agents.assay.example.com",
        ValidationMethod: "DNS",
      });
      template.hasResourceProperties("AWS::Route53::RecordSet", {
        Name: "agents.assay.example.com.",
        Type: "A",
      });
    });

    it("forwards plaintext HTTP/2 to the tasks with a health check and a short deregistration delay", () => {
      template.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", {
        Protocol: "TCP",
        Port: 8080,
        TargetType: "ip",
        HealthCheckProtocol: "HTTP",
        HealthCheckPort: "8081",
        HealthCheckPath: "/healthz",
        TargetGroupAttributes: Match.arrayWith([
          {
            Key: "deregistration_delay.timeout_seconds",
            Value: String(stages.prod.ingress.deregistrationDelaySeconds),
          },
          { Key: "deregistration_delay.connection_termination.enabled", Value: "false" },
        ]),
      });
    });

    it("runs the ingress container on arm64 with raised nofile, a health check and a stop timeout above the drain grace", () => {
      template.hasResourceProperties("AWS::ECS::TaskDefinition", {
        RuntimePlatform: { CpuArchitecture: "ARM64", OperatingSystemFamily: "LINUX" },
        Cpu: String(stages.prod.ingress.cpu),
        Memory: String(stages.prod.ingress.memoryMiB),
        ContainerDefinitions: [
          Match.objectLike({
            Ulimits: [{ Name: "nofile", SoftLimit: 65536, HardLimit: 65536 }],
            StopTimeout: drainGraceSeconds + 30,
            HealthCheck: Match.objectLike({ Command: Match.arrayWith(["CMD", "node"]) }),
            // Not root, nothing written, a hard memory limit (Control Tower ECS controls).
            User: "node",
            ReadonlyRootFilesystem: true,
            Memory: stages.prod.ingress.memoryMiB,
          }),
        ],
      });
      const [, definition] = resourcesOf(template, "AWS::ECS::TaskDefinition")[0] ?? [];
      assert.ok(definition, "a task definition");
      const [container] = definition.ContainerDefinitions as Array<{
        Environment: Array<{ Name: string; Value: unknown }>;
      }>;
      const environment = Object.fromEntries((container?.Environment ?? []).map((e) => [e.Name, e.Value]));
      assert.deepEqual(
        {
          tls: environment.ASSAY_INGRESS_TLS,
          port: environment.ASSAY_INGRESS_PORT,
          health: environment.ASSAY_HEALTH_PORT,
          drain: environment.ASSAY_DRAIN_GRACE_MS,
          nats: environment.ASSAY_NATS_URL,
          ingress: environment.ASSAY_PUBLIC_INGRESS_URL,
          region: environment.AWS_REGION,
        },
        {
          tls: "off",
          port: "8080",
          health: "8081",
          drain: String(drainGraceSeconds * 1000),
          nats: prodNatsUrl,
          ingress: "https://agents.assay.example.com",
          region: "eu-west-1",
        },
      );
      const secrets = (definition.ContainerDefinitions as Array<{ Secrets: Array<{ Name: string }> }>)[0]
        ?.Secrets;
      assert.deepEqual(
        secrets?.map((secret) => secret.Name),
        ["ASSAY_CONFIG_KEY"],
        "the config key comes from Secrets Manager at task start",
      );
      assert.equal(environment.ASSAY_CONFIG_KEY, undefined);
      for (const name of [
        "ASSAY_TABLE_NAME",
        "ASSAY_LOGS_BUCKET",
        "ASSAY_ARTIFACTS_BUCKET",
        "ASSAY_QUEUE_URL_COMPACT_LOGS",
      ]) {
        assert.ok(environment[name], `${name} is set`);
      }
      assert.ok(
        JSON.stringify(definition).includes("dkr.ecr"),
        "the image comes from the Dockerfile asset pushed to the bootstrap ECR repository",
      );
    });

    it("lets autoscaling own the task count, rolls in waves, rolls back failed deploys, keeps tasks private", () => {
      template.hasResourceProperties("AWS::ECS::Service", {
        DesiredCount: Match.absent(),
        LaunchType: "FARGATE",
        DeploymentConfiguration: {
          MinimumHealthyPercent: 100,
          MaximumPercent: 150,
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        },
        NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: "DISABLED" }) },
      });
    });

    it("scales on CPU and on streams per task (metric math)", () => {
      template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", {
        MinCapacity: stages.prod.ingress.minTasks,
        MaxCapacity: stages.prod.ingress.maxTasks,
      });
      template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
          TargetValue: stages.prod.ingress.targetCpuPercent,
        }),
      });
      template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          TargetValue: stages.prod.ingress.targetStreamsPerTask,
          CustomizedMetricSpecification: {
            Metrics: [
              Match.objectLike({
                Id: "flows",
                MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: "ActiveFlowCount" }) }),
              }),
              Match.objectLike({
                Id: "tasks",
                MetricStat: Match.objectLike({
                  Metric: Match.objectLike({ MetricName: "RunningTaskCount" }),
                }),
              }),
              { Id: "streams_per_task", Expression: "IF(tasks < 1, flows, flows / tasks)", ReturnData: true },
            ],
          },
        }),
      });
    });

    it("opens 443 to the world on the NLB only, and the task ports to the NLB only", () => {
      const groups = resourcesOf(template, "AWS::EC2::SecurityGroup");
      const open = groups.flatMap(([, group]) =>
        ((group.SecurityGroupIngress as Array<{ CidrIp?: string; FromPort: number }>) ?? []).filter(
          (rule) => rule.CidrIp === "0.0.0.0/0",
        ),
      );
      assert.deepEqual(
        open.map((rule) => rule.FromPort),
        [443],
      );
      const taskRules = resourcesOf(template, "AWS::EC2::SecurityGroupIngress");
      assert.deepEqual(taskRules.map(([, rule]) => rule.FromPort).sort(), [8080, 8081]);
      for (const [, rule] of taskRules)
        assert.ok(rule.SourceSecurityGroupId, "task ports open to a group, not a CIDR");
    });

    it("grants the task what it persists and presigns, no deletes", () => {
      const actions = actionsGrantedTo(template, "TaskTaskRole");
      for (const expected of [
        "dynamodb:UpdateItem",
        "s3:PutObject",
        "s3:AbortMultipartUpload",
        "sqs:SendMessage",
      ]) {
        assert.ok(actions.has(expected), `missing ${expected}`);
      }
      assert.ok(!actions.has("s3:DeleteObject"));
    });
  });
}
