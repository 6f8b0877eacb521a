import assert from "node:assert/strict";
import { test } from "node:test";
import { every, sleep, systemClock } from "./clock.ts";
import { createManualClock } from "./manual-clock.ts";
import { createTtlCache } from "./ttl-cache.ts";

test("a manual clock runs due timers in time order and honours cancels", () => {
  const clock = createManualClock(1_000);
  const fired: string[] = [];
  clock.after(200, () => fired.push("b"));
  clock.after(100, () => fired.push("a"));
  const cancel = clock.after(150, () => fired.push("never"));
  cancel();
  clock.advance(150);
  assert.deepEqual(fired, ["a"]);
  assert.equal(clock.now(), 1_150);
  clock.advance(50);
  assert.deepEqual(fired, ["a", "b"]);
});

test("every() repeats until stopped", () => {
  const clock = createManualClock();
  let ticks = 0;
  const stop = every(clock, 100, () => ticks++);
  clock.advance(350);
  assert.equal(ticks, 3);
  stop();
  clock.advance(1_000);
  assert.equal(ticks, 3);
});

test("sleep resolves early when its signal aborts", async () => {
  const controller = new AbortController();
  const slept = sleep(systemClock, 60_000, controller.signal);
  controller.abort();
  await slept;
});

test("a TTL cache serves an entry until it expires, then forgets it", () => {
  const clock = createManualClock();
  const cache = createTtlCache<string, number>({ clock, ttlMs: 1_000 });
  cache.set("a", 1);
  clock.advance(999);
  assert.equal(cache.get("a"), 1);
  clock.advance(1);
  assert.equal(cache.get("a"), undefined);
  assert.equal(cache.size, 0);
});

test("a full TTL cache makes room by dropping its oldest entry", () => {
  const cache = createTtlCache<string, number>({ clock: createManualClock(), ttlMs: 1_000, maxEntries: 2 });
  cache.set("a", 1);
  cache.set("b", 2);
  cache.set("c", 3);
  assert.equal(cache.get("a"), undefined);
  assert.equal(cache.get("b"), 2);
  assert.equal(cache.get("c"), 3);
  assert.equal(cache.size, 2);
});
