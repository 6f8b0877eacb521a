/**
 * Workflow-wide settings about where and when an execution runs: object metadata, the
 * Kubernetes job and pod, cron events, execution tags and target, concurrency, timeouts.
 * Kubernetes-only settings (`job`, `pod`, `pvcs`) are stored as written; a runner that cannot
 * honour them says so with a warning (see the planner).
 */
import * as z from "zod";
import { WorkflowName } from "../../domain/ids.ts";
import { lazySchema } from "../../lazy-schema.ts";
import {
  BoolOrExpression,
  DurationString,
  IntOrExpression,
  KubeObject,
  Scalar,
  StringMap,
  Target,
} from "./primitives.ts";

/** Kubernetes object metadata. `name` is required: it is the workflow's identity. */
export const ObjectMeta = lazySchema(() =>
  z.strictObject({
    name: WorkflowName,
    namespace: z.string().optional(),
    labels: StringMap.optional(),
    annotations: StringMap.optional(),
    // Server-populated fields, present when a document was exported with `kubectl get -o yaml`.
    generateName: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    generation: z.number().int().optional(),
    creationTimestamp: z.union([z.string(), z.null()]).optional(),
    deletionTimestamp: z.string().optional(),
    deletionGracePeriodSeconds: z.number().int().optional(),
    ownerReferences: z.array(KubeObject).optional(),
    finalizers: z.array(z.string()).optional(),
    managedFields: z.array(KubeObject).optional(),
  }),
);
export type ObjectMeta = z.infer<typeof ObjectMeta>;

/** The Kubernetes job that runs an execution (`spec.job`). */
export const JobConfig = lazySchema(() =>
  z.strictObject({
    labels: StringMap.optional(),
    annotations: StringMap.optional(),
    namespace: z.string().optional(),
    /** Whole-execution deadline in seconds; the process runner uses it as the run timeout. */
    activeDeadlineSeconds: IntOrExpression.optional(),
  }),
);
export type JobConfig = z.infer<typeof JobConfig>;

/**
 * The Kubernetes pod (`spec.pod`): service account, node selector, volumes, tolerations...
 * Passed to the cluster as written, so any object is accepted.
 */
export const PodConfig = KubeObject;
export type PodConfig = z.infer<typeof PodConfig>;

/** Persistent volume claims by name (`spec.pvcs`): Kubernetes `PersistentVolumeClaimSpec`s. */
export const Pvcs = lazySchema(() => z.record(z.string(), KubeObject));

/** A cron schedule that starts the workflow (`spec.events[].cronjob`). */
export const CronJobConfig = lazySchema(() =>
  z.strictObject({
    cron: z.string().min(1),
    labels: StringMap.optional(),
    annotations: StringMap.optional(),
    config: z.record(z.string(), Scalar).optional(),
    target: Target.optional(),
    /** IANA time zone of the schedule (e.g. "Europe/Warsaw"); UTC when absent. */
    timezone: z.string().optional(),
  }),
);
export type CronJobConfig = z.infer<typeof CronJobConfig>;

/** An event that triggers the workflow (`spec.events[]`). */
export const WorkflowEvent = lazySchema(() => z.strictObject({ cronjob: CronJobConfig.optional() }));
export type WorkflowEvent = z.infer<typeof WorkflowEvent>;

/** Defaults for every execution (`spec.execution`). */
export const ExecutionSchema = lazySchema(() =>
  z.strictObject({
    tags: StringMap.optional(),
    target: Target.optional(),
    silent: BoolOrExpression.optional(),
  }),
);
export type ExecutionSchema = z.infer<typeof ExecutionSchema>;

/** How many executions of this workflow (or group) may run at once (`spec.concurrency`). */
export const ConcurrencyPolicy = lazySchema(() =>
  z.strictObject({
    group: z.string().optional(),
    max: IntOrExpression.optional(),
    cancelInProgress: BoolOrExpression.optional(),
  }),
);
export type ConcurrencyPolicy = z.infer<typeof ConcurrencyPolicy>;

/** Orchestration switches (`spec.system`); meaningful to Testkube's pod builder only. */
export const SystemConfig = lazySchema(() =>
  z.strictObject({
    pureByDefault: BoolOrExpression.optional(),
    isolatedContainers: BoolOrExpression.optional(),
  }),
);

/** Deprecated and unused by Testkube; accepted so old documents still apply. */
export const NotificationsConfig = lazySchema(() =>
  z.strictObject({ disableWebhooks: BoolOrExpression.optional() }),
);

/** Per-workflow timeouts (`spec.timeouts`). */
export const WorkflowTimeouts = lazySchema(() =>
  z.strictObject({
    /** Longest wait from scheduling until the first step starts. */
    initialization: DurationString.optional(),
    /** Longest time an execution may wait in the queue. */
    queue: DurationString.optional(),
  }),
);
export type WorkflowTimeouts = z.infer<typeof WorkflowTimeouts>;
