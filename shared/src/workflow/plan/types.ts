/**
 * The step plan: what the control plane records as an execution's step tree when the run is
 * created, and what the agent's runner executes. Both call `planWorkflow` on the same stored
 * document, so the refs line up without any mapping.
 *
 * Ref scheme: the top-level `setup`, `steps` and `after` lists are numbered as one sequence,
 * in that order, `r1`, `r2`, ...; the children of a step append their 1-based position:
 * `r2.1`, `r2.2`, `r2.2.1`. A step's nested `setup` children come first, then its `steps`.
 * Refs depend only on the document's structure, never on options.
 *
 * Fan-out adds lettered segments so they never collide with positions: a step's services are
 * `r2.s1`, `r2.s2` (in the order written; workflow-level services are `s1`, `s2` at the root),
 * the instances of a service with `count`/`matrix` are `r2.s1.1`, `r2.s1.2`; the workers of a
 * `parallel` step are `r2.w1`, `r2.w2` and a worker's steps `r2.w1.1`, `r2.w1.2` (its own
 * services `r2.w1.s1`). Worker and instance counts come from the document and the run's config,
 * both known when the run is created, so the control plane's step tree has every ref the agent
 * reports. A parallel or service fan-out that reads run-time values (`glob()`) is planned as
 * `maxCount` slots (`parallel.fanOut`, `service.fanOut`), which the agent fills when the step is
 * reached.
 */

import type { ExpressionFunction, Value } from "../expressions/index.ts";

/** When a step runs, relative to how the steps before it ended. */
export type StepCondition = "passed" | "failed" | "always" | "never" | (string & {});

/** A file written before steps run (`content.files`). */
export interface PlannedFile {
  path: string;
  content: string;
  /** File mode, e.g. 0o755. */
  mode?: number;
}

/** Files to collect as artifacts after a step (its own command and children) finished. */
export interface PlannedArtifacts {
  /** Glob patterns, relative to `workingDir` unless absolute. */
  paths: string[];
  workingDir?: string;
  /** Upload as one archive with this name. */
  compress?: string;
}

/** A Kubernetes-style readiness probe, as the process runner runs it on the host. */
export interface PlannedProbe {
  tcp?: { host: string; port: number };
  http?: {
    scheme: "http" | "https";
    host: string;
    port: number;
    path: string;
    headers: Record<string, string>;
  };
  exec?: { command: string[] };
  /** Kubernetes defaults: 0, 10000, 1000 and 3. */
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  failureThreshold: number;
}

/** A `services` entry: a background process for the duration of its scope. */
export interface PlannedService {
  /** The key in `services`. */
  name: string;
  readinessProbe?: PlannedProbe;
  /** Longest wait for readiness (`timeout`). */
  readyTimeoutMs?: number;
  /** On a group: its fan-out reads run-time values; the runner fills its instance slots. */
  fanOut?: PlannedFanOut;
}

/** A Git checkout (`content.git`). */
export interface PlannedGit {
  uri: string;
  revision?: string;
  username?: string;
  token?: string;
  sshKey?: string;
  /** `basic` (default: the token is the password) or `header` (a bearer token). */
  authType?: "basic" | "header";
  /** Where the checkout lands, as written (default `/data/repo`, see `mapDataPath`). */
  mountPath: string;
  /** Sparse checkout of these paths. */
  paths?: string[];
  cone?: boolean;
}

/** A tarball downloaded and unpacked into `path` (`content.tarball[]`). */
export interface PlannedTarball {
  url: string;
  path: string;
}

/** A `parallel` block: its workers are the step's children of kind `worker`. */
export interface PlannedParallel {
  /** Workers at once; all of them when unset. */
  parallelism?: number;
  /** Stop the other workers after the first failure. */
  failFast: boolean;
  /**
   * Set when the fan-out reads run-time values (`shards: {files: 'glob("e2e/**")'}`): the
   * runner resolves these fields (config already folded in) when the step is reached, gives the
   * first workers their `index` / `shard` / `matrix` and skips the slots left over. Lists are
   * literal values or expression text; counts are numbers or expression text.
   */
  fanOut?: PlannedFanOut;
}

/** The fan-out fields of a `parallel` block, as Testkube's `count` / `maxCount` / `matrix` / `shards`. */
export interface PlannedFanOut {
  count?: number | string;
  maxCount?: number | string;
  matrix?: Record<string, unknown[] | string | number | boolean>;
  shards?: Record<string, unknown[] | string | number | boolean>;
}

/**
 * One `parallel.transfer` (into a worker, before it starts) or `parallel.fetch` (out of it,
 * after it ended) entry, with the worker's `index` / `matrix` folded in.
 */
export interface PlannedTransfer {
  /** Directory the files are read from (the parent's for transfer, the worker's for fetch). */
  from: string;
  /** Directory they land in (`from` when the document names none). */
  to: string;
  /** Glob patterns relative to `from`; every file (the pattern double-star slash star) by default. */
  files: string[];
  /** transfer only: mount a new volume at `to` (true), never (false), or when `to` is on none (unset). */
  mount?: boolean;
}

/**
 * The container a step's own process runs in, for a container runtime: the effective values
 * after inheritance (workflow, ancestors, the step's `run`). Kubernetes shapes pass through.
 */
export interface PlannedContainer {
  /** Resolved image name; unset when no layer names one (the runtime's default applies). */
  image?: string;
  imagePullPolicy?: string;
  /** True when the step names neither `shell` nor `command`: the image's entrypoint runs. */
  entrypoint?: boolean;
  resources?: { limits?: Record<string, string | number>; requests?: Record<string, string | number> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: Record<string, unknown>[];
}

/** One `spec.pod.volumes` entry as a container runtime mounts it (see pod-volumes.ts). */
export type PlannedVolume = { name: string } & (
  | { kind: "emptyDir" }
  /** `secret` / `configMap`: files from credentials, mounted read-only. */
  | { kind: "files"; source: "secret" | "configMap"; files: PlannedFile[] }
  /** A directory of the agent's host (only when the agent allows it). */
  | { kind: "hostPath"; path: string }
  /** `persistentVolumeClaim`: the runtime's named volume `claimName`, kept between runs. */
  | { kind: "claim"; claimName: string; readOnly: boolean }
);

/** Pod-level settings a container runtime honours (`spec.pod`). */
export interface PlannedPod {
  volumes?: PlannedVolume[];
  imagePullSecrets?: Record<string, unknown>[];
  securityContext?: Record<string, unknown>;
}

/** One child execution an `execute` step starts (a fan-out instance of `execute.workflows[]`). */
export interface PlannedExecuteRun {
  /** The workflow to run; unset when `selector` picks them. */
  workflow?: string;
  /** `selector.matchLabels`: every workflow of the environment with these labels. */
  selector?: Record<string, string>;
  /** Config values, rendered for the instance. */
  config: Record<string, string>;
  executionName?: string;
  description?: string;
  /** The child's own target (`execute.workflows[].target`), replacing its workflow's. */
  target?: { match?: Record<string, string[]>; not?: Record<string, string[]> };
}

/** An `execute` step: child executions started through the control plane. */
export interface PlannedExecute {
  /** Children running at once (default 100, as in Testkube). */
  parallelism: number;
  /** Start the children and pass without waiting for them. */
  async: boolean;
  runs: PlannedExecuteRun[];
  /** The parent execution's tags, which every child gets too (as in Testkube). */
  tags: Record<string, string>;
}

/** One node of the step tree. */
export interface PlannedStep {
  /** A plain step (unset), a service instance (`service`) or a parallel worker (`worker`). */
  kind?: "service" | "worker";
  /** Deterministic reference (`r2.1`), see the module header. */
  ref: string;
  /** The step's `name`, or a label derived from what it does. */
  name: string;
  parentRef?: string;
  /** The list the step came from: a top-level phase, or a step's nested `setup` / `steps`. */
  phase: "setup" | "steps" | "after";
  /** The step's `id`, for expressions such as `steps.<id>`. */
  id?: string;
  /** Shell script, run with `/bin/sh -c` (Testkube runs it with `set -e`). */
  shell?: string;
  /** Program and leading arguments, run without a shell. */
  command?: string[];
  args?: string[];
  /** Environment: workflow `container.env` < step `container.env` < `run.env`, inherited by children. */
  env: Record<string, string>;
  /** Working directory as written (Testkube paths such as `/data/repo`; see `mapDataPath`). */
  workingDir?: string;
  timeoutMs?: number;
  /** "passed" unless set; "always" for a step that only collects artifacts. */
  condition: StepCondition;
  optional: boolean;
  negative: boolean;
  /** `paused: true`: the execution pauses as this step starts, until it is resumed. */
  paused?: boolean;
  retry?: { count: number; until?: StepCondition };
  delayMs?: number;
  /** Files this step's `content` writes before it runs. */
  files?: PlannedFile[];
  /** A Git checkout and tarballs this step's `content` fetches before it runs. */
  git?: PlannedGit;
  tarballs?: PlannedTarball[];
  /** Set on nodes of kind `service`: readiness and its timeout. */
  service?: PlannedService;
  /** Set on a step that fans out workers (its children of kind `worker`). */
  parallel?: PlannedParallel;
  /** Set on a step that runs other workflows (`execute`). */
  execute?: PlannedExecute;
  /** A worker's or service instance's `index`, `count`, `matrix` and `shard`. */
  variables?: Record<string, Value>;
  /** Files a worker gets from its parent before it starts (`parallel.transfer`; container runtimes). */
  transfer?: PlannedTransfer[];
  /** Files a worker gives back to its parent after it ended (`parallel.fetch`; container runtimes). */
  fetch?: PlannedTransfer[];
  artifacts?: PlannedArtifacts;
  /** Set on steps with an operation (shell, command or the image's entrypoint). */
  container?: PlannedContainer;
  /** Children in order: nested `setup` steps, then nested `steps`. */
  steps: PlannedStep[];
  /** What the process runner does not honour for this step (image, resources...), shown with it. */
  warnings: string[];
}

/** Something the document asks for that the runner cannot do: the run must fail with `message`. */
export interface UnsupportedFeature {
  /** Path in the document, e.g. `spec.steps[1].parallel`. */
  path: string;
  feature: UnsupportedFeatureName;
  message: string;
  /** The step it belongs to, when it belongs to one. */
  ref?: string;
}

/**
 * Optional runner capabilities. A runner passes the ones it implements in
 * `PlanOptions.features`; any other one that a document uses becomes an `unsupported` entry.
 */
export const RUNNER_FEATURES = [
  "services",
  "parallel",
  "execute",
  "templates",
  "expressions",
  "content.git",
  "content.files",
  "content.tarball",
  "content.oci",
  "artifacts",
  "env.valueFrom",
  "envFrom",
  /** Run the image's own entrypoint when a step names no command or shell. */
  "image-entrypoint",
  /** Run a step's nested `setup` children before its own command. */
  "setup-before-command",
  /** Mount `hostPath` pod volumes (a Docker agent started with host paths allowed). */
  "volumes.hostPath",
] as const;
export type RunnerFeature = (typeof RUNNER_FEATURES)[number];

/** Every feature name an `unsupported` entry can carry. */
export type UnsupportedFeatureName = RunnerFeature | "config" | "volumes";

/**
 * The control plane's facts about a run, as expressions see them: `organization.id`,
 * `environment.id` and `dashboard.url` (the dashboard's base address).
 */
export interface RunPlace {
  organizationId: string;
  environmentId: string;
  dashboardUrl: string;
}

/** Options of `planWorkflow`. */
export interface PlanOptions {
  /** Capabilities of the runner that will execute the plan; none by default. */
  features?: readonly RunnerFeature[];
  /** Values of `spec.config` parameters for this run; defaults fill the gaps. */
  config?: Record<string, string>;
  /** The execution, as expressions see it (`execution.id`, `.name`, `.number`, `.tags`). */
  execution?: {
    id?: string;
    name?: string;
    number?: number;
    tags?: Record<string, string>;
    /** When the run was queued (ISO 8601): `execution.scheduledAt`. */
    scheduledAt?: string;
  };
  /** Where the run belongs, set by the control plane when it starts: see `RunPlace`. */
  place?: RunPlace;
  /**
   * Further expression roots known when planning, e.g. `index` / `matrix` of one parallel
   * worker planned by the runner. Roots not given here that only a runner knows (step status,
   * fan-out, files) are left as expressions; see `RUNTIME_ONLY`.
   */
  variables?: Record<string, Value>;
  /** Extra expression functions known when planning (the agent's `credential()`, `secret()`). */
  functions?: Record<string, ExpressionFunction>;
  /**
   * What the runner knows of its host, for `valueFrom.fieldRef` / `resourceFieldRef`
   * (plan/field-refs.ts): the environment's name, the host's name and capacity.
   */
  host?: { namespace?: string; nodeName?: string; cpus?: number; memoryBytes?: number };
  /**
   * The runner runs each step in its container image (a container runtime): image, resources,
   * security context and volume mounts are honoured, so they produce no warnings.
   */
  containers?: boolean;
}

/** The plan of one execution. */
export interface WorkflowPlan {
  /** `metadata.name` of the workflow. */
  name: string;
  /** Whole-run timeout, from `spec.job.activeDeadlineSeconds`. */
  timeoutMs?: number;
  /**
   * `spec.timeouts.initialization`: the longest from the agent taking the run until its first
   * step's process (or a service's, or an `execute` step) starts.
   */
  initializationTimeoutMs?: number;
  /**
   * Top-level steps: workflow services (kind `service`, refs `s1`...), then setup, steps and
   * after (see `phase`).
   */
  steps: PlannedStep[];
  /** Files of the workflow-level `content`, written before the first step. */
  files?: PlannedFile[];
  /** Workflow-level Git checkout and tarballs, fetched before the first step. */
  git?: PlannedGit;
  tarballs?: PlannedTarball[];
  /** `spec.pod` volumes, pull secrets and security context, for a container runtime. */
  pod?: PlannedPod;
  /** Run-level notes about what the runner does not honour (`pod`, `pvcs`...). */
  warnings: string[];
  /** Empty when the plan can run; otherwise the run must fail listing these. */
  unsupported: UnsupportedFeature[];
}
