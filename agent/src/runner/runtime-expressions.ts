/**
 * What the planner leaves for the runner: conditions that read step status (`failed &&
 * env.CI`), `retry.until`, and `{{ }}` templates that read runtime values. They are evaluated
 * here with the shared engine (`evaluateCondition` / `evaluateTemplate`), the same one the
 * control plane plans with, over Testkube's runtime roots: `passed`, `failed`, `status`,
 * `self` (the step's own outcome, for `retry.until`), `env` (the step's environment), and a
 * worker's or service instance's `index`, `count`, `matrix`, `shard`, and `services` (each
 * started instance's address: `services.NAME.0.ip`, `services.NAME[0].ip`, and every instance's
 * `services.NAME.*.ip` as a list; see the shared service-refs.ts for those spellings). With
 * `files` set, `file()` and `glob()` read where the step runs (file-functions.ts).
 */
import {
  type ExpressionContext,
  evaluateCondition,
  evaluateExpression,
  evaluateTemplate,
  fromJs,
  hasTemplate,
  isExpressionError,
  rewriteServiceRefs,
  rewriteServiceTemplates,
  type Value,
} from "@assay/shared/workflow";
import { containerWorkingDir, type FileRoots, fileFunctions } from "./file-functions.ts";

/** Values a runtime expression reads. */
export interface RuntimeScope {
  /** Something non-optional failed so far in the step's group or before it. */
  failed: boolean;
  /** The run was aborted. */
  aborted?: boolean;
  env: Record<string, string>;
  /** Fan-out variables of the nearest worker or service instance. */
  variables?: Record<string, Value> | undefined;
  /** The step's own last outcome (for `retry.until`). */
  self?: { status: string } | undefined;
  /** Where `file()` / `glob()` read; without it they are unknown functions. */
  files?: FileRoots | undefined;
}

export type Evaluated<T> = { ok: true; value: T } | { ok: false; error: string };

/** The engine's context for `scope`: its variables, and the file functions where it has files. */
const contextOf = (scope: RuntimeScope): ExpressionContext => ({
  variables: variablesOf(scope),
  ...(scope.files === undefined
    ? {}
    : { functions: fileFunctions(scope.files), workingDir: containerWorkingDir(scope.files) }),
});

const variablesOf = (scope: RuntimeScope): Record<string, Value> => {
  const status = scope.aborted ? "aborted" : scope.failed ? "failed" : "passed";
  const out: Record<string, Value> = {
    ...scope.variables,
    passed: !scope.failed && !scope.aborted,
    failed: scope.failed,
    status,
    always: true,
    never: false,
    env: fromJs(scope.env),
  };

  if (scope.self !== undefined) {
    const own = scope.self.status;
    out.self = fromJs({ status: own, passed: own === "passed", failed: own !== "passed" });
  }
  return out;
};

const KEYWORDS: Record<string, boolean | "passed" | "failed"> = {
  always: true,
  never: false,
  passed: "passed",
  failed: "failed",
};

/** Evaluates a step condition (already normalised by the planner). */
export const evaluateStepCondition = (condition: string, scope: RuntimeScope): Evaluated<boolean> => {
  const text = (condition || "passed").trim();
  const keyword = KEYWORDS[text.toLowerCase()];
  if (keyword === true || keyword === false) return { ok: true, value: keyword };
  if (keyword === "passed") return { ok: true, value: !scope.failed && !scope.aborted };
  if (keyword === "failed") return { ok: true, value: scope.failed };
  try {
    return {
      ok: true,
      value: evaluateCondition(rewriteServiceRefs(text), contextOf(scope)),
    };
  } catch (error) {
    if (isExpressionError(error)) return { ok: false, error: `condition "${text}": ${error.message}` };
    throw error;
  }
};

/** Renders `{{ }}` left in a text field; text without templates is returned as is. */
export const renderRuntimeText = (text: string, scope: RuntimeScope): Evaluated<string> => {
  if (!hasTemplate(text)) return { ok: true, value: text };
  try {
    return {
      ok: true,
      value: evaluateTemplate(rewriteServiceTemplates(text), contextOf(scope)),
    };
  } catch (error) {
    if (isExpressionError(error)) return { ok: false, error: error.message };
    throw error;
  }
};

/** Evaluates a bare expression the planner left (a fan-out field such as `glob("e2e/*")`). */
export const evaluateRuntimeValue = (expression: string, scope: RuntimeScope): Evaluated<Value> => {
  try {
    return { ok: true, value: evaluateExpression(rewriteServiceRefs(expression), contextOf(scope)) };
  } catch (error) {
    if (isExpressionError(error)) return { ok: false, error: error.message };
    throw error;
  }
};

/**
 * Fan-out variables with the addresses of services that just got ready added to those of the
 * enclosing scopes (`services.NAME[N].ip`).
 */
export const withServiceAddresses = (
  variables: Record<string, Value> | undefined,
  addresses: Record<string, string[]>,
): Record<string, Value> => {
  const previous = variables?.services;
  const outer = previous !== null && typeof previous === "object" && !Array.isArray(previous) ? previous : {};
  const added = Object.fromEntries(
    Object.entries(addresses).map(([k, ips]) => [k, ips.map((ip) => ({ ip }))]),
  );
  return {
    ...variables,
    services: { ...(outer as Record<string, Value>), ...(fromJs(added) as Record<string, Value>) },
  };
};
