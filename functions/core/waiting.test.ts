import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AGENT_LABEL } from "@assay/shared/workflow";
import { type OnlineAgent, waitingReason } from "./waiting.ts";

const agent = (id: string, labels: Record<string, string>, containers = false): OnlineAgent => ({
  labels: { ...labels, [AGENT_LABEL]: id },
  containers,
});
const needsDocker = { containers: "required" as const, reason: "step s1 runs the entrypoint of busybox" };

describe("waiting reasons", () => {
  it("only queued runs wait; with no agent online, that is the reason", () => {
    assert.equal(waitingReason({ status: "running" }, "dev", []), undefined);
    assert.equal(waitingReason({ status: "queued" }, "dev", []), "waiting for an agent: none online in dev");
    assert.equal(waitingReason({ status: "queued" }, "dev", [agent("a1", {})]), undefined);
  });

  it("a target none of the online agents matches, counted", () => {
    const target = { match: { region: ["mars"] } };
    assert.equal(
      waitingReason({ status: "queued", target }, "local", [agent("a1", { region: "eu" })]),
      "waiting for an agent matching region=mars: none of the 1 online agent in local matches",
    );
    assert.equal(
      waitingReason({ status: "queued", target }, "local", [
        agent("a1", {}),
        agent("a2", { region: "mars" }),
      ]),
      undefined,
    );
  });

  it("a container runtime none of them has; an unmatched target is named first", () => {
    const twoProcessAgents = [agent("a1", { region: "eu" }), agent("a2", {})];
    assert.equal(
      waitingReason({ status: "queued", runtimeNeed: needsDocker }, "ci", twoProcessAgents),
      "waiting for an agent with a container runtime (docker): step s1 runs the entrypoint of busybox; none of the 2 online agents in ci has one",
    );
    assert.equal(
      waitingReason({ status: "queued", runtimeNeed: needsDocker }, "ci", [agent("a3", {}, true)]),
      undefined,
    );
    assert.equal(
      waitingReason(
        { status: "queued", runtimeNeed: { ...needsDocker, containers: "preferred" } },
        "ci",
        twoProcessAgents,
      ),
      undefined,
    );
    assert.match(
      waitingReason(
        { status: "queued", runtimeNeed: needsDocker, target: { match: { region: ["us"] } } },
        "ci",
        twoProcessAgents,
      ) ?? "",
      /^waiting for an agent matching region=us: none of the 2 online agents in ci matches$/,
    );
  });
});
