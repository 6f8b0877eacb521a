/**
 * `planWorkflow`: a stored TestWorkflow to the step tree an execution runs. Pure and
 * deterministic: the control plane calls it when it creates a run (to record the step tree) and
 * the agent calls it again to execute, and both get the same refs (see `types.ts`).
 *
 * The plan keeps what a host process runner needs (commands, merged env, working directories,
 * conditions, retries, timeouts) and says what it cannot honour: harmless Kubernetes settings
 * become warnings, features the runner lacks become `unsupported` entries that fail the run.
 */
import type { TestWorkflow } from "../schema/workflow.ts";
import { emptyContainer, layerContainer } from "./container.ts";
import { planContent, planFetch } from "./content.ts";
import { createPlanContext, type PlanContext } from "./context.ts";
import { planPodVolumes } from "./pod-volumes.ts";
import { resolveDurationMs, resolveInteger } from "./resolve.ts";
import { planServices } from "./services.ts";
import { planStep } from "./step.ts";
import type { PlannedPod, PlannedStep, PlanOptions, WorkflowPlan } from "./types.ts";

const PHASES = ["setup", "steps", "after"] as const;

/** Plan `workflow` for a runner with `options.features`. Never throws on a valid document. */
export const planWorkflow = (workflow: TestWorkflow, options: PlanOptions = {}): WorkflowPlan => {
  const context = createPlanContext(workflow, options);
  const { spec } = workflow;
  const warnings = workflowWarnings(workflow, context);
  const base = layerContainer(emptyContainer(), spec.container, "spec.container");
  // Workflow services run for the whole execution: they come first, with refs `s1`, `s2`...
  const services = planServices(
    spec.services,
    { ownerRef: "", path: "spec.services" },
    base,
    context,
    planStep,
  );
  const steps: PlannedStep[] = [];
  for (const phase of PHASES) {
    (spec[phase] ?? []).forEach((step, i) => {
      const position = { ref: `r${steps.length + 1}`, path: `spec.${phase}[${i}]`, phase };
      steps.push(planStep(step, position, base, context));
    });
  }
  const plan: WorkflowPlan = {
    name: workflow.metadata.name,
    steps: [...services, ...steps],
    warnings,
    unsupported: [],
  };
  const pod = planPod(spec.pod, context);
  if (pod !== undefined) plan.pod = pod;
  const files = planContent(spec.content, "spec.content", context);
  if (files !== undefined) plan.files = files;
  const fetched = planFetch(spec.content, "spec.content", context);
  if (fetched.git !== undefined) plan.git = fetched.git;
  if (fetched.tarballs !== undefined) plan.tarballs = fetched.tarballs;
  const deadline = spec.job?.activeDeadlineSeconds;
  if (deadline !== undefined) {
    const seconds = resolveInteger(deadline, context);
    if (seconds.ok) plan.timeoutMs = seconds.value * 1000;
    else
      context.require(
        "expressions",
        "spec.job.activeDeadlineSeconds",
        `activeDeadlineSeconds: ${seconds.reason}`,
      );
  }
  const initialization = spec.timeouts?.initialization;
  if (initialization !== undefined && initialization !== "") {
    const ms = resolveDurationMs(initialization, context);
    if (!ms.ok)
      context.require("expressions", "spec.timeouts.initialization", `timeouts.initialization: ${ms.reason}`);
    else if (ms.value > 0) plan.initializationTimeoutMs = ms.value;
  }
  plan.unsupported = context.unsupported();
  return plan;
};

/** Workflow-level settings: Kubernetes-only ones warn, runner features are required. */
const workflowWarnings = (workflow: TestWorkflow, context: PlanContext): string[] => {
  const { spec } = workflow;
  const warnings: string[] = [];
  const podKeys = Object.keys(spec.pod ?? {}).filter((k) => !(context.containers && POD_HONOURED.has(k)));
  if (podKeys.length > 0) {
    const keys = podKeys.join(", ");
    const where = context.containers
      ? "the agent's container runtime"
      : "the process runner; steps run on the agent host";
    warnings.push(`pod settings (${keys}) are not used by ${where}`);
  }
  if (spec.pvcs !== undefined && Object.keys(spec.pvcs).length > 0) {
    warnings.push("pvcs are not created by the process runner; each execution has its own workspace instead");
  }
  const job = spec.job;
  if (job?.labels !== undefined || job?.annotations !== undefined || job?.namespace !== undefined) {
    warnings.push(
      "job labels, annotations and namespace apply to Kubernetes jobs and are ignored by the process runner",
    );
  }
  if (spec.use !== undefined && spec.use.length > 0) {
    const names = spec.use.map((u) => u.name).join(", ");
    context.require("templates", "spec.use", `templates (${names}) are not resolved by this agent yet`);
  }
  return warnings;
};

/** `spec.pod` keys a container runtime honours. */
const POD_HONOURED = new Set(["volumes", "imagePullSecrets", "securityContext"]);

const objects = (value: unknown): Record<string, unknown>[] | undefined =>
  Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => v !== null && typeof v === "object")
    : undefined;

/** The pod settings a container runtime reads (volumes are planned for container runtimes only). */
const planPod = (pod: Record<string, unknown> | undefined, context: PlanContext): PlannedPod | undefined => {
  if (pod === undefined) return undefined;
  const out: PlannedPod = {};
  if (context.containers && Array.isArray(pod.volumes)) out.volumes = planPodVolumes(pod.volumes, context);
  const secrets = objects(pod.imagePullSecrets);
  if (secrets !== undefined) out.imagePullSecrets = secrets;
  const security = pod.securityContext;
  if (security !== null && typeof security === "object" && !Array.isArray(security))
    out.securityContext = security as Record<string, unknown>;
  return Object.keys(out).length > 0 ? out : undefined;
};
