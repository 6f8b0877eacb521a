/**
 * The `webhook-delivery` job: renders and signs one event for one webhook, sends it, and logs the
 * attempt. A failed attempt schedules the next one through the queue with a growing delay
 * (`backoffSeconds`, at most SQS's 15 minutes each) until `maxAttempts`; an address the
 * deployment forbids, or a template that cannot render, is not retried. The job itself always
 * succeeds once the attempt is logged, so retries follow this schedule rather than the queue's
 * visibility timeout; a crash before logging is retried by the queue (at least once).
 */
import {
  AppError,
  WebhookEventType as EventSchema,
  type Execution,
  toExecutionView,
  type WebhookEventType,
} from "@assay/shared";
import { monotonicFactory } from "ulid";
import * as z from "zod";
import type { ExecutionRef } from "../ports/refs.ts";
import type { Clock, ExecutionStore, Job, JobQueue, Logger, WorkflowStore } from "../ports.ts";
import type { SecretBox } from "../secret-box.ts";
import { renderBody, renderPayloadTemplate, type WebhookEvent } from "./payload.ts";
import type { DeliveryRecord, OutboundResult, WebhookRecord, WebhookSender, WebhookStore } from "./ports.ts";
import { openHeaders } from "./sealing.ts";
import { SIGNATURE_HEADER, signPayload, TIMESTAMP_HEADER } from "./signature.ts";

export interface DeliverySettings {
  /** Attempts per delivery, the first included (default 8). */
  maxAttempts: number;
  /** Delay before attempt n+1 is `backoffSeconds[n-1]` (the last repeats); capped at 900. */
  backoffSeconds: number[];
  /** Days attempts stay in the delivery log (default 30). */
  logRetentionDays: number;
}

export const defaultDeliverySettings: DeliverySettings = {
  maxAttempts: 8,
  // About 40 minutes from the first attempt to the last.
  backoffSeconds: [10, 30, 60, 120, 300, 600, 900],
  logRetentionDays: 30,
};

const DeliveryJob = z.object({
  orgId: z.string().min(1),
  envId: z.string().min(1),
  webhook: z.string().min(1),
  executionId: z.string().min(1),
  event: EventSchema,
  deliveryId: z.string().min(1),
  attempt: z.coerce.number().int().positive(),
  redelivery: z.enum(["true", "false"]).default("false"),
});
type DeliveryJob = z.infer<typeof DeliveryJob>;

export interface DeliveryDeps {
  webhooks: Pick<WebhookStore, "get" | "appendDelivery">;
  executions: Pick<ExecutionStore, "get">;
  workflows: Pick<WorkflowStore, "get">;
  sender: WebhookSender;
  jobs: JobQueue;
  clock: Clock;
  logger: Logger;
  box?: SecretBox;
  /** The dashboard page of an execution. */
  executionUrl: (execution: ExecutionRef) => string;
  settings?: Partial<DeliverySettings>;
}

/** The headers of a delivery: the webhook's own (rendered), then Assay's, then the signature. */
function headersOf(
  webhook: WebhookRecord,
  event: WebhookEvent,
  job: DeliveryJob,
  body: string,
  contentType: string,
  deps: DeliveryDeps,
) {
  const own = openHeaders(webhook.headers, deps.box);
  const rendered = Object.fromEntries(
    Object.entries(own).map(([k, v]) => [k, v.includes("{{") ? renderPayloadTemplate(v, event) : v]),
  );
  const timestamp = Math.floor(deps.clock.now() / 1000);
  const headers: Record<string, string> = {
    "content-type": contentType,
    "user-agent": "Assay-Webhooks/1",
    ...rendered,
    "x-assay-event": job.event,
    "x-assay-delivery": job.deliveryId,
    "x-assay-attempt": String(job.attempt),
    "idempotency-key": event.id,
    [TIMESTAMP_HEADER]: String(timestamp),
  };
  if (webhook.secret) {
    const secret = deps.box ? deps.box.open(webhook.secret) : webhook.secret;
    headers[SIGNATURE_HEADER] = signPayload(secret, timestamp, body);
  }
  return headers;
}

export function createWebhookDeliveryJob(deps: DeliveryDeps) {
  const settings = { ...defaultDeliverySettings, ...deps.settings };
  const nextId = monotonicFactory();

  async function attempt(
    job: DeliveryJob,
    webhook: WebhookRecord,
    execution: Execution | undefined,
  ): Promise<OutboundResult> {
    if (!execution)
      return { ok: false, refused: true, latencyMs: 0, error: "the execution no longer exists" };
    const workflow = await deps.workflows.get(job, execution.workflowName);
    const event: WebhookEvent = {
      id: `${job.executionId}.${job.event}`,
      type: job.event as WebhookEventType,
      execution: toExecutionView(execution),
      workflowLabels: workflow?.labels ?? {},
      executionUrl: deps.executionUrl({ orgId: job.orgId, envId: job.envId, id: job.executionId }),
    };
    try {
      const { body, contentType } = renderBody(webhook, event);
      return await deps.sender.send({
        url: webhook.url,
        body,
        headers: headersOf(webhook, event, job, body, contentType, deps),
      });
    } catch (error) {
      if (error instanceof AppError) return { ok: false, refused: true, latencyMs: 0, error: error.message };
      throw error;
    }
  }

  return async (raw: Job) => {
    const job = DeliveryJob.parse(raw.payload);
    const webhook = await deps.webhooks.get(job, job.webhook);
    // Deleted or disabled since the event: nothing to send.
    if (!webhook || webhook.disabled) return;
    const execution = await deps.executions.get({ orgId: job.orgId, envId: job.envId, id: job.executionId });
    const result = await attempt(job, webhook, execution);
    const delivered = result.ok && result.statusCode >= 200 && result.statusCode < 300;
    const retry = !delivered && !(!result.ok && result.refused) && job.attempt < settings.maxAttempts;
    const delaySeconds = Math.min(
      900,
      settings.backoffSeconds[Math.min(job.attempt - 1, settings.backoffSeconds.length - 1)] ?? 60,
    );
    const now = deps.clock.now();
    const record: DeliveryRecord = {
      orgId: job.orgId,
      envId: job.envId,
      webhook: job.webhook,
      id: nextId(now),
      deliveryId: job.deliveryId,
      eventId: `${job.executionId}.${job.event}`,
      event: job.event,
      executionId: job.executionId,
      workflowName: execution?.workflowName ?? "",
      attempt: job.attempt,
      at: new Date(now).toISOString(),
      outcome: delivered ? "delivered" : !result.ok && result.refused ? "refused" : "failed",
      ...(result.ok ? { statusCode: result.statusCode } : {}),
      latencyMs: result.latencyMs,
      excerpt: (result.ok ? result.excerpt : result.error).slice(0, 1024),
      ...(retry ? { nextAttemptAt: new Date(now + delaySeconds * 1000).toISOString() } : {}),
      redelivery: job.redelivery === "true",
    };
    if (retry) {
      await deps.jobs.send(
        {
          kind: "webhook-delivery",
          id: `${raw.id}.${job.attempt + 1}`,
          payload: { ...raw.payload, attempt: String(job.attempt + 1) },
        },
        { delaySeconds },
      );
    }
    await deps.webhooks.appendDelivery(record, settings.logRetentionDays);
    deps.logger.info(
      {
        webhook: job.webhook,
        event: job.event,
        attempt: job.attempt,
        outcome: record.outcome,
        statusCode: record.statusCode,
      },
      "webhook delivery attempt",
    );
  };
}
