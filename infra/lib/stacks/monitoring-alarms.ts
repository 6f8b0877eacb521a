/**
 * The platform alarms beyond per-queue and per-function ones: NATS nodes and routes, DynamoDB
 * throttles and system errors, SES reputation, account concurrency, ingress memory and TLS
 * handshakes at the NLB. Each is declared as data (`AlarmSpec`) and created by MonitoringStack.
 */
import { Duration } from "aws-cdk-lib";
import {
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { Operation } from "aws-cdk-lib/aws-dynamodb";
import type { StageConfig } from "../config/stages.ts";
import { natsRouteErrorsMetric } from "../constructs/nats-cluster.ts";
import type { DataStack } from "./data-stack.ts";
import type { IngressStack } from "./ingress-stack.ts";
import type { NetworkStack } from "./network-stack.ts";

export interface AlarmSpec {
  readonly id: string;
  readonly metric: IMetric;
  readonly threshold: number;
  readonly description: string;
  readonly evaluationPeriods?: number;
  readonly comparison?: ComparisonOperator;
  readonly missing?: TreatMissingData;
}

const fiveMinutes = Duration.minutes(5);

/** One alarm per NATS node whose task is not running, and one on routes failing to connect. */
export function natsAlarms(network: NetworkStack): AlarmSpec[] {
  const nats = network.nats;
  if (!nats) return [];
  const nodes = nats.services.map(
    (service, i): AlarmSpec => ({
      id: `nats-${i}-running`,
      metric: new Metric({
        namespace: "ECS/ContainerInsights",
        metricName: "RunningTaskCount",
        dimensionsMap: { ClusterName: network.cluster.clusterName, ServiceName: service.serviceName },
        statistic: "Minimum",
        period: Duration.minutes(1),
      }),
      threshold: 1,
      comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 5,
      // No data is no running task (or no Container Insights): either way, look.
      missing: TreatMissingData.BREACHING,
      description: `NATS node nats-${i} has had no running task for 5 minutes: live logs and doorbells through it degrade to polling`,
    }),
  );
  if (nats.services.length < 2) return nodes;
  return [
    ...nodes,
    {
      id: "nats-routes",
      metric: new Metric({ ...natsRouteErrorsMetric, statistic: "Sum", period: fiveMinutes }),
      threshold: 1,
      evaluationPeriods: 3,
      description:
        "A NATS route has failed to reconnect for 15 minutes: nodes may be split, so messages published on one side miss subscribers on the other",
    },
  ];
}

const tableOperations = [
  Operation.GET_ITEM,
  Operation.BATCH_GET_ITEM,
  Operation.QUERY,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.BATCH_WRITE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
];

export function tableAlarms(data: DataStack): AlarmSpec[] {
  const throttleEvents = (metricName: string) =>
    data.table.metric(metricName, { statistic: "Sum", period: fiveMinutes });
  return [
    {
      id: "dynamodb-throttles",
      metric: new MathExpression({
        expression: "reads + writes",
        usingMetrics: {
          reads: throttleEvents("ReadThrottleEvents"),
          writes: throttleEvents("WriteThrottleEvents"),
        },
        label: "Throttle events",
        period: fiveMinutes,
      }),
      threshold: 10,
      evaluationPeriods: 2,
      description: "DynamoDB throttles the table (a hot partition, or on-demand scaling behind a burst)",
    },
    {
      id: "dynamodb-system-errors",
      metric: data.table.metricSystemErrorsForOperations({
        operations: tableOperations,
        statistic: "Sum",
        period: fiveMinutes,
      }),
      threshold: 1,
      description: "DynamoDB answered with 5xx system errors",
    },
  ];
}

/** Account-level: SES reputation (only when mail is configured) and Lambda concurrency. */
export function accountAlarms(config: StageConfig): AlarmSpec[] {
  const ses = (metricName: string) =>
    new Metric({ namespace: "AWS/SES", metricName, statistic: "Maximum", period: Duration.hours(1) });
  const mail: AlarmSpec[] = config.mail
    ? [
        {
          id: "ses-bounce-rate",
          metric: ses("Reputation.BounceRate"),
          // SES reviews an account at 5 % bounces and may pause sending at 10 %.
          threshold: 0.04,
          description: "SES bounce rate near the 5 % at which AWS reviews the account's sending",
        },
        {
          id: "ses-complaint-rate",
          metric: ses("Reputation.ComplaintRate"),
          // Reviewed at 0.1 %, paused at 0.5 %.
          threshold: 0.0008,
          description: "SES complaint rate near the 0.1 % at which AWS reviews the account's sending",
        },
      ]
    : [];
  return [
    ...mail,
    {
      id: "account-concurrency",
      metric: new Metric({
        namespace: "AWS/Lambda",
        metricName: "ConcurrentExecutions",
        statistic: "Maximum",
        period: Duration.minutes(1),
      }),
      threshold: Math.floor(config.monitoring.accountConcurrencyQuota * 0.8),
      evaluationPeriods: 3,
      description: `Lambda concurrency at 80 % of the account quota (${config.monitoring.accountConcurrencyQuota}): new invocations will be throttled`,
    },
  ];
}

export function ingressAlarms(ingress: IngressStack): AlarmSpec[] {
  return [
    {
      id: "ingress-memory",
      metric: ingress.service.metricMemoryUtilization(),
      threshold: 85,
      evaluationPeriods: 3,
      description: "Ingress memory high: streams per task near what the task size holds",
    },
    {
      id: "ingress-tls-errors",
      metric: ingress.loadBalancer.metrics.custom("ClientTLSNegotiationErrorCount", {
        statistic: "Sum",
        period: fiveMinutes,
      }),
      // Scanners fail handshakes all the time; a sustained rate means agents cannot connect.
      threshold: 100,
      evaluationPeriods: 3,
      description:
        "TLS handshakes failing at the ingress NLB (expired or wrong certificate, old agents' TLS or ALPN)",
    },
  ];
}
