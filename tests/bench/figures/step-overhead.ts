/**
 * Agent overhead per step: the agent's runner (the code `assay agent` runs executions with:
 * plan, workspace, step processes, resource sampling, masking, log sink) running a workflow of
 * N shell steps `true`, against spawning `sh -c true` N times directly (spawn to exit, one after
 * another). Per step = (time of N+1 steps - time of 1 step) / N, so the per-execution setup
 * (workspace, plan) is not counted; overhead = per step - bare spawn per step.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { systemClock } from "@assay/shared/time";
import { planSpec } from "../../../agent/src/runner/plan-spec.ts";
import { startExecution } from "../../../agent/src/runner/run-execution.ts";
import type { RunnerSink } from "../../../agent/src/runner/types.ts";
import { figure, progress, quick, report, runCount } from "../lib/figure.ts";
import { median } from "../lib/stats.ts";

const STEPS = quick ? 40 : 100;
const RUNS = runCount(7);

const workflow = (steps: number) =>
  `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: steps
spec:
  steps:
${Array.from({ length: steps }, (_, i) => `    - name: s${i}\n      shell: "true"`).join("\n")}
`;

/** A sink that keeps nothing: the figure is about the runner, not a recorder. */
const sink: RunnerSink = { step: () => {}, log: () => true, drained: () => Promise.resolve() };

const workRoot = await mkdtemp(join(tmpdir(), "assay-bench-steps-"));
let n = 0;
async function runSteps(steps: number): Promise<number> {
  const spec = workflow(steps);
  const t0 = performance.now();
  const run = startExecution({
    executionId: `bench-steps-${n++}`,
    specYaml: spec,
    config: {},
    sensitive: [],
    workRoot,
    sink,
    baseEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    planSpec: (spec, config, execution) => planSpec(spec, config, undefined, execution),
    killGraceMs: 300,
    clock: systemClock,
  });
  await run.done;
  return performance.now() - t0;
}

function bareSpawns(count: number): Promise<number> {
  return (async () => {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      await new Promise<void>((resolve, reject) => {
        const child = spawn("sh", ["-c", "true"], { stdio: "ignore" });
        child.on("error", reject);
        child.on("exit", () => resolve());
      });
    }
    return performance.now() - t0;
  })();
}

try {
  await runSteps(5);
  await bareSpawns(20);
  const perStep: number[] = [];
  const bare: number[] = [];
  const overhead: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const one = median([await runSteps(1), await runSteps(1), await runSteps(1)]);
    const many = await runSteps(STEPS + 1);
    const agent = (many - one) / STEPS;
    const sh = (await bareSpawns(STEPS)) / STEPS;
    perStep.push(agent);
    bare.push(sh);
    overhead.push(agent - sh);
    progress(`steps run ${r + 1}/${RUNS}: ${agent.toFixed(2)} ms/step vs sh -c ${sh.toFixed(2)} ms`);
  }
  report([
    figure({
      id: "steps.per-step",
      name: "agent runner time per step (shell: true)",
      unit: "ms",
      runs: perStep,
      baseline: { name: "sh -c true, spawn to exit", runs: bare },
      target: "(see overhead)",
      notes: [`${STEPS} steps per run, (T(N+1) - T(1)) / N`],
    }),
    figure({
      id: "steps.overhead",
      name: "agent overhead per step over sh -c",
      unit: "ms",
      runs: overhead,
      target: "<= 3 ms",
      meets: (v) => v <= 3,
    }),
  ]);
} finally {
  await rm(workRoot, { recursive: true, force: true });
}
