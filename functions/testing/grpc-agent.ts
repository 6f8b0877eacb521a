/**
 * A minimal agent for tests outside the ingress's own: registers `name` with a token (once),
 * opens a stream, says hello, answers nothing else, and reports when the ingress ends the stream.
 */
import { readFileSync } from "node:fs";
import { AgentGatewayClient, type ControlMessage, PROTOCOL_VERSION } from "@assay/shared/proto";
import * as grpc from "@grpc/grpc-js";
import { helloIdentity, identityFor } from "./agent-identity.ts";

export function connectTestAgent(
  target: { ingressUrl: string; caFile: string },
  token: string,
  name: string,
) {
  const address = target.ingressUrl.replace("https://", "");
  const client = new AgentGatewayClient(address, grpc.credentials.createSsl(readFileSync(target.caFile)));
  const identity = identityFor(client, address, token, name);
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  const call = client.connect(metadata);
  let welcomed = false;
  let ended: { code?: number; details?: string } | undefined;
  call.on("data", (m: ControlMessage) => {
    if (m.kind?.$case === "welcome") welcomed = true;
  });
  call.on("error", (e: grpc.ServiceError) => {
    ended = { code: e.code, details: e.details };
  });
  call.on("end", () => {
    ended ??= {};
  });
  let issuedId: string | undefined;
  const hello = identity.then((issued) => {
    issuedId = issued?.agentId;
    call.write({
      kind: {
        $case: "hello",
        value: {
          protocolVersion: PROTOCOL_VERSION,
          ...helloIdentity(issued, name),
          agentVersion: "9.9.9-test",
          hostname: "test-host",
          platform: "linux",
          capabilities: ["runner.process"],
          maxConcurrency: 1,
          active: [],
        },
      },
    });
  });
  const waitFor = async (check: () => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    return check();
  };
  return {
    /** The id the control plane issued (once registered). */
    agentId: () => issuedId,
    welcomed: (timeoutMs = 5_000) => waitFor(() => welcomed, timeoutMs),
    /** Resolves with how the stream ended, or undefined if still open after the timeout. */
    async ended(timeoutMs = 5_000) {
      await waitFor(() => ended !== undefined, timeoutMs);
      return ended;
    },
    /** Ends the stream as an agent rotating it does (Goodbye `reconnecting`), then closes. */
    rotate() {
      void hello.then(() => {
        call.write({ kind: { $case: "goodbye", value: { reason: "stream rotation", reconnecting: true } } });
        call.end();
        client.close();
      });
    },
    close() {
      void hello.then(() => {
        call.end();
        client.close();
      });
    },
  };
}
