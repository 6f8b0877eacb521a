/**
 * All DynamoDB-backed stores over one table: what a composition root calls.
 */
import type { CorePorts } from "../../core/index.ts";
import { createDynamoExecutionStore } from "./dynamo-execution-store.ts";
import { createDynamoOrgStore } from "./dynamo-org-store.ts";
import type { DynamoStoreConfig } from "./dynamo-support.ts";
import { createDynamoTokenStore } from "./dynamo-token-store.ts";
import { createDynamoWorkflowStore } from "./dynamo-workflow-store.ts";

export type { DynamoStoreConfig } from "./dynamo-support.ts";

export type DynamoStores = Pick<CorePorts, "orgs" | "tokens" | "workflows" | "executions">;

/** Builds every store over `tableName` (create the table with createTableIfMissing locally). */
export const createDynamoStores = (config: DynamoStoreConfig): DynamoStores => ({
  orgs: createDynamoOrgStore(config),
  tokens: createDynamoTokenStore(config),
  workflows: createDynamoWorkflowStore(config),
  executions: createDynamoExecutionStore(config),
});
