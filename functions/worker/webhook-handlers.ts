/** The SQS handlers of the two webhook job kinds (local mode and the Lambda entries). */
import type { Job, Logger } from "../core/ports.ts";
import { createSqsHandler } from "./sqs-handler.ts";

type Handler = (job: Job) => Promise<void>;

export function webhookHandlers(
  webhooks: { events: Handler; delivery: Handler } | undefined,
  logger: Logger,
) {
  if (webhooks === undefined) throw new Error("webhooks are not configured in this composition");
  return {
    "webhook-events": createSqsHandler("webhook-events", webhooks.events, logger),
    "webhook-delivery": createSqsHandler("webhook-delivery", webhooks.delivery, logger),
  };
}
