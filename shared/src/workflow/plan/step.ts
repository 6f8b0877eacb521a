/**
 * Planning one step and, recursively, its children. The step's `container` and `workingDir`
 * become defaults for itself and its children; its `run` applies to its own command only.
 * Whatever the step asks for that the runner lacks is recorded in the context, never dropped.
 */
import type { Step } from "../schema/steps.ts";
import { normalizeCondition } from "./conditions.ts";
import {
  type ContainerState,
  containerWarnings,
  layerContainer,
  toPlannedContainer,
  withWorkingDir,
} from "./container.ts";
import { planArtifacts, planContent, planFetch } from "./content.ts";
import { type PlanContext, resolveEnv } from "./context.ts";
import { planExecute } from "./execute.ts";
import { planParallel } from "./parallel.ts";
import { resolveBoolean, resolveDurationMs, resolveInteger, resolveTemplate } from "./resolve.ts";
import { planServices } from "./services.ts";
import type { PlannedStep } from "./types.ts";

/** Where a step sits: its ref, its document path and the list it came from. */
export interface StepPosition {
  ref: string;
  path: string;
  phase: PlannedStep["phase"];
  parentRef?: string;
}

/** Plan `step` with the container state its parent hands down. */
export const planStep = (
  step: Step,
  at: StepPosition,
  inherited: ContainerState,
  context: PlanContext,
): PlannedStep => {
  const { ref, path } = at;
  const defaults = withWorkingDir(
    layerContainer(inherited, step.container, `${path}.container`),
    step.workingDir,
  );
  const hasOperation = step.shell !== undefined || step.run !== undefined;
  const own = hasOperation ? layerContainer(defaults, step.run, `${path}.run`) : defaults;
  const env = resolveEnv(own.env, own.envFrom, context, ref, own.resources);
  const planned: PlannedStep = {
    ref,
    name: step.name ?? "",
    phase: at.phase,
    env,
    condition: "passed",
    optional: flag(step.optional, `${path}.optional`, context, ref),
    negative: flag(step.negative, `${path}.negative`, context, ref),
    steps: [],
    warnings: [],
  };
  if (at.parentRef !== undefined) planned.parentRef = at.parentRef;
  if (step.id !== undefined) planned.id = step.id;
  if (own.workingDir !== undefined)
    planned.workingDir = context.text(own.workingDir, `${path}.workingDir`, ref, env);
  if (hasOperation) planOperation(step, own, planned, path, context);
  planControl(step, planned, path, context);
  const files = planContent(step.content, `${path}.content`, context, ref);
  if (files !== undefined) planned.files = files;
  const fetched = planFetch(step.content, `${path}.content`, context, ref);
  if (fetched.git !== undefined) planned.git = fetched.git;
  if (fetched.tarballs !== undefined) planned.tarballs = fetched.tarballs;
  const artifacts = planArtifacts(step.artifacts, `${path}.artifacts`, context, ref);
  if (artifacts !== undefined) planned.artifacts = artifacts;
  reportUnsupported(step, planned, hasOperation, path, context);
  const children: Array<[Step, string, "setup" | "steps"]> = [
    ...(step.setup ?? []).map((s, i): [Step, string, "setup"] => [s, `${path}.setup[${i}]`, "setup"]),
    ...(step.steps ?? []).map((s, i): [Step, string, "steps"] => [s, `${path}.steps[${i}]`, "steps"]),
  ];
  // Services first (they start before anything else in the step), then the positional
  // children, then parallel workers; lettered refs (`s1`, `w1`) keep positions stable.
  planned.steps = [
    ...planServices(step.services, { ownerRef: ref, path: `${path}.services` }, defaults, context, planStep),
    ...children.map(([child, childPath, phase], i) =>
      planStep(child, { ref: `${ref}.${i + 1}`, path: childPath, phase, parentRef: ref }, defaults, context),
    ),
  ];
  if (step.parallel !== undefined) {
    planned.steps.push(...planParallel(step.parallel, planned, path, defaults, context, planStep));
  }
  planned.name = step.name ?? defaultName(step, planned);
  // Testkube collects artifacts even after a failure: a step that only collects them runs always.
  const artifactsOnly = step.artifacts !== undefined && !hasOperation && planned.steps.length === 0;
  planned.condition = normalizeCondition(
    step.condition,
    artifactsOnly ? "always" : "passed",
    `${path}.condition`,
    context,
    ref,
  );
  return planned;
};

/** The step's own process: a shell script, or a command with arguments. */
const planOperation = (
  step: Step,
  own: ContainerState,
  planned: PlannedStep,
  path: string,
  context: PlanContext,
) => {
  const { ref, env } = planned;
  const shell = step.run?.shell ?? step.shell;
  const shellPath = step.run?.shell !== undefined ? `${path}.run.shell` : `${path}.shell`;
  if (shell !== undefined) {
    planned.shell = context.text(shell, shellPath, ref, env);
  } else if (own.command !== undefined && own.command.length > 0) {
    planned.command = own.command.map((c, i) => context.text(c, `${path}.run.command[${i}]`, ref, env));
    if (own.args !== undefined)
      planned.args = own.args.map((a, i) => context.text(a, `${path}.run.args[${i}]`, ref, env));
  } else {
    const image = own.image === undefined ? "its image" : `image ${own.image}`;
    const message = `the step runs the default entrypoint of ${image}, which the process runner cannot; set run.command or shell`;
    if (context.require("image-entrypoint", `${path}.run`, message, ref) && own.args !== undefined) {
      planned.args = own.args.map((a, i) => context.text(a, `${path}.run.args[${i}]`, ref, env));
    }
  }
  // A process runner only warns about the image: show it resolved when it can be.
  const image = own.image === undefined ? undefined : resolveTemplate(own.image, { ...context, env });
  const resolvedImage = image?.ok ? image.value : own.image;
  const entrypoint = shell === undefined && (own.command === undefined || own.command.length === 0);
  planned.container = toPlannedContainer(own, resolvedImage, entrypoint);
  if (!context.containers) planned.warnings.push(...containerWarnings({ ...own, image: resolvedImage }));
};

/** Timeout, delay, retry. */
const planControl = (step: Step, planned: PlannedStep, path: string, context: PlanContext) => {
  const { ref } = planned;
  if (step.timeout !== undefined) {
    const timeout = resolveDurationMs(step.timeout, context);
    if (timeout.ok) planned.timeoutMs = timeout.value;
    else context.require("expressions", `${path}.timeout`, `timeout: ${timeout.reason}`, ref);
  }
  if (step.delay !== undefined) {
    const delay = resolveDurationMs(step.delay, context);
    if (delay.ok) planned.delayMs = delay.value;
    else context.require("expressions", `${path}.delay`, `delay: ${delay.reason}`, ref);
  }
  if (step.retry !== undefined) {
    const count = resolveInteger(step.retry.count, context);
    if (!count.ok) context.require("expressions", `${path}.retry.count`, `retry.count: ${count.reason}`, ref);
    planned.retry = { count: count.ok ? count.value : 0 };
    if (step.retry.until !== undefined) {
      planned.retry.until = normalizeCondition(
        step.retry.until,
        "passed",
        `${path}.retry.until`,
        context,
        ref,
      );
    }
  }
};

/** Everything a step may ask for that has no structured form in the plan yet. */
const reportUnsupported = (
  step: Step,
  planned: PlannedStep,
  hasOperation: boolean,
  path: string,
  context: PlanContext,
) => {
  const { ref } = planned;
  if (step.paused !== undefined && flag(step.paused, `${path}.paused`, context, ref)) planned.paused = true;
  if (step.execute !== undefined) {
    const execute = planExecute(step.execute, ref, path, context, planned.warnings);
    if (execute !== undefined) planned.execute = execute;
  }
  if (step.template !== undefined) {
    const message = `template ${step.template.name} is not resolved by this agent yet`;
    context.require("templates", `${path}.template`, message, ref);
  }
  if (step.use !== undefined && step.use.length > 0) {
    const names = step.use.map((u) => u.name).join(", ");
    context.require(
      "templates",
      `${path}.use`,
      `templates (${names}) are not resolved by this agent yet`,
      ref,
    );
  }
  if (step.cache !== undefined) {
    planned.warnings.push(
      "cache is not used by the process runner; the step runs without restoring or saving it",
    );
  }
  if (hasOperation && (step.setup?.length ?? 0) > 0) {
    const message =
      "nested setup steps run before the step's own command in Testkube, which this agent does not do yet";
    context.require("setup-before-command", `${path}.setup`, message, ref);
  }
};

const flag = (
  value: boolean | string | undefined,
  path: string,
  context: PlanContext,
  ref: string,
): boolean => {
  if (value === undefined) return false;
  const resolved = resolveBoolean(value, context);
  if (resolved.ok) return resolved.value;
  context.require("expressions", path, resolved.reason, ref);
  return false;
};

const defaultName = (step: Step, planned: PlannedStep): string => {
  if (planned.shell !== undefined) return firstLine(planned.shell);
  if (planned.command !== undefined)
    return firstLine([...planned.command, ...(planned.args ?? [])].join(" "));
  if (step.parallel !== undefined) return "Parallel";
  if (step.execute !== undefined) return "Execute";
  if (step.template !== undefined) return `Template ${step.template.name}`;
  if (step.artifacts !== undefined) return "Save artifacts";
  if (step.run !== undefined) return "Run";
  return planned.steps.length > 0 ? "Group" : "Step";
};

const firstLine = (text: string): string => {
  const line = text.trim().split("\n")[0]?.trim() ?? "";
  return line.length > 60 ? `${line.slice(0, 57)}...` : line || "Run";
};
