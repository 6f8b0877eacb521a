/** A stored workflow or template as the API shows it: its source text only when asked for one. */
import type { WorkflowRecord } from "@assay/shared";

export const workflowView = (record: WorkflowRecord, withSource = false) => {
  const { source, ...rest } = record;
  return withSource ? { ...rest, source } : rest;
};
