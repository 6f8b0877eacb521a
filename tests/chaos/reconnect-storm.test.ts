/**
 * A fleet of simulated agents reconnects after the ingress is killed and restarted: all are back
 * within 60 s and the reconnect rate shows the jitter (no spike in any 250 ms window). The short
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
    );

    const killedAt = Date.now();
    await topo.stopIngress(0, "SIGKILL");
    await topo.restartIngress(0);
    const restartedAt = Date.now();
    await waitFor(
      `all ${COUNT} agents to reconnect (${fleet.connected} back)`,
      async () => (fleet.connected === COUNT ? true : undefined),
      90_000,
    );
    const backAfterMs = Math.max(...fleet.welcomes) - killedAt;
    const perWindow = histogram(fleet.welcomes, killedAt, 250);
    const peak = Math.max(...perWindow);
    console.log(
      `${COUNT} agents: ingress back after ${restartedAt - killedAt} ms; all reconnected ${backAfterMs} ms after the kill; ` +
        `reconnects per 250 ms: ${perWindow.join(" ")} (peak ${peak}, ${((100 * peak) / COUNT).toFixed(1)} %)`,
    );
    assert.ok(backAfterMs < 60_000, `all back within 60 s (took ${backAfterMs} ms)`);
    // Full jitter spreads a fleet over seconds; a thundering herd would land most of it in one window.
    assert.ok(
      peak <= COUNT * 0.25,
      `no spike: at most a quarter of the fleet in one 250 ms window (peak ${peak})`,
    );
  });
});
