/**
 * The `webhook-events` job: turns one lifecycle phase of an execution into Testkube events and
 * one `webhook-delivery` job per (event, matching webhook). Idempotent: the delivery job ids are
 * fixed by webhook and event, and the `become-*` comparison reads only runs that finished before
 * this one, so running it twice computes the same deliveries.
 */
import { type Execution, isTerminal, type WebhookEventType } from "@assay/shared";
import * as z from "zod";
import type { WebhookStore } from "../ports/webhook-store.ts";
import type { ExecutionStore, Job, JobQueue, WorkflowStore } from "../ports.ts";
import { eventsOfEnd, eventsOfPhase } from "./events.ts";
import { webhooksFor, webhooksSilenced } from "./selection.ts";

const EventsJob = z.object({
  orgId: z.string().min(1),
  envId: z.string().min(1),
  executionId: z.string().min(1),
  phase: z.enum(["queued", "started", "finished"]),
});

/** A run canceled while queued never ran: it raises no `become-*` and is no previous state. */
const neverLeftQueue = (e: Execution): boolean => e.assignedAt === undefined;

/** Runs compared when looking for the previous finished run (newest created first). */
const PREVIOUS_WINDOW = 200;

const finishedBefore = (a: Execution, b: Execution): boolean => {
  const fa = a.finishedAt ?? "";
  const fb = b.finishedAt ?? "";
  return fa < fb || (fa === fb && a.id < b.id);
};

/**
 * The status of the run of the same workflow that finished last before `current`, skipping
 * silent runs (as Testkube does), among the newest {@link PREVIOUS_WINDOW} runs.
 */
export async function previousFinishedStatus(
  executions: Pick<ExecutionStore, "list">,
  current: Execution,
): Promise<Execution["status"] | undefined> {
  let best: Execution | undefined;
  let cursor: string | undefined;
  let seen = 0;
  do {
    const page = await executions.list(current, { workflow: current.workflowName }, { limit: 100, cursor });
    for (const e of page.items) {
      if (e.id === current.id || !isTerminal(e.status) || !finishedBefore(e, current)) continue;
      if (neverLeftQueue(e) || webhooksSilenced(e.specYaml)) continue;
      if (!best || finishedBefore(best, e)) best = e;
    }
    seen += page.items.length;
    cursor = page.nextCursor;
  } while (cursor && seen < PREVIOUS_WINDOW);
  return best?.status;
}

export function createWebhookEventsJob(deps: {
  executions: Pick<ExecutionStore, "get" | "list">;
  workflows: Pick<WorkflowStore, "get">;
  webhooks: Pick<WebhookStore, "list">;
  jobs: JobQueue;
}) {
  return async (job: Job) => {
    const { orgId, envId, executionId, phase } = EventsJob.parse(job.payload);
    const webhooks = await deps.webhooks.list({ orgId, envId });
    if (webhooks.every((w) => w.disabled)) return;
    const execution = await deps.executions.get({ orgId, envId, id: executionId });
    if (!execution || webhooksSilenced(execution.specYaml)) return;
    let events: WebhookEventType[];
    if (phase === "finished") {
      if (!isTerminal(execution.status)) return;
      events = eventsOfEnd(execution.status, await previousFinishedStatus(deps.executions, execution));
      if (neverLeftQueue(execution)) events = events.filter((e) => !e.startsWith("become-"));
    } else {
      events = eventsOfPhase(phase);
    }
    const workflow = await deps.workflows.get({ orgId, envId }, execution.workflowName);
    const target = { name: execution.workflowName, labels: workflow?.labels ?? {} };
    for (const event of events) {
      const eventId = `${executionId}.${event}`;
      for (const webhook of webhooksFor(webhooks, event, target)) {
        await deps.jobs.send({
          kind: "webhook-delivery",
          id: `${webhook.name}.${eventId}`,
          payload: {
            orgId,
            envId,
            webhook: webhook.name,
            executionId,
            event,
            deliveryId: eventId,
            attempt: "1",
          },
        });
      }
    }
  };
}
