/**
 * Runs a TestWorkflow spec on the process runtime in-process (shared planner and plan runner,
 * real processes; no control plane), for runner tests. Each run gets its own workspace under
 * `root`; the recorder, the workspace and the result come back.
 */
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { type Clock, systemClock } from "@assay/shared/time";
import { planSpec } from "./plan-spec.ts";
import { startPlanRun } from "./run-plan.ts";
import { createRecordingSink } from "./test-support.ts";

/**
 * Plans `spec` (the lines under `spec:`) with `config` and runs it; the plan must be runnable.
 * `takenAtMs` is when the agent took the run (`timeouts.initialization` counts from it); the
 * run's times are on `clock` (the system clock unless a test drives time itself).
 */
export const runOnProcess = async (
  root: string,
  spec: string,
  config: Record<string, string> = {},
  secrets: string[] = [],
  { takenAtMs, clock = systemClock }: { takenAtMs?: number; clock?: Clock } = {},
) => {
  const planned = planSpec(
    `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata: {name: t}\nspec:\n${spec}`,
    config,
  );
  assert.ok(planned.ok, JSON.stringify(planned));
  assert.deepEqual(planned.plan.unsupported, []);
  const workspace = await mkdtemp(join(root, "ws-"));
  const recorder = createRecordingSink();
  const handle = startPlanRun({
    plan: planned.plan,
    workspace,
    sink: recorder.sink,
    baseEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: root },
    secrets,
    killGraceMs: 300,
    clock,
    ...(takenAtMs === undefined ? {} : { takenAtMs }),
  });
  return { ...recorder, workspace, result: await handle.done };
};
