/**
 * Runtimes and what each can run. An agent announces its runtime in its hello capabilities as
 * `runner.<name>` (`runner.process`, `runner.docker`) and may list planner features outright as
 * `feature.<name>` (`feature.services`); without those, the runtime's known feature set below
 * applies, and an agent that names no runtime is taken for the process runtime (the only one
 * agents had before runtimes were announced).
 */
import { RUNNER_FEATURES, type RunnerFeature } from "./plan/types.ts";

/** The runtime assumed for agents that announce none. */
export const DEFAULT_RUNTIME = "process";

/** What the process runtime (steps as host processes) implements beyond the basics. */
export const PROCESS_RUNTIME_FEATURES: readonly RunnerFeature[] = [
  "content.files",
  "setup-before-command",
  "artifacts",
  "services",
  "parallel",
  "content.git",
  "content.tarball",
  "expressions",
  // Child executions are started by the control plane: any runtime can wait for them.
  "execute",
];

/** Known runtimes' feature sets, for agents that name a runtime without listing features. */
export const RUNTIME_FEATURES: Readonly<Record<string, readonly RunnerFeature[]>> = {
  process: PROCESS_RUNTIME_FEATURES,
  docker: [...PROCESS_RUNTIME_FEATURES, "image-entrypoint"],
};

/** Runtimes that run steps in their container images (images, pods and entrypoints apply). */
export const CONTAINER_RUNTIMES: ReadonlySet<string> = new Set(["docker"]);

/** A runtime and the planner features it has. */
export interface RuntimeCapabilities {
  runtime: string;
  features: readonly RunnerFeature[];
  /** True when steps run in their images (see {@link CONTAINER_RUNTIMES}). */
  containers?: boolean;
}

const FEATURE_NAMES = new Set<string>(RUNNER_FEATURES);

/** The runtime and features an agent's hello capabilities announce. */
export const runtimeFromCapabilities = (capabilities: readonly string[]): RuntimeCapabilities => {
  const named = capabilities.find((c) => c.startsWith("runner."))?.slice("runner.".length);
  const runtime = named === undefined || named === "" ? DEFAULT_RUNTIME : named;
  const listed = capabilities
    .filter((c) => c.startsWith("feature."))
    .map((c) => c.slice("feature.".length))
    .filter((f): f is RunnerFeature => FEATURE_NAMES.has(f));
  const features = listed.length > 0 ? listed : (RUNTIME_FEATURES[runtime] ?? []);
  return CONTAINER_RUNTIMES.has(runtime) ? { runtime, features, containers: true } : { runtime, features };
};
