/**
 * Whether an agent holds an execution: the one rule every agent message about an execution is
 * checked against (log chunks, step updates, results, artifact uploads, credential and child
 * requests).
 * - `held`: the execution is assigned to or running on this agent;
 * - `ended`: it was this agent's and is finished (or lost): nothing may change it any more;
 * - `foreign`: it is missing, queued, or another agent's.
 */
import { type Execution, isTerminal } from "@assay/shared";

export type Ownership = "held" | "ended" | "foreign";

export function ownershipOf(execution: Execution | undefined, agentId: string): Ownership {
  if (!execution || execution.agentId !== agentId) return "foreign";
  return isTerminal(execution.status) ? "ended" : "held";
}

/** The refusal an agent is given for an execution it does not hold, by ownership. */
export function refusalOf(ownership: Exclude<Ownership, "held">, executionId: string, execution?: Execution) {
  return ownership === "ended"
    ? `execution ${executionId} already finished (${execution?.status ?? "ended"})`
    : `execution ${executionId} is not held by this agent`;
}

/**
 * Whether the agent holds the execution and has started it (`running`): what a parent must be
 * for its agent to start, watch or abort its children.
 */
export const runningOn = (execution: Execution | undefined, agentId: string): execution is Execution =>
  ownershipOf(execution, agentId) === "held" && execution?.status === "running";

/** The refusal of a request about an execution the asking agent does not hold (or has not started). */
export const notRunningHere = (executionId: string) =>
  `execution ${executionId} is not running on this agent`;
