import type { WorkflowRecord } from "@assay/shared";
import type { EnvRef } from "./refs.ts";

export interface WorkflowStore {
  /**
   * Creates or replaces a workflow. With `expectedVersion`, the write succeeds only if the
   * stored version matches (0 = must not exist), else throws `aborted`.
   */
  put(workflow: WorkflowRecord, expectedVersion?: number): Promise<void>;
  get(env: EnvRef, name: string): Promise<WorkflowRecord | undefined>;
  list(env: EnvRef): Promise<WorkflowRecord[]>;
  delete(env: EnvRef, name: string): Promise<boolean>;
}
