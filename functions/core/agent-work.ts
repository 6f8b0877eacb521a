/**
 * What the ingress does on behalf of connected agents: claim queued work, record progress and
 * results, renew leases, and settle executions an agent no longer holds. Every write is a
 * conditional transition, so two ingress instances (or a redelivered message) cannot apply the
 * same change twice: one claim wins, one completion wins.
 */
import { type Execution, type ExecutionStatus, isTerminal, type StepState } from "@assay/shared";
import type { Lifecycle } from "./lifecycle/lifecycle.ts";
import type { EnvRef, ExecutionRef } from "./ports/refs.ts";
import type { Clock, ExecutionStore } from "./ports.ts";
import { pastQueueDeadline } from "./queue-timeout.ts";
import type { Placement } from "./runtime-placement.ts";

/** A claim's verdict on one execution: refused, accepted, or accepted with its placement. */
export type Admission = boolean | Placement;

/**
 * How long a claim by id waits for the offered run's record to be stored (the API writes it
 * while the doorbell travels; a write that failed leaves the id unknown for good).
 */
export const OFFERED_RECORD_WAIT_MS = 3_000;

export interface AgentWorkConfig {
  /** How long a lease lasts without renewal, in milliseconds (default 90 s). */
  leaseTtlMs: number;
}

export interface FinishInput {
  status: Extract<ExecutionStatus, "passed" | "failed" | "aborted" | "timeout">;
  message?: string;
  logBytes: number;
  steps: StepState[];
  /** The log hit its size limit. */
  truncated?: boolean;
}

export function createAgentWork(deps: {
  executions: ExecutionStore;
  lifecycle: Lifecycle;
  clock: Clock;
  config?: Partial<AgentWorkConfig>;
}) {
  const { executions, lifecycle, clock } = deps;
  // Six missed heartbeats (15 s): long enough to ride out a one-minute network cut plus the
  // agent's reconnect, short enough that with the reaper every 30 s an execution whose agent
  // vanished is marked lost within two minutes.
  const leaseTtlMs = deps.config?.leaseTtlMs ?? 90_000;
  const iso = () => new Date(clock.now()).toISOString();
  /** Only the address of an execution (a caller may pass a whole record). */
  const at = ({ orgId, envId, id }: ExecutionRef): ExecutionRef => ({ orgId, envId, id });

  /** Moves a queued execution to this agent (conditional: one claimer wins), with why it went there. */
  const assign = (
    target: Parameters<Lifecycle["attempt"]>[0],
    agentId: string,
    placement?: Placement,
    awaitRecordMs?: number,
  ) =>
    lifecycle.attempt(target, "claim", {
      ...(awaitRecordMs === undefined ? {} : { awaitRecordMs }),
      set: {
        agentId,
        assignedAt: iso(),
        leaseExpiresAtMs: clock.now() + leaseTtlMs,
        ...(placement ? { placement } : {}),
      },
    });

  return {
    /**
     * Claims one execution a doorbell offered by id (see `encodeWorkOffer`): one conditional
     * write, no queue query. The doorbell rings while the run's record is being stored, so the
     * run slot is taken beside that write; a record not there yet is waited for (up to
     * `OFFERED_RECORD_WAIT_MS`). Undefined when it is no longer queued (another agent won it, or
     * it was aborted), never appeared, or the plan's run slots are all held.
     */
    claimOffered: async (execution: ExecutionRef, agentId: string, placement?: Placement) =>
      (await assign(at(execution), agentId, placement, OFFERED_RECORD_WAIT_MS)).execution,

    /**
     * Claims up to `limit` queued executions, oldest first, for this agent; `skip` names
     * executions this agent must not be offered now (it refused them a moment ago).
     */
    async claim(
      { orgId, envId }: EnvRef,
      agentId: string,
      limit: number,
      skip: ReadonlySet<string> = new Set(),
      /**
       * Whether this agent may run the execution (its `target` matches the agent's labels, its
       * runtime suits the plan): false, true, or the placement to record with the claim.
       */
      accepts: (execution: Execution) => Admission | Promise<Admission> = () => true,
    ): Promise<Execution[]> {
      if (limit <= 0) return [];
      const claimed: Execution[] = [];
      for (const candidate of await executions.listQueued({ orgId, envId }, Math.max(limit * 2, 50))) {
        if (skip.has(candidate.id)) continue;
        // Past its queue deadline (`spec.timeouts.queue`): the reaper cancels it.
        if (pastQueueDeadline(candidate, clock.now())) continue;
        const admitted = await accepts(candidate);
        if (admitted === false) continue;
        // A full concurrency group leaves the execution queued for a later claim; the page above
        // is wide enough that a few blocked runs at its head do not starve the rest. A full plan
        // blocks every run of the organization: no point trying the others.
        const { execution, refused } = await assign(
          candidate,
          agentId,
          admitted === true ? undefined : admitted,
        );
        if (refused === "runSlot") break;
        if (execution) claimed.push(execution);
        if (claimed.length >= limit) break;
      }
      return claimed;
    },

    /** Whether the environment has queued work (one small index query: the ingress's sweep). */
    async hasQueued({ orgId, envId }: EnvRef): Promise<boolean> {
      return (await executions.listQueued({ orgId, envId }, 1)).length > 0;
    },

    /** An agent refused a command (at capacity): the execution goes back to the queue. */
    async release(execution: ExecutionRef, agentId: string): Promise<void> {
      await lifecycle.apply(at(execution), "requeue", {
        agentId,
        set: { agentId: undefined, assignedAt: undefined, leaseExpiresAtMs: undefined, placement: undefined },
      });
    },

    active: ({ orgId, envId }: EnvRef, agentId: string) =>
      executions.listActiveForAgent({ orgId, envId }, agentId),

    get: (execution: ExecutionRef) => executions.get(at(execution)),

    async started(execution: ExecutionRef, agentId: string, startedAtMs: number): Promise<void> {
      await lifecycle.apply(at(execution), "start", {
        agentId,
        set: { startedAt: new Date(startedAtMs || clock.now()).toISOString() },
      });
    },

    /** The agent paused or resumed the execution it holds. */
    async paused(execution: ExecutionRef, agentId: string, paused: boolean, atMs: number) {
      await lifecycle.apply(at(execution), "reportPause", {
        agentId,
        set: paused
          ? { pausedAt: new Date(atMs || clock.now()).toISOString(), pauseRequested: true }
          : { pausedAt: undefined, pauseRequested: false },
      });
    },

    stepUpdate: (execution: ExecutionRef, step: StepState) => executions.updateStep(at(execution), step),

    /** Records the final result; a repeated or late result for a finished execution is a no-op. */
    async finish(execution: ExecutionRef, agentId: string, input: FinishInput): Promise<boolean> {
      const done = await lifecycle.apply(at(execution), "finish", {
        agentId,
        set: {
          status: input.status,
          finishedAt: iso(),
          message: input.message || undefined,
          logBytes: input.logBytes,
          steps: input.steps,
          ...(input.truncated ? { truncated: true } : {}),
          leaseExpiresAtMs: undefined,
        },
      });
      return done !== undefined;
    },

    /** Extends the leases of the executions an agent holds; returns those it no longer holds. */
    async renewLeases({ orgId, envId }: EnvRef, agentId: string, ids: Iterable<string>): Promise<string[]> {
      const until = clock.now() + leaseTtlMs;
      const gone: string[] = [];
      for (const id of ids) {
        const renewed = await lifecycle.apply({ orgId, envId, id }, "renewLease", {
          agentId,
          set: { leaseExpiresAtMs: until },
        });
        if (!renewed) gone.push(id);
      }
      return gone;
    },

    /** Marks an execution lost (terminal) with a reason, if it is still active. */
    async markLost(execution: ExecutionRef, reason: string): Promise<boolean> {
      const lost = await lifecycle.apply(at(execution), "lose", {
        set: { finishedAt: iso(), message: reason, leaseExpiresAtMs: undefined },
      });
      return !!lost;
    },

    isTerminal,
  };
}

export type AgentWork = ReturnType<typeof createAgentWork>;
