/**
 * Choosing the agent's runtime: `docker`, `process`, or `auto` (Docker when its engine answers
 * at `DOCKER_HOST` or the default socket, processes otherwise). Docker's module (and dockerode)
 * load with the first run that uses Docker: at start the engine is pinged and swept over its
 * socket (engine-start.ts). A Docker runtime sweeps what a crashed predecessor with the same
 * agent id left before the first run.
 */
import { PROCESS_RUNTIME_FEATURES } from "@assay/shared/workflow/runtimes";
import type { RuntimeName, StepRuntime } from "./runtime.ts";

export type RuntimeChoice = RuntimeName | "auto";

/** Docker settings of `assay agent`. */
export interface DockerSettings {
  defaultImage?: string | undefined;
  busyboxPath?: string | undefined;
  allowPrivileged?: boolean | undefined;
  /** Let workflows mount `hostPath` pod volumes. */
  allowHostPaths?: boolean | undefined;
  pullSecretsDir?: string | undefined;
}

/** The chosen runtime and what the agent reports about it. */
export interface SelectedRuntime {
  runtime: StepRuntime;
  /** Hello capabilities: `runner.<name>` and the planner features it adds. */
  capabilities: string[];
  /** Objects of a previous life removed at start (Docker). */
  swept: number;
  /** Why `auto` chose processes, when it did. */
  note?: string | undefined;
}

/** Selects (and prepares) the runtime; rejects when `docker` was asked for and none answers. */
export const selectRuntime = async (
  choice: RuntimeChoice,
  agentId: string,
  docker: DockerSettings = {},
): Promise<SelectedRuntime> => {
  // A runtime that adds features lists its whole set, so the control plane sees what this agent
  // allows (hostPath volumes depend on its flags); the process runtime's set is the known one.
  const featuresOf = (runtime: StepRuntime) =>
    runtime.features.length === 0 ? [] : [...new Set([...PROCESS_RUNTIME_FEATURES, ...runtime.features])];
  const describe = (runtime: StepRuntime, swept: number, note?: string): SelectedRuntime => ({
    runtime,
    capabilities: [`runner.${runtime.name}`, ...featuresOf(runtime).map((f) => `feature.${f}`)],
    swept,
    note,
  });
  if (choice === "process") {
    const { createProcessRuntime } = await import("./process/process-runtime.ts");
    return describe(createProcessRuntime(), 0);
  }
  // The engine is asked over its socket: dockerode loads with the first run (engine-start.ts).
  const engine = await import("./docker/engine-start.ts");
  const calls = await engine.startCalls();
  if (!(await engine.engineAnswers(calls))) {
    const where = process.env.DOCKER_HOST ?? "/var/run/docker.sock";
    if (choice === "docker")
      throw new Error(
        `--runtime docker: no Docker engine answers at ${where}; start dockerd or use --runtime process`,
      );
    const { createProcessRuntime } = await import("./process/process-runtime.ts");
    return describe(
      createProcessRuntime(),
      0,
      `no Docker engine answers at ${where}: steps run as host processes`,
    );
  }
  const { createDockerRuntime } = await import("./docker/docker-runtime.ts");
  const runtime = createDockerRuntime({ agentId, ...docker });
  const swept = await engine.sweepLeftovers(calls, agentId);
  return describe(runtime, swept);
};
