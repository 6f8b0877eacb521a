/**
 * Step conditions and `retry.until`. Testkube writes both as expressions; the common ones are
 * keywords (`passed`, `failed`, `always`, `never`, `true`, `false`, `self.passed`...) that the
 * planner turns into one of four values. Any other expression is kept as written and reported,
 * since the process runner cannot evaluate it.
 */
import type { PlanContext } from "./context.ts";
import { resolveTemplate } from "./resolve.ts";
import type { StepCondition } from "./types.ts";

const KEYWORDS: Record<string, "passed" | "failed" | "always" | "never"> = {
  passed: "passed",
  "self.passed": "passed",
  success: "passed",
  failed: "failed",
  "self.failed": "failed",
  failure: "failed",
  always: "always",
  true: "always",
  never: "never",
  false: "never",
};

/** Normalise a condition; `fallback` when absent; unknown expressions are reported. */
export const normalizeCondition = (
  raw: string | boolean | undefined,
  fallback: StepCondition,
  path: string,
  context: PlanContext,
  ref: string,
): StepCondition => {
  if (raw === undefined) return fallback;
  if (typeof raw === "boolean") return raw ? "always" : "never";
  const resolved = resolveTemplate(raw, { config: context.config });
  const text = (resolved.ok ? resolved.value : raw).trim();
  if (text === "") return fallback;
  const keyword = KEYWORDS[text.toLowerCase()];
  if (keyword !== undefined) return keyword;
  const message = `condition "${raw}" is an expression the process runner cannot evaluate (use passed, failed, always or never)`;
  context.require("expressions", path, message, ref);
  return text;
};
