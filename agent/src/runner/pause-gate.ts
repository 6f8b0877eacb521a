/**
 * Pausing a run (Testkube's pause and resume, and `paused: true` steps): while paused, every
 * unit of the execution is frozen where it is (its runtime's `pause`: SIGSTOP to a process
 * group, `docker pause`) and no further step starts; resuming thaws them and lets the waiting
 * steps go on. Pausing or resuming twice is a no-op. The run's lease and log are untouched:
 * the agent keeps heartbeating, only the work stands still. Step timeouts do not count the
 * time paused (scope.ts listens through `onChange`).
 */
import type { LaunchedUnit } from "./runtimes/runtime.ts";

export interface PauseGate {
  readonly paused: boolean;
  pause(reason: string): void;
  resume(reason: string): void;
  /** Resolves at once when not paused, else when resumed. */
  wait(): Promise<void>;
  /** Calls `listener` on every pause and resume; returns an unsubscribe. */
  onChange(listener: (paused: boolean) => void): () => void;
}

export const createPauseGate = (deps: {
  units: ReadonlySet<LaunchedUnit>;
  /** The run paused or resumed (reported to the control plane). */
  onChange(paused: boolean, reason: string): void;
}): PauseGate => {
  let paused = false;
  const waiters = new Set<() => void>();
  const listeners = new Set<(paused: boolean) => void>();
  return {
    get paused() {
      return paused;
    },
    pause(reason) {
      if (paused) return;
      paused = true;
      for (const unit of deps.units) void unit.pause?.();
      for (const listener of [...listeners]) listener(true);
      deps.onChange(true, reason);
    },
    resume(reason) {
      if (!paused) return;
      paused = false;
      for (const unit of deps.units) void unit.resume?.();
      for (const wake of [...waiters]) wake();
      waiters.clear();
      for (const listener of [...listeners]) listener(false);
      deps.onChange(false, reason);
    },
    wait: () => (paused ? new Promise<void>((resolve) => waiters.add(resolve)) : Promise.resolve()),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
};
