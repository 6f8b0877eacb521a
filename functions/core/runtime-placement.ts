/**
 * Which agents a run goes to by runtime (docs/protocol.md, "Runtimes and claiming"). A plan
 * whose steps name container images needs a runtime that runs them (Docker): agents with one
 * are offered it first, a process agent only while none is online (it runs the steps on its
 * host and warns about the images), and never when the process runtime would refuse the plan
 * (a step that runs its image's entrypoint). What took a run, and why, is kept on it.
 */
import type { Execution } from "@assay/shared";
import type { PlannedStep, RuntimeCapabilities } from "@assay/shared/workflow";

export type RuntimeNeed = NonNullable<Execution["runtimeNeed"]>;
export type Placement = NonNullable<Execution["placement"]>;

/** What the planned step tree needs of a runtime; undefined when no step names an image. */
export function runtimeNeedOf(steps: readonly PlannedStep[]): RuntimeNeed | undefined {
  const imaged: PlannedStep[] = [];
  const entrypoints: PlannedStep[] = [];
  const visit = (step: PlannedStep) => {
    if (step.container?.image !== undefined) imaged.push(step);
    if (step.container?.entrypoint === true) entrypoints.push(step);
    for (const child of step.steps) visit(child);
  };
  for (const step of steps) visit(step);
  const [entry] = entrypoints;
  if (entry)
    return {
      containers: "required",
      reason: `step ${entry.ref} runs the entrypoint of ${imageOf(entry)}, which only a container runtime can`,
    };
  const [first] = imaged;
  if (!first) return undefined;
  const more = imaged.length > 1 ? ` (and ${imaged.length - 1} more)` : "";
  return { containers: "preferred", reason: `step ${first.ref} names image ${imageOf(first)}${more}` };
}

const imageOf = (step: PlannedStep) => step.container?.image ?? "its image";

/**
 * Whether an agent of `runtime` takes `execution`, and the placement recorded when it does;
 * `containerAgentOnline` is asked only for a process agent and a run that names images.
 */
export async function placementFor(
  execution: Pick<Execution, "runtimeNeed">,
  runtime: RuntimeCapabilities,
  containerAgentOnline: () => Promise<boolean>,
): Promise<Placement | undefined> {
  const need = execution.runtimeNeed;
  const name = runtime.runtime;
  if (!need) return { runtime: name, reason: "the plan names no container images: any runtime runs it" };
  if (runtime.containers === true)
    return { runtime: name, reason: `the ${name} runtime runs the plan's images: ${need.reason}` };
  if (need.containers === "required") return undefined;
  if (await containerAgentOnline()) return undefined;
  return {
    runtime: name,
    reason: `no agent with a container runtime is online, so the ${name} runtime took it and runs the steps on its host without their images: ${need.reason}`,
  };
}
