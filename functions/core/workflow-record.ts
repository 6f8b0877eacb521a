/**
 * The record a checked TestWorkflow or TestWorkflowTemplate is stored as: its source text, the
 * parsed document, the labels and description read from it, and the next version over the
 * record it replaces (its creation time kept).
 */
import type { WorkflowRecord } from "@assay/shared";
import type { EnvRef } from "./ports/refs.ts";

/** What a stored record reads from its document. */
interface StoredDocument {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  description?: string;
}

export const nextRecord = (
  { orgId, envId }: EnvRef,
  name: string,
  source: string,
  document: StoredDocument,
  existing: WorkflowRecord | undefined,
  now: string,
): WorkflowRecord => ({
  orgId,
  envId,
  name,
  source,
  spec: document as unknown as Record<string, unknown>,
  labels: document.metadata.labels ?? {},
  description: document.metadata.annotations?.description ?? document.description,
  createdAt: existing?.createdAt ?? now,
  updatedAt: now,
  version: (existing?.version ?? 0) + 1,
});
