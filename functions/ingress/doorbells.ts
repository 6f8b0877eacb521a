/**
 * Doorbells and the sweep: which sessions look for work, and when. A doorbell on an
 * environment's work subject rings only that environment's sessions; one that names its
 * execution is offered to the sessions with the most free capacity, one at a time; one that says
 * a run slot was freed makes them look at the queue only when it holds work. The periodic sweep
 * covers lost doorbells. Whether an environment has queued work is asked at most
 * once a second per environment and shared by the sessions that ask meanwhile.
 */
import { createTtlCache } from "@assay/shared";
import { decodeDoorbell, workSubject } from "../core/lifecycle/subjects.ts";
import type { EnvRef } from "../core/ports/refs.ts";
import type { Bus, Clock } from "../core/ports.ts";
import type { AgentSession } from "./agent-session.ts";

export function createDoorbells(deps: {
  bus: Bus;
  clock: Clock;
  hasQueued: (env: EnvRef) => Promise<boolean>;
}) {
  const { bus, clock } = deps;
  /**
   * Sessions and the doorbell subscription of each environment (a doorbell rings only its own
   * environment's sessions, without walking every stream of the process).
   */
  const envs = new Map<
    string,
    { orgId: string; envId: string; sessions: Set<AgentSession>; unsubscribe: Promise<() => void> }
  >();
  const envKey = (s: AgentSession) => `${s.principal.orgId}.${s.principal.envId}`;

  function watchEnv(key: string, session: AgentSession) {
    const existing = envs.get(key);
    if (existing) {
      existing.sessions.add(session);
      return;
    }
    const { orgId, envId } = session.principal;
    const members = new Set([session]);
    const unsubscribe = bus.subscribe(workSubject({ orgId, envId }), (message) => {
      const doorbell = decodeDoorbell(message.data);
      if (doorbell.kind === "offer") {
        // Claimed here, the queue is as it was; otherwise it now holds this run.
        void offer(members, doorbell.executionId).then((claimed) => {
          if (!claimed) queuedChecks.delete(key);
        });
        return;
      }
      if (doorbell.kind === "freed") {
        // A run slot came back: only queued work can use it, and the shared answer below knows
        // of every run queued since (each rang a doorbell here that dropped a "no").
        void envHasQueued({ orgId, envId }).then((queued) => {
          if (queued) for (const s of members) void s.reconcile();
        });
        return;
      }
      queuedChecks.delete(key);
      for (const s of members) void s.reconcile();
    });
    envs.set(key, { orgId, envId, sessions: members, unsubscribe });
  }

  function unwatchEnv(key: string, session: AgentSession) {
    const entry = envs.get(key);
    if (!entry) return;
    entry.sessions.delete(session);
    if (entry.sessions.size > 0) return;
    envs.delete(key);
    void entry.unsubscribe.then((off) => off()).catch(() => {});
  }

  /**
   * Whether an environment has queued work, asked at most once a second per environment and
   * shared by the streams that ask meanwhile (a reconnect storm of thousands of agents costs a
   * handful of queue queries, not one per agent). A doorbell drops the answer, so new work is
   * never hidden by it; the sweep covers the rest.
   */
  const queuedChecks = createTtlCache<string, Promise<boolean>>({ clock, ttlMs: 1_000 });
  function envHasQueued({ orgId, envId }: EnvRef): Promise<boolean> {
    const key = `${orgId}.${envId}`;
    const known = queuedChecks.get(key);
    if (known) return known;
    const queued = deps.hasQueued({ orgId, envId }).catch(() => true);
    queuedChecks.set(key, queued);
    return queued;
  }

  /**
   * A doorbell that names its execution: the sessions with the most free capacity try to claim
   * it one at a time (one conditional write each) until one holds it or it is gone. Other
   * ingress processes do the same with their own sessions; the store lets one claim win. When
   * every session here is full the execution stays queued for the next free one.
   */
  async function offer(members: Set<AgentSession>, executionId: string): Promise<boolean> {
    const candidates = [...members]
      .filter((s) => s.freeCapacity > 0)
      .sort((a, b) => b.freeCapacity - a.freeCapacity);
    for (const s of candidates) {
      const outcome = await s.offer(executionId);
      if (outcome !== "busy") return outcome === "claimed";
    }
    return false;
  }

  /**
   * The periodic sweep that covers lost doorbells. Streams holding work reconcile (aborts);
   * idle streams only when their environment has queued work, found with one small query per
   * environment: the cost follows environments and running work, not connected agents (19k
   * idle streams would otherwise cost 19k queue queries per sweep).
   */
  async function sweep() {
    for (const env of [...envs.values()]) {
      let queued: boolean | undefined;
      for (const s of [...env.sessions]) {
        if (s.holdsWork) {
          void s.reconcile();
          continue;
        }
        queued ??= await envHasQueued(env);
        if (queued) void s.reconcile();
      }
    }
  }

  return {
    watch: (session: AgentSession) => watchEnv(envKey(session), session),
    unwatch: (session: AgentSession) => unwatchEnv(envKey(session), session),
    envHasQueued,
    sweep,
    close() {
      for (const [key, entry] of [...envs]) {
        envs.delete(key);
        void entry.unsubscribe.then((off) => off()).catch(() => {});
      }
    },
  };
}
