/**
 * The runner's vocabulary: the plan it executes (the shape of the shared planner's
 * `PlannedStep`, narrowed to what the process runner reads), the events it reports and the sink
 * it reports them to. The daemon turns these into protocol messages; tests read them directly.
 */
import type { OutputStream } from "@assay/shared";
import type {
  PlannedContainer,
  PlannedExecute,
  PlannedGit,
  PlannedParallel,
  PlannedPod,
  PlannedService,
  PlannedTarball,
  PlannedTransfer,
  Value,
} from "@assay/shared/workflow";

/** One step as the process runner executes it. */
export interface RunnerStep {
  /** A plain step (unset), a background service instance, or a parallel worker. */
  kind?: "service" | "worker" | undefined;
  ref: string;
  name: string;
  /** The step's `id` (`step.<id>.outputs`, step-outputs.ts). */
  id?: string | undefined;
  parentRef?: string | undefined;
  /** Shell script, run with `shellProgram -c` (default `/bin/sh`). */
  shell?: string | undefined;
  /** Program to run with `args`, without a shell. */
  command?: string[] | string | undefined;
  args?: string[] | undefined;
  /** Shell program for `shell` (e.g. `/bin/bash`); `/bin/sh` when unset. */
  shellProgram?: string | undefined;
  env: Record<string, string>;
  workingDir?: string | undefined;
  timeoutMs?: number | undefined;
  /** `passed` (default), `failed`, `always`, `never`; anything else is unsupported here. */
  condition: string;
  optional: boolean;
  negative: boolean;
  /** The run pauses when this step starts, until it is resumed (`paused: true`). */
  paused?: boolean | undefined;
  retry?: { count: number; until?: string | undefined } | undefined;
  delayMs?: number | undefined;
  steps: RunnerStep[];
  warnings: string[];
  /** `setup` children run before the step's own command, `steps` children after it. */
  phase?: "setup" | "steps" | "after" | undefined;
  /** Files written before the step runs (`content.files`), relative to its working dir. */
  files?: RunnerFile[] | undefined;
  /** Files collected after the step ran, whatever its outcome (`artifacts`). */
  artifacts?: { paths: string[]; workingDir?: string | undefined } | undefined;
  /** Git checkout and tarballs fetched before the step runs. */
  git?: PlannedGit | undefined;
  tarballs?: PlannedTarball[] | undefined;
  /** Readiness of a `service` node. */
  service?: PlannedService | undefined;
  /** Set on a step whose `worker` children fan out. */
  parallel?: PlannedParallel | undefined;
  /** Set on a step that runs other workflows: child executions through the control plane. */
  execute?: PlannedExecute | undefined;
  /** `index`, `count`, `matrix`, `shard` of a worker or service instance (runtime expressions). */
  variables?: Record<string, Value> | undefined;
  /** The container of the step's own process (container runtimes). */
  container?: PlannedContainer | undefined;
  /** Files a worker gets from its parent before it starts, and gives back after it ended. */
  transfer?: PlannedTransfer[] | undefined;
  fetch?: PlannedTransfer[] | undefined;
}

/** Collects a step's artifacts (the daemon binds packing and uploading); never throws. */
export type CollectArtifacts = (request: {
  stepRef: string;
  workspace: string;
  /** The step's working directory, mapped onto the workspace. */
  cwd: string;
  paths: string[];
  workingDir?: string | undefined;
  /** Secret values of the execution, masked in the artifacts' text files. */
  secrets: readonly string[];
  log(line: string): void;
}) => Promise<void>;

/** A file to write into the workspace before a step (or the run) starts. */
export interface RunnerFile {
  path: string;
  content: string;
  mode?: number | undefined;
}

/** Something in the workflow the runner cannot honour; the run fails loudly with it. */
export interface UnsupportedFeature {
  path: string;
  feature: string;
  message: string;
}

/** A workflow ready to run. */
export interface RunnerPlan {
  steps: RunnerStep[];
  /** Whole-run timeout (`job.activeDeadlineSeconds` or the spec's own). */
  timeoutMs?: number | undefined;
  /** `timeouts.initialization`: the longest until the first step starts (run-plan.ts). */
  initializationTimeoutMs?: number | undefined;
  unsupported: UnsupportedFeature[];
  /** Run-level warnings, written at the top of the log. */
  warnings?: string[] | undefined;
  /** Files written into the workspace before the first step. */
  files?: RunnerFile[] | undefined;
  git?: PlannedGit | undefined;
  tarballs?: PlannedTarball[] | undefined;
  /** `spec.pod` volumes, pull secrets and security context (container runtimes). */
  pod?: PlannedPod | undefined;
}

export type StepFinalStatus = "passed" | "failed" | "skipped" | "timeout" | "aborted";
export type StepStatusName = "running" | StepFinalStatus;

/** One step transition. Times are epoch milliseconds. */
export interface StepEvent {
  ref: string;
  status: StepStatusName;
  startedAtMs?: number | undefined;
  finishedAtMs?: number | undefined;
  /** Exit code of the step's own process; -1 when it was killed. */
  exitCode?: number | undefined;
  message?: string | undefined;
  /** Peaks of the step's processes (its own, or the highest of its children for a group). */
  cpuPeakPercent?: number | undefined;
  memoryPeakBytes?: number | undefined;
}

export type RunStatus = "passed" | "failed" | "aborted" | "timeout";

/** The outcome of a whole execution. */
export interface RunResult {
  status: RunStatus;
  message: string;
  /** The last state of every step of the plan, in plan order. */
  steps: StepEvent[];
}

/** Where a run reports to. */
export interface RunnerSink {
  step(event: StepEvent): void;
  /**
   * Appends output `stepRef` wrote to `stream` (default stdout: the agent's own notes) to the
   * execution's single log. Returns false when the caller should stop producing until
   * `drained()` resolves (unacknowledged bytes at the bound).
   */
  log(stepRef: string, data: Uint8Array, stream?: OutputStream): boolean;
  drained(): Promise<void>;
  /** The run paused (a `paused` step, or a pause asked) or resumed. */
  paused?(paused: boolean, reason: string): void;
}

/** One child execution to start (a planned `execute` run, rendered, with the parent's tags). */
export interface ChildRunSpec {
  workflow?: string | undefined;
  selector?: Record<string, string> | undefined;
  config: Record<string, string>;
  tags: Record<string, string>;
  executionName?: string | undefined;
  target?: { match?: Record<string, string[]>; not?: Record<string, string[]> } | undefined;
}

/** What an `execute` step asks the control plane in one request. */
export interface ChildRequest {
  start?: ChildRunSpec[];
  watch?: string[];
  abort?: string[];
  /** The step waits for its children (its execution uses no capacity meanwhile). */
  waiting: boolean;
}

/** A child as the control plane reports it; no `executionId` when it could not start. */
export interface ChildState {
  executionId: string;
  workflowName: string;
  /** `queued`, `running`, `passed`, ...; empty when it could not start. */
  status: string;
  message: string;
  /** It could not start for now (the plan's queue is full): ask again later. */
  retry: boolean;
}

export type ChildAnswer = { ok: true; children: ChildState[] } | { ok: false; error: string };

/** Child executions of the running execution, through the control plane (bound by the daemon). */
export type ChildRuns = (stepRef: string, request: ChildRequest) => Promise<ChildAnswer>;
