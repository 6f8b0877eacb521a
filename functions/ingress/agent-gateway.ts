/**
 * The ingress: the gRPC server agents dial. It authenticates each stream's bearer token, keeps
 * one session per stream, rings sessions when their environment gets work (bus doorbell) and on
 * a periodic sweep (so a lost doorbell costs latency, not work), drives heartbeats and dead
 * stream detection from one shared ticker, and drains gracefully.
 *
 * Gateway state: `serving -> draining -> stopped`.
 */
import { randomUUID } from "node:crypto";
import { AppError, createTtlCache, every, isAppError, sleep } from "@assay/shared";
import {
  AgentGatewayService,
  type AgentMessage,
  type ControlMessage,
  type RegisterRequest,
  type RegisterResponse,
} from "@assay/shared/proto";
import * as grpc from "@grpc/grpc-js";
import type { AgentLinks } from "../core/agent-link/agent-link.ts";
import type { Children } from "../core/agent-link/children.ts";
import type { CredentialRelease } from "../core/agent-link/credential-release.ts";
import { createAgentIdentities } from "../core/agent-link/identities.ts";
import type { AgentWork } from "../core/agent-work.ts";
import type { LogService } from "../core/logs.ts";
import type { EnvRef } from "../core/ports/refs.ts";
import {
  type AgentIdentityStore,
  type AgentPresenceStore,
  type Bus,
  type Clock,
  type Logger,
  type Random,
  systemRandom,
  type TokenUsageStore,
} from "../core/ports.ts";
import { PRESENCE_REFRESH_MS } from "../core/presence-rule.ts";
import type { RateLimits } from "../core/rate-limit.ts";
import { hashToken, type TokenService } from "../core/tokens.ts";
import {
  type AgentSession,
  createAgentSession,
  type SessionDeps,
  type SessionTimings,
} from "./agent-session.ts";
import type { ArtifactUploads } from "./artifact-uploads.ts";
import { createChildRuns } from "./child-runs.ts";
import { createCredentialRequests } from "./credential-requests.ts";
import { createDoorbells } from "./doorbells.ts";
import { trackPresence } from "./presence-writer.ts";
import { toServiceError } from "./refusals.ts";

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
  presenceWriteMs: PRESENCE_REFRESH_MS,
};

export interface GatewayDeps {
  tokens: TokenService;
  work: AgentWork;
  /** The agent protocol's rules (core/agent-link), one link per connected agent. */
  links: AgentLinks;
  logs: LogService;
  bus: Bus;
  clock: Clock;
  /** Spreads drained agents' reconnects (default the system's). */
  random?: Random;
  logger: Logger;
  /** Issued agent identities: Register creates them, every hello must claim one. */
  identities: AgentIdentityStore;
  config?: Partial<GatewayConfig>;
  /** Where connected agents are recorded for the API (`GET .../agents`); optional. */
  presence?: AgentPresenceStore;
  /** Artifact upload grants and completions; without it agents' upload requests are ignored. */
  artifacts?: ArtifactUploads;
  /** Credentials for the agent that holds an execution; agents' requests are refused (with a reason) without it. */
  credentialRelease?: CredentialRelease | undefined;
  /** Where each agent token's last use is recorded (on every accepted stream); optional. */
  tokenUsage?: TokenUsageStore;
  /** The child executions of `execute` steps; without them such requests are refused. */
  children?: Children | undefined;
  /**
   * Limits of `Register` per token and per source (core/rate-limit.ts); without them
   * registration is not limited.
   */
  rateLimits?: RateLimits;
  /** The command that installs the control plane's agent (token as a placeholder), for refusals. */
  upgradeCommand?: (env: EnvRef) => string;
}

/** What a refused agent is told to do when the deployment gave no install command. */
const GENERIC_UPGRADE = "the install command on the environment's Agents page";

/** The address part of a grpc-js peer (`ipv4:1.2.3.4:5678`, `[::1]:5678`, `1.2.3.4:5678`). */
export const sourceOf = (peer: string): string => {
  const bare = peer.replace(/^ipv[46]:/, "");
  const bracketed = /^\[([^\]]+)\]/.exec(bare);
  if (bracketed) return bracketed[1] ?? bare;
  const colons = bare.split(":").length - 1;
  return colons === 1 ? bare.slice(0, bare.lastIndexOf(":")) : bare;
};

/**
 * A token's `lastUsedAt` moves at most this often: the store refuses sooner writes, and this
 * process does not even try again within it (a refused conditional write is still a paid
 * write, and a fleet sharing one token would try at every stream it opens). An hour is longer
 * than an agent's stream age, so an idle agent's rotations cost no token writes.
 */
const TOKEN_TOUCH_INTERVAL_SECONDS = 3_600;

export function createAgentGateway(deps: GatewayDeps) {
  const config: GatewayConfig = { ...defaultGatewayConfig, ...deps.config };
  /** Tokens whose last use this process recorded within the interval. */
  const touchedTokens = createTtlCache<string, true>({
    clock: deps.clock,
    ttlMs: TOKEN_TOUCH_INTERVAL_SECONDS * 1_000,
  });
  const credentialRequests = createCredentialRequests({
    release: deps.credentialRelease,
    logger: deps.logger,
  });
  const childRuns = createChildRuns({ children: deps.children, logger: deps.logger });
  const { tokens, bus, clock, logger } = deps;
  const identities = createAgentIdentities({
    store: deps.identities,
    clock,
    claimTtlMs: config.maxStreamAgeMs + config.deadAfterMs,
  });
  const random = deps.random ?? systemRandom;
  const sessions = new Set<AgentSession>();
  let state: "serving" | "draining" | "stopped" = "serving";

  const doorbells = createDoorbells({
    bus,
    clock,
    hasQueued: (env) => deps.work.hasQueued(env),
  });

  const bearerOf = (metadata: grpc.Metadata) => {
    const header = String(metadata.get("authorization")[0] ?? "");
    return header.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
  };

  /** Issues an agent identity in the token's environment (core/agent-link/identities.ts). */
  async function register(
    call: grpc.ServerUnaryCall<RegisterRequest, RegisterResponse>,
    callback: grpc.sendUnaryData<RegisterResponse>,
  ) {
    try {
      if (state !== "serving") throw new AppError("unavailable", "ingress is draining: retry");
      // The source first (garbage tokens count too), the token once it is known to be one.
      await deps.rateLimits?.check("register:source", sourceOf(call.getPeer()));
      const bearer = bearerOf(call.metadata);
      const principal = await tokens.authenticateAgent(bearer);
      await deps.rateLimits?.check("register:token", hashToken(bearer ?? ""));
      const { agentId, secret } = await identities.register(principal, call.request.hostname);
      logger.info(
        { orgId: principal.orgId, envId: principal.envId, agentId, host: call.request.hostname },
        "agent registered",
      );
      callback(null, { agentId, agentSecret: secret, orgId: principal.orgId, envId: principal.envId });
    } catch (error) {
      if (!isAppError(error)) logger.error({ err: String(error) }, "agent registration failed");
      callback(
        toServiceError(isAppError(error) ? error : new AppError("unavailable", "registration failed: retry")),
      );
    }
  }

  async function connect(call: grpc.ServerDuplexStream<AgentMessage, ControlMessage>) {
    const end = (error?: AppError) => {
      if (error) call.emit("error", toServiceError(error));
      else call.end();
    };
    if (state !== "serving") return end(new AppError("unavailable", "ingress is draining: reconnect"));
    const secret = bearerOf(call.metadata);
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
    const tokenHash = hashToken(secret ?? "");
    // "Last used" of the token: best effort, a failed write never refuses the agent.
    if (deps.tokenUsage && touchedTokens.get(tokenHash) === undefined) {
      touchedTokens.set(tokenHash, true);
      deps.tokenUsage
        .touch(tokenHash, new Date(clock.now()).toISOString(), TOKEN_TOUCH_INTERVAL_SECONDS)
        .catch((error: unknown) =>
          logger.warn(
            { err: error instanceof Error ? error.message : String(error) },
            "lastUsedAt not recorded",
          ),
        );
    }
    const session = createAgentSession(
      randomUUID(),
      { principal, tokenHash, send: (message) => call.write(message), end },
      sessionDeps,
    );
    sessions.add(session);
    doorbells.watch(session);
    const cleanup = () => {
      if (!sessions.delete(session)) return;
      session.close();
      doorbells.unwatch(session);
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
    // Emptied as replayed: the stream's closures outlive this call and would keep the hello.
    for (const m of early.splice(0)) session.receive(m);
  }

  const presenceOf = trackPresence(deps.presence, config.presenceWriteMs, () => sessions, clock, logger);

  /** What every session shares, built once (an idle ingress holds thousands of sessions). */
  const sessionDeps: SessionDeps = {
    links: deps.links,
    identities,
    logs: deps.logs,
    clock,
    logger,
    timings: config,
    onReady: presenceOf.connected,
    mayHaveWork: doorbells.envHasQueued,
    artifacts: deps.artifacts,
    credentials: credentialRequests,
    childRuns,
    upgradeCommand: (env) => deps.upgradeCommand?.(env) ?? GENERIC_UPGRADE,
  };

  let lastSweepMs = clock.now();
  let sweeping = false;
  let lastTokenCheckMs = clock.now();
  const stopTicker = every(clock, 250, () => {
    const now = clock.now();
    for (const s of sessions) s.tick(now);
    if (now - lastSweepMs >= config.sweepIntervalMs && !sweeping) {
      lastSweepMs = now;
      sweeping = true;
      void doorbells.sweep().finally(() => {
        sweeping = false;
      });
    }
    if (now - lastTokenCheckMs >= config.tokenRecheckMs) {
      lastTokenCheckMs = now;
      void recheckTokens();
    }
    presenceOf.tick(now);
  });

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
    implementation: { connect, register } as grpc.UntypedServiceImplementation,
    /** Connected agents of one environment. */
    agents({ orgId, envId }: EnvRef) {
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
      for (const s of sessions) s.drain(Math.floor(random() * 1000));
      const deadline = clock.now() + config.drainGraceMs;
      while (sessions.size > 0 && clock.now() < deadline) await sleep(clock, 100);
      await Promise.all([...sessions].map((s) => s.flushed()));
      for (const s of sessions) s.close(new AppError("unavailable", "ingress stopped"));
      state = "stopped";
      stopTicker();
    },
    close() {
      state = "stopped";
      stopTicker();
      for (const s of sessions) s.close(new AppError("unavailable", "ingress stopped"));
      doorbells.close();
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
