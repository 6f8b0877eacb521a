/**
 * A clock that moves only when told: `advance(ms)` runs the timers that fall due, in time
 * order. For tests of leases, heartbeats, caches and backoff that must not sleep.
 */
import type { Clock } from "./clock.ts";

export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void;
}

export function createManualClock(startMs = 0): ManualClock {
  let nowMs = startMs;
  let nextId = 0;
  const timers = new Map<number, { atMs: number; fn: () => void }>();
  return {
    now: () => nowMs,
    after(ms, fn) {
      const id = nextId++;
      timers.set(id, { atMs: nowMs + Math.max(0, ms), fn });
      return () => timers.delete(id);
    },
    advance(ms) {
      const targetMs = nowMs + ms;
      for (;;) {
        let due: [number, { atMs: number; fn: () => void }] | undefined;
        for (const entry of timers) {
          if (entry[1].atMs <= targetMs && (due === undefined || entry[1].atMs < due[1].atMs)) due = entry;
        }
        if (due === undefined) break;
        timers.delete(due[0]);
        nowMs = due[1].atMs;
        due[1].fn();
      }
      nowMs = targetMs;
    },
  };
}
