/**
 * Test support: a manual clock (@assay/shared/time) that also tells how many of its timers are
 * armed, so a test can wait until the code under test is waiting on time, then move time on.
 */
import { type Clock, createManualClock, type ManualClock } from "@assay/shared/time";

export interface TestClock extends ManualClock {
  /** Timers set and not yet fired or cancelled. */
  armed(): number;
  /** Resolves once `armed()` is at least `count` (other I/O goes on meanwhile). */
  waiting(count?: number): Promise<void>;
}

export const createTestClock = (startMs = 0): TestClock => {
  const manual = createManualClock(startMs);
  let armed = 0;
  const after: Clock["after"] = (ms, fn) => {
    let live = true;
    armed++;
    const cancel = manual.after(ms, () => {
      live = false;
      armed--;
      fn();
    });
    return () => {
      if (!live) return;
      live = false;
      armed--;
      cancel();
    };
  };
  return {
    now: manual.now,
    after,
    advance: manual.advance,
    armed: () => armed,
    async waiting(count = 1) {
      while (armed < count) await new Promise((resolve) => setImmediate(resolve));
    },
  };
};
