/**
 * A raw grpc-js client that speaks the agent protocol itself, so a benchmark can timestamp the
 * moment a message arrives (no agent runtime between the wire and the clock) and drive the
 * stream as hard as the protocol allows. Each client owns its channel and subchannel, so every
 * agent is its own HTTP/2 connection, as real agents are.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import {
  AgentGatewayClient,
  type AgentMessage,
  type ControlMessage,
  PROTOCOL_VERSION,
} from "@assay/shared/proto";
import * as grpc from "@grpc/grpc-js";
import { helloIdentity, identityFor, type TestIdentity } from "../../../functions/testing/agent-identity.ts";

export type ControlKind = NonNullable<ControlMessage["kind"]>["$case"];
export type ControlPayload<K extends ControlKind> = Extract<
  NonNullable<ControlMessage["kind"]>,
  { $case: K }
>["value"];

export interface RawAgentOptions {
  /** host:port */
  address: string;
  /** PEM of the CA for TLS; plaintext h2c when absent. */
  caPem?: Buffer;
  token: string;
  agentId: string;
  /**
   * The identity this agent was issued earlier (an agent reconnecting with its identity.json);
   * absent, the agent registers `agentId` first (once per address and token).
   */
  identity?: TestIdentity;
  maxConcurrency?: number;
  /** Called on every message with its arrival time (performance.now(), ms). */
  onMessage?: (message: ControlMessage, atMs: number) => void;
}

/** Reads a CA file once for many clients. */
export const readCa = (file: string): Buffer => readFileSync(file);

export function connectRawAgent(options: RawAgentOptions) {
  const credentials = options.caPem
    ? grpc.credentials.createSsl(options.caPem)
    : grpc.credentials.createInsecure();
  const client = new AgentGatewayClient(options.address, credentials, {
    // One connection per agent: no sharing of the global subchannel pool between clients.
    "grpc.use_local_subchannel_pool": 1,
    // The self-signed certificate names localhost.
    ...(options.caPem ? { "grpc.ssl_target_name_override": "localhost" } : {}),
  });
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${options.token}`);
  const call = client.connect(metadata);
  const waiters = new Map<ControlKind, Array<(value: unknown) => void>>();
  let ended: string | undefined;
  /** Rejecters of pending `next` calls, run when the stream ends. */
  const pending = new Set<() => void>();

  call.on("data", (m: ControlMessage) => {
    const at = performance.now();
    options.onMessage?.(m, at);
    const kind = m.kind?.$case;
    if (!kind) return;
    const list = waiters.get(kind);
    const first = list?.shift();
    if (first) first(m.kind?.value);
  });
  const finish = (why: string) => {
    ended ??= why;
    for (const reject of [...pending]) reject();
  };
  call.on("error", (e: grpc.ServiceError) => finish(`${e.code}: ${e.details}`));
  call.on("end", () => finish("ended"));

  /** Messages sent while the hello waits for its registration go out after it, in order. */
  let queued: Promise<unknown> | undefined;
  const send = (kind: AgentMessage["kind"]) => {
    if (queued) queued = queued.then(() => call.write({ kind }));
    else call.write({ kind });
  };
  return {
    call,
    send,
    get ended() {
      return ended;
    },
    /**
     * Says hello as `options.identity`, else as `options.agentId` (registered once per address
     * and token: the control plane issues the real id); resolves with the welcome (or rejects if
     * the stream ends first).
     */
    async hello(timeoutMs = 60_000) {
      const identity =
        options.identity ?? identityFor(client, options.address, options.token, options.agentId);
      let helloWritten: () => void = () => {};
      queued = new Promise<void>((resolve) => {
        helloWritten = resolve;
      });
      const issued = await identity;
      const welcome = this.next("welcome", timeoutMs);
      call.write({
        kind: {
          $case: "hello",
          value: {
            protocolVersion: PROTOCOL_VERSION,
            ...helloIdentity(issued, options.agentId),
            agentVersion: "bench",
            hostname: "bench",
            platform: "linux",
            capabilities: ["runner.process"],
            maxConcurrency: options.maxConcurrency ?? 1,
            active: [],
          },
        },
      });
      helloWritten();
      return welcome;
    },
    /** The next message of a kind that arrives from now on. */
    next<K extends ControlKind>(kind: K, timeoutMs = 30_000): Promise<ControlPayload<K>> {
      return new Promise((resolve, reject) => {
        if (ended) return reject(new Error(`stream ended (${ended}) before ${kind}`));
        const list = waiters.get(kind) ?? [];
        waiters.set(kind, list);
        const settle = () => {
          clearTimeout(timer);
          pending.delete(onEnd);
          const i = list.indexOf(onValue);
          if (i >= 0) list.splice(i, 1);
        };
        const onValue = (value: unknown) => {
          settle();
          (resolve as (v: unknown) => void)(value);
        };
        const onEnd = () => {
          settle();
          reject(new Error(`stream ended (${ended}) before ${kind}`));
        };
        const timer = setTimeout(() => {
          settle();
          reject(new Error(`no ${kind} within ${timeoutMs} ms`));
        }, timeoutMs);
        list.push(onValue);
        pending.add(onEnd);
      });
    },
    close() {
      const end = () => {
        call.end();
        client.close();
      };
      // After whatever send() still queues (a Goodbye before a rotation's half-close).
      if (queued) void queued.then(end);
      else end();
    },
  };
}

export type RawAgent = ReturnType<typeof connectRawAgent>;
