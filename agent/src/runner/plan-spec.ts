/**
 * Spec text to runner plan, through the shared parser and planner: the same code the control
 * plane uses when it creates the execution, so step refs agree. The planner resolves
 * `{{ config.x }}` itself and reports what this runner cannot do as `unsupported`.
 */
import {
  type PlannedStep,
  parseWorkflowText,
  planWorkflow,
  type RunnerFeature,
} from "@assay/shared/workflow";
import type { PlanOutcome } from "./run-execution.ts";
import type { RunnerStep } from "./types.ts";

/** What the process runner implements beyond the basics. */
export const PROCESS_RUNNER_FEATURES: readonly RunnerFeature[] = [
  "content.files",
  "setup-before-command",
  "artifacts",
  "services",
  "parallel",
  "content.git",
  "content.tarball",
  "expressions",
];

const toRunnerStep = (step: PlannedStep): RunnerStep => ({
  kind: step.kind,
  ref: step.ref,
  name: step.name,
  parentRef: step.parentRef,
  phase: step.phase,
  shell: step.shell,
  command: step.command,
  args: step.args,
  env: step.env,
  workingDir: step.workingDir,
  timeoutMs: step.timeoutMs,
  condition: step.condition,
  optional: step.optional,
  negative: step.negative,
  retry: step.retry,
  delayMs: step.delayMs,
  files: step.files,
  artifacts: step.artifacts,
  git: step.git,
  tarballs: step.tarballs,
  service: step.service,
  parallel: step.parallel,
  variables: step.variables,
  container: step.container,
  steps: step.steps.map(toRunnerStep),
  warnings: step.warnings,
});

/** What the runtime adds to the runner: its features, and whether steps run in their images. */
export interface PlanRuntime {
  features: readonly RunnerFeature[];
  containers: boolean;
}

const PROCESS: PlanRuntime = { features: [], containers: false };

/** Parses and plans `specYaml` for the runner with `runtime` (the process runtime by default). */
export const planSpec = (
  specYaml: string,
  config: Record<string, string>,
  runtime: PlanRuntime = PROCESS,
): PlanOutcome => {
  const parsed = parseWorkflowText(specYaml, { select: "first" });
  if (!parsed.ok) {
    const details = parsed.issues.map(
      (i) => `${i.line === undefined ? "" : `line ${i.line}: `}${i.path}: ${i.message}`,
    );
    return { ok: false, message: "the workflow spec is invalid", details };
  }
  const features = [...PROCESS_RUNNER_FEATURES, ...runtime.features];
  const plan = planWorkflow(parsed.workflow, { features, config, containers: runtime.containers });
  return {
    ok: true,
    plan: {
      steps: plan.steps.map(toRunnerStep),
      timeoutMs: plan.timeoutMs,
      unsupported: plan.unsupported,
      warnings: [...parsed.warnings, ...plan.warnings],
      files: plan.files,
      git: plan.git,
      tarballs: plan.tarballs,
      pod: plan.pod,
    },
  };
};
