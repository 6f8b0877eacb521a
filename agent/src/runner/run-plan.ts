/**
 * Executes a plan: the step tree, in order, with conditions, retries, timeouts, optional and
 * negative steps, and run-wide abort. The rules, in one place:
 *
 * - A step's `condition` is evaluated against its group's state: `passed` runs when nothing
 *   non-optional has failed so far (in the group or before it), `failed` only after a failure,
 *   `always` always (also after an abort), `never` never. Any other expression is not supported
 *   by the process runner: the step fails with a message saying so.
 * - A step with its own command runs it first, then its children. A group passes when all its
 *   non-optional children passed or were skipped. `optional` failures do not fail the parent;
 *   `negative` swaps passed and failed; `retry.count` reruns a failed or timed-out step.
 * - `timeoutMs` (per step, and the plan's for the whole run) kills the process group of whatever
 *   runs inside; those steps end as `timeout` and the rest of the scope is skipped.
 * - `abort()` kills what runs now; the remaining steps are skipped except `always` ones.
 */
import { mkdir } from "node:fs/promises";
import { createStreamMasker, maskText } from "./masker.ts";
import { createScope, type Scope } from "./scope.ts";
import { startStepProcess } from "./step-process.ts";
import type { RunnerPlan, RunnerSink, RunnerStep, RunResult, StepEvent, StepFinalStatus } from "./types.ts";
import { mapDataPaths, resolveWorkingDir, writeContentFiles } from "./workspace.ts";

/** Inputs of one run. */
export interface PlanRunOptions {
  plan: RunnerPlan;
  /** The execution's own directory; `/data` maps here. */
  workspace: string;
  sink: RunnerSink;
  /** Environment every step starts from (usually the agent's). */
  baseEnv: Record<string, string>;
  /** Values masked in every byte of output and every message. */
  secrets: readonly string[];
  /** Grace between SIGTERM and SIGKILL, default 2000 ms. */
  killGraceMs?: number;
  now?: () => number;
}

/** A run in progress. */
export interface PlanRun {
  readonly done: Promise<RunResult>;
  /** Kills what runs now and skips the rest (except `always` steps). Idempotent. */
  abort(reason: string): void;
}

interface GroupState {
  /** Something non-optional failed in this group or before it started. */
  failed: boolean;
}

interface Outcome {
  status: StepFinalStatus;
  exitCode?: number | undefined;
  message?: string | undefined;
}

const SUPPORTED_UNTIL = new Set(["passed", "self.passed", "success"]);

/** Starts running `options.plan`; see the module header for the rules. */
export const startPlanRun = (options: PlanRunOptions): PlanRun => {
  const { plan, sink, workspace, secrets } = options;
  const now = options.now ?? Date.now;
  const killGraceMs = options.killGraceMs ?? 2000;
  const states = new Map<string, StepEvent>();
  const active = new Set<() => void>();
  const wakeups = new Set<() => void>();
  let abortReason: string | undefined;
  let firstFailure: string | undefined;

  const emit = (event: StepEvent) => {
    const masked =
      event.message === undefined ? event : { ...event, message: maskText(event.message, secrets) };
    states.set(event.ref, masked);
    sink.step(masked);
  };
  const line = (ref: string, text: string) => {
    sink.log(ref, Buffer.from(`${maskText(text, secrets)}\n`));
  };
  const skipTree = (step: RunnerStep, message: string) => {
    emit({ ref: step.ref, status: "skipped", message });
    for (const child of step.steps) skipTree(child, message);
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakeups.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakeups.add(done);
    });

  const decide = (condition: string, group: GroupState, scope: Scope): "run" | "skip" | "unsupported" => {
    const c = (condition || "passed").trim().toLowerCase();
    if (scope.timedOut()) return "skip";
    if (abortReason !== undefined) return c === "always" ? "run" : "skip";
    if (c === "passed") return group.failed ? "skip" : "run";
    if (c === "failed") return group.failed ? "run" : "skip";
    if (c === "always") return "run";
    if (c === "never") return "skip";
    return "unsupported";
  };

  const runProcess = async (
    step: RunnerStep,
    scope: Scope,
    env: Record<string, string>,
  ): Promise<Outcome> => {
    if (scope.timedOut()) return { status: "timeout", message: "timed out before it started" };
    const commandList = typeof step.command === "string" ? [step.command] : (step.command ?? []);
    const [file, args] =
      step.shell !== undefined
        ? // Testkube runs shell steps with `set -e`: the first failing command fails the step.
          [step.shellProgram ?? "/bin/sh", ["-c", `set -e\n${mapDataPaths(step.shell, workspace)}`]]
        : [
            commandList[0] ?? "",
            [...commandList.slice(1), ...(step.args ?? [])].map((a) => mapDataPaths(a, workspace)),
          ];
    const cwd = resolveWorkingDir(workspace, step.workingDir);
    if (cwd.startsWith(workspace)) await mkdir(cwd, { recursive: true });
    const maskers = { stdout: createStreamMasker(secrets), stderr: createStreamMasker(secrets) };
    let killedBy: "timeout" | "abort" | undefined;
    const proc = startStepProcess(
      { file, args, cwd, env: { ...options.baseEnv, ...env } },
      {
        output: (data, stream) => {
          const safe = maskers[stream].push(data);
          return safe.length === 0 ? true : sink.log(step.ref, safe);
        },
        drained: () => sink.drained(),
      },
      killGraceMs,
    );
    const offTimeout = scope.onTimeout(() => {
      killedBy ??= "timeout";
      proc.kill();
    });
    const killForAbort = () => {
      killedBy ??= "abort";
      proc.kill();
    };
    active.add(killForAbort);
    if (abortReason !== undefined && step.condition !== "always") killForAbort();
    const exit = await proc.exited;
    offTimeout();
    active.delete(killForAbort);
    for (const masker of Object.values(maskers)) {
      const rest = masker.end();
      if (rest.length > 0) sink.log(step.ref, rest);
    }
    if (exit.spawnError !== undefined) {
      const message = `cannot start "${file}" in ${cwd}: ${exit.spawnError}`;
      line(step.ref, `[assay] error: ${message}`);
      return { status: "failed", exitCode: -1, message };
    }
    if (killedBy === "timeout") return { status: "timeout", exitCode: -1, message: "timed out" };
    if (killedBy === "abort") return { status: "aborted", exitCode: -1, message: `aborted: ${abortReason}` };
    if (exit.exitCode === 0) return { status: "passed", exitCode: 0 };
    const why = exit.signal !== undefined ? `killed by ${exit.signal}` : `exit code ${exit.exitCode}`;
    return { status: "failed", exitCode: exit.exitCode, message: why };
  };

  const runAttempt = async (
    step: RunnerStep,
    scope: Scope,
    env: Record<string, string>,
    group: GroupState,
  ): Promise<Outcome> => {
    if (step.files !== undefined && step.files.length > 0) {
      const refused = await writeContentFiles(
        workspace,
        resolveWorkingDir(workspace, step.workingDir),
        step.files,
      );
      if (refused !== undefined) {
        line(step.ref, `[assay] error: ${refused}`);
        for (const child of step.steps) skipTree(child, "parent step failed");
        return { status: "failed", message: refused };
      }
    }
    const children: GroupState = { failed: group.failed };
    let childFailed = false;
    let childAborted = false;
    const runChildren = async (list: RunnerStep[]) => {
      for (const child of list) {
        const status = await runStep(child, scope, children, env);
        if (status === "aborted") childAborted = true;
        if (status !== "passed" && status !== "skipped" && !child.optional) childFailed = true;
      }
    };
    // Testkube runs a step's nested `setup` before its own command, its `steps` after it.
    const setup = step.steps.filter((s) => s.phase === "setup");
    const rest = step.steps.filter((s) => s.phase !== "setup");
    await runChildren(setup);
    let own: Outcome | undefined;
    if (step.shell !== undefined || step.command !== undefined) {
      if (childFailed || childAborted || scope.timedOut()) {
        own = {
          status: childAborted ? "aborted" : scope.timedOut() ? "timeout" : "failed",
          message: "a setup step failed",
        };
      } else {
        own = await runProcess(step, scope, env);
      }
      if (own.status !== "passed") {
        for (const child of rest) skipTree(child, `parent step ${own.status}`);
        return own;
      }
    }
    await runChildren(rest);
    const exitCode = own?.exitCode;
    if (step.steps.length === 0) return own ?? { status: "passed" };
    if (scope.timedOut()) return { status: "timeout", exitCode, message: "timed out" };
    if (childAborted) return { status: "aborted", exitCode, message: `aborted: ${abortReason}` };
    if (childFailed) return { status: "failed", exitCode, message: "a step inside failed" };
    return { status: "passed", exitCode };
  };

  const runStep = async (
    step: RunnerStep,
    scope: Scope,
    group: GroupState,
    inheritedEnv: Record<string, string>,
  ) => {
    const decision = decide(step.condition, group, scope);
    if (decision === "skip") {
      const why = scope.timedOut()
        ? "timed out"
        : abortReason !== undefined
          ? "aborted"
          : `condition "${step.condition || "passed"}" not met`;
      skipTree(step, why);
      return "skipped" as const;
    }
    const startedAtMs = now();
    if (decision === "unsupported") {
      const message = `condition "${step.condition}" is not supported by the process runner (only passed, failed, always, never)`;
      line(step.ref, `[assay] error: step "${step.name}": ${message}`);
      for (const child of step.steps) skipTree(child, "parent step failed");
      emit({ ref: step.ref, status: "failed", startedAtMs, finishedAtMs: now(), message });
      if (!step.optional) group.failed = true;
      firstFailure ??= `step "${step.name}" failed: ${message}`;
      return "failed" as const;
    }
    emit({ ref: step.ref, status: "running", startedAtMs });
    for (const warning of step.warnings) line(step.ref, `[assay] warning: ${warning}`);
    const until = step.retry?.until;
    if (until !== undefined && !SUPPORTED_UNTIL.has(until.trim())) {
      line(
        step.ref,
        `[assay] warning: retry.until "${until}" is not supported; retrying until the step passes`,
      );
    }
    if (step.delayMs !== undefined && step.delayMs > 0) await sleep(step.delayMs);
    const env = { ...inheritedEnv, ...step.env };
    const retries = step.retry?.count ?? 0;
    let outcome: Outcome = { status: "passed" };
    for (let attempt = 0; ; attempt++) {
      const stepScope = scope.child(step.timeoutMs);
      outcome = await runAttempt(step, stepScope, env, group);
      stepScope.close();
      const retryable = outcome.status === "failed" || outcome.status === "timeout";
      if (!retryable || attempt >= retries || scope.timedOut() || abortReason !== undefined) break;
      line(step.ref, `[assay] step "${step.name}" ${outcome.status}; retry ${attempt + 1} of ${retries}`);
    }
    if (step.negative && (outcome.status === "passed" || outcome.status === "failed")) {
      outcome =
        outcome.status === "passed"
          ? { ...outcome, status: "failed", message: "passed, but the step is negative (expected to fail)" }
          : {
              ...outcome,
              status: "passed",
              message: `negative step: ${outcome.message ?? "failed"} as expected`,
            };
    }
    emit({
      ref: step.ref,
      status: outcome.status,
      startedAtMs,
      finishedAtMs: now(),
      exitCode: outcome.exitCode,
      message: outcome.message,
    });
    const bad = outcome.status !== "passed";
    if (bad && !step.optional) group.failed = true;
    if (bad && !step.optional && step.steps.length === 0 && outcome.status !== "aborted") {
      firstFailure ??= `step "${step.name}" ${outcome.status}${outcome.message ? `: ${outcome.message}` : ""}`;
    }
    return outcome.status;
  };

  const run = async (): Promise<RunResult> => {
    for (const warning of plan.warnings ?? []) line("", `[assay] warning: ${warning}`);
    if (plan.unsupported.length > 0) {
      for (const u of plan.unsupported) line("", `[assay] error: ${u.path}: ${u.message}`);
      for (const step of plan.steps) skipTree(step, "the workflow cannot run on this agent");
      const list = plan.unsupported.map((u) => `${u.path}: ${u.message}`).join("; ");
      return finish({
        status: "failed",
        message: maskText(`unsupported by the process runner: ${list}`, secrets),
      });
    }
    if (plan.files !== undefined && plan.files.length > 0) {
      const refused = await writeContentFiles(workspace, workspace, plan.files);
      if (refused !== undefined) {
        line("", `[assay] error: ${refused}`);
        for (const step of plan.steps) skipTree(step, "the workflow cannot run on this agent");
        return finish({ status: "failed", message: refused });
      }
    }
    const root = createScope(plan.timeoutMs);
    const group: GroupState = { failed: false };
    for (const step of plan.steps) await runStep(step, root, group, {});
    const timedOut = root.timedOut();
    root.close();
    if (abortReason !== undefined) return finish({ status: "aborted", message: `aborted: ${abortReason}` });
    if (timedOut) {
      const message = `the run timed out after ${formatMs(plan.timeoutMs ?? 0)}`;
      line("", `[assay] ${message}`);
      return finish({ status: "timeout", message });
    }
    if (group.failed) return finish({ status: "failed", message: firstFailure ?? "a step failed" });
    return finish({ status: "passed", message: "" });
  };

  const collect = (steps: RunnerStep[], out: StepEvent[]) => {
    for (const step of steps) {
      out.push(states.get(step.ref) ?? { ref: step.ref, status: "skipped" });
      collect(step.steps, out);
    }
    return out;
  };
  const finish = (result: Omit<RunResult, "steps">): RunResult => ({
    ...result,
    steps: collect(plan.steps, []),
  });

  return {
    done: run(),
    abort(reason) {
      abortReason ??= reason;
      for (const kill of [...active]) kill();
      for (const wake of [...wakeups]) wake();
    },
  };
};

const formatMs = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
