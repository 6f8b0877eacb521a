/**
 * A protocol client for tests: a real grpc-js client on the ingress's TLS port, driven message
 * by message (`send`, `next(kind)`), so each rule of docs/protocol.md can be checked on the wire.
 */
import { readFileSync } from "node:fs";
import {
  AgentGatewayClient,
  type AgentMessage,
  type ControlMessage,
  PROTOCOL_VERSION,
} from "@assay/shared/proto";
import * as grpc from "@grpc/grpc-js";

type Kind = NonNullable<ControlMessage["kind"]>["$case"];
type Payload<K extends Kind> = Extract<NonNullable<ControlMessage["kind"]>, { $case: K }>["value"];

export function connect(plane: { ingressUrl: string; caFile: string }, token: string) {
  const client = new AgentGatewayClient(
    plane.ingressUrl.replace("https://", ""),
    grpc.credentials.createSsl(readFileSync(plane.caFile)),
  );
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  const call = client.connect(metadata);
  const inbox: ControlMessage[] = [];
  const waiters: Array<() => void> = [];
  let ended: { code?: number; details?: string } | undefined;
  call.on("data", (m: ControlMessage) => {
    inbox.push(m);
    for (const w of waiters.splice(0)) w();
  });
  call.on("error", (e: grpc.ServiceError) => {
    ended = { code: e.code, details: e.details };
    for (const w of waiters.splice(0)) w();
  });
  call.on("end", () => {
    ended ??= {};
    for (const w of waiters.splice(0)) w();
  });
  const send = (kind: AgentMessage["kind"]) => call.write({ kind });
  return {
    send,
    /** Next message of a kind (earlier messages of other kinds stay in the inbox). */
    async next<K extends Kind>(kind: K, timeoutMs = 10_000): Promise<Payload<K>> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const i = inbox.findIndex((m) => m.kind?.$case === kind);
        if (i >= 0) {
          const kindOf = inbox.splice(i, 1)[0]?.kind as unknown as { value: Payload<K> };
          return kindOf.value;
        }
        if (ended)
          throw new Error(`stream ended (${ended.code}: ${ended.details}) while waiting for ${kind}`);
        if (Date.now() > deadline) throw new Error(`no ${kind} within ${timeoutMs} ms`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
    async ended(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return ended;
    },
    hello(
      agentId: string,
      active: Array<{ executionId: string; logBytes: number; finished: boolean }> = [],
      maxConcurrency = 2,
    ) {
      send({
        $case: "hello",
        value: {
          protocolVersion: PROTOCOL_VERSION,
          agentId,
          agentVersion: "test",
          hostname: "test-host",
          platform: "linux",
          capabilities: ["runner.process", "logs.offsets"],
          maxConcurrency,
          active,
        },
      });
    },
    close() {
      call.end();
      client.close();
    },
  };
}
