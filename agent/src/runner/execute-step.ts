/**
 * An `execute` step (TestWorkflow suites), as Testkube's toolkit runs it: the planned child runs
 * are started through the control plane, at most `parallelism` at once, and watched until each
 * ends; the step passes only when every child passed (any other final status, or a child that
 * could not start, fails it). With `async` the children are started and the step passes without
 * waiting. Aborting the parent, or its timeout, aborts the children it still waits for.
 *
 * Log lines follow the toolkit's: `NAME • scheduled (ID)` and `NAME • STATUS`.
 */
import type { Outcome } from "./outcome-rules.ts";
import type { Evaluated } from "./runtime-expressions.ts";
import type { ChildRunSpec, ChildRuns, RunnerStep } from "./types.ts";

/** How often the statuses of running children are read. */
export const CHILD_POLL_MS = 500;
/** Attempts to start a child while the plan's queue is full, a second apart (Testkube: 10). */
const START_ATTEMPTS = 10;

const FINAL = new Set(["passed", "failed", "aborted", "canceled", "timeout", "lost"]);

export interface ExecuteDeps {
  children: ChildRuns | undefined;
  line(text: string): void;
  sleep(ms: number): Promise<void>;
  /** Why the step must stop now (abort, timeout), or undefined. */
  stopped(): { status: "aborted" | "timeout"; reason: string } | undefined;
  /** Renders `{{ }}` the planner left in a child's name or config. */
  render(text: string): Evaluated<string>;
  /** The step waits for children (true) or no longer does (false). */
  setWaiting(waiting: boolean): void;
  pollMs?: number;
}

interface Active {
  id: string;
  name: string;
}

/** Runs `step.execute`; see the module header. */
export const runExecute = async (step: RunnerStep, deps: ExecuteDeps): Promise<Outcome> => {
  const execute = step.execute;
  if (execute === undefined) return { status: "passed" };
  const ask = deps.children;
  if (ask === undefined) {
    const message = "this agent cannot start child executions: it runs without a control plane";
    deps.line(`[assay] error: ${message}`);
    return { status: "failed", message };
  }
  const queue: Array<{ spec: ChildRunSpec; attempts: number; label: string; description: string }> = [];
  for (const run of execute.runs) {
    const spec = render(run, execute.tags, deps);
    if (typeof spec === "string") {
      deps.line(`[assay] error: ${spec}`);
      return { status: "failed", message: spec };
    }
    const label =
      run.workflow ??
      Object.entries(run.selector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
    queue.push({ spec, attempts: 0, label, description: run.description ? `: ${run.description}` : "" });
  }
  const total = queue.length;
  deps.line(
    total === 0
      ? "nothing to run"
      : execute.parallelism < total && !execute.async
        ? `Total: ${total} executions, ${execute.parallelism} parallel`
        : `Total: ${total} executions, all in parallel`,
  );
  const active = new Map<string, Active>();
  const failures: string[] = [];
  const waiting = !execute.async;
  deps.setWaiting(waiting);
  try {
    while (queue.length > 0 || active.size > 0) {
      const stop = deps.stopped();
      if (stop !== undefined) return await abortChildren(ask, step.ref, active, stop, deps);
      let retrying = false;
      while (queue.length > 0 && (execute.async || active.size < execute.parallelism)) {
        const run = queue.shift() as (typeof queue)[number];
        // One run per request: its answer (several children for a selector) is its own.
        const answer = await ask(step.ref, { start: [run.spec], waiting });
        if (!answer.ok) return fail(`the child executions could not be started: ${answer.error}`, deps);
        for (const child of answer.children) {
          if (child.executionId !== "") {
            const name = `${child.workflowName}-${child.executionId}`;
            active.set(child.executionId, { id: child.executionId, name });
            deps.line(`${name}${run.description} • scheduled (${child.executionId})`);
          } else if (child.retry && run.attempts + 1 < START_ATTEMPTS) {
            deps.line(
              `failed to execute ${run.label}: retrying (attempt ${run.attempts + 2}/${START_ATTEMPTS}): ${child.message}`,
            );
            queue.unshift({ ...run, attempts: run.attempts + 1 });
            retrying = true;
          } else {
            deps.line(
              `[assay] error: failed to execute ${child.workflowName || run.label}: ${child.message}`,
            );
            failures.push(`${child.workflowName || run.label} could not start: ${child.message}`);
          }
        }
        if (retrying) break;
      }
      if (execute.async) {
        active.clear();
        if (retrying) await deps.sleep(1000);
        continue;
      }
      if (active.size === 0) {
        if (retrying) await deps.sleep(1000);
        continue;
      }
      await deps.sleep(deps.pollMs ?? CHILD_POLL_MS);
      const answer = await ask(step.ref, { watch: [...active.keys()], waiting });
      if (!answer.ok) return fail(`the child executions could not be read: ${answer.error}`, deps);
      for (const child of answer.children) {
        const known = active.get(child.executionId);
        if (known === undefined || !FINAL.has(child.status)) continue;
        active.delete(child.executionId);
        deps.line(`${known.name} • ${child.status}${child.message ? ` (${child.message})` : ""}`);
        if (child.status !== "passed") failures.push(`execution ${known.name} ${child.status}`);
      }
    }
  } finally {
    deps.setWaiting(false);
    // Tells the control plane at once that this execution's place is taken again.
    if (waiting) void ask(step.ref, { waiting: false });
  }
  if (failures.length > 0) {
    return fail(`${failures.length} of ${total} child executions did not pass: ${failures.join("; ")}`, deps);
  }
  return { status: "passed" };
};

const abortChildren = async (
  ask: ChildRuns,
  stepRef: string,
  active: Map<string, Active>,
  stop: { status: "aborted" | "timeout"; reason: string },
  deps: ExecuteDeps,
): Promise<Outcome> => {
  if (active.size > 0) {
    deps.line(`[assay] ${stop.reason}: aborting ${active.size} child execution(s)`);
    const answer = await ask(stepRef, { abort: [...active.keys()], waiting: false });
    if (!answer.ok) deps.line(`[assay] error: the child executions could not be aborted: ${answer.error}`);
  }
  return { status: stop.status, message: stop.reason };
};

const fail = (message: string, deps: ExecuteDeps): Outcome => {
  deps.line(`[assay] error: ${message}`);
  return { status: "failed", message };
};

/** The child's name and config with run-time templates rendered; a string is the error. */
const render = (
  run: NonNullable<RunnerStep["execute"]>["runs"][number],
  tags: Record<string, string>,
  deps: ExecuteDeps,
): ChildRunSpec | string => {
  const config: Record<string, string> = {};
  for (const [name, value] of Object.entries(run.config)) {
    const rendered = deps.render(value);
    if (!rendered.ok) return `config ${name}: ${rendered.error}`;
    config[name] = rendered.value;
  }
  const spec: ChildRunSpec = { config, tags };
  if (run.workflow !== undefined) {
    const name = deps.render(run.workflow);
    if (!name.ok) return `workflow name: ${name.error}`;
    spec.workflow = name.value;
  }
  if (run.selector !== undefined) spec.selector = run.selector;
  if (run.target !== undefined) spec.target = run.target;
  return spec;
};
