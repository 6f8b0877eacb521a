/**
 * Every DynamoDB-backed port over the one table: what both composition roots (the local control
 * plane and the AWS runtime) call, so the list of table stores is written once. What is not a
 * table (blobs, bus, queue, mail, OpenID Connect, key wrapping, webhook sending) each root adds.
 */

import type { CorePorts } from "../../core/index.ts";
import { lazyMethods } from "../../core/lazy.ts";
import type { CredentialStore } from "../../core/ports/credential-store.ts";
import type { WebhookStore } from "../../core/ports/webhook-store.ts";
import type { Clock } from "../../core/ports.ts";
import { createDynamoConcurrencyGroups } from "./dynamo-concurrency-groups.ts";
import { createDynamoCredentialStore } from "./dynamo-credential-store.ts";
import { createDynamoExecutionStore } from "./dynamo-execution-store.ts";
import { createDynamoOrgStore } from "./dynamo-org-store.ts";
import { createDynamoScheduleStore } from "./dynamo-schedule-store.ts";
import type { DynamoStoreConfig } from "./dynamo-support.ts";
import { createDynamoTemplateStore } from "./dynamo-template-store.ts";
import { createDynamoTenancyStores, type DynamoTenancyStores } from "./dynamo-tenancy-stores.ts";
import { createDynamoTokenStore } from "./dynamo-token-store.ts";
import { createDynamoWorkflowStore } from "./dynamo-workflow-store.ts";

export type { DynamoStoreConfig } from "./dynamo-support.ts";

export type DynamoStores = Required<
  Pick<
    CorePorts,
    "orgs" | "tokens" | "workflows" | "executions" | "templates" | "schedules" | "concurrency" | "insights"
  >
> & {
  /** The accounts and tenancy stores (the root adds the mailer and the OpenID Connect client). */
  tenancy: DynamoTenancyStores;
  /** The credential store (the root adds how data keys are wrapped). */
  credentialStore: CredentialStore;
  /** The webhook store (the root adds the sender and what it may reach). */
  webhookStore: WebhookStore;
};

/**
 * Builds every store over `tableName` (create the table with createTableIfMissing locally);
 * `clock` times the stores' retries. The insight and webhook stores load with their first call:
 * only those features' own services (themselves loaded on first use) call them.
 */
export const createDynamoStores = (config: DynamoStoreConfig & { clock: Clock }): DynamoStores => ({
  orgs: createDynamoOrgStore(config),
  tokens: createDynamoTokenStore(config),
  workflows: createDynamoWorkflowStore(config),
  executions: createDynamoExecutionStore(config),
  templates: createDynamoTemplateStore(config),
  schedules: createDynamoScheduleStore(config),
  concurrency: createDynamoConcurrencyGroups(config),
  insights: lazyMethods(
    { addRun: true, putTestOutcomes: true, workflowDays: true, environmentDays: true, testDays: true },
    async () => (await import("./dynamo-insight-store.ts")).createDynamoInsightStore(config),
  ),
  tenancy: createDynamoTenancyStores(config),
  credentialStore: createDynamoCredentialStore(config),
  webhookStore: lazyMethods(
    {
      put: true,
      get: true,
      list: true,
      delete: true,
      appendDelivery: true,
      listDeliveries: true,
      getDelivery: true,
    },
    async () => (await import("./dynamo-webhook-store.ts")).createDynamoWebhookStore(config),
  ),
});
