/**
 * WorkersStack: one QueueWorker per job kind, plus the two every-minute functions: the cron
 * dispatcher (workflow `events.cronjob`) and the lost-execution reaper. EventBridge rules, not
 * Scheduler: both are fixed one-minute ticks, and a missed or failed tick is repaired by the next
 * one, so async retries are off.
 */
import { Duration, Stack, type StackProps } from "aws-cdk-lib";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction as LambdaTarget } from "aws-cdk-lib/aws-events-targets";
import type { Construct } from "constructs";
import { resourceNames } from "../config/names.ts";
import type { StageConfig } from "../config/stages.ts";
import { type JobKind, jobKinds, objectPrefixes } from "../config/table-schema.ts";
import { AssayFunction } from "../constructs/assay-function.ts";
import { grantPrefix, grantTableData } from "../constructs/grants.ts";
import { QueueWorker } from "../constructs/queue-worker.ts";
import { runtimeEnvironment } from "../constructs/runtime-env.ts";
import type { DataStack } from "./data-stack.ts";
import type { NetworkStack } from "./network-stack.ts";

export interface WorkersStackProps extends StackProps {
  readonly config: StageConfig;
  readonly data: DataStack;
  readonly network: NetworkStack;
}

export type ScheduledKind = "reaper" | "schedules";

export class WorkersStack extends Stack {
  readonly queueWorkers: Readonly<Record<JobKind, QueueWorker>>;
  readonly scheduled: Readonly<Record<ScheduledKind, AssayFunction>>;

  constructor(scope: Construct, id: string, props: WorkersStackProps) {
    super(scope, id, props);
    const { config, data, network } = props;
    const names = resourceNames(config);
    const environment = runtimeEnvironment(config, data, network.natsUrl);

    const workers = {} as Record<JobKind, QueueWorker>;
    for (const kind of jobKinds) {
      const worker = new QueueWorker(this, kind, {
        kind,
        queue: data.queues[kind].queue,
        memoryMiB: config.workers.memoryMiB,
        timeout: Duration.seconds(config.workers.timeoutSeconds),
        environment,
        logRetention: config.retention.cloudWatchLogs,
        reservedConcurrency: config.workers.reservedConcurrency,
      });
      grantTableData(worker.handler.function, worker.handler.role, names);
      workers[kind] = worker;
    }
    // cleanup deletes an execution's logs and artifacts; compact-logs rewrites chunks into one object.
    const cleanup = workers.cleanup.handler;
    for (const [bucket, prefix] of [
      ["logs", objectPrefixes.logs],
      ["artifacts", objectPrefixes.artifacts],
    ] as const) {
      grantPrefix(cleanup.function, cleanup.role, names, {
        bucket,
        prefix,
        actions: ["s3:DeleteObject"],
        list: true,
      });
    }
    const compact = workers["compact-logs"].handler;
    grantPrefix(compact.function, compact.role, names, {
      bucket: "logs",
      prefix: objectPrefixes.logs,
      actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      list: true,
    });
    this.queueWorkers = workers;

    const scheduled = {} as Record<ScheduledKind, AssayFunction>;
    for (const kind of ["reaper", "schedules"] as const) {
      const fn = new AssayFunction(this, kind, {
        entry: kind,
        memoryMiB: 512,
        // A tick must finish before the next one starts.
        timeout: Duration.seconds(55),
        environment,
        logRetention: config.retention.cloudWatchLogs,
        retryAttempts: 0,
        // One tick at a time where the account has concurrency to reserve (prod); correctness
        // still rests on conditional writes, this only avoids wasted work.
        reservedConcurrency: config.workers.reservedConcurrency === undefined ? undefined : 1,
        vpc: network.natsUrl ? { vpc: network.vpc, securityGroup: network.natsClients } : undefined,
      });
      grantTableData(fn.function, fn.role, names);
      new Rule(this, `${kind}-tick`, {
        description: `Assay ${kind}, every minute`,
        schedule: Schedule.rate(Duration.minutes(1)),
        targets: [new LambdaTarget(fn.function, { retryAttempts: 0 })],
      });
      scheduled[kind] = fn;
    }
    this.scheduled = scheduled;
  }
}
