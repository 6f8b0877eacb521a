/**
 * The runtime port: where a step's or a service's process actually runs. The plan runner
 * (run-plan.ts) owns everything else (the step tree, conditions, retries, timeouts, parallel
 * workers, services and their readiness, masking, the log sink); a runtime only starts one
 * unit of work, streams its output, reports how it ended and stops it on request.
 *
 * Two adapters: `process` (a process group on the agent host, /data mapped onto the
 * execution's workspace) and `docker` (one container per unit, /data a bind of the same
 * workspace). Both are driven through one contract suite (runtime-contract.test.ts).
 */
import type { Clock } from "@assay/shared/time";
import type { PlannedContainer, PlannedPod, PlannedProbe, RunnerFeature } from "@assay/shared/workflow";
import type { ProbeOutcome } from "../probes.ts";
import type { ResourceMonitor, ResourcePeaks } from "../resource-monitor.ts";
import type { OutputsPod } from "../step-outputs.ts";

/** The runtime names `assay agent --runtime` accepts (`auto` picks one of them). */
export type RuntimeName = "process" | "docker";

/** One unit of work, rendered: every `{{ }}` already evaluated. */
export interface LaunchRequest {
  /** Step ref; the unit's output goes to it. */
  ref: string;
  /** A plain step (or worker step), or a background service instance. */
  kind: "step" | "service";
  /** Service name (its network alias in a container runtime). */
  serviceName?: string | undefined;
  shell?: string | undefined;
  shellProgram?: string | undefined;
  command?: string[] | undefined;
  args?: string[] | undefined;
  workingDir?: string | undefined;
  /** The step's declared environment (the runtime adds its own base). */
  env: Record<string, string>;
  /** Image, pull policy, resources, security context, mounts (container runtimes). */
  container?: PlannedContainer | undefined;
  /** The worker's own volumes when it runs in a parallel worker; the execution's otherwise. */
  space?: UnitSpace | undefined;
  /**
   * Host directory that is the unit's `/testkube/outputs` (step-outputs.ts): its outputs pod's
   * (the workflow's, or its worker's); a service instance's own, which does not exist.
   */
  outputsDir?: string | undefined;
}

/**
 * Where the units of a parallel worker see their files, when the runtime gives workers volumes
 * of their own (Testkube runs each worker in a pod of its own): a `/data` directory, copies of
 * the execution's emptyDir `pod.volumes`, and volumes mounted for `transfer` entries.
 */
export interface UnitSpace {
  /** Host directory that is `/data` of the space's units. */
  readonly workspace: string;
  /** `pod.volumes` names to what the runtime mounts for them (the worker's own emptyDirs). */
  readonly volumes: Readonly<Record<string, unknown>>;
  /** Volumes mounted at absolute paths in every unit of the space. */
  readonly mounts: ReadonlyArray<{ path: string; host: string }>;
  /** The step outputs of the pod the space's steps belong to (the runner's; runtimes ignore it). */
  readonly outputs?: OutputsPod | undefined;
}

/** A worker's space while it runs. */
export interface WorkerSpace extends UnitSpace {
  /** Mounts a new empty volume at the absolute `path` for the worker's units; its host dir. */
  mount(path: string): Promise<string>;
  /** Removes the worker's volumes. Never throws. */
  release(): Promise<void>;
}

/** Receives a unit's output in arrival order. */
export interface LaunchIo {
  /** Returns false to pause reading until `drained()` resolves. */
  output(data: Uint8Array, stream: "stdout" | "stderr"): boolean;
  drained(): Promise<void>;
  /** Progress lines of the runtime itself (image pulls), written to the step's log. */
  note(text: string): void;
  /**
   * Aborted when the unit is killed before `launch` resolved (an abort or timeout during an
   * image pull): the runtime stops what it was doing and resolves with a unit that never ran.
   */
  signal?: AbortSignal | undefined;
}

/** How a unit ended. */
export interface LaunchExit extends ResourcePeaks {
  /** Exit code; -1 when it was killed or could not start. */
  exitCode: number;
  signal?: string | undefined;
  /** Set when the unit could not be started (bad image, missing binary, refused setting). */
  startError?: string | undefined;
  /** Why the runtime ended it (`OOMKilled`), when it knows. */
  reason?: string | undefined;
  /** What was started, for messages. */
  file: string;
  cwd: string;
}

/** A started unit. */
export interface LaunchedUnit {
  /** SIGTERM now, SIGKILL after the grace; idempotent. */
  kill(): void;
  readonly exited: Promise<LaunchExit>;
  /** The address other units reach it at (`services.NAME.N.ip`). */
  readonly ip: string;
  /** Runs one readiness probe attempt against this unit. */
  probe(probe: PlannedProbe): Promise<ProbeOutcome>;
  /** Freezes the unit where it is (SIGSTOP to a process group, `docker pause`); never throws. */
  pause?(): Promise<void>;
  /** Lets a paused unit go on (SIGCONT, `docker unpause`); never throws. */
  resume?(): Promise<void>;
}

/** Inputs of one execution's runtime. */
export interface ExecutionRuntimeOptions {
  executionId: string;
  /** The execution's host directory: `/data` of every unit. */
  workspace: string;
  /** Environment of the agent (the process runtime starts from it). */
  baseEnv: Record<string, string>;
  /** Grace between SIGTERM and SIGKILL. */
  killGraceMs: number;
  /** The run's clock: kill graces and the runtime's own waits are timed on it. */
  clock: Clock;
  monitor: ResourceMonitor;
  /** `spec.pod` volumes, pull secrets, security context. */
  pod?: PlannedPod | undefined;
}

/** One execution's view of a runtime: started with the run, closed after it (also on failure). */
export interface ExecutionRuntime {
  launch(request: LaunchRequest, io: LaunchIo): Promise<LaunchedUnit>;
  /**
   * Volumes of its own for the parallel worker `ref` (container runtimes); without it workers
   * share the execution's `/data`.
   */
  isolate?(ref: string): Promise<WorkerSpace>;
  /** Removes whatever the execution left (containers, networks). Never throws. */
  close(): Promise<void>;
}

/** A runtime the agent was started with. */
export interface StepRuntime {
  readonly name: RuntimeName;
  /** Planner features the runtime adds to the runner's own. */
  readonly features: readonly RunnerFeature[];
  /** True when steps run in their container images (the planner drops process warnings). */
  readonly containers: boolean;
  open(options: ExecutionRuntimeOptions): Promise<ExecutionRuntime>;
}
