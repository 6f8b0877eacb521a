/**
 * Services of a scope (the workflow, or one step): started together before anything else in
 * the scope, each instance in its own process group with its output on its own step ref, then
 * awaited until their readiness probes pass. A service that exits or fails its probes before
 * it is ready fails the scope with a message naming it; the scope's steps are then skipped.
 * At the end of the scope every instance is stopped (process group: SIGTERM, then SIGKILL
 * after the grace) and reported `passed`, or `failed` when it died on its own with an error.
 */
import { waitUntilReady } from "./probes.ts";
import type { ProcessContext, ProcessRequest, ProcessResult, RunningProcess } from "./process-run.ts";
import { startProcess } from "./process-run.ts";
import type { Scope } from "./scope.ts";
import type { RunnerStep, StepEvent } from "./types.ts";

/** What services need from the plan run. */
export interface ServiceHooks {
  ctx: ProcessContext;
  emit(event: StepEvent): void;
  line(ref: string, text: string): void;
  now(): number;
  abortRequested(): boolean;
  /** Renders the instance's request (runtime expressions, files); a string is an error. */
  prepare(step: RunnerStep): Promise<ProcessRequest | string>;
}

/** Services that are up; stop them at the end of their scope. */
export interface ServiceSet {
  stop(): Promise<void>;
}

interface Instance {
  step: RunnerStep;
  startedAtMs: number;
  process?: RunningProcess;
  /** Set when the process ended on its own before `stop()`. */
  early?: ProcessResult;
}

const leavesOf = (nodes: RunnerStep[]): RunnerStep[] =>
  nodes.flatMap((n) => (n.steps.length === 0 ? [n] : leavesOf(n.steps)));

/** Starts the service nodes `nodes` (groups and instances) and waits for readiness. */
export const startServices = async (
  hooks: ServiceHooks,
  nodes: RunnerStep[],
  scope: Scope,
): Promise<{ ok: true; set: ServiceSet } | { ok: false; message: string; set: ServiceSet }> => {
  const instances: Instance[] = leavesOf(nodes).map((step) => ({ step, startedAtMs: hooks.now() }));
  const waitAbort = new AbortController();
  const offScope = scope.onTimeout(() => waitAbort.abort());
  for (const group of nodes.filter((n) => n.steps.length > 0)) {
    hooks.emit({ ref: group.ref, status: "running", startedAtMs: hooks.now() });
  }
  const failures = await Promise.all(
    instances.map(async (instance): Promise<string | undefined> => {
      const { step } = instance;
      const name = step.service?.name ?? step.name;
      hooks.emit({ ref: step.ref, status: "running", startedAtMs: instance.startedAtMs });
      for (const warning of step.warnings) hooks.line(step.ref, `[assay] warning: ${warning}`);
      const request = await hooks.prepare(step);
      if (typeof request === "string") return finishEarly(hooks, instance, `service "${name}": ${request}`);
      const proc = await startProcess(hooks.ctx, request, scope, hooks.abortRequested());
      instance.process = proc;
      void proc.finished.then((result) => {
        if (result.killedBy === undefined) instance.early = result;
      });
      const probe = step.service?.readinessProbe;
      if (probe === undefined) return undefined;
      const outcome = await waitUntilReady({
        probe,
        cwd: proc.cwd,
        env: { ...hooks.ctx.baseEnv, ...request.env },
        readyTimeoutMs: step.service?.readyTimeoutMs,
        exited: proc.finished,
        signal: waitAbort.signal,
      });
      if (outcome.ok) {
        hooks.line(step.ref, `[assay] service "${name}" is ready`);
        return undefined;
      }
      return `service "${name}" did not become ready: ${outcome.detail}`;
    }),
  );
  offScope();
  const set: ServiceSet = { stop: () => stopAll(hooks, instances, nodes) };
  const first = failures.find((f) => f !== undefined);
  if (first !== undefined) {
    for (const instance of instances) hooks.line(instance.step.ref, `[assay] error: ${first}`);
    return { ok: false, message: first, set };
  }
  return { ok: true, set };
};

const finishEarly = (hooks: ServiceHooks, instance: Instance, message: string): string => {
  hooks.line(instance.step.ref, `[assay] error: ${message}`);
  return message;
};

const stopAll = async (hooks: ServiceHooks, instances: Instance[], nodes: RunnerStep[]): Promise<void> => {
  const statuses = new Map<string, StepEvent["status"]>();
  await Promise.all(
    instances.map(async (instance) => {
      const { step } = instance;
      const early = instance.early;
      instance.process?.stop();
      const result = await instance.process?.finished;
      const failed = result === undefined || (early !== undefined && early.exitCode !== 0);
      const message =
        result === undefined
          ? "not started"
          : early !== undefined
            ? `exited on its own with ${early.signal ?? `exit code ${early.exitCode}`}`
            : "stopped at the end of its scope";
      if (early !== undefined) hooks.line(step.ref, `[assay] service "${step.name}" ${message}`);
      const status = failed ? "failed" : "passed";
      statuses.set(step.ref, status);
      hooks.emit({
        ref: step.ref,
        status,
        startedAtMs: instance.startedAtMs,
        finishedAtMs: hooks.now(),
        exitCode: result?.exitCode,
        message,
        cpuPeakPercent: result?.cpuPeakPercent,
        memoryPeakBytes: result?.memoryPeakBytes,
      });
    }),
  );
  for (const group of nodes.filter((n) => n.steps.length > 0)) {
    const failed = leavesOf([group]).some((leaf) => statuses.get(leaf.ref) !== "passed");
    hooks.emit({ ref: group.ref, status: failed ? "failed" : "passed", finishedAtMs: hooks.now() });
  }
};
