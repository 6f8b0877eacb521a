import assert from "node:assert/strict";
import { test } from "node:test";
import { Execution } from "@assay/shared";
import { StepStatus, type StepUpdate } from "@assay/shared/proto";
import { runCommand, toStepState } from "./messages.ts";

const update = (fields: Partial<StepUpdate>): StepUpdate => ({
  executionId: "e1",
  stepRef: "r1",
  status: StepStatus.STEP_STATUS_PASSED,
  startedAtMs: 1000,
  finishedAtMs: 2000,
  exitCode: 0,
  message: "",
  cpuPeakPercent: 0,
  memoryPeakBytes: 0,
  ...fields,
});

test("toStepState keeps the CPU and memory peaks an agent measured", () => {
  const step = toStepState(update({ cpuPeakPercent: 87.5, memoryPeakBytes: 12_345_678 }), undefined);
  assert.equal(step?.cpuPeakPercent, 87.5);
  assert.equal(step?.memoryPeakBytes, 12_345_678);
});

test("toStepState treats zero peaks as not measured and keeps what was known", () => {
  const known = { ref: "r1", name: "build", status: "running" as const, warnings: [], memoryPeakBytes: 42 };
  const step = toStepState(update({}), known);
  assert.equal(step?.cpuPeakPercent, undefined);
  assert.equal(step?.memoryPeakBytes, 42);
});

test("runCommand carries where the run belongs: organization, environment and dashboard", () => {
  const execution = Execution.parse({
    id: "01JRVN00000000000000000000",
    orgId: "acme",
    envId: "staging",
    workflowName: "smoke",
    status: "queued",
    createdAt: "2026-12-02T03:00:00.000Z",
    specYaml: "kind: TestWorkflow",
    dashboardUrl: "https://assay.example",
  });
  const message = runCommand(execution, 0);
  assert.equal(message.kind?.$case, "run");
  const run = message.kind?.$case === "run" ? message.kind.value : undefined;
  assert.equal(run?.organizationId, "acme");
  assert.equal(run?.environmentId, "staging");
  assert.equal(run?.dashboardUrl, "https://assay.example");
  const older = runCommand(Execution.parse({ ...execution, dashboardUrl: undefined }), 0);
  assert.equal(older.kind?.$case === "run" ? older.kind.value.dashboardUrl : "?", "");
});
