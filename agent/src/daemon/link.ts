/**
 * One stream to the control plane (`AgentGateway.Connect`), from Hello to its end, as an
 * explicit state machine: `connecting -> handshaking -> ready -> draining -> closed`.
 *
 * The session sends Hello, waits for Welcome (or a gRPC status refusing it), then runs the
 * heartbeat and the max-age timer and hands every other message to the caller. It resolves
 * `ended` exactly once with why the stream ended; the reconcile loop in agent.ts decides what to
 * do about it (back off, reconnect at once, give up). The session never reconnects by itself.
 */

import {
  type AgentGatewayClient,
  type AgentMessage,
  type ControlMessage,
  type Hello,
  type Refusal,
  refusalIn,
  type Welcome,
} from "@assay/shared/proto";
import { type ClientDuplexStream, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import type { Clock } from "./clock.ts";
import { startHeartbeat } from "./heartbeat.ts";

export type LinkState = "connecting" | "handshaking" | "ready" | "draining" | "closed";

/** Why a stream ended. `welcomed` tells whether the handshake had completed. */
export type SessionEnd =
  | { kind: "status"; code: number; details: string; welcomed: boolean; refusal?: Refusal }
  | { kind: "dead"; welcomed: boolean }
  | { kind: "reconnect"; afterMs: number; reason: string }
  | { kind: "rotate" }
  | { kind: "closed" };

/** Defaults when the Welcome leaves a field at zero. */
export const LINK_DEFAULTS = {
  heartbeatIntervalMs: 15_000,
  deadAfterMs: 35_000,
  maxStreamAgeMs: 30 * 60_000,
} as const;

export interface SessionOptions {
  client: AgentGatewayClient;
  token: string;
  hello: Hello;
  clock: Clock;
  /** Every message after the Welcome. */
  onMessage(message: ControlMessage): void;
  onWelcome(welcome: Welcome): void;
  /** The transport took the buffered messages: send more. */
  onWritable(): void;
  /** Executions running now, reported in heartbeats. */
  running(): number;
  /** How long to wait for the Welcome, default 35 s. */
  handshakeTimeoutMs?: number;
  /** How long a closing stream may take to end before it is cancelled, default 2 s. */
  closeGraceMs?: number;
}

/** One open stream. */
export interface Session {
  readonly state: LinkState;
  /** Writes a message; false means the transport buffer is full: wait for `onWritable`. */
  send(message: AgentMessage): boolean;
  /** Half-closes the stream (after the buffered messages) and ends the session. */
  close(): void;
  readonly ended: Promise<SessionEnd>;
  /** Resolves when the call is fully over (status received, or cancelled after the grace). */
  readonly closed: Promise<void>;
}

/** Opens a stream and sends Hello. */
export const openSession = (options: SessionOptions): Session => {
  const { clock } = options;
  const closeGraceMs = options.closeGraceMs ?? 2000;
  let state: LinkState = "connecting";
  let welcomed = false;
  let resolveEnded: (end: SessionEnd) => void = () => {};
  const ended = new Promise<SessionEnd>((resolve) => {
    resolveEnded = resolve;
  });
  const cleanups: (() => void)[] = [];
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });

  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${options.token}`);
  const call: ClientDuplexStream<AgentMessage, ControlMessage> = options.client.connect(metadata);

  let settled = false;
  /** Resolves `ended` once and stops the timers; the call itself may still be draining. */
  const finish = (end: SessionEnd) => {
    if (settled) return;
    settled = true;
    if (state !== "draining") state = "closed";
    for (const cleanup of cleanups.splice(0)) cleanup();
    resolveEnded(end);
  };

  /** Half-close (buffered messages still go out); cancel if the server lingers past the grace. */
  const drain = (end: SessionEnd) => {
    if (settled) return;
    // A rotation or a Reconnect: this process opens the next stream at once, so the control
    // plane keeps its identity claimed (docs/protocol.md, "Agent identity").
    if (state === "ready" && (end.kind === "rotate" || end.kind === "reconnect")) {
      call.write({ kind: { $case: "goodbye", value: { reason: `stream ${end.kind}`, reconnecting: true } } });
    }
    state = "draining";
    call.end();
    const cancelTimer = clock.after(closeGraceMs, () => {
      call.cancel();
      state = "closed";
      markClosed();
    });
    call.once("status", () => {
      cancelTimer();
      state = "closed";
      markClosed();
    });
    finish(end);
  };

  const heartbeat = { touch: () => {}, stop: () => {} };
  cleanups.push(() => heartbeat.stop());

  const handshakeTimeout = clock.after(options.handshakeTimeoutMs ?? LINK_DEFAULTS.deadAfterMs, () => {
    if (welcomed) return;
    call.cancel();
    finish({ kind: "dead", welcomed: false });
  });
  cleanups.push(handshakeTimeout);

  call.on("data", (message: ControlMessage) => {
    if (settled) return;
    heartbeat.touch();
    const kind = message.kind;
    if (!welcomed) {
      if (kind?.$case !== "welcome") {
        call.cancel();
        finish({
          kind: "status",
          code: status.INTERNAL,
          details: `expected Welcome, got ${kind?.$case}`,
          welcomed,
        });
        return;
      }
      welcomed = true;
      state = "ready";
      handshakeTimeout();
      const welcome = kind.value;
      const beat = startHeartbeat({
        clock,
        intervalMs: welcome.heartbeatIntervalMs || LINK_DEFAULTS.heartbeatIntervalMs,
        deadAfterMs: welcome.deadAfterMs || LINK_DEFAULTS.deadAfterMs,
        beat: () => {
          call.write({
            kind: { $case: "heartbeat", value: { sentAtMs: clock.now(), running: options.running() } },
          });
        },
        onDead: () => {
          call.cancel();
          finish({ kind: "dead", welcomed: true });
        },
      });
      heartbeat.touch = beat.touch;
      heartbeat.stop = beat.stop;
      cleanups.push(
        clock.after(welcome.maxStreamAgeMs || LINK_DEFAULTS.maxStreamAgeMs, () => drain({ kind: "rotate" })),
      );
      options.onWelcome(welcome);
      return;
    }
    if (kind?.$case === "reconnect") {
      drain({ kind: "reconnect", afterMs: kind.value.afterMs, reason: kind.value.reason });
      return;
    }
    options.onMessage(message);
  });
  call.on("drain", () => {
    if (state === "ready") options.onWritable();
  });
  call.on("status", () => markClosed());
  call.on("error", (error: ServiceError) => {
    state = "closed";
    finish({
      kind: "status",
      code: error.code ?? status.UNKNOWN,
      details: error.details ?? error.message,
      welcomed,
      refusal: refusalIn(error.metadata),
    });
  });
  call.on("end", () => {
    // The server ended the stream with status OK.
    state = "closed";
    finish({ kind: "status", code: status.OK, details: "the server ended the stream", welcomed });
  });

  state = "handshaking";
  call.write({ kind: { $case: "hello", value: options.hello } });

  return {
    get state() {
      return state;
    },
    send(message) {
      if (state !== "ready") return false;
      return call.write(message);
    },
    close() {
      drain({ kind: "closed" });
    },
    ended,
    closed,
  };
};
