import * as z from "zod";
import { lazySchema } from "../lazy-schema.ts";

/**
 * Organization and environment ids are slugs chosen at creation ("acme", "staging"): readable in
 * URLs and CLI flags, immutable afterwards (display names can change).
 */
export const Slug = lazySchema(() =>
  z
    .string()
    .min(1)
    .max(63)
    .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "must be lowercase letters, digits and dashes"),
);
export type Slug = z.infer<typeof Slug>;

/** Workflow names follow Kubernetes object names, as TestWorkflow `metadata.name` does. */
export const WorkflowName = lazySchema(() =>
  z
    .string()
    .min(1)
    .max(253)
    .regex(/^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/, "must be lowercase letters, digits, '-' and '.'"),
);
export type WorkflowName = z.infer<typeof WorkflowName>;

/** Execution ids are ULIDs: time-ordered, so listing newest first is a reverse key scan. */
export const ExecutionId = lazySchema(() =>
  z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, "must be an execution id (ULID)"),
);
export type ExecutionId = z.infer<typeof ExecutionId>;
