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
import { type RuntimeNeed, runtimeNeedOf } from "./runtime-placement.ts";

/** The step tree for `spec` planned with the run's config and execution (names may use them). */
export function initialStepStates(
  spec: unknown,
  options: Pick<PlanOptions, "config" | "execution" | "place"> = {},
): { steps: StepState[]; warnings: string[]; runtimeNeed: RuntimeNeed | undefined } {
  // Which features run is the agent's call (it fails a run loudly with what it lacks); the
  // control plane plans with all of them so only real problems (paused, config) become warnings.
  // Credential values are the agent's to fetch at run time: plan with placeholders here.
  const workflow = bindSecretRefs(spec as TestWorkflow).workflow;
  const planFor = (containers: boolean) =>
    planWorkflow(workflow, {
      ...options,
      containers,
      features: RUNNER_FEATURES,
      functions: credentialFunctions({ lookup: () => undefined, placeholder: "" }),
    });
  const plan = planFor(false);
  const runtimeNeed = runtimeNeedOf(plan.steps);
  // A run whose steps name images goes to a container runtime whenever one is online: its steps
  // carry that runtime's warnings, not the process runner's ("image … is not used"). An agent
  // that runs it otherwise prints its own plan's warnings in the step's log.
  const warningsOf = stepWarnings(runtimeNeed === undefined ? plan.steps : planFor(true).steps);
  const steps: StepState[] = [];
  const visit = (step: PlannedStep) => {
    steps.push({
      ref: step.ref,
      name: step.name,
      parentRef: step.parentRef,
      status: "queued",
      warnings: warningsOf.get(step.ref) ?? step.warnings,
    });
    for (const child of step.steps) visit(child);
  };
  for (const step of plan.steps) visit(step);
  const warnings = plan.unsupported.map((u) => `${u.path}: ${u.message}`);
  return { steps, warnings, runtimeNeed };
}

/** Each planned step's warnings by ref. */
const stepWarnings = (steps: readonly PlannedStep[]): Map<string, string[]> => {
  const byRef = new Map<string, string[]>();
  const visit = (step: PlannedStep) => {
    byRef.set(step.ref, step.warnings);
    for (const child of step.steps) visit(child);
  };
  for (const step of steps) visit(step);
  return byRef;
};
