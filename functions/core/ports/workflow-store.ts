import type { WorkflowRecord } from "@assay/shared";

export interface WorkflowStore {
  /**
   * Creates or replaces a workflow. With `expectedVersion`, the write succeeds only if the
   * stored version matches (0 = must not exist), else throws `aborted`.
   */
  put(workflow: WorkflowRecord, expectedVersion?: number): Promise<void>;
  get(orgId: string, envId: string, name: string): Promise<WorkflowRecord | undefined>;
  list(orgId: string, envId: string): Promise<WorkflowRecord[]>;
  delete(orgId: string, envId: string, name: string): Promise<boolean>;
}
