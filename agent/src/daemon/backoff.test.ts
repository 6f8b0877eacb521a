import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createBackoff, reconnectDelay, refusedDelay } from "./backoff.ts";

describe("backoff", () => {
  it("doubles the full-jitter window from 1 s up to the 60 s cap", () => {
    const backoff = createBackoff({ random: () => 0.999999 });
    const delays = Array.from({ length: 9 }, () => backoff.next());
    assert.deepEqual(delays, [999, 1999, 3999, 7999, 15999, 31999, 59999, 59999, 59999]);
  });

  it("uses the whole window: random 0 means reconnect at once", () => {
    const backoff = createBackoff({ random: () => 0 });
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [0, 0, 0]);
  });

  it("scales with the injected random and resets after a welcome", () => {
    const backoff = createBackoff({ random: () => 0.5, baseMs: 100, maxMs: 1000 });
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [50, 100, 200]);
    assert.equal(backoff.attempt, 3);
    backoff.reset();
    assert.equal(backoff.next(), 50);
  });

  it("after a healthy connection, a restart of the control plane costs seconds, not a minute", () => {
    const backoff = createBackoff({ random: () => 0.999999 });
    for (let i = 0; i < 7; i++) backoff.next(); // a first connect that took a while
    backoff.reset(); // Welcome: the connection was healthy
    // A 13 s restart: the windows stop at 8 s, so the agent is back within 8 s of the plane.
    const outage = Array.from({ length: 6 }, () => backoff.next());
    assert.deepEqual(outage, [999, 1999, 3999, 7999, 7999, 7999]);
    // An outage beyond the recovering attempts widens to the cap again.
    for (let i = 0; i < 10; i++) backoff.next();
    assert.equal(backoff.next(), 59999);
  });

  it("never overflows after many attempts", () => {
    const backoff = createBackoff({ random: () => 0.5 });
    for (let i = 0; i < 2000; i++) backoff.next();
    assert.equal(backoff.next(), 30000);
  });

  it("waits at least a minute after a refused token, and honours Reconnect's after_ms", () => {
    assert.equal(
      refusedDelay(() => 0),
      60000,
    );
    assert.equal(
      refusedDelay(() => 0.999999),
      74999,
    );
    assert.equal(
      reconnectDelay(() => 0.5, 2000),
      2500,
    );
  });
});
