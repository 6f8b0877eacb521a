/**
 * The ingress: the gRPC server agents dial. It authenticates each stream's bearer token, keeps
 * one session per stream, rings sessions when their environment gets work (bus doorbell) and on
 * a periodic sweep (so a lost doorbell costs latency, not work), drives heartbeats and dead
 * stream detection from one shared ticker, and drains gracefully.
 *
 * Gateway state: `serving -> draining -> stopped`.
 */
import { randomUUID } from "node:crypto";
import { AppError, GRPC_STATUS, isAppError } from "@assay/shared";
import { AgentGatewayService, type AgentMessage, type ControlMessage } from "@assay/shared/proto";
import * as grpc from "@grpc/grpc-js";
import type { AgentWork } from "../core/agent-work.ts";
import type { CredentialService } from "../core/credentials.ts";
import { decodeWorkOffer, workSubject } from "../core/executions.ts";
import type { LogService } from "../core/logs.ts";
import type { AgentPresenceStore, Bus, Clock, Logger } from "../core/ports.ts";
import { hashToken, type TokenService } from "../core/tokens.ts";
import { type AgentSession, createAgentSession, type SessionTimings } from "./agent-session.ts";
import type { ArtifactUploads } from "./artifact-uploads.ts";
import { createCredentialRequests } from "./credential-requests.ts";

export interface GatewayConfig extends SessionTimings {
  /** How often every session looks for queued work even without a doorbell. */
  sweepIntervalMs: number;
  /** How often tokens of connected agents are re-checked (revocation disconnects). */
  tokenRecheckMs: number;
  /** How long a draining ingress waits for agents to move before closing their streams. */
  drainGraceMs: number;
  /** How often a connected agent's last heartbeat is written to the presence store. */
  presenceWriteMs: number;
}

export const defaultGatewayConfig: GatewayConfig = {
  heartbeatIntervalMs: 15_000,
  deadAfterMs: 35_000,
  maxStreamAgeMs: 30 * 60_000,
  sweepIntervalMs: 5_000,
  tokenRecheckMs: 2_000,
  drainGraceMs: 60_000,
  presenceWriteMs: 15_000,
};

export interface GatewayDeps {
  tokens: TokenService;
  work: AgentWork;
  logs: LogService;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  config?: Partial<GatewayConfig>;
  /** Where connected agents are recorded for the API (`GET .../agents`); optional. */
  presence?: AgentPresenceStore;
  /** Artifact upload grants and completions; without it agents' upload requests are ignored. */
  artifacts?: ArtifactUploads;
  /** The credential store; agents' credential requests are refused (with a reason) without it. */
  credentials?: CredentialService | undefined;
}

const toServiceError = (error: AppError): Partial<grpc.StatusObject> => ({
  code: GRPC_STATUS[error.code],
  details: error.message,
});

export function createAgentGateway(deps: GatewayDeps) {
  const config: GatewayConfig = { ...defaultGatewayConfig, ...deps.config };
  const credentialRequests = createCredentialRequests({
    credentials: deps.credentials,
    work: deps.work,
    logger: deps.logger,
  });
  const { tokens, bus, clock, logger } = deps;
  const sessions = new Set<AgentSession>();
  /**
   * Sessions and the doorbell subscription of each environment (a doorbell rings only its own
   * environment's sessions, without walking every stream of the process).
   */
  const envs = new Map<
    string,
    { orgId: string; envId: string; sessions: Set<AgentSession>; unsubscribe: Promise<() => void> }
  >();
  let state: "serving" | "draining" | "stopped" = "serving";

  const envKey = (s: AgentSession) => `${s.principal.orgId}.${s.principal.envId}`;

  function watchEnv(key: string, session: AgentSession) {
    const existing = envs.get(key);
    if (existing) {
      existing.sessions.add(session);
      return;
    }
    const { orgId, envId } = session.principal;
    const members = new Set([session]);
    const unsubscribe = bus.subscribe(workSubject(orgId, envId), (message) => {
      const offered = decodeWorkOffer(message.data);
      if (offered) {
        // Claimed here, the queue is as it was; otherwise it now holds this run.
        void offer(members, offered).then((claimed) => {
          if (!claimed) queuedChecks.delete(key);
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
  const queuedChecks = new Map<string, { atMs: number; queued: Promise<boolean> }>();
  function envHasQueued(orgId: string, envId: string): Promise<boolean> {
    const key = `${orgId}.${envId}`;
    const known = queuedChecks.get(key);
    if (known && clock.now() - known.atMs < 1_000) return known.queued;
    const queued = deps.work.hasQueued(orgId, envId).catch(() => true);
    queuedChecks.set(key, { atMs: clock.now(), queued });
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
        queued ??= await envHasQueued(env.orgId, env.envId);
        if (queued) void s.reconcile();
      }
    }
  }

  async function connect(call: grpc.ServerDuplexStream<AgentMessage, ControlMessage>) {
    const end = (error?: AppError) => {
      if (error) call.emit("error", toServiceError(error));
      else call.end();
    };
    if (state !== "serving") return end(new AppError("unavailable", "ingress is draining: reconnect"));
    const header = String(call.metadata.get("authorization")[0] ?? "");
    const secret = header.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
    // Buffer what arrives while the token is checked; order matters.
    const early: AgentMessage[] = [];
    const buffer = (m: AgentMessage) => early.push(m);
    call.on("data", buffer);
    let principal: Awaited<ReturnType<TokenService["authenticateAgent"]>>;
    try {
      principal = await tokens.authenticateAgent(secret);
    } catch (error) {
      call.off("data", buffer);
      return end(isAppError(error) ? error : new AppError("unavailable", "token check failed: retry"));
    }
    const session = createAgentSession(randomUUID(), {
      principal,
      tokenHash: hashToken(secret ?? ""),
      work: deps.work,
      logs: deps.logs,
      clock,
      logger,
      timings: config,
      send: (message) => call.write(message),
      end,
      onReady: (ready) => presenceOf.connected(ready),
      mayHaveWork: () => envHasQueued(principal.orgId, principal.envId),
      artifacts: deps.artifacts,
      credentials: credentialRequests,
    });
    sessions.add(session);
    const key = envKey(session);
    watchEnv(key, session);
    const cleanup = () => {
      if (!sessions.delete(session)) return;
      session.close();
      unwatchEnv(key, session);
      presenceOf.disconnected(session);
    };
    call.off("data", buffer);
    call.on("data", (m: AgentMessage) => session.receive(m));
    call.on("end", () => {
      void session.flushed().then(() => {
        session.close();
        cleanup();
      });
    });
    call.on("error", cleanup);
    call.on("cancelled", cleanup);
    call.on("close", cleanup);
    for (const m of early) session.receive(m);
  }

  const presenceOf = trackPresence(deps.presence, config.presenceWriteMs, () => sessions, clock, logger);

  let lastSweepMs = clock.now();
  let sweeping = false;
  let lastTokenCheckMs = clock.now();
  const ticker = setInterval(() => {
    const now = clock.now();
    for (const s of sessions) s.tick(now);
    if (now - lastSweepMs >= config.sweepIntervalMs && !sweeping) {
      lastSweepMs = now;
      sweeping = true;
      void sweep().finally(() => {
        sweeping = false;
      });
    }
    if (now - lastTokenCheckMs >= config.tokenRecheckMs) {
      lastTokenCheckMs = now;
      void recheckTokens();
    }
    presenceOf.tick(now);
  }, 250);
  ticker.unref();

  async function recheckTokens() {
    const hashes = new Set([...sessions].map((s) => s.tokenHash));
    for (const hash of hashes) {
      if (await tokens.isValid(hash).catch(() => true)) continue;
      for (const s of sessions) {
        if (s.tokenHash === hash) s.close(new AppError("unauthenticated", "the agent token was revoked"));
      }
    }
  }

  return {
    service: AgentGatewayService,
    implementation: { connect } as grpc.UntypedServiceImplementation,
    /** Connected agents of one environment. */
    agents(orgId: string, envId: string) {
      return [...sessions]
        .filter((s) => s.principal.orgId === orgId && s.principal.envId === envId && s.agentId)
        .map((s) => s.info);
    },
    get sessionCount() {
      return sessions.size;
    },
    get state() {
      return state;
    },
    /** Tells every agent to reconnect elsewhere, waits for them to go (up to the grace), then closes. */
    async drain(): Promise<void> {
      if (state !== "serving") return;
      state = "draining";
      for (const s of sessions) s.drain(Math.floor(Math.random() * 1000));
      const deadline = clock.now() + config.drainGraceMs;
      while (sessions.size > 0 && clock.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await Promise.all([...sessions].map((s) => s.flushed()));
      for (const s of sessions) s.close(new AppError("unavailable", "ingress stopped"));
      state = "stopped";
      clearInterval(ticker);
    },
    close() {
      state = "stopped";
      clearInterval(ticker);
      for (const s of sessions) s.close(new AppError("unavailable", "ingress stopped"));
      for (const [key, entry] of [...envs]) {
        envs.delete(key);
        void entry.unsubscribe.then((off) => off()).catch(() => {});
      }
    },
  };
}

export type AgentGateway = ReturnType<typeof createAgentGateway>;

/** Starts a grpc-js server for the gateway; TLS when key and cert are given, else plaintext h2c. */
export async function listenGateway(
  gateway: AgentGateway,
  options: { host: string; port: number; tls?: { key: Buffer; cert: Buffer } },
): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server({
    "grpc.keepalive_time_ms": 15_000,
    "grpc.keepalive_timeout_ms": 10_000,
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.http2.min_ping_interval_without_data_ms": 5_000,
    "grpc.max_receive_message_length": 4 * 1024 * 1024,
  });
  server.addService(gateway.service, gateway.implementation);
  const credentials = options.tls
    ? grpc.ServerCredentials.createSsl(
        null,
        [{ private_key: options.tls.key, cert_chain: options.tls.cert }],
        false,
      )
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${options.host}:${options.port}`, credentials, (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { server, port };
}

/**
 * Mirrors connected agents into the presence store (API Lambdas cannot see this process's
 * memory): each agent's record when it is ready and then its last heartbeat every `writeMs`,
 * all due records of a tick written together in batches (at 19,000 agents one write per agent
 * every 15 s was ~1,300 store calls a second, most of a core); the disconnect as its own
 * conditional write, after any batch in flight. Best effort: a failed write is logged, never
 * fatal to the stream.
 */
function trackPresence(
  store: AgentPresenceStore | undefined,
  writeMs: number,
  sessions: () => Set<AgentSession>,
  clock: Clock,
  logger: Logger,
) {
  const lastWrite = new WeakMap<AgentSession, number>();
  /** Ready since the last batch: written on the next tick. */
  const fresh = new Set<AgentSession>();
  /** The batch being written (disconnects wait for it, so they land after it). */
  let writing: Promise<void> | undefined;
  const warn = (error: unknown) =>
    logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      "agent presence not recorded",
    );
  const ids = (s: AgentSession) => ({
    orgId: s.principal.orgId,
    envId: s.principal.envId,
    agentId: s.agentId ?? "",
  });
  const recordOf = (s: AgentSession) => {
    const info = s.info;
    return {
      ...ids(s),
      sessionId: s.id,
      version: info.version ?? "",
      hostname: info.hostname ?? "",
      capabilities: info.capabilities,
      connectedAt: info.connectedAt,
      lastHeartbeatAt: info.lastHeartbeatAt,
    };
  };
  return {
    connected(s: AgentSession) {
      if (!store || !s.agentId) return;
      lastWrite.set(s, clock.now());
      fresh.add(s);
    },
    tick(nowMs: number) {
      if (!store || writing) return;
      const batch = new Set(fresh);
      fresh.clear();
      for (const s of sessions()) {
        const last = lastWrite.get(s);
        if (last === undefined || nowMs - last < writeMs || batch.has(s)) continue;
        lastWrite.set(s, nowMs);
        batch.add(s);
      }
      const live = [...batch].filter((s) => s.state !== "closed");
      if (live.length === 0) return;
      writing = store
        .record(live.map(recordOf))
        .catch(warn)
        .finally(() => {
          writing = undefined;
        });
    },
    disconnected(s: AgentSession) {
      if (!store || !lastWrite.has(s)) return;
      lastWrite.delete(s);
      // Never written (closed before its first batch): nothing to mark.
      if (fresh.delete(s)) return;
      const { orgId, envId, agentId } = ids(s);
      const at = new Date(clock.now()).toISOString();
      void Promise.resolve(writing)
        .then(() => store.disconnected(orgId, envId, agentId, s.id, at))
        .catch(warn);
    },
  };
}
