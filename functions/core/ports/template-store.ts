/** Where TestWorkflowTemplates are kept (the same record shape as a workflow), per environment. */
import type { WorkflowRecord } from "@assay/shared";
import type { EnvRef } from "./refs.ts";

/** A stored TestWorkflowTemplate: the same record shape as a workflow. */
export type TemplateRecord = WorkflowRecord;

export interface TemplateStore {
  /** Creates or replaces; with `expectedVersion` (0 = must not exist) else throws `aborted`. */
  put(template: TemplateRecord, expectedVersion?: number): Promise<void>;
  get(env: EnvRef, name: string): Promise<TemplateRecord | undefined>;
  list(env: EnvRef): Promise<TemplateRecord[]>;
  /** False when there was nothing to delete. */
  delete(env: EnvRef, name: string): Promise<boolean>;
}
