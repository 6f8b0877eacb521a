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
import { queueAfter } from "./serial-lane.ts";
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
 * needs: one object with its methods on the class (not ~30 closures per stream), per-stream
 * structures that serve work (the log batcher, the kinds of commands sent) made when the first
 * work arrives, and what every stream shares from `deps`.
 */
export function createAgentSession(sessionId: string, stream: SessionStream, deps: SessionDeps) {
  return new AgentStreamSession(sessionId, stream, deps);
}

class AgentStreamSession {
  readonly id: string;
  readonly principal: AgentPrincipal;
  readonly tokenHash: string;
  readonly #stream: SessionStream;
  readonly #deps: SessionDeps;
  #state: SessionState = { phase: "handshaking" };
  #lastReceivedMs: number;
  #lastSentMs: number;
  readonly #openedAtMs: number;
  /** Kinds of the commands sent on this stream, by command id (read by CommandAck); made by the first command. */
  #sentKinds: Map<string, AgentCommand["kind"]> | undefined;
  /** Incoming messages, handled strictly in order (a failing one does not stop the lane). */
  #inOrderTail: Promise<void> = Promise.resolve();
  /** Work delivery (claims, offers, aborts), apart from the messages. */
  #workTail: Promise<void> = Promise.resolve();
  /** The identity this stream claimed at hello (released when the stream ends). */
  #claimed: AgentRef | undefined;
  /**
   * The agent said Goodbye with `reconnecting`: it rotates the stream or follows a Reconnect,
   * and its next hello (same process) renews the claim, so releasing it would only cost a
   * write. Any other end (a stop, a crash, a cut network) releases it.
   */
  #keepClaim = false;
  /** Made by the first log chunk: a stream that never carries logs does not hold one. */
  #logBatcher: LogBatcher | undefined;
  /** A reconcile waiting in the work lane; doorbells and sweeps that arrive meanwhile join it. */
  #pendingReconcile: Promise<void> | undefined;

  constructor(sessionId: string, stream: SessionStream, deps: SessionDeps) {
    this.id = sessionId;
    this.principal = stream.principal;
    this.tokenHash = stream.tokenHash;
    this.#stream = stream;
    this.#deps = deps;
    const now = deps.clock.now();
    this.#lastReceivedMs = now;
    this.#lastSentMs = now;
    this.#openedAtMs = now;
  }

  get state(): SessionPhase {
    return this.#state.phase;
  }

  get agentId() {
    return this.#hello()?.agentId;
  }

  /** How many more executions the agent may take now (0 until it said hello). */
  get freeCapacity() {
    return this.#state.phase === "ready" ? this.#state.link.freeCapacity() : 0;
  }

  /** The agent said it opens a new stream at once (Goodbye `reconnecting`). */
  get reconnecting() {
    return this.#keepClaim;
  }

  /** True while this stream holds executions (their aborts are looked for on every sweep). */
  get holdsWork() {
    return (linked(this.#state)?.link.heldCount ?? 0) > 0;
  }

  get info() {
    const hello = this.#hello();
    return {
      sessionId: this.id,
      agentId: hello?.agentId,
      version: hello?.agentVersion,
      hostname: hello?.hostname,
      capabilities: hello?.capabilities ?? [],
      connectedAt: new Date(this.#openedAtMs).toISOString(),
      lastHeartbeatAt: new Date(this.#lastReceivedMs).toISOString(),
      running: linked(this.#state)?.link.heldCount ?? 0,
    };
  }

  receive(message: AgentMessage) {
    this.#lastReceivedMs = this.#deps.clock.now();
    const kind = message.kind;
    if (kind?.$case === "logChunk") {
      this.#logBatcher ??= createLogBatcher({
        logs: this.#deps.logs,
        lane: (task) => this.#inOrder(task),
        link: () => this.#link(),
        ack: (offset) => this.#send({ kind: { $case: "logAck", value: offset } }),
        fail: (error) => this.#fail(error),
      });
      return this.#logBatcher.add(kind.value);
    }
    this.#logBatcher?.close();
    void this.#inOrder(() => this.#handle(message));
  }

  /**
   * Claims work up to the agent's capacity and forwards abort requests (the link decides). At
   * most one reconcile waits at a time: a burst of doorbells or sweeps behind a slow store
   * coalesces into one instead of a chain that grows with every tick.
   */
  reconcile(): Promise<void> {
    this.#pendingReconcile ??= this.#work(async () => {
      // From here on a new doorbell must queue another pass: work may arrive after our query.
      this.#pendingReconcile = undefined;
      if (this.#state.phase !== "ready") return;
      this.#sendCommands(await this.#state.link.reconcile());
    });
    return this.#pendingReconcile;
  }

  /**
   * Claims one execution a doorbell offered, by id: "claimed" (the command is sent), "gone"
   * (no longer queued: another agent won it, or it was aborted) or "busy" (no free capacity, or
   * the store failed: the next session, or the sweep, takes it).
   */
  offer(executionId: string): Promise<"claimed" | "gone" | "busy"> {
    return new Promise((resolve) => {
      void this.#work(async () => {
        if (this.#state.phase !== "ready" || this.freeCapacity === 0) return resolve("busy");
        try {
          const command = await this.#state.link.offer(executionId);
          if (!command) return resolve("gone");
          this.#sendCommands([command]);
          resolve("claimed");
        } catch (error) {
          this.#log(
            "warn",
            { err: error instanceof Error ? error.message : String(error) },
            "offered work not claimed",
          );
          resolve("busy");
        }
      });
    });
  }

  /** Called by the gateway's ticker: heartbeats, dead stream detection, stream age. */
  tick(nowMs: number) {
    if (this.#state.phase === "closed") return;
    const { timings } = this.#deps;
    if (nowMs - this.#lastReceivedMs > timings.deadAfterMs) {
      this.#log("warn", { silentMs: nowMs - this.#lastReceivedMs }, "agent stream silent too long: closing");
      this.close(new AppError("unavailable", "no message from the agent within the dead-after interval"));
      return;
    }
    if (this.#state.phase !== "handshaking" && nowMs - this.#lastSentMs >= timings.heartbeatIntervalMs) {
      this.#send({ kind: { $case: "heartbeat", value: { sentAtMs: nowMs, running: 0 } } });
    }
  }

  /** Asks the agent to reconnect elsewhere (ingress draining). */
  drain(afterMs: number) {
    if (this.#state.phase === "closed" || this.#state.phase === "draining") return;
    if (this.#state.phase === "ready") this.#state = { ...this.#state, phase: "draining" };
    this.#send({ kind: { $case: "reconnect", value: { reason: "ingress is draining", afterMs } } });
  }

  close(error?: AppError) {
    if (this.#state.phase === "closed") return;
    this.#state = { phase: "closed", hello: this.#hello() };
    this.#stream.end(error);
    const held = this.#claimed;
    this.#claimed = undefined;
    if (held && !this.#keepClaim)
      void this.#deps.identities.release(held, this.id).catch((e: unknown) => {
        this.#log("warn", { err: e instanceof Error ? e.message : String(e) }, "agent identity not released");
      });
  }

  /** Resolves when every message received so far has been handled and its logs stored. */
  flushed(): Promise<void> {
    return this.#inOrder(async () => {
      await this.#logBatcher?.settled();
    });
  }

  #hello() {
    return this.#state.phase === "handshaking" ? undefined : this.#state.hello;
  }

  /**
   * Logs with the stream's context. No child logger (nor a logger object) per stream: at 19,000
   * idle streams two child loggers each were a measurable part of the memory per stream.
   */
  #log(level: "info" | "warn" | "error", obj: object, msg: string) {
    const { orgId, envId } = this.principal;
    this.#deps.logger[level](
      { sessionId: this.id, orgId, envId, agentId: this.#hello()?.agentId, ...obj },
      msg,
    );
  }

  #fail(error: unknown) {
    if (this.#state.phase === "closed") return;
    this.#log("error", { err: error instanceof Error ? error.message : String(error) }, "session error");
    this.close(isAppError(error) ? error : new AppError("internal", "internal error in the ingress"));
  }

  #inOrder(task: () => Promise<void>): Promise<void> {
    this.#inOrderTail = queueAfter(this.#inOrderTail, task, (error) => this.#fail(error));
    return this.#inOrderTail;
  }

  #work(task: () => Promise<void>): Promise<void> {
    this.#workTail = queueAfter(this.#workTail, task, (error) => this.#fail(error));
    return this.#workTail;
  }

  #send(message: ControlMessage) {
    if (this.#state.phase === "closed") return;
    this.#lastSentMs = this.#deps.clock.now();
    this.#stream.send(message);
  }

  #sendCommands(commands: AgentCommand[]) {
    for (const command of commands) {
      const message = toControlMessage(command);
      const id =
        message.kind?.$case === "run" || message.kind?.$case === "abort" || message.kind?.$case === "pause"
          ? message.kind.value.commandId
          : "";
      this.#sentKinds ??= new Map();
      this.#sentKinds.set(id, command.kind);
      if (this.#sentKinds.size > 1_000) this.#sentKinds.delete(this.#sentKinds.keys().next().value ?? "");
      this.#send(message);
    }
  }

  /** The agent's link; a message other than hello before it is a protocol error. */
  #link(): AgentLink {
    const open = linked(this.#state);
    if (!open) throw new AppError("failed_precondition", "the first message must be hello");
    return open.link;
  }

  async #onHello(message: Hello) {
    if (this.#state.phase !== "handshaking")
      throw new AppError("failed_precondition", "hello was already received");
    const { principal, id: sessionId } = this;
    const deps = this.#deps;
    checkProtocolVersion(message, () => deps.upgradeCommand(principal));
    const agent = await deps.identities.claim(principal, {
      agentId: message.agentId,
      secret: message.agentSecret,
      instanceId: message.instanceId,
      sessionId,
      hostname: message.hostname,
    });
    if (this.#state.phase !== "handshaking") {
      // The stream ended while the claim was in flight: give the identity back.
      await deps.identities.release(agent, sessionId);
      return;
    }
    this.#claimed = agent;
    const { link, commands, welcome } = await deps.links.open(
      agent,
      message.active.map((a) => ({ executionId: a.executionId, finished: a.finished })),
      message.maxConcurrency || 1,
      agentLabels(agent.agentId, message.capabilities),
      runtimeFromCapabilities(message.capabilities),
    );
    if (this.#state.phase !== "handshaking") return;
    this.#state = { phase: "ready", hello: helloInfo(message), link };
    const { timings } = deps;
    this.#send({
      kind: {
        $case: "welcome",
        value: {
          protocolVersion: PROTOCOL_VERSION,
          sessionId,
          orgId: principal.orgId,
          envId: principal.envId,
          heartbeatIntervalMs: timings.heartbeatIntervalMs,
          deadAfterMs: timings.deadAfterMs,
          committed: welcome,
          maxStreamAgeMs: timings.maxStreamAgeMs,
        },
      },
    });
    this.#log("info", { version: message.agentVersion, host: message.hostname }, "agent connected");
    this.#sendCommands(commands);
    deps.onReady(this, link.agent);
    // Work that arrives later rings a doorbell; only queued work needs a claim now. A stream
    // that holds executions again looks at once (an abort may have been asked meanwhile).
    if (link.heldCount > 0) void this.reconcile();
    else void this.#reconcileIfQueued();
  }

  async #reconcileIfQueued() {
    const { mayHaveWork } = this.#deps;
    if (!mayHaveWork || (await mayHaveWork(this.principal))) await this.reconcile();
  }

  async #handle(message: AgentMessage) {
    const kind = message.kind;
    if (!kind) throw new AppError("invalid_argument", "empty agent message");
    if (kind.$case === "hello") return this.#onHello(kind.value);
    const link = this.#link();
    const send = (m: ControlMessage) => this.#send(m);
    switch (kind.$case) {
      case "heartbeat":
        return link.heartbeat();
      case "commandAck": {
        const { commandId, executionId, accepted, reason } = kind.value;
        if (accepted || this.#sentKinds?.get(commandId) !== "run") return;
        await link.refused(executionId);
        this.#log("info", { executionId, reason }, "agent refused work");
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
        return this.#deps.artifacts?.handle(link, kind, send);
      case "credentialRequest":
        return this.#deps.credentials?.handle(link.agent, kind.value, send);
      case "paused":
        return link.paused(kind.value.executionId, kind.value.paused, kind.value.atMs);
      case "childRunRequest":
        return this.#deps.childRuns?.handle(link, kind.value, send);
      case "result":
        return this.#onResult(link, kind.value);
      case "goodbye":
        this.#log("info", { reason: kind.value.reason }, "agent said goodbye");
        this.#keepClaim = kind.value.reconnecting;
        this.close();
        return;
    }
  }

  async #onResult(link: AgentLink, result: Extract<AgentMessage["kind"], { $case: "result" }>["value"]) {
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
    this.#send({ kind: { $case: "resultAck", value: { executionId, ...verdict } } });
    if (verdict.accepted) void this.#reconcileIfQueued();
  }
}

export type AgentSession = AgentStreamSession;
