/**
 * Many lightweight simulated agents: each holds its own HTTP/2 connection and one Connect
 * stream, says hello, heartbeats, and on any stream end reconnects with the agent's own
 * full-jitter backoff (agent/src/daemon/backoff.ts). They record when each reconnect attempt was
 * planned (the moment of the disconnect plus the drawn delay: what the jitter decides, whatever
 * the machine's load) and when each (re)connection was welcomed, so a test can see how a fleet
 * comes back after an ingress restart.
 */
import { readFileSync } from "node:fs";
import {
  AgentGatewayClient,
  type AgentMessage,
  type ControlMessage,
  PROTOCOL_VERSION,
} from "@assay/shared/proto";
import * as grpc from "@grpc/grpc-js";
import { createBackoff } from "../../agent/src/daemon/backoff.ts";
import { helloIdentity, identityFor } from "../../functions/testing/agent-identity.ts";

export interface SimulatedFleet {
  /** Agents with a welcomed stream right now. */
  readonly connected: number;
  /** Welcome times (epoch ms) of every handshake since the fleet started. */
  readonly welcomes: number[];
  /** Planned times (epoch ms) of every reconnect attempt: disconnect time plus backoff delay. */
  readonly attempts: number[];
  /** How streams ended, by gRPC status details (diagnostics for a failed wait). */
  readonly endings: Map<string, number>;
  stop(): void;
}

export function startSimulatedFleet(options: {
  count: number;
  address: string;
  caFile: string;
  token: string;
  heartbeatMs: number;
}): SimulatedFleet {
  const ca = readFileSync(options.caFile);
  const welcomes: number[] = [];
  const attempts: number[] = [];
  let connected = 0;
  let stopped = false;
  const stops: Array<() => void> = [];
  const endings = new Map<string, number>();

  for (let i = 0; i < options.count; i++) {
    // A private subchannel pool: one TCP connection per agent, as real agents have.
    const client = new AgentGatewayClient(options.address, grpc.credentials.createSsl(ca), {
      "grpc.use_local_subchannel_pool": 1,
      "grpc.initial_reconnect_backoff_ms": 100,
    });
    const backoff = createBackoff({ random: Math.random });
    let call: grpc.ClientDuplexStream<AgentMessage, ControlMessage> | undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    let retry: NodeJS.Timeout | undefined;
    let welcomed = false;

    const connect = async () => {
      if (stopped) return;
      // Registered once (a storm of reconnects reuses the identity, as real agents do).
      const issued = await identityFor(client, options.address, options.token, `sim-${i}`);
      if (stopped) return;
      const metadata = new grpc.Metadata();
      metadata.set("authorization", `Bearer ${options.token}`);
      const current = client.connect(metadata);
      call = current;
      let ended = false;
      const onEnd = () => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        if (welcomed) connected--;
        welcomed = false;
        if (stopped) return;
        const delay = backoff.next();
        attempts.push(Date.now() + delay);
        retry = setTimeout(connect, delay);
      };
      current.on("data", (message: ControlMessage) => {
        if (message.kind?.$case !== "welcome" || welcomed) return;
        welcomed = true;
        connected++;
        welcomes.push(Date.now());
        backoff.reset();
      });
      current.on("error", (error: grpc.ServiceError) => {
        const key = `${error.code}: ${error.details}`.slice(0, 120);
        endings.set(key, (endings.get(key) ?? 0) + 1);
        onEnd();
      });
      current.on("end", onEnd);
      current.write({
        kind: {
          $case: "hello",
          value: {
            protocolVersion: PROTOCOL_VERSION,
            ...helloIdentity(issued, `sim-${i}`),
            agentVersion: "sim",
            hostname: "sim",
            platform: "linux",
            capabilities: [],
            maxConcurrency: 0,
            active: [],
          },
        },
      });
      heartbeat = setInterval(
        () => current.write({ kind: { $case: "heartbeat", value: { sentAtMs: Date.now(), running: 0 } } }),
        options.heartbeatMs,
      );
    };
    // Spread the initial connections a little, as a fleet started over time would be.
    retry = setTimeout(connect, Math.floor(Math.random() * 2_000));
    stops.push(() => {
      clearTimeout(retry);
      clearInterval(heartbeat);
      call?.cancel();
      client.close();
    });
  }

  return {
    endings,
    get connected() {
      return connected;
    },
    welcomes,
    attempts,
    stop() {
      stopped = true;
      for (const stop of stops) stop();
    },
  };
}

/** Counts events per bucket of `bucketMs` from `fromMs`: the reconnect rate over time. */
export function histogram(times: number[], fromMs: number, bucketMs: number): number[] {
  const buckets: number[] = [];
  for (const t of times) {
    if (t < fromMs) continue;
    const i = Math.floor((t - fromMs) / bucketMs);
    while (buckets.length <= i) buckets.push(0);
    buckets[i] = (buckets[i] ?? 0) + 1;
  }
  return buckets;
}
