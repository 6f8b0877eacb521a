/**
 * Autoscaling of the ingress service. Two target-tracking policies: Application Auto Scaling
 * scales out when either asks and in only when both agree, so a CPU lull cannot shed tasks that
 * still hold many streams. Streams per task is metric math (NLB flows / running tasks), which the
 * L2 cannot express: its custom metric is replaced by a metric-math specification on the L1.
 * Overrides merge into what the L2 wrote, and the API takes either a single metric or `Metrics`,
 * never both: the single-metric fields are deleted.
 */
import { type CfnResource, Duration } from "aws-cdk-lib";
import type { IMetric } from "aws-cdk-lib/aws-cloudwatch";
import type { FargateService } from "aws-cdk-lib/aws-ecs";
import type { StageConfig } from "../config/stages.ts";

/** The single-metric form of CustomizedMetricSpecification (the alternative to `Metrics`). */
export const singleMetricFields = ["MetricName", "Namespace", "Dimensions", "Statistic", "Unit"] as const;

/** The same expression the dashboard and the streams alarm use. */
export const streamsPerTaskExpression = "IF(tasks < 1, flows, flows / tasks)";

export function scaleIngress(
  service: FargateService,
  config: StageConfig["ingress"],
  flows: IMetric,
  tasks: IMetric,
): void {
  const scaling = service.autoScaleTaskCount({ minCapacity: config.minTasks, maxCapacity: config.maxTasks });
  // Scale-in drains streams: do it slowly. Scale-out is cheap: do it fast.
  const cooldowns = { scaleOutCooldown: Duration.seconds(60), scaleInCooldown: Duration.minutes(10) };
  scaling.scaleOnCpuUtilization("Cpu", { targetUtilizationPercent: config.targetCpuPercent, ...cooldowns });
  scaling.scaleToTrackCustomMetric("Streams", {
    metric: flows,
    targetValue: config.targetStreamsPerTask,
    ...cooldowns,
  });
  // ScalableTaskCount keeps its ScalableTarget as child "Target", which owns the policies.
  const policy = scaling.node
    .findChild("Target")
    .node.findChild("Streams")
    .node.findChild("Resource") as CfnResource;
  const spec = "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification";
  for (const field of singleMetricFields) policy.addPropertyDeletionOverride(`${spec}.${field}`);
  policy.addPropertyOverride(spec, {
    Metrics: [
      { Id: "flows", MetricStat: metricStat(flows), ReturnData: false },
      { Id: "tasks", MetricStat: metricStat(tasks), ReturnData: false },
      { Id: "streams_per_task", Expression: streamsPerTaskExpression, ReturnData: true },
    ],
  });
}

/** A plain metric as CloudFormation's TargetTrackingMetricStat. */
function metricStat(metric: IMetric) {
  const stat = metric.toMetricConfig().metricStat;
  if (!stat) throw new Error("expected a plain metric, not an expression");
  return {
    Metric: {
      Namespace: stat.namespace,
      MetricName: stat.metricName,
      Dimensions: (stat.dimensions ?? []).map((d) => ({ Name: d.name, Value: d.value })),
    },
    Stat: stat.statistic,
  };
}
