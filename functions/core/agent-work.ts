/**
 * What the ingress does on behalf of connected agents: claim queued work, record progress and
 * results, renew leases, and settle executions an agent no longer holds. Every write is a
 * conditional transition, so two ingress instances (or a redelivered message) cannot apply the
 * same change twice: one claim wins, one completion wins.
 */
import { type Execution, type ExecutionStatus, isTerminal, type StepState } from "@assay/shared";
import { acquireSlot, releaseSlot } from "./concurrency.ts";
import { statusSubject } from "./executions.ts";
import type { Bus, Clock, ExecutionStore, JobQueue } from "./ports.ts";
import type { ConcurrencyGroups } from "./workflow-ports.ts";

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
  bus: Bus;
  jobs: JobQueue;
  clock: Clock;
  /** `spec.concurrency` groups: a queued execution is claimed only with a free slot of its group. */
  concurrency?: ConcurrencyGroups;
  config?: Partial<AgentWorkConfig>;
}) {
  const { executions, bus, jobs, clock } = deps;
  // Six missed heartbeats (15 s): long enough to ride out a one-minute network cut plus the
  // agent's reconnect, short enough that with the reaper every 30 s an execution whose agent
  // vanished is marked lost within two minutes.
  const leaseTtlMs = deps.config?.leaseTtlMs ?? 90_000;
  const iso = () => new Date(clock.now()).toISOString();
  const announce = (execution: Execution) =>
    bus.publish(statusSubject(execution.id), new TextEncoder().encode(execution.status)).catch(() => {});

  /** Moves a queued execution to this agent (conditional: one claimer wins). */
  async function assign(orgId: string, envId: string, agentId: string, id: string) {
    const won = await executions.transition(orgId, envId, id, {
      from: ["queued"],
      set: { status: "assigned", agentId, assignedAt: iso(), leaseExpiresAtMs: clock.now() + leaseTtlMs },
    });
    // Watchers learn of it in the background: the agent's command goes out first.
    if (won) void announce(won);
    return won;
  }

  return {
    /**
     * Claims one execution a doorbell offered by id (see `encodeWorkOffer`): one conditional
     * write, no queue query. Undefined when it is no longer queued (another agent won it, or it
     * was aborted).
     */
    claimOffered: (orgId: string, envId: string, agentId: string, id: string) =>
      assign(orgId, envId, agentId, id),

    /** Claims up to `limit` queued executions, oldest first, for this agent. */
    async claim(orgId: string, envId: string, agentId: string, limit: number): Promise<Execution[]> {
      if (limit <= 0) return [];
      const claimed: Execution[] = [];
      for (const candidate of await executions.listQueued(orgId, envId, Math.max(limit * 2, 50))) {
        // A full concurrency group leaves the execution queued for a later claim; the page above
        // is wide enough that a few blocked runs at its head do not starve the rest.
        if (!(await acquireSlot(deps.concurrency, candidate))) continue;
        const won = await assign(orgId, envId, agentId, candidate.id);
        if (won) {
          claimed.push(won);
        } else {
          await releaseSlot(deps.concurrency, candidate);
        }
        if (claimed.length >= limit) break;
      }
      return claimed;
    },

    /** Whether the environment has queued work (one small index query: the ingress's sweep). */
    async hasQueued(orgId: string, envId: string): Promise<boolean> {
      return (await executions.listQueued(orgId, envId, 1)).length > 0;
    },

    /** An agent refused a command (at capacity): the execution goes back to the queue. */
    async release(orgId: string, envId: string, agentId: string, id: string): Promise<void> {
      await executions.transition(orgId, envId, id, {
        from: ["assigned"],
        agentId,
        set: { status: "queued", agentId: undefined, assignedAt: undefined, leaseExpiresAtMs: undefined },
      });
    },

    active: (orgId: string, envId: string, agentId: string) =>
      executions.listActiveForAgent(orgId, envId, agentId),

    get: (orgId: string, envId: string, id: string) => executions.get(orgId, envId, id),

    async started(
      orgId: string,
      envId: string,
      agentId: string,
      id: string,
      startedAtMs: number,
    ): Promise<void> {
      const running = await executions.transition(orgId, envId, id, {
        from: ["assigned"],
        agentId,
        set: { status: "running", startedAt: new Date(startedAtMs || clock.now()).toISOString() },
      });
      if (running) await announce(running);
    },

    stepUpdate: (orgId: string, envId: string, id: string, step: StepState) =>
      executions.updateStep(orgId, envId, id, step),

    /** Records the final result; a repeated or late result for a finished execution is a no-op. */
    async finish(
      orgId: string,
      envId: string,
      agentId: string,
      id: string,
      input: FinishInput,
    ): Promise<void> {
      const done = await executions.transition(orgId, envId, id, {
        from: ["assigned", "running"],
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
      if (!done) return;
      await announce(done);
      await jobs.send({ kind: "compact-logs", id, payload: { orgId, envId, executionId: id } }).catch(() => {
        // Compaction is an optimisation: uncompacted chunks read the same.
      });
    },

    /** Extends the leases of the executions an agent reports as running. */
    async renewLeases(orgId: string, envId: string, agentId: string, ids: string[]): Promise<void> {
      const until = clock.now() + leaseTtlMs;
      for (const id of ids) {
        await executions.transition(orgId, envId, id, {
          from: ["assigned", "running"],
          agentId,
          set: { leaseExpiresAtMs: until },
        });
      }
    },

    /** Marks an execution lost (terminal) with a reason, if it is still active. */
    async markLost(orgId: string, envId: string, id: string, reason: string): Promise<boolean> {
      const lost = await executions.transition(orgId, envId, id, {
        from: ["assigned", "running"],
        set: { status: "lost", finishedAt: iso(), message: reason, leaseExpiresAtMs: undefined },
      });
      if (lost) await announce(lost);
      return !!lost;
    },

    isTerminal,
  };
}

export type AgentWork = ReturnType<typeof createAgentWork>;
