/**
 * Runs a TestWorkflow document on the Docker runtime in-process (planner, plan runner and the
 * real engine; no control plane), for runtime tests. Each run gets its own workspace under
 * `dir`; the result, the whole log and the final event of every step come back.
 */
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import type { OutputStream } from "@assay/shared";
import { systemClock } from "@assay/shared/time";
import type Docker from "dockerode";
import { planSpecWithCredentials } from "../../plan-spec.ts";
import { startPlanRun } from "../../run-plan.ts";
import { createRecordingSink } from "../../test-support.ts";
import type { RunResult, StepEvent } from "../../types.ts";
import { createDockerRuntime, type DockerRuntimeOptions } from "./docker-runtime.ts";

export interface DockerRunOutcome {
  result: RunResult;
  log: string;
  /** The final event of the step named `name`. */
  step(name: string): StepEvent | undefined;
  /** What the step named `name` wrote to `stream`, in order. */
  output(name: string, stream: OutputStream): string;
  workspace: string;
}

/** Plans `yaml` for a Docker runtime with `options` and runs it; `onStart` gets the run. */
export const runOnDocker = async (
  docker: Docker,
  dir: string,
  yaml: string,
  options: Partial<DockerRuntimeOptions> & {
    onStart?: (run: { abort(reason: string): void }) => void;
    /** The environment's credentials, as the control plane would hand them out. */
    credentials?: Array<{ name: string; value: string; secret: boolean }>;
  } = {},
): Promise<DockerRunOutcome> => {
  const { onStart, credentials = [], ...rest } = options;
  const runtime = createDockerRuntime({ agentId: `runtime-test-${process.pid}`, docker, ...rest });
  const planned = await planSpecWithCredentials(
    yaml,
    {},
    async (names, prefixes) => ({
      ok: true,
      values: credentials.filter(
        ({ name }) => names.includes(name) || prefixes.some((p) => name.startsWith(`${p}.`)),
      ),
    }),
    runtime,
  );
  if (!planned.ok) throw new Error(`${planned.message}: ${planned.details.join("; ")}`);
  const workspace = await mkdtemp(join(dir, "ws-"));
  const recorder = createRecordingSink();
  const run = startPlanRun({
    plan: planned.plan,
    workspace,
    sink: recorder.sink,
    baseEnv: {},
    secrets: planned.secrets ?? [],
    runtime,
    executionId: `runtime-test-${process.pid}`,
    killGraceMs: 500,
    clock: systemClock,
  });
  onStart?.(run);
  const result = await run.done;
  const nameOf = new Map<string, string>();
  const walk = (steps: typeof planned.plan.steps) => {
    for (const s of steps) {
      nameOf.set(s.ref, s.name);
      walk(s.steps);
    }
  };
  walk(planned.plan.steps);
  const refOf = (name: string) => [...nameOf].find(([, n]) => n === name)?.[0];
  return {
    result,
    log: recorder.text(),
    workspace,
    step: (name) => {
      const ref = refOf(name);
      return ref === undefined ? undefined : recorder.final(ref);
    },
    output: (name, stream) => recorder.streamOf(refOf(name) ?? "", stream),
  };
};
