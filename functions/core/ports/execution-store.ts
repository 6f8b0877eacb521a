import type { Execution, ExecutionStatus, Page, StepState } from "@assay/shared";
import type { EnvRef, ExecutionRef } from "./refs.ts";

export interface ExecutionFilter {
  workflow?: string;
  status?: ExecutionStatus;
  /** Only executions carrying all these tags. */
  tags?: Record<string, string>;
}

/** A conditional state transition; `from` lists the statuses the execution may be in. */
export interface ExecutionTransition {
  from: readonly ExecutionStatus[];
  set: Partial<Omit<Execution, "id" | "orgId" | "envId" | "workflowName" | "createdAt" | "specYaml">>;
  /** When set, the execution must also be held by this agent. */
  agentId?: string;
  /** When set, the execution's lease must have expired before this time (epoch ms). */
  leaseExpiredBeforeMs?: number;
}

export interface ExecutionStore {
  /** Creates a queued execution; throws `already_exists` if the id exists. */
  create(execution: Execution): Promise<void>;
  get(ref: ExecutionRef): Promise<Execution | undefined>;
  /** Newest first, cursor paginated, optional filters. `limit` defaults to 50. */
  list(
    env: EnvRef,
    filter: ExecutionFilter,
    page: { limit: number; cursor?: string },
  ): Promise<Page<Execution>>;
  /** Oldest first: executions of the environment in status `queued`, at most `limit`. */
  listQueued(env: EnvRef, limit: number): Promise<Execution[]>;
  /** Executions in `assigned` or `running` held by this agent. */
  listActiveForAgent(env: EnvRef, agentId: string): Promise<Execution[]>;
  /**
   * Applies the transition if the current status is in `from` (and the agent matches);
   * returns the updated execution, or undefined when the condition failed.
   */
  transition(ref: ExecutionRef, t: ExecutionTransition): Promise<Execution | undefined>;
  /** Replaces one step's state (by ref) in a non-terminal execution. */
  updateStep(ref: ExecutionRef, step: StepState): Promise<void>;
  /**
   * Active executions (any organization) whose lease expired before `nowMs`, oldest lease
   * first, at most `limit`. For the lost-execution reaper; eventually consistent in AWS.
   */
  listExpiredLeases(nowMs: number, limit: number): Promise<ExecutionRef[]>;
  /** Raises `logBytes` to `committed` if it is lower (never lowers it). */
  recordLogBytes(ref: ExecutionRef, committed: number): Promise<void>;
  delete(ref: ExecutionRef): Promise<boolean>;
  /**
   * Takes the next run number of a workflow in an environment (1, 2, 3...), atomically: callers
   * racing each get a different number, and a number is never handed out twice.
   */
  nextRunNumber(env: EnvRef, workflowName: string): Promise<number>;
  /**
   * Gives back `number` for a run that was not stored, when it is still the last one handed
   * out (so numbers stay contiguous); when a later run already took the next one, the number
   * stays a gap (a lost race is not an error).
   */
  returnRunNumber(env: EnvRef, workflowName: string, number: number): Promise<void>;
}
