/**
 * Checking a workflow before it runs: plan it once per runtime the environment's agents have
 * and say, per runtime, what would be refused (the run would fail) and what only warns. This is
 * what `apply` reports and what `workflow plan` shows, beside the step tree.
 */

import { bindSecretRefs, credentialFunctions } from "../credentials.ts";
import type { RuntimeCapabilities } from "../runtimes.ts";
import type { TestWorkflow } from "../schema/workflow.ts";
import { planWorkflow } from "./plan.ts";
import type { PlannedStep, RunPlace, UnsupportedFeature } from "./types.ts";

/** One line of the step tree: depth 0 for top-level steps and workflow services. */
export interface CheckedStep {
  ref: string;
  name: string;
  depth: number;
  kind: "step" | "service" | "worker";
}

/** What one runtime makes of the workflow. */
export interface RuntimeCheck {
  runtime: string;
  /** How many of the environment's agents have this runtime (0: assumed, none connected yet). */
  agents: number;
  /** The run would fail on these, before any step starts. */
  refusals: UnsupportedFeature[];
  /** Settings this runtime ignores, and config parameters that need a value at run time. */
  warnings: string[];
}

/** The outcome of {@link checkWorkflow}. */
export interface WorkflowCheck {
  steps: CheckedStep[];
  runtimes: RuntimeCheck[];
}

/** A runtime with the number of agents that have it. */
export type CheckedRuntime = RuntimeCapabilities & { agents: number };

/**
 * Plan `workflow` (templates already merged) for each runtime. Missing config values are not a
 * refusal here: a run supplies them; they are reported as warnings. Credentials (and the
 * Kubernetes secret and config map references bound to them) are the agent's to fetch when the
 * run starts: they are planned with placeholders, as the agent's first pass does.
 */
export const checkWorkflow = (
  document: TestWorkflow,
  runtimes: readonly CheckedRuntime[],
  place?: RunPlace,
): WorkflowCheck => {
  let steps: CheckedStep[] = [];
  const workflow = bindSecretRefs(document).workflow;
  const { config, missing } = placeholderConfig(workflow);
  const functions = credentialFunctions({ lookup: () => undefined, placeholder: "" });
  const checks = runtimes.map((runtime, i): RuntimeCheck => {
    const plan = planWorkflow(workflow, {
      features: runtime.features,
      config,
      containers: runtime.containers === true,
      functions,
      // The run's organization, environment and dashboard are known already: a check reads
      // them as the run will (`dashboard.url` in an expression gives the same verdict).
      ...(place === undefined ? {} : { place }),
    });
    if (i === 0) steps = flatten(plan.steps, 0);
    return {
      runtime: runtime.runtime,
      agents: runtime.agents,
      refusals: plan.unsupported.filter((u) => u.feature !== "config"),
      warnings: [...plan.warnings, ...missing],
    };
  });
  return { steps, runtimes: checks };
};

/**
 * A stand-in value for each parameter with no default (so that expressions using it are
 * checked as a run would use them), and a warning naming each.
 */
const placeholderConfig = (workflow: TestWorkflow): { config: Record<string, string>; missing: string[] } => {
  const config: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, schema] of Object.entries(workflow.spec.config ?? {})) {
    if (schema.default !== undefined) continue;
    const type = schema.type;
    config[name] = type === "integer" || type === "number" ? "1" : type === "boolean" ? "false" : name;
    missing.push(`spec.config.${name}: config parameter "${name}" has no default: a run must give it`);
  }
  return { config, missing };
};

const flatten = (steps: readonly PlannedStep[], depth: number): CheckedStep[] =>
  steps.flatMap((step) => [
    { ref: step.ref, name: step.name, depth, kind: step.kind ?? "step" },
    ...flatten(step.steps, depth + 1),
  ]);

/** The check as text lines: the step tree, then per runtime its refusals and warnings. */
export const formatCheck = (check: {
  steps: readonly CheckedStep[];
  runtimes: ReadonlyArray<
    Omit<RuntimeCheck, "refusals"> & { refusals: ReadonlyArray<{ path: string; message: string }> }
  >;
}): string[] => {
  const lines = ["steps:"];
  for (const step of check.steps) {
    const kind = step.kind === "step" ? "" : ` (${step.kind})`;
    lines.push(`${"  ".repeat(step.depth + 1)}${step.ref} ${step.name}${kind}`);
  }
  for (const runtime of check.runtimes) {
    const agents =
      runtime.agents === 0
        ? "no agent connected yet"
        : `${runtime.agents} agent${runtime.agents === 1 ? "" : "s"}`;
    const verdict = runtime.refusals.length === 0 ? "runs" : "will not run";
    lines.push(`${runtime.runtime} runtime (${agents}): ${verdict}`);
    for (const r of runtime.refusals) lines.push(`  refused: ${r.path}: ${r.message}`);
    for (const w of runtime.warnings) lines.push(`  warning: ${w}`);
  }
  return lines;
};
