/**
 * Typed refusals on the wire: a real grpc-js client against the real ingress over TLS on
 * loopback. An agent whose protocol version is no longer supported gets FAILED_PRECONDITION with
 * a `Refusal` naming the versions and the install command; Register is rate-limited per token
 * and per source with RESOURCE_EXHAUSTED and a retry-after.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import {
  AgentGatewayClient,
  type Hello,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  type Refusal,
  Refusal_Reason,
  refusalIn,
} from "@assay/shared/proto";
import * as grpc from "@grpc/grpc-js";
import { registerCall, registerOnce } from "../testing/agent-identity.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { connect } from "../testing/protocol-client.ts";
import { sourceOf } from "./agent-gateway.ts";

const hello = (fields: Partial<Hello>): Hello => ({
  protocolVersion: PROTOCOL_VERSION,
  agentId: "",
  agentSecret: "",
  instanceId: "",
  agentVersion: "0.0.1",
  hostname: "old-host",
  platform: "linux",
  capabilities: ["runner.process"],
  maxConcurrency: 1,
  active: [],
  ...fields,
});

/** One Register call to the plane's ingress. */
const register = (plane: TestControlPlane, token: string) =>
  registerCall(plane.ingressUrl.replace("https://", ""), plane.caFile, token);

describe("refusals", () => {
  let plane: TestControlPlane;
  before(async () => {
    plane = await startTestControlPlane({
      tenancy: {
        rateLimits: {
          "register:token": { limit: 3, windowSeconds: 3600 },
          "register:source": { limit: 5, windowSeconds: 3600 },
        },
      },
    });
  });
  after(async () => {
    await plane?.stop();
  });

  /** Says `value` as the first message; resolves with how the stream ended. */
  const helloEnds = async (value: Hello) => {
    const agent = connect(plane, plane.agentToken);
    agent.send({ $case: "hello", value });
    const ended = await agent.ended();
    agent.close();
    return ended;
  };

  test("an agent from before issued identities is told to upgrade, with the install command", async () => {
    // Version 1 without a secret: an agent that chose its own id (it used to get NOT_FOUND forever).
    const agent = connect(plane, plane.agentToken);
    agent.send({ $case: "hello", value: hello({ protocolVersion: 1, agentId: "my-laptop" }) });
    const ended = await agent.ended();
    agent.close();
    assert.equal(ended?.code, grpc.status.FAILED_PRECONDITION);
    assert.match(ended?.details ?? "", /agent protocol version 1 is not supported \(the agent is too old/);
    const refusal = ended?.refusal;
    assert.equal(refusal?.reason, Refusal_Reason.REASON_PROTOCOL_UNSUPPORTED);
    assert.equal(refusal?.protocolVersion, 1);
    assert.equal(refusal?.minProtocolVersion, MIN_PROTOCOL_VERSION);
    assert.equal(refusal?.maxProtocolVersion, PROTOCOL_VERSION);
    // The environment's own npx command, with the token as a placeholder.
    assert.equal(
      refusal?.upgradeCommand,
      `ASSAY_AGENT_TOKEN='<AGENT_TOKEN>' npx --yes ${plane.apiUrl}/agent/assay-agent-0.1.0.tgz agent --url ${plane.ingressUrl} --ca-file '${plane.caFile}'`,
    );
    assert.ok(ended?.details?.includes(refusal?.upgradeCommand ?? "?"), "old agents print the details");
  });

  test("a newer protocol than the control plane's is refused as newer", async () => {
    const ended = await helloEnds(hello({ protocolVersion: PROTOCOL_VERSION + 1, agentId: "x" }));
    assert.equal(ended?.code, grpc.status.FAILED_PRECONDITION);
    assert.match(ended?.details ?? "", /newer than this control plane/);
    assert.equal(ended?.refusal?.protocolVersion, PROTOCOL_VERSION + 1);
  });

  test("agents on the current version, and identity agents that still said 1, are welcomed", async () => {
    const address = plane.ingressUrl.replace("https://", "");
    const client = new AgentGatewayClient(address, grpc.credentials.createSsl(readFileSync(plane.caFile)));
    for (const protocolVersion of [PROTOCOL_VERSION, 1]) {
      const issued = await registerOnce(client, plane.agentToken, `current-${protocolVersion}`);
      assert.ok(issued, "registered");
      const agent = connect(plane, plane.agentToken);
      agent.send({ $case: "hello", value: hello({ protocolVersion, ...issued }) });
      const welcome = await agent.next("welcome");
      assert.equal(welcome.protocolVersion, PROTOCOL_VERSION);
      agent.close();
    }
    client.close();
  });

  test("Register is limited per token, then per source, with a retry-after", async () => {
    // Two registrations above used the token: one more is allowed.
    assert.equal((await register(plane, plane.agentToken)).code, grpc.status.OK);
    const limited = await register(plane, plane.agentToken);
    assert.equal(limited.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(limited.refusal?.reason, Refusal_Reason.REASON_RATE_LIMITED);
    const retryAfterMs = Number(limited.refusal?.retryAfterMs);
    assert.ok(retryAfterMs > 0 && retryAfterMs <= 3_600_000, `retry after ${retryAfterMs} ms`);
    // The source has made four calls; a bad token's fifth is still answered as a bad token,
    // a sixth is refused before its token is even looked at.
    assert.equal((await register(plane, "asy_agent_not_a_token")).code, grpc.status.UNAUTHENTICATED);
    const stranger = await register(plane, "asy_agent_not_a_token");
    assert.equal(stranger.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(stranger.refusal?.reason, Refusal_Reason.REASON_RATE_LIMITED);
  });

  test("the source of a call is its peer's address without the port", () => {
    assert.equal(sourceOf("ipv4:127.0.0.1:51234"), "127.0.0.1");
    assert.equal(sourceOf("127.0.0.1:51234"), "127.0.0.1");
    assert.equal(sourceOf("ipv6:[::1]:51234"), "::1");
    assert.equal(sourceOf("[2001:db8::1]:443"), "2001:db8::1");
  });
});
