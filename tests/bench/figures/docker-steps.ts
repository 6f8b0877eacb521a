/**
 * Container step overhead, same run, same image (a busybox image built here):
 * - the Docker runtime's time per `shell: "true"` step ((T(N+1) - T(1)) / N, so the
 *   per-execution setup is not counted), against `docker run --rm IMAGE true` (CLI, one after
 *   another) and `docker exec` of `true` in a running container (what a one-container-per-
 *   execution mode, steps as exec, would cost per step);
 * - execution start to first step output (image present) against `docker run` of the same
 *   command, start to its output.
 * Target: per step <= 1.2x docker run; first output <= 1.5x docker run.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { systemClock } from "@assay/shared/time";
import { planSpec } from "../../../agent/src/runner/plan-spec.ts";
import { startPlanRun } from "../../../agent/src/runner/run-plan.ts";
import { createDockerRuntime } from "../../../agent/src/runner/runtimes/docker/docker-runtime.ts";
import {
  buildBusyboxImage,
  requireDocker,
  SHELL_APPLETS,
} from "../../../agent/src/runner/runtimes/docker/test-images.ts";
import type { RunnerSink } from "../../../agent/src/runner/types.ts";
import { figure, progress, quick, report, runCount } from "../lib/figure.ts";
import { median } from "../lib/stats.ts";

const run = promisify(execFile);
const IMAGE = "assay-test/bench-shell:1";
const STEPS = quick ? 4 : 10;
const RUNS = runCount(5);

const docker = await requireDocker();
await buildBusyboxImage(docker, { tag: IMAGE, applets: SHELL_APPLETS });
const runtime = createDockerRuntime({ agentId: `bench-${process.pid}` });
const workRoot = await mkdtemp(join(tmpdir(), "assay-bench-docker-"));

const workflow = (steps: number, script: string) =>
  `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata: {name: b}\nspec:\n  container: {image: "${IMAGE}"}\n  steps:\n${Array.from({ length: steps }, (_, i) => `  - name: s${i}\n    shell: "${script}"`).join("\n")}\n`;

/** Runs a plan; resolves with total ms and ms to the first output byte. */
const runPlan = async (steps: number, script: string): Promise<{ total: number; first: number }> => {
  const planned = planSpec(workflow(steps, script), {}, runtime);
  if (!planned.ok) throw new Error(planned.message);
  let first = Number.NaN;
  const t0 = performance.now();
  const sink: RunnerSink = {
    step: () => {},
    log: (_ref, data) => {
      if (Number.isNaN(first) && !Buffer.from(data).toString().startsWith("[assay]"))
        first = performance.now() - t0;
      return true;
    },
    drained: () => Promise.resolve(),
  };
  const workspace = await mkdtemp(join(workRoot, "ws-"));
  const result = await startPlanRun({
    clock: systemClock,
    plan: planned.plan,
    workspace,
    sink,
    baseEnv: {},
    secrets: [],
    runtime,
    executionId: "bench",
  }).done;
  if (result.status !== "passed") throw new Error(`bench run ${result.status}: ${result.message}`);
  return { total: performance.now() - t0, first };
};

const dockerRun = async (count: number): Promise<number> => {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await run("docker", ["run", "--rm", IMAGE, "true"]);
  return (performance.now() - t0) / count;
};

const dockerRunFirstOutput = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn("docker", ["run", "--rm", IMAGE, "echo", "hi"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    let at = Number.NaN;
    child.stdout.once("data", () => {
      at = performance.now() - t0;
    });
    child.on("error", reject);
    child.on("exit", () => resolve(at));
  });

const dockerExec = async (count: number): Promise<number> => {
  const { stdout } = await run("docker", [
    "run",
    "-d",
    "--rm",
    "--label",
    `dev.assay.agent=bench-${process.pid}`,
    IMAGE,
    "sleep",
    "600",
  ]);
  const id = stdout.trim();
  try {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) await run("docker", ["exec", id, "true"]);
    return (performance.now() - t0) / count;
  } finally {
    await run("docker", ["rm", "-f", id]).catch(() => undefined);
  }
};

try {
  await runPlan(1, "true");
  await dockerRun(1);
  const perStep: number[] = [];
  const baseRun: number[] = [];
  const baseExec: number[] = [];
  const firstOut: number[] = [];
  const baseFirst: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const one = (await runPlan(1, "true")).total;
    const many = (await runPlan(STEPS + 1, "true")).total;
    perStep.push((many - one) / STEPS);
    baseRun.push(await dockerRun(STEPS));
    baseExec.push(await dockerExec(STEPS));
    firstOut.push((await runPlan(1, "echo hi")).first);
    baseFirst.push(await dockerRunFirstOutput());
    progress(
      `docker run ${r + 1}/${RUNS}: ${perStep.at(-1)?.toFixed(0)} ms/step vs docker run ${baseRun.at(-1)?.toFixed(0)} ms, exec ${baseExec.at(-1)?.toFixed(0)} ms; first output ${firstOut.at(-1)?.toFixed(0)} vs ${baseFirst.at(-1)?.toFixed(0)} ms`,
    );
  }
  report([
    figure({
      id: "docker.per-step",
      name: "Docker runtime time per shell step (true)",
      unit: "ms",
      runs: perStep,
      baseline: { name: "docker run --rm IMAGE true", runs: baseRun },
      target: "<= 1.2x docker run",
      meets: (_v, ratio) => ratio !== undefined && ratio <= 1.2,
      notes: [
        `${STEPS} steps per run, (T(N+1) - T(1)) / N; docker exec true in a running container: ${median(baseExec).toFixed(0)} ms (a steps-as-exec mode's floor)`,
      ],
    }),
    figure({
      id: "docker.exec-baseline",
      name: "docker exec true in a running container (steps-as-exec floor)",
      unit: "ms",
      runs: baseExec,
      target: "(informational)",
    }),
    figure({
      id: "docker.first-output",
      name: "Docker runtime: execution start to first step output",
      unit: "ms",
      runs: firstOut,
      baseline: { name: "docker run IMAGE echo hi, start to output", runs: baseFirst },
      target: "<= 1.5x docker run",
      meets: (_v, ratio) => ratio !== undefined && ratio <= 1.5,
    }),
  ]);
} finally {
  await rm(workRoot, { recursive: true, force: true });
}
