/**
 * The step tree of an execution, known when the run is created: the shared planner gives the
 * same refs to the control plane and to the agent, so step updates line up without a mapping.
 */
import type { StepState } from "@assay/shared";
import { type PlannedStep, type PlanOptions, planWorkflow, RUNNER_FEATURES } from "@assay/shared/workflow";

/** The step tree for `spec` planned with the run's config and execution (names may use them). */
export function initialStepStates(
  spec: unknown,
  options: Pick<PlanOptions, "config" | "execution"> = {},
): { steps: StepState[]; warnings: string[] } {
  // Which features run is the agent's call (it fails a run loudly with what it lacks); the
  // control plane plans with all of them so only real problems (paused, config) become warnings.
  const plan = planWorkflow(spec as Parameters<typeof planWorkflow>[0], {
    ...options,
    features: RUNNER_FEATURES,
  });
  const steps: StepState[] = [];
  const visit = (step: PlannedStep) => {
    steps.push({
      ref: step.ref,
      name: step.name,
      parentRef: step.parentRef,
      status: "queued",
      warnings: step.warnings,
    });
    for (const child of step.steps) visit(child);
  };
  for (const step of plan.steps) visit(step);
  const warnings = plan.unsupported.map((u) => `${u.path}: ${u.message}`);
  return { steps, warnings };
}
