/**
 * WorkersStack: one QueueWorker per job kind, plus the two every-minute functions: the cron
 * dispatcher (workflow `events.cronjob`) and the lost-execution reaper. EventBridge rules, not
 * Scheduler: both are fixed one-minute ticks, and a missed or failed tick is repaired by the next
 * one, so async retries are off.
 *
 * Queue workers run outside the VPC and without NATS (nothing they do is live); the two scheduled
 * functions publish doorbells and status changes, so they join the VPC.
 *
 * The retention sweep runs hourly: it lists every organization's environments and enqueues one
 * retention job each; the retention worker then queues cleanups by plan. It needs no NATS.
 */
import { Duration, Stack, type StackProps } from "aws-cdk-lib";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction as LambdaTarget } from "aws-cdk-lib/aws-events-targets";
import type { Construct } from "constructs";
import { resourceNames } from "../config/names.ts";
import type { StageConfig } from "../config/stages.ts";
import { type JobKind, jobKinds, objectPrefixes } from "../config/table-schema.ts";
import { AssayFunction } from "../constructs/assay-function.ts";
import { grantPrefix, grantTableData, grantTableRead, type PrefixGrant } from "../constructs/grants.ts";
import { QueueWorker } from "../constructs/queue-worker.ts";
import { runtimeEnvironment, useConfigKey } from "../constructs/runtime-env.ts";
import type { DataStack } from "./data-stack.ts";
import type { NetworkStack } from "./network-stack.ts";

export interface WorkersStackProps extends StackProps {
  readonly config: StageConfig;
  readonly data: DataStack;
  readonly network: NetworkStack;
}

export type ScheduledKind = "reaper" | "schedules";

/** What each job kind's worker may do: table access, objects per prefix, jobs it enqueues. */
const workerAccess: Record<JobKind, { table: "none" | "read"; objects: PrefixGrant[]; sends: JobKind[] }> = {
  // Deletes everything an execution stored (objects only: the execution record stays).
  cleanup: {
    table: "none",
    objects: [
      { bucket: "logs", prefix: objectPrefixes.logs, actions: ["s3:DeleteObject"], list: true },
      { bucket: "artifacts", prefix: objectPrefixes.artifacts, actions: ["s3:DeleteObject"], list: true },
    ],
    sends: [],
  },
  // Rewrites an execution's log chunks into one object and an index.
  "compact-logs": {
    table: "none",
    objects: [
      {
        bucket: "logs",
        prefix: objectPrefixes.logs,
        actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        list: true,
      },
    ],
    sends: [],
  },
  // Reads an uploaded bundle and the org's plan limits, writes files (large ones as multipart
  // uploads, aborted on failure), index and report; drops a rejected bundle.
  "unpack-artifacts": {
    table: "read",
    objects: [
      {
        bucket: "artifacts",
        prefix: objectPrefixes.artifacts,
        actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
        list: true,
      },
    ],
    sends: [],
  },
  // Lists an environment's executions, reads the plan, enqueues cleanups of expired ones.
  retention: { table: "read", objects: [], sends: ["cleanup"] },
};

export class WorkersStack extends Stack {
  readonly queueWorkers: Readonly<Record<JobKind, QueueWorker>>;
  readonly scheduled: Readonly<Record<ScheduledKind, AssayFunction>>;
  readonly retentionSweep: AssayFunction;

  constructor(scope: Construct, id: string, props: WorkersStackProps) {
    super(scope, id, props);
    const { config, data, network } = props;
    const names = resourceNames(config);
    const environment = runtimeEnvironment(config, data, network.natsUrl);

    const workers = {} as Record<JobKind, QueueWorker>;
    for (const kind of jobKinds) {
      workers[kind] = new QueueWorker(this, kind, {
        kind,
        queue: data.queues[kind].queue,
        memoryMiB: config.workers.memoryMiB,
        timeout: Duration.seconds(config.workers.timeoutSeconds),
        environment: runtimeEnvironment(config, data, undefined),
        logRetention: config.retention.cloudWatchLogs,
        reservedConcurrency: config.workers.reservedConcurrency,
      });
    }
    for (const kind of jobKinds) {
      const { handler } = workers[kind];
      if (workerAccess[kind].table === "read") grantTableRead(handler.function, handler.role, names);
      for (const grant of workerAccess[kind].objects)
        grantPrefix(handler.function, handler.role, names, grant);
      for (const target of workerAccess[kind].sends)
        data.queues[target].queue.grantSendMessages(handler.function);
    }
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
        // A tick older than a minute is superseded by the next one.
        maxEventAge: Duration.seconds(60),
        // One tick at a time where the account has concurrency to reserve (prod); correctness
        // still rests on conditional writes, this only avoids wasted work.
        reservedConcurrency: config.workers.reservedConcurrency === undefined ? undefined : 1,
        vpc: network.natsUrl ? { vpc: network.vpc, securityGroup: network.natsClients } : undefined,
      });
      grantTableData(fn.function, fn.role, names);
      // The dispatcher starts runs, whose sensitive config values it seals.
      if (kind === "schedules") useConfigKey(fn.function, data);
      new Rule(this, `${kind}-tick`, {
        description: `Assay ${kind}, every minute`,
        schedule: Schedule.rate(Duration.minutes(1)),
        targets: [new LambdaTarget(fn.function, { retryAttempts: 0, maxEventAge: Duration.seconds(60) })],
      });
      scheduled[kind] = fn;
    }
    this.scheduled = scheduled;

    const sweep = new AssayFunction(this, "retention-sweep", {
      entry: "retention-sweep",
      memoryMiB: 256,
      timeout: Duration.minutes(5),
      environment: runtimeEnvironment(config, data, undefined),
      logRetention: config.retention.cloudWatchLogs,
      retryAttempts: 0,
    });
    grantTableRead(sweep.function, sweep.role, names);
    data.queues.retention.queue.grantSendMessages(sweep.function);
    new Rule(this, "retention-sweep-tick", {
      description: "Assay retention sweep, hourly",
      schedule: Schedule.rate(Duration.hours(1)),
      targets: [new LambdaTarget(sweep.function, { retryAttempts: 0 })],
    });
    this.retentionSweep = sweep;
  }
}
