/** A representative event, for checking a payload template when a webhook is saved. */
import type { WebhookEvent } from "./payload.ts";

export const sampleEvent = (): WebhookEvent => ({
  id: "01J0000000000000000000000.end-testworkflow-failed",
  type: "end-testworkflow-failed",
  executionUrl: "https://assay.example/orgs/acme/envs/ci/executions/01J0000000000000000000000",
  workflowLabels: { team: "qa" },
  execution: {
    id: "01J0000000000000000000000",
    orgId: "acme",
    envId: "ci",
    workflowName: "smoke",
    status: "failed",
    createdAt: "2026-01-01T00:00:00.000Z",
    assignedAt: "2026-01-01T00:00:01.000Z",
    startedAt: "2026-01-01T00:00:01.000Z",
    finishedAt: "2026-01-01T00:00:09.000Z",
    config: {},
    sensitive: [],
    tags: {},
    steps: [{ ref: "r1", name: "run tests", status: "failed", exitCode: 1, warnings: [] }],
    logBytes: 0,
    warnings: [],
    message: "step run tests failed",
  },
});
