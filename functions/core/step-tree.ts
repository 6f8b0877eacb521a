/**
 * The step tree of an execution, known when the run is created: the shared planner gives the
 * same refs to the control plane and to the agent, so step updates line up without a mapping.
 */
import type { StepState } from "@assay/shared";
import {
  bindSecretRefs,
  credentialFunctions,
  type PlannedStep,
  type PlanOptions,
  planWorkflow,
  RUNNER_FEATURES,
  type TestWorkflow,
} from "@assay/shared/workflow";

/** The step tree for `spec` planned with the run's config and execution (names may use them). */
export function initialStepStates(
  spec: unknown,
  options: Pick<PlanOptions, "config" | "execution" | "place"> = {},
): { steps: StepState[]; warnings: string[] } {
  // Which features run is the agent's call (it fails a run loudly with what it lacks); the
  // control plane plans with all of them so only real problems (paused, config) become warnings.
  // Credential values are the agent's to fetch at run time: plan with placeholders here.
  const plan = planWorkflow(bindSecretRefs(spec as TestWorkflow).workflow, {
    ...options,
    features: RUNNER_FEATURES,
    functions: credentialFunctions({ lookup: () => undefined, placeholder: "" }),
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
