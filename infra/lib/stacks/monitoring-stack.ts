/**
 * MonitoringStack: alarms to one encrypted SNS topic, and one dashboard. Kept apart from the
 * stacks it watches so alarm thresholds can change without redeploying code, and so the other
 * stacks stay free of cross-cutting concerns.
 *
 * Alarms: anything in a DLQ, a queue whose oldest message is stuck, Lambda errors and throttles
 * (the retention sweep included), API 5xx, ingress CPU and memory, streams per task near the
 * per-task ceiling, unhealthy or missing ingress targets, TLS handshake errors at the NLB, NATS
 * nodes not running and routes not reconnecting, DynamoDB throttles and system errors, SES
 * bounce and complaint rates, account concurrency (monitoring-alarms.ts).
 */
import { Duration, Stack, type StackProps } from "aws-cdk-lib";
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { Topic } from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import type { StageConfig } from "../config/stages.ts";
import { jobKinds } from "../config/table-schema.ts";
import { AlarmTopic } from "../constructs/alarm-topic.ts";
import type { ApiStack } from "./api-stack.ts";
import type { DataStack } from "./data-stack.ts";
import type { IngressStack } from "./ingress-stack.ts";
import {
  type AlarmSpec,
  accountAlarms,
  ingressAlarms,
  natsAlarms,
  tableAlarms,
} from "./monitoring-alarms.ts";
import type { NetworkStack } from "./network-stack.ts";
import type { WorkersStack } from "./workers-stack.ts";

/** Streams per task worth paging on: ~80% of the ~19k a task can hold (STACK.md). */
export const streamsPerTaskCeiling = 15_000;

export interface MonitoringStackProps extends StackProps {
  readonly config: StageConfig;
  readonly data: DataStack;
  readonly network: NetworkStack;
  readonly api: ApiStack;
  readonly workers: WorkersStack;
  readonly ingress: IngressStack;
}

export class MonitoringStack extends Stack {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;
  private readonly alarmPrefix: string;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config, data, network, api, workers, ingress } = props;
    this.alarmPrefix = `assay-${config.stage}`;
    this.topic = new AlarmTopic(this, "Alarms", {
      alarmPrefix: this.alarmPrefix,
      emails: config.monitoring.alarmEmails,
      description: `Assay ${config.stage} alarm topic`,
    }).topic;

    for (const kind of jobKinds) {
      const { queue, deadLetterQueue } = data.queues[kind];
      this.alarm(
        `${kind}-dlq`,
        deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: "Maximum" }),
        {
          threshold: 1,
          description: `Messages in the ${kind} DLQ: inspect, fix, then redrive`,
        },
      );
      this.alarm(`${kind}-stuck`, queue.metricApproximateAgeOfOldestMessage({ statistic: "Maximum" }), {
        threshold: 15 * 60,
        evaluationPeriods: 3,
        description: `The oldest ${kind} job waits over 15 minutes: the worker is failing or throttled`,
      });
    }

    const functions: Array<[string, IFunction]> = [
      ["api", api.handler.function],
      ["api-stream", api.stream.function],
      ...jobKinds.map((kind): [string, IFunction] => [kind, workers.queueWorkers[kind].handler.function]),
      ["reaper", workers.scheduled.reaper.function],
      ["schedules", workers.scheduled.schedules.function],
      ["retention-sweep", workers.retentionSweep.function],
    ];
    for (const [name, fn] of functions) {
      this.alarm(`${name}-errors`, fn.metricErrors({ statistic: "Sum" }), {
        threshold: name.startsWith("api") ? 5 : 1,
        description: `${name} function errors`,
      });
      this.alarm(`${name}-throttles`, fn.metricThrottles({ statistic: "Sum" }), {
        threshold: 1,
        description: `${name} function throttled`,
      });
    }

    this.alarm("api-5xx", api.api.metricServerError({ statistic: "Sum" }), {
      threshold: 5,
      description: "API answered 5xx (core maps every known error to 4xx: a 5xx is a bug or an outage)",
    });
    this.alarm("ingress-cpu", ingress.service.metricCpuUtilization(), {
      threshold: 85,
      evaluationPeriods: 3,
      description: "Ingress CPU high even after scaling (at max tasks, or a reconnect storm)",
    });
    this.alarm("ingress-streams", ingress.streamsPerTask, {
      threshold: streamsPerTaskCeiling,
      evaluationPeriods: 3,
      description: "Agent streams per ingress task near the per-task ceiling (file descriptors, memory)",
    });
    this.alarm(
      "ingress-unhealthy",
      ingress.targetGroup.metrics.unHealthyHostCount({ statistic: "Maximum" }),
      {
        threshold: 1,
        evaluationPeriods: 3,
        description: "Ingress tasks failing the NLB health check",
      },
    );
    this.alarm("ingress-no-healthy", ingress.targetGroup.metrics.healthyHostCount({ statistic: "Minimum" }), {
      threshold: 1,
      comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
      missing: TreatMissingData.BREACHING,
      description: "No healthy ingress task: agents cannot connect",
    });

    for (const spec of [
      ...ingressAlarms(ingress),
      ...natsAlarms(network),
      ...tableAlarms(data),
      ...accountAlarms(config),
    ]) {
      this.alarm(spec.id, spec.metric, spec);
    }

    this.dashboard = new Dashboard(this, "Dashboard", {
      dashboardName: `assay-${config.stage}`,
      defaultInterval: Duration.hours(6),
    });
    const graph = (title: string, left: IMetric[]) => new GraphWidget({ title, left, width: 8 });
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: "Alarms", alarms: this.alarms, width: 24 }));
    this.dashboard.addWidgets(
      graph("API requests", [api.api.metricCount({ statistic: "Sum" })]),
      graph("API errors", [
        api.api.metricClientError({ statistic: "Sum" }),
        api.api.metricServerError({ statistic: "Sum" }),
      ]),
      graph("API latency p99", [api.api.metricLatency({ statistic: "p99" })]),
    );
    this.dashboard.addWidgets(
      graph(
        "Function errors",
        functions.map(([, fn]) => fn.metricErrors({ statistic: "Sum" })),
      ),
      graph(
        "Function throttles",
        functions.map(([, fn]) => fn.metricThrottles({ statistic: "Sum" })),
      ),
      graph(
        "Function duration p99",
        functions.map(([, fn]) => fn.metricDuration({ statistic: "p99" })),
      ),
    );
    this.dashboard.addWidgets(
      graph(
        "Queue depth",
        jobKinds.map((k) => data.queues[k].queue.metricApproximateNumberOfMessagesVisible()),
      ),
      graph(
        "DLQ depth",
        jobKinds.map((k) => data.queues[k].deadLetterQueue.metricApproximateNumberOfMessagesVisible()),
      ),
      graph(
        "Oldest job age",
        jobKinds.map((k) => data.queues[k].queue.metricApproximateAgeOfOldestMessage()),
      ),
    );
    this.dashboard.addWidgets(
      graph("Agent streams per task", [ingress.streamsPerTask]),
      graph("Ingress CPU / memory", [
        ingress.service.metricCpuUtilization(),
        ingress.service.metricMemoryUtilization(),
      ]),
      graph("Ingress targets", [
        ingress.targetGroup.metrics.healthyHostCount(),
        ingress.targetGroup.metrics.unHealthyHostCount(),
      ]),
    );
  }

  private alarm(id: string, metric: IMetric, options: Omit<AlarmSpec, "id" | "metric">): void {
    const alarm = new Alarm(this, id, {
      alarmName: `${this.alarmPrefix}-${id}`,
      alarmDescription: options.description,
      metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      comparisonOperator: options.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: options.missing ?? TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
