/**
 * Services of a scope (the workflow, or one step): started together before anything else in
 * the scope, each instance its own unit of the runtime (a process group, or a container on the
 * execution's network) with its output on its own step ref, then awaited until their readiness
 * probes pass. A service that exits or fails its probes before it is ready fails the scope with
 * a message naming it; the scope's steps are then skipped.
 *
 * At the end of the scope every instance is stopped (SIGTERM, then SIGKILL after the grace).
 * As in Testkube, an instance that never became ready is `failed`, and one that exited on its
 * own with a non-zero code (or a signal) is `failed` and fails the scope; one stopped at the end
 * is `passed`. The addresses of ready instances (`services.NAME.N.ip`) go to the scope's steps.
 */
import type { Clock } from "@assay/shared/time";
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
  /** The run's clock: event times and the readiness waits. */
  clock: Clock;
  abortRequested(): boolean;
  /** Renders the instance's request (runtime expressions, files); a string is an error. */
  prepare(step: RunnerStep): Promise<ProcessRequest | string>;
}

/** Services that were started; stop them at the end of their scope. */
export interface ServiceSet {
  /** Stops every instance; resolves with why the services failed the scope, if they did. */
  stop(): Promise<string | undefined>;
}

/** The outcome of starting a scope's services. */
export type ServicesStart =
  | { ok: true; set: ServiceSet; addresses: Record<string, string[]> }
  | { ok: false; message: string; set: ServiceSet };

interface Instance {
  step: RunnerStep;
  name: string;
  startedAtMs: number;
  process?: RunningProcess;
  /** Set when the unit ended on its own before `stop()`. */
  early?: ProcessResult;
  /** Why the instance never became ready. */
  notReady?: string;
}

const leavesOf = (nodes: RunnerStep[]): RunnerStep[] =>
  nodes.flatMap((n) => (n.steps.length === 0 ? [n] : leavesOf(n.steps)));

/** Starts the service nodes `nodes` (groups and instances) and waits for readiness. */
export const startServices = async (
  hooks: ServiceHooks,
  nodes: RunnerStep[],
  scope: Scope,
): Promise<ServicesStart> => {
  const instances: Instance[] = leavesOf(nodes).map((step) => ({
    step,
    name: step.service?.name ?? step.name,
    startedAtMs: hooks.clock.now(),
  }));
  const waitAbort = new AbortController();
  const offScope = scope.onTimeout(() => waitAbort.abort());
  for (const group of nodes.filter((n) => n.steps.length > 0)) {
    hooks.emit({ ref: group.ref, status: "running", startedAtMs: hooks.clock.now() });
  }
  const failures = await Promise.all(
    instances.map((instance) => startInstance(hooks, instance, scope, waitAbort.signal)),
  );
  offScope();
  const set: ServiceSet = { stop: () => stopAll(hooks, instances, nodes) };
  const first = failures.find((f) => f !== undefined);
  if (first !== undefined) {
    for (const instance of instances) hooks.line(instance.step.ref, `[assay] error: ${first}`);
    return { ok: false, message: first, set };
  }
  const addresses: Record<string, string[]> = {};
  for (const instance of instances) {
    if (instance.process === undefined) continue;
    addresses[instance.name] = [...(addresses[instance.name] ?? []), instance.process.unit.ip];
  }
  return { ok: true, set, addresses };
};

/** Starts one instance and waits for it; returns why it failed, if it did. */
const startInstance = async (
  hooks: ServiceHooks,
  instance: Instance,
  scope: Scope,
  signal: AbortSignal,
): Promise<string | undefined> => {
  const { step, name } = instance;
  hooks.emit({ ref: step.ref, status: "running", startedAtMs: instance.startedAtMs });
  for (const warning of step.warnings) hooks.line(step.ref, `[assay] warning: ${warning}`);
  const request = await hooks.prepare(step);
  if (typeof request === "string") return notReady(hooks, instance, `service "${name}": ${request}`);
  const proc = await startProcess(hooks.ctx, request, scope, hooks.abortRequested());
  instance.process = proc;
  void proc.finished.then((result) => {
    if (result.killedBy === undefined) instance.early = result;
  });
  const probe = step.service?.readinessProbe;
  // Without a probe a service counts as ready once started; an early exit is judged at the end.
  if (probe === undefined) return undefined;
  const outcome = await waitUntilReady({
    probe,
    attempt: (p) => proc.unit.probe(p),
    readyTimeoutMs: step.service?.readyTimeoutMs,
    exited: proc.finished,
    signal,
    clock: hooks.clock,
  });
  if (outcome.ok) {
    hooks.line(step.ref, `[assay] service "${name}" is ready`);
    return undefined;
  }
  const early = instance.early?.startError;
  const detail = early ?? outcome.detail;
  instance.notReady = detail;
  return `service "${name}" did not become ready: ${detail}`;
};

const notReady = (hooks: ServiceHooks, instance: Instance, message: string): string => {
  instance.notReady = message;
  hooks.line(instance.step.ref, `[assay] error: ${message}`);
  return message;
};

/** How an instance ended: its status and the message shown with it. */
const verdict = (instance: Instance, result: ProcessResult | undefined) => {
  const early = instance.early;
  if (instance.notReady !== undefined) return { failed: true, message: `not ready: ${instance.notReady}` };
  if (result === undefined) return { failed: true, message: "not started" };
  if (early === undefined) return { failed: false, message: "stopped at the end of its scope" };
  const how = early.startError ?? early.reason ?? early.signal ?? `exit code ${early.exitCode}`;
  return { failed: early.exitCode !== 0, message: `exited on its own with ${how}` };
};

const stopAll = async (
  hooks: ServiceHooks,
  instances: Instance[],
  nodes: RunnerStep[],
): Promise<string | undefined> => {
  const statuses = new Map<string, StepEvent["status"]>();
  let failure: string | undefined;
  await Promise.all(
    instances.map(async (instance) => {
      const { step } = instance;
      instance.process?.stop();
      const result = await instance.process?.finished;
      const { failed, message } = verdict(instance, result);
      if (instance.early !== undefined) hooks.line(step.ref, `[assay] service "${instance.name}" ${message}`);
      if (failed && instance.early !== undefined && instance.notReady === undefined)
        failure ??= `service "${instance.name}" ${message}`;
      const status = failed ? "failed" : "passed";
      statuses.set(step.ref, status);
      hooks.emit({
        ref: step.ref,
        status,
        startedAtMs: instance.startedAtMs,
        finishedAtMs: hooks.clock.now(),
        exitCode: result?.exitCode,
        message,
        cpuPeakPercent: result?.cpuPeakPercent,
        memoryPeakBytes: result?.memoryPeakBytes,
      });
    }),
  );
  for (const group of nodes.filter((n) => n.steps.length > 0)) {
    const failed = leavesOf([group]).some((leaf) => statuses.get(leaf.ref) !== "passed");
    hooks.emit({ ref: group.ref, status: failed ? "failed" : "passed", finishedAtMs: hooks.clock.now() });
  }
  return failure;
};
