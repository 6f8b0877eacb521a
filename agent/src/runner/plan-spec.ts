/**
 * Spec text to runner plan, through the shared parser and planner: the same code the control
 * plane uses when it creates the execution, so step refs agree. The planner resolves
 * `{{ config.x }}` itself and reports what this runner cannot do as `unsupported`.
 */

import { availableParallelism, hostname, totalmem } from "node:os";
import {
  type ExpressionFunction,
  type PlannedStep,
  PROCESS_RUNTIME_FEATURES,
  parseWorkflowText,
  planWorkflow,
  type RunnerFeature,
  type TestWorkflow,
} from "@assay/shared/workflow";
import { type FetchCredentials, planWithCredentials } from "./credential-plan.ts";
import type { PlanExecution, PlanOutcome } from "./run-execution.ts";
import type { RunnerStep } from "./types.ts";

/** What the process runner implements beyond the basics (shared: apply checks against it). */
export const PROCESS_RUNNER_FEATURES: readonly RunnerFeature[] = PROCESS_RUNTIME_FEATURES;

const toRunnerStep = (step: PlannedStep): RunnerStep => ({
  kind: step.kind,
  ref: step.ref,
  name: step.name,
  id: step.id,
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
  execute: step.execute,
  paused: step.paused,
  variables: step.variables,
  container: step.container,
  transfer: step.transfer,
  fetch: step.fetch,
  steps: step.steps.map(toRunnerStep),
  warnings: step.warnings,
});

/** What the runtime adds to the runner: its features, and whether steps run in their images. */
export interface PlanRuntime {
  features: readonly RunnerFeature[];
  containers: boolean;
}

const PROCESS: PlanRuntime = { features: [], containers: false };

/** Parses `specYaml`; invalid documents become a failed outcome. */
const parseSpec = (specYaml: string) => {
  const parsed = parseWorkflowText(specYaml, { select: "first" });
  if (parsed.ok) return parsed;
  const details = parsed.issues.map(
    (i) => `${i.line === undefined ? "" : `line ${i.line}: `}${i.path}: ${i.message}`,
  );
  return {
    ok: false as const,
    outcome: { ok: false as const, message: "the workflow spec is invalid", details },
  };
};

/** Plans a parsed workflow for the runner with `runtime`, with extra expression functions. */
const planParsed = (
  workflow: TestWorkflow,
  parseWarnings: string[],
  config: Record<string, string>,
  runtime: PlanRuntime,
  functions?: Record<string, ExpressionFunction>,
  execution?: PlanExecution,
): PlanOutcome => {
  const features = [...PROCESS_RUNNER_FEATURES, ...runtime.features];
  // The control plane names an execution `<workflow>-<id>` (executions.ts); so does the agent.
  const identity =
    execution === undefined
      ? {}
      : {
          execution: {
            id: execution.id,
            name: `${workflow.metadata.name}-${execution.id}`,
            ...(execution.number === undefined ? {} : { number: execution.number }),
            ...(execution.scheduledAt === undefined ? {} : { scheduledAt: execution.scheduledAt }),
          },
          ...(execution.place === undefined ? {} : { place: execution.place }),
        };
  const plan = planWorkflow(workflow, {
    features,
    config,
    containers: runtime.containers,
    functions,
    ...identity,
    // What `valueFrom.fieldRef` / `resourceFieldRef` read: steps run on this host.
    host: {
      nodeName: hostname(),
      cpus: availableParallelism(),
      memoryBytes: totalmem(),
      ...(execution?.namespace === undefined ? {} : { namespace: execution.namespace }),
    },
  });
  return {
    ok: true,
    plan: {
      steps: plan.steps.map(toRunnerStep),
      timeoutMs: plan.timeoutMs,
      initializationTimeoutMs: plan.initializationTimeoutMs,
      unsupported: plan.unsupported,
      warnings: [...parseWarnings, ...plan.warnings],
      files: plan.files,
      git: plan.git,
      tarballs: plan.tarballs,
      pod: plan.pod,
    },
  };
};

/** Parses and plans `specYaml` for the runner with `runtime` (the process runtime by default). */
export const planSpec = (
  specYaml: string,
  config: Record<string, string>,
  runtime: PlanRuntime = PROCESS,
  execution?: PlanExecution,
): PlanOutcome => {
  const parsed = parseSpec(specYaml);
  if (!parsed.ok) return parsed.outcome;
  return planParsed(parsed.workflow, parsed.warnings, config, runtime, undefined, execution);
};

/** `planSpec` for a workflow that may use credentials, fetched with `fetch` (credential-plan.ts). */
export const planSpecWithCredentials = async (
  specYaml: string,
  config: Record<string, string>,
  fetch: FetchCredentials,
  runtime: PlanRuntime = PROCESS,
  execution?: PlanExecution,
): Promise<PlanOutcome> => {
  const parsed = parseSpec(specYaml);
  if (!parsed.ok) return parsed.outcome;
  return planWithCredentials(
    parsed.workflow,
    (workflow, functions) => planParsed(workflow, parsed.warnings, config, runtime, functions, execution),
    fetch,
  );
};
