/**
 * Planning `execute` (TestWorkflow suites): each `execute.workflows[]` entry is fanned out with
 * its `count` / `matrix` / `shards` (fanout.ts) into child runs, one per instance, each with its
 * config rendered in the instance's scope (`{{ matrix.browser }}`, `{{ index + 1 }}`), as
 * Testkube's toolkit renders them before it schedules the executions. The runner asks the
 * control plane to start the children and waits for them (unless `async`); a child that does
 * not pass fails the step. Legacy `execute.tests` do not exist here and are refused.
 */
import type { StepExecute } from "../schema/operations.ts";
import type { PlanContext } from "./context.ts";
import { expandStrategy } from "./fanout.ts";
import { resolveBoolean, resolveInteger } from "./resolve.ts";
import type { PlannedExecute, PlannedExecuteRun } from "./types.ts";

/** Testkube's toolkit runs at most this many children at once when `parallelism` is unset. */
export const DEFAULT_EXECUTE_PARALLELISM = 100;

/** Plans `execute` of the step `ref` at `path`; undefined when it cannot run. */
export const planExecute = (
  execute: StepExecute,
  ref: string,
  path: string,
  context: PlanContext,
  warnings: string[],
): PlannedExecute | undefined => {
  const at = `${path}.execute`;
  if ((execute.tests ?? []).length > 0) {
    context.refuse(
      "execute",
      `${at}.tests`,
      "execute.tests starts Testkube's legacy Tests, which Assay does not have: convert them to TestWorkflows and list them under execute.workflows",
      ref,
    );
  }
  if (
    !context.require("execute", at, "execute (running other workflows) is not supported by this agent", ref)
  )
    return undefined;
  const planned: PlannedExecute = {
    parallelism: DEFAULT_EXECUTE_PARALLELISM,
    async: false,
    runs: [],
    tags: parentTags(context),
  };
  if (execute.parallelism !== undefined) {
    const n = resolveInteger(execute.parallelism, context);
    if (n.ok && n.value > 0) planned.parallelism = n.value;
    else if (!n.ok) context.refuse("expressions", `${at}.parallelism`, `parallelism: ${n.reason}`, ref);
  }
  if (execute.async !== undefined) {
    const b = resolveBoolean(execute.async, context);
    if (b.ok) planned.async = b.value;
    else context.refuse("expressions", `${at}.async`, `async: ${b.reason}`, ref);
  }
  (execute.workflows ?? []).forEach((entry, i) => {
    const where = `${at}.workflows[${i}]`;
    if (entry.name === undefined && entry.selector === undefined) {
      context.refuse("execute", where, "either name or selector must be given", ref);
      return;
    }
    const selector = matchLabels(entry.selector, where, context, ref);
    if (selector === null) return;
    for (const field of ["tarball", "fetch"] as const) {
      if (entry[field] !== undefined)
        context.refuse(
          "execute",
          `${where}.${field}`,
          `execute.workflows[].${field} (files passed between executions) is not supported yet`,
          ref,
        );
    }
    if (entry.target !== undefined)
      warnings.push(
        `${where}.target: the child runs on any agent of the environment (targets are not matched yet)`,
      );
    const fanOut = expandStrategy(entry, context);
    if (!fanOut.ok) {
      context.refuse("execute", where, `execute: ${fanOut.reason}`, ref);
      return;
    }
    for (const variables of fanOut.instances) {
      const scoped = context.withScope(variables);
      const run: PlannedExecuteRun = { config: {} };
      if (entry.name !== undefined) run.workflow = scoped.text(entry.name, `${where}.name`, ref);
      if (selector !== undefined) run.selector = selector;
      if (entry.target?.match !== undefined || entry.target?.not !== undefined) {
        run.target = {};
        if (entry.target.match !== undefined) run.target.match = entry.target.match;
        if (entry.target.not !== undefined) run.target.not = entry.target.not;
      }
      for (const [name, value] of Object.entries(entry.config ?? {})) {
        run.config[name] =
          typeof value === "string" ? scoped.text(value, `${where}.config.${name}`, ref) : String(value);
      }
      if (entry.executionName !== undefined)
        warnings.push(`${where}.executionName: children are named like any run (workflow name and id)`);
      if (entry.description !== undefined)
        run.description = scoped.text(entry.description, `${where}.description`, ref);
      planned.runs.push(run);
    }
  });
  return planned;
};

/** `selector.matchLabels`; null (refused) for `matchExpressions`, which Testkube refuses too. */
const matchLabels = (
  selector: Record<string, unknown> | undefined,
  path: string,
  context: PlanContext,
  ref: string,
): Record<string, string> | undefined | null => {
  if (selector === undefined) return undefined;
  if (selector.matchExpressions !== undefined) {
    context.refuse(
      "execute",
      `${path}.selector.matchExpressions`,
      "selector.matchExpressions is not supported (as in Testkube): use matchLabels",
      ref,
    );
    return null;
  }
  const labels = selector.matchLabels;
  if (labels === null || typeof labels !== "object" || Array.isArray(labels)) {
    context.refuse("execute", `${path}.selector`, "selector needs matchLabels", ref);
    return null;
  }
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]));
};

/** The run's own tags, minus Assay's bookkeeping tags (`assay.io/...`: schedule, parent). */
const parentTags = (context: PlanContext): Record<string, string> => {
  const execution = context.scope.execution;
  const tags =
    execution !== null && typeof execution === "object" && !Array.isArray(execution)
      ? execution.tags
      : undefined;
  if (tags === null || typeof tags !== "object" || Array.isArray(tags)) return {};
  return Object.fromEntries(
    Object.entries(tags)
      .filter(([key]) => !key.startsWith("assay.io/"))
      .map(([key, value]) => [key, String(value)]),
  );
};
