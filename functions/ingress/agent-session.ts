/**
 * One agent stream: transport only. It checks the handshake, carries messages between the wire
 * and the agent's link (core/agent-link: every protocol rule lives there), keeps the stream's
 * state (session-state.ts), batches log chunks (log-batcher.ts), and remembers the kind of
 * each command it sent so an acknowledgement is read by kind, not by the shape of its id.
 *
 * Incoming messages are handled strictly in order (one lane per stream), because log offsets
 * and results depend on what came before. Work delivery (claims, redelivery, aborts) runs on
 * its own lane so a doorbell is not stuck behind a burst of log chunks.
 */
import { AppError, isAppError } from "@assay/shared";
import { type AgentMessage, type ControlMessage, type Hello, PROTOCOL_VERSION } from "@assay/shared/proto";
import { agentLabels, runtimeFromCapabilities } from "@assay/shared/workflow";
import type { AgentCommand, AgentLink, AgentLinks, AgentRef } from "../core/agent-link/agent-link.ts";
import type { AgentIdentities } from "../core/agent-link/identities.ts";
import type { LogService } from "../core/logs.ts";
import type { EnvRef } from "../core/ports/refs.ts";
import type { Clock, Logger } from "../core/ports.ts";
import type { AgentPrincipal } from "../core/tokens.ts";
import type { ArtifactUploads } from "./artifact-uploads.ts";
import type { ChildRuns } from "./child-runs.ts";
import type { CredentialRequests } from "./credential-requests.ts";
import { createLogBatcher, type LogBatcher } from "./log-batcher.ts";
import { toControlMessage, toResultStatus, toStepState } from "./messages.ts";
import { checkProtocolVersion } from "./refusals.ts";
import { createLane } from "./serial-lane.ts";
import { helloInfo, linked, type SessionPhase, type SessionState } from "./session-state.ts";

export interface SessionTimings {
  heartbeatIntervalMs: number;
  deadAfterMs: number;
  maxStreamAgeMs: number;
}

/** What is one stream's own: who authenticated it, and its wire. */
export interface SessionStream {
  principal: AgentPrincipal;
  tokenHash: string;
  /** Sends one message on the stream. */
  send: (message: ControlMessage) => void;
  /** Ends the stream, with an error status when given. */
  end: (error?: AppError) => void;
}

/** What every stream of the process shares (built once, not per stream). */
export interface SessionDeps {
  links: AgentLinks;
  /** Binds the stream to the issued identity its hello claims. */
  identities: AgentIdentities;
  logs: LogService;
  clock: Clock;
  logger: Logger;
  timings: SessionTimings;
  /** The stream said hello and is linked, for the agent its identity claim named. */
  onReady: (session: AgentSession, agent: AgentRef) => void;
  /** Whether the environment may have queued work (a shared, coalesced check). */
  mayHaveWork?: (env: EnvRef) => Promise<boolean>;
  /** Artifact upload requests (presigned URLs, completion); absent when artifacts are off. */
  artifacts?: ArtifactUploads;
  /** Credential values for the executions this agent holds; absent: requests are refused. */
  credentials?: CredentialRequests;
  /** Child executions of `execute` steps; absent: requests go unanswered. */
  childRuns?: ChildRuns;
  /**
   * The command that installs the control plane's agent in an environment, for an agent
   * refused as too old (built only for a refusal).
   */
  upgradeCommand: (env: EnvRef) => string;
}

/**
 * An idle ingress holds thousands of sessions, so a session keeps only what an idle stream
 * needs: per-stream structures that serve work (the log batcher, the kinds of commands sent)
 * are made when the first work arrives, and what every stream shares comes from `deps`.
 */
export function createAgentSession(sessionId: string, stream: SessionStream, deps: SessionDeps) {
  const { clock, timings } = deps;
  const { principal } = stream;
  const { orgId, envId } = principal;
  let state: SessionState = { phase: "handshaking" };
  let lastReceivedMs = clock.now();
  let lastSentMs = clock.now();
  const openedAtMs = clock.now();
  /** Kinds of the commands sent on this stream, by command id (read by CommandAck); made by the first command. */
  let sentKinds: Map<string, AgentCommand["kind"]> | undefined;
  const helloOf = () => (state.phase === "handshaking" ? undefined : state.hello);
  /**
   * Logs with the stream's context. No child logger (nor a logger object) per stream: at 19,000
   * idle streams two child loggers each were a measurable part of the memory per stream.
   */
  const log = (level: "info" | "warn" | "error", obj: object, msg: string) =>
    deps.logger[level]({ sessionId, orgId, envId, agentId: helloOf()?.agentId, ...obj }, msg);

  const fail = (error: unknown) => {
    if (state.phase === "closed") return;
    log("error", { err: error instanceof Error ? error.message : String(error) }, "session error");
    close(isAppError(error) ? error : new AppError("internal", "internal error in the ingress"));
  };
  const inOrder = createLane(fail);
  const workLane = createLane(fail);

  const send = (message: ControlMessage) => {
    if (state.phase === "closed") return;
    lastSentMs = clock.now();
    stream.send(message);
  };
  const sendCommands = (commands: AgentCommand[]) => {
    for (const command of commands) {
      const message = toControlMessage(command);
      const id =
        message.kind?.$case === "run" || message.kind?.$case === "abort" || message.kind?.$case === "pause"
          ? message.kind.value.commandId
          : "";
      sentKinds ??= new Map();
      sentKinds.set(id, command.kind);
      if (sentKinds.size > 1_000) sentKinds.delete(sentKinds.keys().next().value ?? "");
      send(message);
    }
  };

  /** The identity this stream claimed at hello (released when the stream ends). */
  let claimed: AgentRef | undefined;
  /**
   * The agent said Goodbye with `reconnecting`: it rotates the stream or follows a Reconnect,
   * and its next hello (same process) renews the claim, so releasing it would only cost a
   * write. Any other end (a stop, a crash, a cut network) releases it.
   */
  let keepClaim = false;

  function close(error?: AppError) {
    if (state.phase === "closed") return;
    state = { phase: "closed", hello: helloOf() };
    stream.end(error);
    const held = claimed;
    claimed = undefined;
    if (held && !keepClaim)
      void deps.identities.release(held, sessionId).catch((e: unknown) => {
        log("warn", { err: e instanceof Error ? e.message : String(e) }, "agent identity not released");
      });
  }

  /** The agent's link; a message other than hello before it is a protocol error. */
  const linkOf = (): AgentLink => {
    const open = linked(state);
    if (!open) throw new AppError("failed_precondition", "the first message must be hello");
    return open.link;
  };

  /** Made by the first log chunk: a stream that never carries logs does not hold one. */
  let logBatcher: LogBatcher | undefined;

  async function onHello(message: Hello) {
    if (state.phase !== "handshaking")
      throw new AppError("failed_precondition", "hello was already received");
    checkProtocolVersion(message, () => deps.upgradeCommand(principal));
    const agent = await deps.identities.claim(principal, {
      agentId: message.agentId,
      secret: message.agentSecret,
      instanceId: message.instanceId,
      sessionId,
      hostname: message.hostname,
    });
    if (state.phase !== "handshaking") {
      // The stream ended while the claim was in flight: give the identity back.
      await deps.identities.release(agent, sessionId);
      return;
    }
    claimed = agent;
    const { link, commands, welcome } = await deps.links.open(
      agent,
      message.active.map((a) => ({ executionId: a.executionId, finished: a.finished })),
      message.maxConcurrency || 1,
      agentLabels(agent.agentId, message.capabilities),
      runtimeFromCapabilities(message.capabilities),
    );
    if (state.phase !== "handshaking") return;
    state = { phase: "ready", hello: helloInfo(message), link };
    send({
      kind: {
        $case: "welcome",
        value: {
          protocolVersion: PROTOCOL_VERSION,
          sessionId,
          orgId,
          envId,
          heartbeatIntervalMs: timings.heartbeatIntervalMs,
          deadAfterMs: timings.deadAfterMs,
          committed: welcome,
          maxStreamAgeMs: timings.maxStreamAgeMs,
        },
      },
    });
    log("info", { version: message.agentVersion, host: message.hostname }, "agent connected");
    sendCommands(commands);
    deps.onReady(session, link.agent);
    // Work that arrives later rings a doorbell; only queued work needs a claim now. A stream
    // that holds executions again looks at once (an abort may have been asked meanwhile).
    if (link.heldCount > 0) void reconcile();
    else void reconcileIfQueued();
  }

  /** A reconcile waiting in the work lane; doorbells and sweeps that arrive meanwhile join it. */
  let pendingReconcile: Promise<void> | undefined;

  /**
   * Claims work up to the agent's capacity and forwards abort requests (the link decides). At
   * most one reconcile waits at a time: a burst of doorbells or sweeps behind a slow store
   * coalesces into one instead of a chain that grows with every tick.
   */
  function reconcile(): Promise<void> {
    pendingReconcile ??= workLane(async () => {
      // From here on a new doorbell must queue another pass: work may arrive after our query.
      pendingReconcile = undefined;
      if (state.phase !== "ready") return;
      sendCommands(await state.link.reconcile());
    });
    return pendingReconcile;
  }

  async function reconcileIfQueued() {
    if (!deps.mayHaveWork || (await deps.mayHaveWork(principal))) await reconcile();
  }

  const freeCapacity = () => (state.phase === "ready" ? state.link.freeCapacity() : 0);

  /**
   * Claims one execution a doorbell offered, by id: "claimed" (the command is sent), "gone"
   * (no longer queued: another agent won it, or it was aborted) or "busy" (no free capacity, or
   * the store failed: the next session, or the sweep, takes it).
   */
  function offer(executionId: string): Promise<"claimed" | "gone" | "busy"> {
    return new Promise((resolve) => {
      void workLane(async () => {
        if (state.phase !== "ready" || freeCapacity() === 0) return resolve("busy");
        try {
          const command = await state.link.offer(executionId);
          if (!command) return resolve("gone");
          sendCommands([command]);
          resolve("claimed");
        } catch (error) {
          log(
            "warn",
            { err: error instanceof Error ? error.message : String(error) },
            "offered work not claimed",
          );
          resolve("busy");
        }
      });
    });
  }

  async function handle(message: AgentMessage) {
    const kind = message.kind;
    if (!kind) throw new AppError("invalid_argument", "empty agent message");
    if (kind.$case === "hello") return onHello(kind.value);
    const link = linkOf();
    switch (kind.$case) {
      case "heartbeat":
        return link.heartbeat();
      case "commandAck": {
        const { commandId, executionId, accepted, reason } = kind.value;
        if (accepted || sentKinds?.get(commandId) !== "run") return;
        await link.refused(executionId);
        log("info", { executionId, reason }, "agent refused work");
        return;
      }
      case "started":
        return link.started(kind.value.executionId, kind.value.startedAtMs);
      case "stepUpdate": {
        const update = kind.value;
        return link.stepUpdate(update.executionId, update.stepRef, (known) => toStepState(update, known));
      }
      case "logChunk":
        // Chunks are batched in `receive`; one reaching here came alone.
        return;
      case "artifactUpload":
      case "artifactComplete":
        return deps.artifacts?.handle(link, kind, send);
      case "credentialRequest":
        return deps.credentials?.handle(link.agent, kind.value, send);
      case "paused":
        return link.paused(kind.value.executionId, kind.value.paused, kind.value.atMs);
      case "childRunRequest":
        return deps.childRuns?.handle(link, kind.value, send);
      case "result":
        return onResult(link, kind.value);
      case "goodbye":
        log("info", { reason: kind.value.reason }, "agent said goodbye");
        keepClaim = kind.value.reconnecting;
        close();
        return;
    }
  }

  async function onResult(
    link: AgentLink,
    result: Extract<AgentMessage["kind"], { $case: "result" }>["value"],
  ) {
    const { executionId } = result;
    const verdict = await link.result({
      executionId,
      status: toResultStatus(result.status),
      message: result.message,
      logBytes: result.logBytes,
      logTruncated: result.logTruncated,
      steps: (known) => {
        const updates = result.steps
          .map((u) =>
            toStepState(
              u,
              known.find((s) => s.ref === u.stepRef),
            ),
          )
          .filter((s) => s !== undefined);
        return known.map((s) => updates.find((u) => u.ref === s.ref) ?? s);
      },
    });
    send({ kind: { $case: "resultAck", value: { executionId, ...verdict } } });
    if (verdict.accepted) void reconcileIfQueued();
  }

  const session = {
    id: sessionId,
    principal,
    tokenHash: stream.tokenHash,
    get state(): SessionPhase {
      return state.phase;
    },
    get agentId() {
      return helloOf()?.agentId;
    },
    /** How many more executions the agent may take now (0 until it said hello). */
    get freeCapacity() {
      return freeCapacity();
    },
    offer,
    /** The agent said it opens a new stream at once (Goodbye `reconnecting`). */
    get reconnecting() {
      return keepClaim;
    },
    /** True while this stream holds executions (their aborts are looked for on every sweep). */
    get holdsWork() {
      return (linked(state)?.link.heldCount ?? 0) > 0;
    },
    get info() {
      const hello = helloOf();
      return {
        sessionId,
        agentId: hello?.agentId,
        version: hello?.agentVersion,
        hostname: hello?.hostname,
        capabilities: hello?.capabilities ?? [],
        connectedAt: new Date(openedAtMs).toISOString(),
        lastHeartbeatAt: new Date(lastReceivedMs).toISOString(),
        running: linked(state)?.link.heldCount ?? 0,
      };
    },
    receive(message: AgentMessage) {
      lastReceivedMs = clock.now();
      const kind = message.kind;
      if (kind?.$case === "logChunk") {
        logBatcher ??= createLogBatcher({
          logs: deps.logs,
          lane: inOrder,
          link: linkOf,
          ack: (offset) => send({ kind: { $case: "logAck", value: offset } }),
          fail,
        });
        return logBatcher.add(kind.value);
      }
      logBatcher?.close();
      void inOrder(() => handle(message));
    },
    reconcile,
    /** Called by the gateway's ticker: heartbeats, dead stream detection, stream age. */
    tick(nowMs: number) {
      if (state.phase === "closed") return;
      if (nowMs - lastReceivedMs > timings.deadAfterMs) {
        log("warn", { silentMs: nowMs - lastReceivedMs }, "agent stream silent too long: closing");
        close(new AppError("unavailable", "no message from the agent within the dead-after interval"));
        return;
      }
      if (state.phase !== "handshaking" && nowMs - lastSentMs >= timings.heartbeatIntervalMs) {
        send({ kind: { $case: "heartbeat", value: { sentAtMs: nowMs, running: 0 } } });
      }
    },
    /** Asks the agent to reconnect elsewhere (ingress draining). */
    drain(afterMs: number) {
      if (state.phase === "closed" || state.phase === "draining") return;
      if (state.phase === "ready") state = { ...state, phase: "draining" };
      send({ kind: { $case: "reconnect", value: { reason: "ingress is draining", afterMs } } });
    },
    close,
    /** Resolves when every message received so far has been handled and its logs stored. */
    flushed: () =>
      inOrder(async () => {
        await logBatcher?.settled();
      }),
  };
  return session;
}

export type AgentSession = ReturnType<typeof createAgentSession>;
