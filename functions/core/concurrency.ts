/**
 * `spec.concurrency` (`group`, `max`): at most `max` executions of a group hold an agent at a
 * time; the others stay `queued` (never dropped) until a slot frees. A slot is taken when an
 * agent claims the execution (`acquireSlot`, before the queued -> assigned transition) and
 * given back by the transitions that take the execution out of assigned/running (finish,
 * loss, or release back to the queue): see lifecycle/transitions.ts. Group membership is a set of execution ids (see ConcurrencyGroups):
 * releasing twice is harmless.
 *
 * The group name may hold expressions (`{{ workflow.name }}-{{ config.target }}`); it is
 * resolved when the run starts. Testkube's default group is the workflow; `max` defaults to 1.
 * With `cancelInProgress`, a new run of a full group aborts the oldest running members so that
 * it takes their place (`cancelInProgress` in executions.ts).
 */
import type { Execution } from "@assay/shared";
import { evaluateTemplate, fromJs } from "@assay/shared/workflow";
import type { ConcurrencyGroups } from "./ports/concurrency-groups.ts";

/** The execution's group and limit, from the resolved workflow and run values. */
export function concurrencyOf(
  spec:
    | { concurrency?: { group?: string; max?: number | string; cancelInProgress?: boolean | string } }
    | undefined,
  workflowName: string,
  config: Record<string, string>,
  labels: Record<string, string>,
): Execution["concurrency"] {
  const policy = spec?.concurrency;
  if (policy === undefined) return undefined;
  const variables = {
    config: fromJs(config),
    workflow: fromJs({ name: workflowName, labels }),
  };
  const render = (text: string) => {
    try {
      return evaluateTemplate(text, { variables });
    } catch {
      return text;
    }
  };
  const group = policy.group === undefined ? workflowName : render(policy.group);
  const max = typeof policy.max === "number" ? policy.max : Number(render(policy.max ?? "1"));
  const cancel = policy.cancelInProgress;
  const cancelInProgress = cancel === true || (typeof cancel === "string" && render(cancel) === "true");
  return {
    group: `${group}`.slice(0, 200) || workflowName,
    max: Number.isInteger(max) && max > 0 ? max : 1,
    ...(cancelInProgress ? { cancelInProgress: true } : {}),
  };
}

/** Takes a slot for `execution`; true when it has none to take or got one. */
export async function acquireSlot(
  groups: ConcurrencyGroups | undefined,
  execution: Execution,
): Promise<boolean> {
  const policy = execution.concurrency;
  if (policy === undefined || groups === undefined) return true;
  return groups.acquire(execution, policy.group, execution.id, policy.max);
}

/** Gives back a slot taken by `acquireSlot` (e.g. the claim's transition lost a race). */
export async function releaseSlot(
  groups: ConcurrencyGroups | undefined,
  execution: Execution,
): Promise<void> {
  const policy = execution.concurrency;
  if (policy === undefined || groups === undefined) return;
  await groups.release(execution, policy.group, execution.id);
}

/**
 * The members of `execution`'s group to abort so that it can start at once: the oldest active
 * ones beyond `max - 1`, when the group asks for `cancelInProgress`.
 */
export function inProgressToCancel(execution: Execution, active: readonly Execution[]): Execution[] {
  const policy = execution.concurrency;
  if (policy?.cancelInProgress !== true) return [];
  const members = active
    .filter((e) => e.id !== execution.id && e.concurrency?.group === policy.group && !e.abortRequestedAt)
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  return members.slice(0, Math.max(0, members.length - (policy.max - 1)));
}
