import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { after, describe, it } from "node:test";
import type { PlannedProbe } from "@assay/shared/workflow";
import { createTestClock } from "../test-clock.ts";
import { type ProbeOutcome, probeOnce, waitUntilReady } from "./probes.ts";
import { freePort } from "./test-support.ts";

const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

const tcpProbe = (port: number, timings: Partial<PlannedProbe>): PlannedProbe => ({
  tcp: { host: "127.0.0.1", port },
  initialDelayMs: 0,
  periodMs: 10_000,
  timeoutMs: 1_000,
  failureThreshold: 3,
  ...timings,
});

/** Real tcp attempts, each noted with the probe clock's time. */
const attempts = (clock: { now(): number }) => {
  const at: number[] = [];
  return {
    at,
    attempt: (probe: PlannedProbe): Promise<ProbeOutcome> => {
      at.push(clock.now());
      return probeOnce(probe, "/", {});
    },
  };
};

describe("readiness waits in probe time (Kubernetes' timings)", () => {
  it("waits initialDelay, probes every period and gives up after failureThreshold failures in a row", async () => {
    const clock = createTestClock(1_000);
    const probe = tcpProbe(await freePort(), { initialDelayMs: 5_000 });
    const tries = attempts(clock);
    const waited = waitUntilReady({
      probe,
      attempt: tries.attempt,
      exited: new Promise(() => {}),
      signal: new AbortController().signal,
      clock,
    });
    await clock.waiting();
    clock.advance(4_999);
    assert.deepEqual(tries.at, [], "probed before initialDelaySeconds");
    clock.advance(1);
    for (let i = 0; i < 2; i++) {
      await clock.waiting();
      clock.advance(10_000);
    }
    const outcome = await waited;
    assert.deepEqual(tries.at, [6_000, 16_000, 26_000]);
    assert.equal(outcome.ok, false);
    assert.match(
      outcome.ok ? "" : outcome.detail,
      /^3 probes failed in a row \(last: tcp 127\.0\.0\.1:\d+: connect ECONNREFUSED/,
    );
  });

  it("with the service's timeout, ignores the threshold and gives up when the next period would pass it", async () => {
    const clock = createTestClock();
    const probe = tcpProbe(await freePort(), { failureThreshold: 1 });
    const tries = attempts(clock);
    const waited = waitUntilReady({
      probe,
      attempt: tries.attempt,
      readyTimeoutMs: 25_000,
      exited: new Promise(() => {}),
      signal: new AbortController().signal,
      clock,
    });
    for (let i = 0; i < 2; i++) {
      await clock.waiting();
      clock.advance(10_000);
    }
    const outcome = await waited;
    assert.deepEqual(tries.at, [0, 10_000, 20_000]);
    assert.match(outcome.ok ? "" : outcome.detail, /^not ready within 25000 ms \(3 probes, last: tcp /);
  });

  it("is ready at the first attempt that passes, and stops waiting when the scope ends", async () => {
    const clock = createTestClock();
    const port = await freePort();
    const tries = attempts(clock);
    const ready = waitUntilReady({
      probe: tcpProbe(port, {}),
      attempt: tries.attempt,
      exited: new Promise(() => {}),
      signal: new AbortController().signal,
      clock,
    });
    await clock.waiting();
    const server = createServer((socket) => socket.end());
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    clock.advance(10_000);
    assert.deepEqual(await ready, { ok: true });
    assert.deepEqual(tries.at, [0, 10_000]);

    const stop = new AbortController();
    const stopped = waitUntilReady({
      probe: tcpProbe(await freePort(), {}),
      attempt: (p) => probeOnce(p, "/", {}),
      exited: new Promise(() => {}),
      signal: stop.signal,
      clock,
    });
    await clock.waiting();
    stop.abort();
    assert.deepEqual(await stopped, { ok: false, detail: "stopped while waiting" });
    assert.equal(clock.armed(), 0, "the period's timer was cancelled");
  });
});
