/**
 * The presence writer: connected agents mirrored into the presence store for the API (which
 * cannot see the ingress's memory). Its own file, so how and when presence is written can
 * change without touching the gateway.
 */
import type { AgentRef } from "../core/agent-link/agent-link.ts";
import type { AgentPresenceStore, Clock, Logger } from "../core/ports.ts";
import type { AgentSession } from "./agent-session.ts";

/** A session the writer records: the agent its hello named, and when its record was last written. */
interface Tracked {
  agent: AgentRef;
  lastWriteMs: number;
}

/**
 * Mirrors connected agents into the presence store (API Lambdas cannot see this process's
 * memory): each agent's record when it is ready and then its last heartbeat every `writeMs`,
 * all due records of a tick written together in batches (at 19,000 agents one write per agent
 * every 15 s was ~1,300 store calls a second, most of a core); the disconnect as its own
 * conditional write, after any batch in flight. Best effort: a failed write is logged, never
 * fatal to the stream.
 */
export function trackPresence(
  store: AgentPresenceStore | undefined,
  writeMs: number,
  sessions: () => Set<AgentSession>,
  clock: Clock,
  logger: Logger,
) {
  const tracked = new WeakMap<AgentSession, Tracked>();
  /** Ready since the last batch: written on the next tick. */
  const fresh = new Set<AgentSession>();
  /** The batch being written (disconnects wait for it, so they land after it). */
  let writing: Promise<void> | undefined;
  const warn = (error: unknown) =>
    logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      "agent presence not recorded",
    );
  const recordOf = (s: AgentSession, agent: AgentRef) => {
    const info = s.info;
    return {
      ...agent,
      sessionId: s.id,
      version: info.version ?? "",
      hostname: info.hostname ?? "",
      capabilities: info.capabilities,
      connectedAt: info.connectedAt,
      lastHeartbeatAt: info.lastHeartbeatAt,
    };
  };
  return {
    /** The session said hello as `agent`: its record is written on the next tick. */
    connected(s: AgentSession, agent: AgentRef) {
      if (!store) return;
      const { orgId, envId, agentId } = agent;
      tracked.set(s, { agent: { orgId, envId, agentId }, lastWriteMs: clock.now() });
      fresh.add(s);
    },
    tick(nowMs: number) {
      if (!store || writing) return;
      const batch = new Set(fresh);
      fresh.clear();
      for (const s of sessions()) {
        const entry = tracked.get(s);
        if (entry === undefined || nowMs - entry.lastWriteMs < writeMs || batch.has(s)) continue;
        entry.lastWriteMs = nowMs;
        batch.add(s);
      }
      const live = [...batch].flatMap((s) => {
        const entry = tracked.get(s);
        return entry && s.state !== "closed" ? [recordOf(s, entry.agent)] : [];
      });
      if (live.length === 0) return;
      writing = store
        .record(live)
        .catch(warn)
        .finally(() => {
          writing = undefined;
        });
    },
    disconnected(s: AgentSession) {
      const entry = tracked.get(s);
      if (!store || !entry) return;
      tracked.delete(s);
      // A stream the agent rotates (or moves after a Reconnect) is followed at once by its next
      // hello, whose ready record replaces this one: marking it offline in between would cost a
      // write per rotation and show a connected agent offline for a moment. An agent that never
      // comes back shows offline by the refresh rule (presence-rule.ts).
      if (s.reconnecting) {
        fresh.delete(s);
        return;
      }
      const { orgId, envId, agentId } = entry.agent;
      const at = new Date(clock.now()).toISOString();
      // Closed before its first batch: the stored record may still be a rotated predecessor's,
      // online; this session's record goes in first so the disconnect below applies to it.
      const unwritten = fresh.delete(s) ? [recordOf(s, entry.agent)] : [];
      void Promise.resolve(writing)
        .then(() => (unwritten.length > 0 ? store.record(unwritten) : undefined))
        .then(() => store.disconnected({ orgId, envId }, agentId, s.id, at))
        .catch(warn);
    },
  };
}
