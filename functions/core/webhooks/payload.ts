/**
 * Request bodies of deliveries. The default (`testkube` format) is Testkube's event JSON with a
 * `testWorkflowExecution` as Testkube names its fields, so receivers written for Testkube read
 * it unchanged. `payloadTemplate` renders a `{{ }}` template with the project's expression
 * language over the same data; Testkube's Go-template field paths (`{{ .TestWorkflowExecution.Name }}`)
 * are accepted for simple field references. `slack` and `cdevents` are built-in formats.
 */
import { AppError, type ExecutionView, type WebhookEventType, type WebhookFormat } from "@assay/shared";
import { evaluateTemplate, fromJs, isExpressionError } from "@assay/shared/workflow";
import { resultClassOf } from "./events.ts";

/** Everything a payload may use about one event. */
export interface WebhookEvent {
  /** Idempotency key: `{executionId}.{event}`. */
  id: string;
  type: WebhookEventType;
  execution: ExecutionView;
  workflowLabels: Record<string, string>;
  /** Link to the execution in the dashboard. */
  executionUrl: string;
}

const durationMs = (e: ExecutionView): number | undefined =>
  e.startedAt && e.finishedAt ? Math.max(0, Date.parse(e.finishedAt) - Date.parse(e.startedAt)) : undefined;

/** Testkube's workflow statuses for Assay's (timeout and lost are failed there). */
const testkubeStatus = (e: ExecutionView): string =>
  resultClassOf(e.status) ?? (e.status === "assigned" ? "assigned" : e.status);

/** Testkube's `TestWorkflowExecution` for an execution (the fields Assay knows). */
export function testWorkflowExecution(event: WebhookEvent) {
  const e = event.execution;
  const ms = durationMs(e);
  return {
    id: e.id,
    name: `${e.workflowName}-${e.id}`,
    scheduledAt: e.createdAt,
    ...(e.assignedAt ? { assignedAt: e.assignedAt } : {}),
    statusAt: e.finishedAt ?? e.startedAt ?? e.assignedAt ?? e.createdAt,
    workflow: { name: e.workflowName, labels: event.workflowLabels },
    tags: e.tags,
    result: {
      status: testkubeStatus(e),
      queuedAt: e.createdAt,
      ...(e.startedAt ? { startedAt: e.startedAt } : {}),
      ...(e.finishedAt ? { finishedAt: e.finishedAt } : {}),
      ...(ms === undefined ? {} : { durationMs: ms, duration: `${(ms / 1000).toFixed(3)}s` }),
      steps: Object.fromEntries(e.steps.map((s) => [s.ref, { status: s.status, exitCode: s.exitCode }])),
      ...(e.message ? { message: e.message } : {}),
    },
    assay: { orgId: e.orgId, envId: e.envId, status: e.status, url: event.executionUrl },
  };
}

/** Testkube's event JSON. */
export const defaultPayload = (event: WebhookEvent) => ({
  id: event.id,
  type: event.type,
  resource: "testworkflowexecution",
  resourceId: event.execution.id,
  testWorkflowExecution: testWorkflowExecution(event),
});

/** Go-style names of the same data, for `{{ .Field }}` templates written for Testkube. */
const goNames = (event: WebhookEvent) => {
  const twe = testWorkflowExecution(event);
  return {
    Id: event.id,
    Type_: event.type,
    Resource: "testworkflowexecution",
    ResourceId: event.execution.id,
    TestWorkflowExecution: {
      Id: twe.id,
      Name: twe.name,
      ScheduledAt: twe.scheduledAt,
      StatusAt: twe.statusAt,
      Tags: twe.tags,
      Workflow: { Name: twe.workflow.name, Labels: twe.workflow.labels },
      Result: {
        Status: twe.result.status,
        QueuedAt: twe.result.queuedAt,
        StartedAt: twe.result.startedAt ?? "",
        FinishedAt: twe.result.finishedAt ?? "",
        Duration: twe.result.duration ?? "",
        DurationMs: twe.result.durationMs ?? 0,
      },
    },
  };
};

/** `{{ .A.B }}` (Testkube's Go templates) -> `{{ A.B }}`: a plain field path reads the Go names. */
const fromGoTemplate = (template: string): string =>
  template.replace(/\{\{-?\s*\.([A-Za-z_][A-Za-z0-9_.]*)\s*-?\}\}/g, "{{ $1 }}");

/** Renders a payload template; a bad template is `invalid_argument` naming the problem. */
export function renderPayloadTemplate(template: string, event: WebhookEvent): string {
  const payload = defaultPayload(event);
  const variables = {
    event: fromJs({ id: event.id, type: event.type }),
    execution: fromJs(payload.testWorkflowExecution),
    workflow: fromJs(payload.testWorkflowExecution.workflow),
    payload: fromJs(payload),
    ...Object.fromEntries(Object.entries(goNames(event)).map(([k, v]) => [k, fromJs(v)])),
  };
  try {
    return evaluateTemplate(fromGoTemplate(template), { variables, strictRoots: [] });
  } catch (error) {
    if (isExpressionError(error)) throw new AppError("invalid_argument", `payloadTemplate: ${error.message}`);
    throw error;
  }
}

const EMOJI: Record<string, string> = {
  passed: ":white_check_mark:",
  failed: ":x:",
  aborted: ":octagonal_sign:",
};

const failedTests = (e: ExecutionView): string[] =>
  e.steps.filter((s) => s.status === "failed" || s.status === "timeout").map((s) => s.name || s.ref);

/** A Slack incoming-webhook message: status, duration, failed steps and a link. */
export function slackPayload(event: WebhookEvent) {
  const e = event.execution;
  const ms = durationMs(e);
  const status = resultClassOf(e.status) ?? e.status;
  const failed = failedTests(e);
  const lines = [
    `${EMOJI[status] ?? ":information_source:"} *${e.workflowName}* ${status} (${event.type})`,
    `Environment: ${e.envId} · Execution: <${event.executionUrl}|${e.id}>`,
    ...(ms === undefined ? [] : [`Duration: ${(ms / 1000).toFixed(1)} s`]),
    ...(failed.length > 0 ? [`Failed: ${failed.slice(0, 10).join(", ")}`] : []),
    ...(e.message ? [`Message: ${e.message.slice(0, 300)}`] : []),
  ];
  const text = lines.join("\n");
  return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] };
}

/** A CDEvents (v0.4) testrun event: `queued`, `started` or `finished`. */
export function cdeventsPayload(event: WebhookEvent, source: string) {
  const e = event.execution;
  const phase =
    event.type === "queue-testworkflow"
      ? "queued"
      : event.type === "start-testworkflow"
        ? "started"
        : "finished";
  const outcome = { passed: "pass", failed: "fail", aborted: "cancel", canceled: "cancel" }[
    resultClassOf(e.status) ?? "failed"
  ];
  return {
    context: {
      specversion: "0.4.1",
      id: event.id,
      source,
      type: `dev.cdevents.testcaserun.${phase}.0.1.1`,
      timestamp: e.finishedAt ?? e.startedAt ?? e.createdAt,
    },
    subject: {
      id: e.id,
      source,
      content: {
        environment: { id: e.envId },
        testCase: { id: e.workflowName, name: e.workflowName },
        ...(phase === "finished" ? { outcome, ...(e.message ? { reason: e.message } : {}) } : {}),
      },
    },
  };
}

/** The request body of a delivery in the webhook's format. */
export function renderBody(
  webhook: { format: WebhookFormat; payloadTemplate?: string },
  event: WebhookEvent,
): { body: string; contentType: string } {
  if (webhook.format === "slack")
    return { body: JSON.stringify(slackPayload(event)), contentType: "application/json" };
  if (webhook.format === "cdevents") {
    const source = `/assay/${event.execution.orgId}/${event.execution.envId}`;
    return { body: JSON.stringify(cdeventsPayload(event, source)), contentType: "application/json" };
  }
  if (webhook.payloadTemplate) {
    const body = renderPayloadTemplate(webhook.payloadTemplate, event);
    return { body, contentType: /^\s*[[{]/.test(body) ? "application/json" : "text/plain" };
  }
  return { body: JSON.stringify(defaultPayload(event)), contentType: "application/json" };
}
