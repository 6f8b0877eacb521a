import * as z from "zod";
import { Slug, WorkflowName } from "./ids.ts";

/** A stored workflow: the TestWorkflow document as written, plus bookkeeping. */
export const WorkflowRecord = z.object({
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
});
export type WorkflowRecord = z.infer<typeof WorkflowRecord>;

export const WorkflowView = WorkflowRecord.omit({ source: true }).extend({ source: z.string().optional() });
export type WorkflowView = z.infer<typeof WorkflowView>;
