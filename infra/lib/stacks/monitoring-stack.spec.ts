import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Match } from "aws-cdk-lib/assertions";
import { resourcesOf, type Stages } from "../../test/fixture.ts";
import { stages } from "../config/stages.ts";
import { jobKinds } from "../config/table-schema.ts";

/** Template assertions for MonitoringStack, run by test/stacks.test.ts on the shared synthesized stages. */
export function monitoringStackSuite(synthesized: Stages): void {
  const { prod } = synthesized;
  const template = prod.template("monitoring");
  const alarmNames = resourcesOf(template, "AWS::CloudWatch::Alarm").map(([, alarm]) => alarm.AlarmName);
  describe("MonitoringStack", () => {
    it("alarms on every DLQ as soon as one message lands", () => {
      for (const kind of jobKinds) {
        assert.ok(alarmNames.includes(`assay-prod-${kind}-dlq`));
      }
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        AlarmName: "assay-prod-cleanup-dlq",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Namespace: "AWS/SQS",
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
      });
    });

    it("alarms on errors and throttles of every function and on API 5xx", () => {
      for (const fn of ["api", "api-stream", ...jobKinds, "reaper", "schedules"]) {
        assert.ok(alarmNames.includes(`assay-prod-${fn}-errors`), `${fn} errors`);
        assert.ok(alarmNames.includes(`assay-prod-${fn}-throttles`), `${fn} throttles`);
      }
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        AlarmName: "assay-prod-api-5xx",
        MetricName: "5xx",
        Namespace: "AWS/ApiGateway",
      });
    });

    it("alarms on ingress CPU, streams per task, and unhealthy or missing targets", () => {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        AlarmName: "assay-prod-ingress-cpu",
        MetricName: "CPUUtilization",
        Namespace: "AWS/ECS",
      });
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        AlarmName: "assay-prod-ingress-streams",
        Metrics: Match.arrayWith([Match.objectLike({ Expression: "IF(tasks < 1, flows, flows / tasks)" })]),
      });
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        AlarmName: "assay-prod-ingress-unhealthy",
        MetricName: "UnHealthyHostCount",
        Namespace: "AWS/NetworkELB",
      });
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        AlarmName: "assay-prod-ingress-no-healthy",
        MetricName: "HealthyHostCount",
        ComparisonOperator: "LessThanThreshold",
        TreatMissingData: "breaching",
      });
    });

    it("sends every alarm (and its recovery) to one encrypted topic with the on-call subscribed", () => {
      for (const [, alarm] of resourcesOf(template, "AWS::CloudWatch::Alarm")) {
        assert.equal((alarm.AlarmActions as unknown[]).length, 1);
        assert.equal((alarm.OKActions as unknown[]).length, 1);
      }
      template.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
      template.hasResourceProperties("AWS::KMS::Key", { EnableKeyRotation: true });
      template.hasResourceProperties("AWS::SNS::Subscription", {
        Protocol: "email",
        Endpoint: stages.prod.monitoring.alarmEmails[0],
      });
    });

    it("alarms on NATS nodes and routes, DynamoDB, SES reputation, concurrency, ingress memory and TLS", () => {
      for (const name of [
        "nats-0-running",
        "nats-1-running",
        "nats-2-running",
        "nats-routes",
        "dynamodb-throttles",
        "dynamodb-system-errors",
        "ses-bounce-rate",
        "ses-complaint-rate",
        "account-concurrency",
        "ingress-memory",
        "ingress-tls-errors",
        "retention-sweep-errors",
      ]) {
        assert.ok(alarmNames.includes(`assay-prod-${name}`), name);
      }
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        AlarmName: "assay-prod-nats-0-running",
        MetricName: "RunningTaskCount",
        ComparisonOperator: "LessThanThreshold",
        TreatMissingData: "breaching",
      });
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        AlarmName: "assay-prod-account-concurrency",
        Threshold: stages.prod.monitoring.accountConcurrencyQuota * 0.8,
      });
    });

    it("draws one dashboard", () => {
      template.hasResourceProperties("AWS::CloudWatch::Dashboard", { DashboardName: "assay-prod" });
    });
  });
}
