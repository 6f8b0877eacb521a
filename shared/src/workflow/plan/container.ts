/**
 * Container settings as a step sees them: the workflow's `container`, each ancestor's
 * `container` / `workingDir`, then the step's own `run`, later layers winning field by field and
 * environment variables merged by name. Also the warnings for what a host process runner cannot
 * honour (image, resources, security context, pull policy, volume mounts).
 */
import type { ContainerConfig, EnvVar, Resources, SecurityContext, StepRun } from "../schema/container.ts";
import type { KubeObject, Scalar } from "../schema/primitives.ts";
import type { PlannedContainer } from "./types.ts";

/** One environment variable and where it was defined (for messages). */
export interface EnvEntry {
  value?: Scalar;
  valueFrom?: KubeObject;
  path: string;
  /** Testkube's `global`: the variable also reaches services and parallel workers. */
  global?: boolean | string;
}

/** The effective container of a step or of its children. */
export interface ContainerState {
  env: Map<string, EnvEntry>;
  /** `envFrom` sources with their paths. */
  envFrom: string[];
  workingDir?: string;
  image?: string;
  imagePullPolicy?: string;
  resources?: Resources;
  securityContext?: SecurityContext;
  volumeMounts?: KubeObject[];
  command?: string[];
  args?: string[];
}

/** The state before any layer: nothing set. */
export const emptyContainer = (): ContainerState => ({ env: new Map(), envFrom: [] });

/** Apply one layer (`container` or `run`) found at `path` on top of `base`. */
export const layerContainer = (
  base: ContainerState,
  layer: ContainerConfig | StepRun | undefined,
  path: string,
): ContainerState => {
  if (layer === undefined) return base;
  const env = new Map(base.env);
  layer.env?.forEach((variable: EnvVar, i) => {
    const entry: EnvEntry = {
      value: variable.value,
      valueFrom: variable.valueFrom,
      path: `${path}.env[${i}]`,
    };
    if (variable.global !== undefined) entry.global = variable.global;
    env.set(variable.name, entry);
  });
  const envFrom = [...base.envFrom, ...(layer.envFrom ?? []).map((_, i) => `${path}.envFrom[${i}]`)];
  return {
    env,
    envFrom,
    workingDir: layer.workingDir ?? base.workingDir,
    image: layer.image ?? base.image,
    imagePullPolicy: layer.imagePullPolicy ?? base.imagePullPolicy,
    resources: layer.resources ?? base.resources,
    securityContext: layer.securityContext ?? base.securityContext,
    volumeMounts: layer.volumeMounts ?? base.volumeMounts,
    command: layer.command ?? base.command,
    args: layer.args ?? base.args,
  };
};

/**
 * What a service or a parallel worker inherits from its owner: everything but the environment,
 * of which only `global: true` variables are kept (as in Testkube, where services and workers
 * run in pods of their own and see only the execution's global env). `isGlobal` resolves a
 * `global` written as an expression.
 */
export const forIsolatedUnit = (
  base: ContainerState,
  isGlobal: (value: boolean | string) => boolean,
): ContainerState => {
  const env = new Map(
    [...base.env].filter(([, entry]) => entry.global !== undefined && isGlobal(entry.global)),
  );
  return { ...base, env, envFrom: [] };
};

/** Set the working directory (a step's own `workingDir` beats its `container.workingDir`). */
export const withWorkingDir = (base: ContainerState, workingDir: string | undefined): ContainerState =>
  workingDir === undefined ? base : { ...base, workingDir };

/** Warnings for a step that runs a process on the host with this container. */
export const containerWarnings = (container: ContainerState): string[] => {
  const warnings: string[] = [];
  if (container.image !== undefined && container.image !== "") {
    warnings.push(
      `image ${container.image} is not used by the process runner; the step runs on the agent host`,
    );
  }
  if (container.imagePullPolicy !== undefined) {
    warnings.push(
      `imagePullPolicy ${container.imagePullPolicy} is ignored: the process runner pulls no image`,
    );
  }
  if (hasEntries(container.resources)) {
    warnings.push("resources (requests and limits) are not enforced by the process runner");
  }
  if (hasEntries(container.securityContext)) {
    warnings.push("securityContext is not applied by the process runner; the step runs as the agent's user");
  }
  if (container.volumeMounts !== undefined && container.volumeMounts.length > 0) {
    warnings.push("volumeMounts are not mounted by the process runner; use paths under the workspace");
  }
  return warnings;
};

const hasEntries = (value: object | undefined): boolean =>
  value !== undefined && Object.keys(value).length > 0;

/** The container of a step's own process, as a container runtime reads it. */
export const toPlannedContainer = (
  container: ContainerState,
  image: string | undefined,
  entrypoint: boolean,
): PlannedContainer => {
  const out: PlannedContainer = {};
  if (image !== undefined && image !== "") out.image = image;
  if (container.imagePullPolicy !== undefined) out.imagePullPolicy = container.imagePullPolicy;
  if (entrypoint) out.entrypoint = true;
  if (hasEntries(container.resources)) out.resources = container.resources as PlannedContainer["resources"];
  if (hasEntries(container.securityContext)) out.securityContext = { ...container.securityContext };
  if (container.volumeMounts !== undefined && container.volumeMounts.length > 0)
    out.volumeMounts = container.volumeMounts.map((m) => ({ ...m }));
  return out;
};
