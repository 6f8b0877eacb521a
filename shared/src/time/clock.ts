/**
 * Time and randomness as injected dependencies, so leases, heartbeats, caches and backoff are
 * testable without waiting on the wall clock. The control plane, the ingress and the agent all
 * take these ports; only `systemClock` and `systemRandom` touch the real ones.
 */

/** Wall clock and timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms`; returns a cancel function. Timers never keep the process alive. */
  after(ms: number, fn: () => void): () => void;
}

/** Uniform random number in [0, 1). */
export type Random = () => number;

/** Lets a Node timer not hold the process open (browsers' timers are plain numbers). */
const unref = (timer: unknown): void => {
  (timer as { unref?: () => void }).unref?.();
};

/** The real clock: `Date.now()` and unref'd `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    unref(timer);
    return () => clearTimeout(timer);
  },
};

/** The real source of randomness (not for secrets: those come from node:crypto). */
export const systemRandom: Random = () => Math.random();

/** Resolves after `ms` on `clock`, or early when `signal` aborts. */
export const sleep = (clock: Clock, ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      cancel();
      resolve();
    };
    const cancel = clock.after(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/**
 * Calls `fn` every `intervalMs` on `clock` until the returned function is called. The next
 * call is scheduled after `fn` returns, so a slow tick delays rather than piles up.
 */
export function every(clock: Clock, intervalMs: number, fn: () => void): () => void {
  let stopped = false;
  let cancel = () => {};
  const schedule = () => {
    cancel = clock.after(intervalMs, () => {
      if (stopped) return;
      try {
        fn();
      } finally {
        if (!stopped) schedule();
      }
    });
  };
  schedule();
  return () => {
    stopped = true;
    cancel();
  };
}
