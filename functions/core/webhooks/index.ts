/**
 * Webhooks, assembled: the management service (API, CLI, dashboard) and the two job handlers
 * the workers run (`webhook-events` fans a lifecycle phase out to deliveries, `webhook-delivery`
 * sends one). See docs/webhooks.md.
 */
import type { AuditLog } from "../audit.ts";
import type { WebhookSender } from "../ports/webhook-sender.ts";
import type { WebhookStore } from "../ports/webhook-store.ts";
import type { Clock, ExecutionStore, JobQueue, Logger, WorkflowStore } from "../ports.ts";
import type { SecretBox } from "../secret-box.ts";
import { createWebhookDeliveryJob, type DeliverySettings } from "./deliver.ts";
import { createWebhookEventsJob } from "./dispatch.ts";
import { createWebhookService } from "./service.ts";

export type WebhookSettings = DeliverySettings;

export function createWebhooks(deps: {
  store: WebhookStore;
  sender: WebhookSender;
  executions: Pick<ExecutionStore, "get" | "list">;
  workflows: Pick<WorkflowStore, "get">;
  jobs: JobQueue;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
  box?: SecretBox;
  publicWebUrl: () => string;
  settings?: Partial<WebhookSettings>;
}) {
  const { store, sender, executions, workflows, jobs, clock, logger, box } = deps;
  return {
    service: createWebhookService({ store, sender, jobs, audit: deps.audit, clock, box }),
    eventsJob: createWebhookEventsJob({ executions, workflows, webhooks: store, jobs }),
    deliveryJob: createWebhookDeliveryJob({
      webhooks: store,
      executions,
      workflows,
      sender,
      jobs,
      clock,
      logger,
      box,
      executionUrl: ({ orgId, envId, id }) =>
        `${deps.publicWebUrl().replace(/\/$/, "")}/orgs/${orgId}/envs/${envId}/executions/${id}`,
      settings: deps.settings,
    }),
  };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
