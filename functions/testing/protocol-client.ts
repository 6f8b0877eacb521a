/**
 * A protocol client for tests: a real grpc-js client on the ingress's TLS port, driven message
 * by message (`send`, `next(kind)`), so each rule of docs/protocol.md can be checked on the wire.
 */
import { readFileSync } from "node:fs";
import {
  AgentGatewayClient,
  type AgentMessage,
  type ControlMessage,
  ExecutionStatus,
  PROTOCOL_VERSION,
  type Refusal,
  refusalIn,
} from "@assay/shared/proto";
import * as grpc from "@grpc/grpc-js";
import { helloIdentity, identityFor } from "./agent-identity.ts";

type Kind = NonNullable<ControlMessage["kind"]>["$case"];
type Payload<K extends Kind> = Extract<NonNullable<ControlMessage["kind"]>, { $case: K }>["value"];

/** The result message of a run that passed with an empty log. */
export const passedResult = (executionId: string): NonNullable<AgentMessage["kind"]> => ({
  $case: "result",
  value: {
    executionId,
    status: ExecutionStatus.EXECUTION_STATUS_PASSED,
    finishedAtMs: Date.now(),
    logBytes: 0,
    logTruncated: false,
    message: "",
    steps: [],
  },
});

export function connect(plane: { ingressUrl: string; caFile: string }, token: string) {
  const target = plane.ingressUrl.replace("https://", "");
  const client = new AgentGatewayClient(target, grpc.credentials.createSsl(readFileSync(plane.caFile)));
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  const call = client.connect(metadata);
  const inbox: ControlMessage[] = [];
  const waiters: Array<() => void> = [];
  let ended: { code?: number; details?: string; refusal?: Refusal } | undefined;
  call.on("data", (m: ControlMessage) => {
    inbox.push(m);
    for (const w of waiters.splice(0)) w();
  });
  call.on("error", (e: grpc.ServiceError) => {
    ended = { code: e.code, details: e.details, refusal: refusalIn(e.metadata) };
    for (const w of waiters.splice(0)) w();
  });
  call.on("end", () => {
    ended ??= {};
    for (const w of waiters.splice(0)) w();
  });
  /** Writes wait for the registration a hello may need, so they keep their order. */
  let order: Promise<unknown> = Promise.resolve();
  const send = (kind: AgentMessage["kind"]) => {
    order = order.then(() => call.write({ kind }));
  };
  let issuedId: string | undefined;
  return {
    send,
    /** The id the control plane issued for the name given to `hello` (once it said hello). */
    agentId: () => issuedId,
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
    /**
     * Says hello as the agent `name`: registered on first use (per token), the same identity and
     * process instance afterwards. A refused registration sends the bare name (which the
     * ingress then refuses: this is how tests see a bad token's status).
     */
    hello(
      name: string,
      active: Array<{ executionId: string; logBytes: number; finished: boolean }> = [],
      maxConcurrency = 2,
      agentVersion = "test",
      capabilities = ["runner.process", "logs.offsets"],
    ) {
      const identity = identityFor(client, target, token, name);
      order = order.then(async () => {
        const issued = await identity;
        issuedId = issued?.agentId;
        call.write({
          kind: {
            $case: "hello",
            value: {
              protocolVersion: PROTOCOL_VERSION,
              ...helloIdentity(issued, name),
              agentVersion,
              hostname: "test-host",
              platform: "linux",
              capabilities,
              maxConcurrency,
              active,
            },
          },
        });
      });
    },
    close() {
      void order.then(() => {
        call.end();
        client.close();
      });
    },
  };
}
