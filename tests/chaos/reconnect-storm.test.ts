/**
 * A fleet of simulated agents reconnects after the ingress is killed and restarted: all are back
 * within 60 s and the reconnect attempts show the jitter (no spike in any 250 ms window). The
 * spike is measured on the planned attempt times (disconnect plus drawn delay), which only the
 * backoff decides: welcome times also depend on how fast a loaded machine lets the ingress
 * accept, and bunched up under load without any herd. The short
 * variant (in `npm test`) uses 200 agents; `npm run chaos` uses 1,000 (ASSAY_CHAOS_AGENTS).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { histogram, type SimulatedFleet, startSimulatedFleet } from "./simulated-agents.ts";
import { startTopology, type Topology, waitFor } from "./topology.ts";

const COUNT = Number(process.env.ASSAY_CHAOS_AGENTS ?? 200);
/** Production timings: simulated agents heartbeat every 10 s, well inside 35 s. */
const TIMINGS = {
  ASSAY_HEARTBEAT_INTERVAL_MS: "15000",
  ASSAY_DEAD_AFTER_MS: "35000",
  ASSAY_SWEEP_INTERVAL_MS: "5000",
  ASSAY_DRAIN_GRACE_MS: "10000",
};

describe(`chaos: ${COUNT} agents reconnect after an ingress restart`, () => {
  let topo: Topology;
  let fleet: SimulatedFleet;
  before(async () => {
    topo = await startTopology({ ingresses: 1, timings: TIMINGS });
  });
  after(async () => {
    fleet?.stop();
    await topo?.stop();
  });

  test("all come back within 60 s, spread by jitter", async () => {
    fleet = startSimulatedFleet({
      count: COUNT,
      address: `localhost:${topo.proxy.port}`,
      caFile: topo.plane.caFile,
      token: topo.plane.agentToken,
      heartbeatMs: 10_000,
    });
    await waitFor(
      "the fleet to connect",
      async () => (fleet.connected === COUNT ? true : undefined),
      120_000,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}: ${fleet.connected} connected; streams ended: ${JSON.stringify([...fleet.endings])}`,
      );
    });

    const killedAt = Date.now();
    await topo.stopIngress(0, "SIGKILL");
    await topo.restartIngress(0);
    const restartedAt = Date.now();
    await waitFor(
      `all ${COUNT} agents to reconnect`,
      async () => (fleet.connected === COUNT ? true : undefined),
      90_000,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}: ${fleet.connected} back; streams ended: ${JSON.stringify([...fleet.endings])}`,
      );
    });
    const backAfterMs = Math.max(...fleet.welcomes) - killedAt;
    const welcomesPerWindow = histogram(fleet.welcomes, killedAt, 250);
    const perWindow = histogram(fleet.attempts, killedAt, 250);
    const peak = Math.max(...perWindow);
    console.log(
      `${COUNT} agents: ingress back after ${restartedAt - killedAt} ms; all reconnected ${backAfterMs} ms after the kill; ` +
        `attempts per 250 ms: ${perWindow.join(" ")} (peak ${peak}, ${((100 * peak) / COUNT).toFixed(1)} %); ` +
        `welcomes per 250 ms: ${welcomesPerWindow.join(" ")}`,
    );
    assert.ok(backAfterMs < 60_000, `all back within 60 s (took ${backAfterMs} ms)`);
    // Every agent saw the kill at about the same moment: without jitter the whole fleet would plan
    // its retry for one window. Full jitter over the first 1 s window puts about a quarter in
    // each; half the fleet in one window is far outside that, and near what a herd looks like.
    assert.ok(
      peak <= COUNT * 0.5,
      `no spike: at most half of the fleet plans a reconnect in one 250 ms window (peak ${peak})`,
    );
    const firstRound = fleet.attempts.filter((t) => t >= killedAt).sort((a, b) => a - b);
    assert.ok(
      (firstRound.at(-1) ?? 0) - (firstRound[0] ?? 0) >= 500,
      "the planned attempts spread over more than half a second",
    );
  });
});
