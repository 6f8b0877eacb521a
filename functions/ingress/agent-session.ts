/**
 * One agent stream. State: `handshaking -> ready -> draining -> closed`.
 *
 * Incoming messages are handled strictly in order (one promise chain per stream), because log
 * offsets and results depend on what came before. Work delivery (claims, redelivery, aborts)
 * runs on its own serial lane so a doorbell is not stuck behind a burst of log chunks.
 */
import { AppError, type Execution, isAppError } from "@assay/shared";
import {
  type AgentMessage,
  type ControlMessage,
  type Hello,
  type LogChunk,
  PROTOCOL_VERSION,
} from "@assay/shared/proto";
import type { AgentWork } from "../core/agent-work.ts";
import type { LogService } from "../core/logs.ts";
import type { Clock, Logger } from "../core/ports.ts";
import type { AgentPrincipal } from "../core/tokens.ts";
import type { ArtifactUploads } from "./artifact-uploads.ts";
import type { CredentialRequests } from "./credential-requests.ts";
import { contiguousRuns, MAX_LOG_PUTS_IN_FLIGHT, MAX_MERGED_LOG_BYTES } from "./log-runs.ts";
import { abortCommand, runCommand, toResultStatus, toStepState } from "./messages.ts";

export type SessionState = "handshaking" | "ready" | "draining" | "closed";

export interface SessionTimings {
  heartbeatIntervalMs: number;
  deadAfterMs: number;
  maxStreamAgeMs: number;
}

export interface SessionDeps {
  principal: AgentPrincipal;
  tokenHash: string;
  work: AgentWork;
  logs: LogService;
  clock: Clock;
  logger: Logger;
  timings: SessionTimings;
  /** Sends one message on the stream. */
  send: (message: ControlMessage) => void;
  /** Ends the stream, with an error status when given. */
  end: (error?: AppError) => void;
  onReady: (session: AgentSession) => void;
  /** Whether the environment may have queued work (a shared, coalesced check). */
  mayHaveWork?: () => Promise<boolean>;
  /** Artifact upload requests (presigned URLs, completion); absent when artifacts are off. */
  artifacts?: ArtifactUploads;
  /** Credential values for the executions this agent holds; absent: requests are refused. */
  credentials?: CredentialRequests;
}

/** A serial lane: tasks run one after another; a failing task does not stop the lane. */
function createLane(onError: (error: unknown) => void) {
  let tail: Promise<void> = Promise.resolve();
  return (task: () => Promise<void>) => {
    tail = tail.then(task).catch(onError);
    return tail;
  };
}

export function createAgentSession(sessionId: string, deps: SessionDeps) {
  const { principal, work, logs, clock, timings } = deps;
  /** The organization's log limit (its plan's), read again at each hello. */
  let maxLogBytes = logs.maxLogBytes;
  /** A LogAck, flagged once the execution's log reached its size limit. */
  const logAck = (executionId: string, committedOffset: number) => ({
    executionId,
    committedOffset,
    limitReached: committedOffset >= maxLogBytes,
    limitBytes: maxLogBytes,
  });
  const { orgId, envId } = principal;
  let state: SessionState = "handshaking";
  let hello: Hello | undefined;
  let lastReceivedMs = clock.now();
  let lastSentMs = clock.now();
  const openedAtMs = clock.now();
  /** Executions this agent holds, as far as this stream knows. */
  const inflight = new Set<string>();
  /** Aborts already sent on this stream (an agent that reconnects is told again). */
  const abortsSent = new Set<string>();
  /**
   * Logs with the stream's context. No child logger per stream: at 19,000 idle streams two
   * child loggers each were a measurable part of the memory per stream.
   */
  const logger = {
    info: (obj: object, msg: string) => deps.logger.info({ ...context(), ...obj }, msg),
    warn: (obj: object, msg: string) => deps.logger.warn({ ...context(), ...obj }, msg),
    error: (obj: object, msg: string) => deps.logger.error({ ...context(), ...obj }, msg),
  };
  const context = () => ({ sessionId, orgId, envId, agentId: hello?.agentId });

  const fail = (error: unknown) => {
    if (state === "closed") return;
    logger.error({ err: error instanceof Error ? error.message : String(error) }, "session error");
    close(isAppError(error) ? error : new AppError("internal", "internal error in the ingress"));
  };
  const inOrder = createLane(fail);
  const workLane = createLane(fail);

  const send = (message: ControlMessage) => {
    if (state === "closed") return;
    lastSentMs = clock.now();
    deps.send(message);
  };

  function close(error?: AppError) {
    if (state === "closed") return;
    state = "closed";
    deps.end(error);
  }

  async function onHello(message: Hello) {
    if (state !== "handshaking") throw new AppError("failed_precondition", "hello was already received");
    if (message.protocolVersion !== PROTOCOL_VERSION) {
      throw new AppError(
        "failed_precondition",
        `protocol version ${message.protocolVersion} is not supported (this ingress speaks ${PROTOCOL_VERSION})`,
      );
    }
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(message.agentId)) {
      throw new AppError("invalid_argument", "hello.agent_id must be 1-128 letters, digits, '.', '_' or '-'");
    }
    hello = message;
    maxLogBytes = await logs.limitFor(orgId);
    const committed = await Promise.all(
      message.active.map(async (a) =>
        logAck(a.executionId, await logs.committedOffset(orgId, envId, a.executionId)),
      ),
    );
    state = "ready";
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
          committed,
          maxStreamAgeMs: timings.maxStreamAgeMs,
        },
      },
    });
    logger.info({ version: message.agentVersion, host: message.hostname }, "agent connected");
    await settleOnConnect(message);
    deps.onReady(session);
    // Work that arrives later rings a doorbell; only queued work needs a claim now. A stream
    // that holds executions again looks at once (an abort may have been asked meanwhile).
    if (inflight.size > 0) void reconcile();
    else void reconcileIfQueued();
  }

  /** Lines up the agent's view with the store's after a (re)connect. */
  async function settleOnConnect(message: Hello) {
    const reported = new Map(message.active.map((a) => [a.executionId, a]));
    for (const execution of await work.active(orgId, envId, message.agentId)) {
      if (reported.has(execution.id)) {
        inflight.add(execution.id);
      } else if (execution.status === "assigned") {
        inflight.add(execution.id);
        send(runCommand(execution, await logs.committedOffset(orgId, envId, execution.id)));
      } else {
        await work.markLost(
          orgId,
          envId,
          execution.id,
          "the agent reconnected without this execution (it restarted)",
        );
      }
    }
    for (const id of reported.keys()) {
      if (inflight.has(id)) continue;
      const execution = await work.get(orgId, envId, id);
      if (!execution || work.isTerminal(execution.status)) {
        // Let the agent flush a held result (a no-op now), but stop anything still running.
        if (!reported.get(id)?.finished) sendAbort(id, `execution is ${execution?.status ?? "unknown"}`);
      }
    }
  }

  function sendAbort(executionId: string, reason: string) {
    if (abortsSent.has(executionId)) return;
    abortsSent.add(executionId);
    send(abortCommand(executionId, reason));
  }

  /** A reconcile waiting in the work lane; doorbells and sweeps that arrive meanwhile join it. */
  let pendingReconcile: Promise<void> | undefined;

  /**
   * Claims work up to the agent's capacity and forwards abort requests. At most one reconcile
   * waits at a time: a burst of doorbells or sweeps behind a slow store coalesces into one
   * instead of a chain that grows with every tick.
   */
  function reconcile(): Promise<void> {
    pendingReconcile ??= workLane(async () => {
      // From here on a new doorbell must queue another pass: work may arrive after our query.
      pendingReconcile = undefined;
      if (state !== "ready" || !hello) return;
      const capacity = Math.max(0, (hello.maxConcurrency || 1) - inflight.size);
      for (const execution of await work.claim(orgId, envId, hello.agentId, capacity)) {
        inflight.add(execution.id);
        send(runCommand(execution, 0));
      }
      if (inflight.size > 0) await forwardAborts(await work.active(orgId, envId, hello.agentId));
    });
    return pendingReconcile;
  }

  /** Reconciles when the environment may have queued work (a shared check, see the gateway). */
  async function reconcileIfQueued() {
    if (!deps.mayHaveWork || (await deps.mayHaveWork())) await reconcile();
  }

  const freeCapacity = () =>
    state === "ready" && hello ? Math.max(0, (hello.maxConcurrency || 1) - inflight.size) : 0;

  /**
   * Claims one execution a doorbell offered, by id: "claimed" (the command is sent), "gone"
   * (no longer queued: another agent won it, or it was aborted) or "busy" (no free capacity, or
   * the store failed: the next session, or the sweep, takes it).
   */
  function offer(executionId: string): Promise<"claimed" | "gone" | "busy"> {
    return new Promise((resolve) => {
      void workLane(async () => {
        const agentId = hello?.agentId;
        if (freeCapacity() === 0 || !agentId) return resolve("busy");
        try {
          const execution = await work.claimOffered(orgId, envId, agentId, executionId);
          if (!execution) return resolve("gone");
          inflight.add(execution.id);
          send(runCommand(execution, 0));
          resolve("claimed");
        } catch (error) {
          logger.warn(
            { err: error instanceof Error ? error.message : String(error) },
            "offered work not claimed",
          );
          resolve("busy");
        }
      });
    });
  }

  async function forwardAborts(active: Execution[]) {
    const stillActive = new Set(active.map((e) => e.id));
    for (const execution of active) {
      if (execution.abortRequestedAt) sendAbort(execution.id, "aborted by a user");
    }
    for (const id of inflight) {
      if (stillActive.has(id)) continue;
      const execution = await work.get(orgId, envId, id);
      if (!execution || work.isTerminal(execution.status)) {
        inflight.delete(id);
        if (execution?.status !== "passed" && execution?.status !== "failed") {
          sendAbort(id, `execution is ${execution?.status ?? "deleted"}`);
        }
      }
    }
  }

  async function handle(message: AgentMessage) {
    const kind = message.kind;
    if (!kind) throw new AppError("invalid_argument", "empty agent message");
    if (kind.$case === "hello") return onHello(kind.value);
    if (state === "handshaking") throw new AppError("failed_precondition", "the first message must be hello");
    const agentId = hello?.agentId ?? "";
    switch (kind.$case) {
      case "heartbeat":
        if (inflight.size > 0) await work.renewLeases(orgId, envId, agentId, [...inflight]);
        return;
      case "commandAck":
        if (!kind.value.accepted && kind.value.commandId.startsWith("run-")) {
          inflight.delete(kind.value.executionId);
          await work.release(orgId, envId, agentId, kind.value.executionId);
          logger.info(
            { executionId: kind.value.executionId, reason: kind.value.reason },
            "agent refused work",
          );
        }
        return;
      case "started":
        return work.started(orgId, envId, agentId, kind.value.executionId, kind.value.startedAtMs);
      case "stepUpdate": {
        const execution = await work.get(orgId, envId, kind.value.executionId);
        if (!execution || execution.agentId !== agentId || work.isTerminal(execution.status)) return;
        const known = execution.steps.find((s) => s.ref === kind.value.stepRef);
        const step = toStepState(kind.value, known);
        if (step) await work.stepUpdate(orgId, envId, execution.id, step);
        return;
      }
      case "logChunk":
        return storeChunks([kind.value]);
      case "artifactUpload":
      case "artifactComplete":
        return deps.artifacts?.handle({ orgId, envId, agentId }, kind, send);
      case "credentialRequest":
        return deps.credentials?.handle({ orgId, envId, agentId }, kind.value, send);
      case "result":
        return onResult(agentId, kind.value);
      case "goodbye":
        logger.info({ reason: kind.value.reason }, "agent said goodbye");
        close();
        return;
    }
  }

  /**
   * Log chunks that arrived back to back and wait in the lane: stored together. While the
   * stream's puts are in flight the agent keeps sending, so under load each put carries many
   * chunks (fewer, larger objects; one acknowledgement for the run) and without load each
   * chunk is stored at once.
   */
  let openBatch: LogChunk[] | undefined;
  let openBatchBytes = 0;
  /** Log puts of this stream in flight (each resolves after its LogAck was sent). */
  const storing = new Set<Promise<void>>();

  async function storeChunks(chunks: LogChunk[]) {
    if (state === "handshaking") throw new AppError("failed_precondition", "the first message must be hello");
    const agentId = hello?.agentId ?? "";
    for (const run of contiguousRuns(chunks, MAX_MERGED_LOG_BYTES)) {
      if (!inflight.has(run.executionId)) {
        const execution = await work.get(orgId, envId, run.executionId);
        if (!execution || execution.agentId !== agentId) {
          throw new AppError("permission_denied", `execution ${run.executionId} is not held by this agent`);
        }
      }
      // Bounded pipelining: the next put starts while earlier ones are in flight.
      while (storing.size >= MAX_LOG_PUTS_IN_FLIGHT) await Promise.race(storing);
      const { stored } = await logs.begin(orgId, envId, run.executionId, {
        offset: run.offset,
        step: run.stepRef.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 64) || "run",
        data: run.parts.length === 1 ? (run.parts[0] ?? new Uint8Array()) : Buffer.concat(run.parts),
      });
      // Acks leave in log order: each `stored` settles after the earlier puts of the execution.
      const acked: Promise<void> = stored.then(
        (committedOffset) => {
          storing.delete(acked);
          send({ kind: { $case: "logAck", value: logAck(run.executionId, committedOffset) } });
        },
        (error: unknown) => {
          storing.delete(acked);
          fail(error);
        },
      );
      storing.add(acked);
    }
  }

  async function onResult(
    agentId: string,
    result: Extract<AgentMessage["kind"], { $case: "result" }>["value"],
  ) {
    const { executionId } = result;
    const committedOffset = await logs.committedOffset(orgId, envId, executionId);
    const ack = (accepted: boolean, reason = "") =>
      send({ kind: { $case: "resultAck", value: { executionId, accepted, committedOffset, reason } } });
    // A truncated log is complete once storage holds everything up to the limit.
    const complete = result.logTruncated && committedOffset >= maxLogBytes;
    if (committedOffset < result.logBytes && !complete)
      return ack(false, "log bytes missing: resend from committed_offset");
    const status = toResultStatus(result.status);
    if (!status)
      throw new AppError("invalid_argument", `result.status ${result.status} is not a final status`);
    const execution = await work.get(orgId, envId, executionId);
    const steps = result.steps
      .map((update) =>
        toStepState(
          update,
          execution?.steps.find((s) => s.ref === update.stepRef),
        ),
      )
      .filter((s) => s !== undefined);
    const merged = (execution?.steps ?? []).map((s) => steps.find((u) => u.ref === s.ref) ?? s);
    await work.finish(orgId, envId, agentId, executionId, {
      status,
      message: result.message,
      logBytes: committedOffset,
      steps: merged,
      truncated: result.logTruncated || committedOffset >= maxLogBytes,
    });
    inflight.delete(executionId);
    ack(true);
    void reconcileIfQueued();
  }

  const session = {
    id: sessionId,
    principal,
    tokenHash: deps.tokenHash,
    get state() {
      return state;
    },
    get agentId() {
      return hello?.agentId;
    },
    /** How many more executions the agent may take now (0 until it said hello). */
    get freeCapacity() {
      return freeCapacity();
    },
    offer,
    /** True while this stream holds executions (their aborts are looked for on every sweep). */
    get holdsWork() {
      return inflight.size > 0;
    },
    get info() {
      return {
        sessionId,
        agentId: hello?.agentId,
        version: hello?.agentVersion,
        hostname: hello?.hostname,
        capabilities: hello?.capabilities ?? [],
        connectedAt: new Date(openedAtMs).toISOString(),
        lastHeartbeatAt: new Date(lastReceivedMs).toISOString(),
        running: inflight.size,
      };
    },
    receive(message: AgentMessage) {
      lastReceivedMs = clock.now();
      const kind = message.kind;
      if (kind?.$case !== "logChunk") {
        // Any other message closes the batch: nothing is stored out of its arrival order.
        openBatch = undefined;
        void inOrder(() => handle(message));
        return;
      }
      if (openBatch && openBatchBytes + kind.value.data.length <= MAX_MERGED_LOG_BYTES) {
        openBatch.push(kind.value);
        openBatchBytes += kind.value.data.length;
        return;
      }
      const batch = [kind.value];
      openBatch = batch;
      openBatchBytes = kind.value.data.length;
      void inOrder(async () => {
        // While earlier puts are in flight the batch keeps growing toward one full object, so
        // a fast producer gets few large puts; with nothing in flight it is stored at once.
        while (openBatch === batch && storing.size > 0) await Promise.race(storing);
        if (openBatch === batch) openBatch = undefined;
        return storeChunks(batch);
      });
    },
    reconcile,
    /** Called by the gateway's ticker: heartbeats, dead stream detection, stream age. */
    tick(nowMs: number) {
      if (state === "closed") return;
      if (nowMs - lastReceivedMs > timings.deadAfterMs) {
        logger.warn({ silentMs: nowMs - lastReceivedMs }, "agent stream silent too long: closing");
        close(new AppError("unavailable", "no message from the agent within the dead-after interval"));
        return;
      }
      if (state !== "handshaking" && nowMs - lastSentMs >= timings.heartbeatIntervalMs) {
        send({ kind: { $case: "heartbeat", value: { sentAtMs: nowMs, running: 0 } } });
      }
    },
    /** Asks the agent to reconnect elsewhere (ingress draining). */
    drain(afterMs: number) {
      if (state === "closed" || state === "draining") return;
      state = "draining";
      send({ kind: { $case: "reconnect", value: { reason: "ingress is draining", afterMs } } });
    },
    close,
    /** Resolves when every message received so far has been handled and its logs stored. */
    flushed: () =>
      inOrder(async () => {
        await Promise.all(storing);
      }),
  };
  return session;
}

export type AgentSession = ReturnType<typeof createAgentSession>;
