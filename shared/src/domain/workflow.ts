import * as z from "zod";
import { lazySchema } from "../lazy-schema.ts";
import { Slug, WorkflowName } from "./ids.ts";

/** A stored workflow: the TestWorkflow document as written, plus bookkeeping. */
export const WorkflowRecord = lazySchema(() =>
  z.object({
    orgId: Slug,
    envId: Slug,
    name: WorkflowName,
    /** The document as the user wrote it (YAML or JSON text), kept verbatim. */
    source: z.string(),
    /** The parsed document (a TestWorkflow object). */
    spec: z.record(z.string(), z.unknown()),
    labels: z.record(z.string(), z.string()).default({}),
    description: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    /** Incremented on every update; used for optimistic concurrency. */
    version: z.number().int().positive(),
  }),
);
export type WorkflowRecord = z.infer<typeof WorkflowRecord>;

export const WorkflowView = lazySchema(() =>
  WorkflowRecord.omit({ source: true }).extend({ source: z.string().optional() }),
);
export type WorkflowView = z.infer<typeof WorkflowView>;

/** `PUT workflows/{name}?dryRun=true`: check without storing. */
export const ApplyWorkflowQuery = lazySchema(() =>
  z
    .object({
      dryRun: z
        .enum(["true", "false", "1", "0"])
        .optional()
        .transform((v) => v === "true" || v === "1"),
    })
    .strict(),
);

/** A planner feature a runtime lacks, where the document needs it. */
export const CheckRefusal = lazySchema(() =>
  z.object({
    path: z.string(),
    feature: z.string(),
    message: z.string(),
    ref: z.string().optional(),
  }),
);

/** What `apply` found: the step tree and, per runtime of the environment's agents, what would not run. */
export const WorkflowCheckView = lazySchema(() =>
  z.object({
    steps: z.array(
      z.object({
        ref: z.string(),
        name: z.string(),
        depth: z.number().int(),
        kind: z.enum(["step", "service", "worker"]),
      }),
    ),
    runtimes: z.array(
      z.object({
        runtime: z.string(),
        /** Agents of the environment with this runtime; 0 when none has connected yet. */
        agents: z.number().int(),
        refusals: z.array(CheckRefusal),
        warnings: z.array(z.string()),
      }),
    ),
  }),
);
export type WorkflowCheckView = z.infer<typeof WorkflowCheckView>;

/** The body of `PUT workflows/{name}`: the stored (or, on a dry run, checked) workflow. */
export const ApplyWorkflowResponse = lazySchema(() =>
  z.object({
    workflow: WorkflowView,
    warnings: z.array(z.string()),
    check: WorkflowCheckView,
    /** True when nothing was stored (`?dryRun=true`). */
    dryRun: z.boolean(),
  }),
);
export type ApplyWorkflowResponse = z.infer<typeof ApplyWorkflowResponse>;

/** One cron job of a workflow (`spec.events[index].cronjob`) and whether it is paused. */
export const ScheduleView = lazySchema(() =>
  z.object({
    workflow: z.string(),
    /** Position in `spec.events` (what the pause and resume routes address). */
    index: z.number().int().nonnegative(),
    cron: z.string(),
    timezone: z.string().optional(),
    config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    paused: z.boolean(),
  }),
);
export type ScheduleView = z.infer<typeof ScheduleView>;

/** `POST workflows/{name}/schedules`: a cron job to add to the workflow's document. */
export const AddScheduleBody = lazySchema(() =>
  z
    .object({
      cron: z.string().trim().min(1, "is required").max(200),
      /** IANA time zone; UTC when left out. */
      timezone: z.string().trim().min(1).max(100).optional(),
    })
    .strict(),
);
export type AddScheduleBody = z.infer<typeof AddScheduleBody>;

/** `PATCH workflows/{name}/schedules/{index}`: pause or resume that cron job. */
export const UpdateScheduleBody = lazySchema(() => z.object({ paused: z.boolean() }).strict());
export type UpdateScheduleBody = z.infer<typeof UpdateScheduleBody>;
