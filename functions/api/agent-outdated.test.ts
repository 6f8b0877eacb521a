/**
 * The "outdated agent" flag end to end: agents connected over the real ingress report their
 * version in the hello, and `GET .../agents` (what the dashboard's badge reads) flags the ones
 * older than MIN_AGENT_VERSION or reporting no version, and not the current one.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ASSAY_VERSION } from "@assay/shared";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { connect } from "../testing/protocol-client.ts";

describe("outdated agents are flagged in the agent list", () => {
  let plane: TestControlPlane;
  before(async () => {
    plane = await startTestControlPlane();
  });
  after(() => plane?.stop());

  test("an old and an unversioned agent are outdated, the current one is not", async () => {
    const streams = [];
    const expected = new Map<string, boolean>();
    for (const [version, outdated] of [
      ["0.0.9", true],
      ["", true],
      [ASSAY_VERSION, false],
    ] as const) {
      const agent = connect(plane, plane.agentToken);
      agent.hello(`v-${version || "none"}`, [], 1, version);
      await agent.next("welcome");
      streams.push(agent);
      expected.set(agent.agentId() ?? "", outdated);
    }
    let listed: Array<{ agentId: string; version: string; outdated: boolean; status: string }> = [];
    for (let i = 0; i < 100 && listed.length < 3; i++) {
      const res = await plane.api(`${plane.envPath}/agents`);
      listed = ((await res.json()) as { items: typeof listed }).items.filter((a) => a.status === "online");
      if (listed.length < 3) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(listed.length, 3);
    for (const agent of listed) assert.equal(agent.outdated, expected.get(agent.agentId), agent.version);
    for (const s of streams) s.close();
  });
});
