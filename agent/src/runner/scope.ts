/**
 * Scopes: a node in a tree that can end early, taking everything inside it along. Every step
 * with a timeout (and the whole run) opens one that ends with `timeout` when its timer fires;
 * a parallel worker opens one that a fail-fast sibling ends with `cancelled`. When a scope ends,
 * every process started inside it (at any depth) is killed, and every step inside it that had
 * not finished ends as `timeout` or `aborted`. The run-wide abort is not a scope (see
 * run-plan.ts): after it, `always` steps still run.
 *
 * A step's timeout counts only the time the execution is not paused, as in Testkube: while the
 * pause source says paused, the timer stands still and resumes with the time it had left. The
 * run's own deadline (`activeDeadlineSeconds`, the root scope) is wall-clock time, as a
 * Kubernetes job's is. Timers run on the run's clock.
 */
import type { Clock } from "@assay/shared/time";

/** How a scope ended early; undefined while it is live. */
export type ScopeEnd = { kind: "timeout" } | { kind: "cancelled"; reason: string };

/** A node in the tree of scopes. */
export interface Scope {
  /** How this scope or the nearest ended ancestor ended, if it did. */
  ended(): ScopeEnd | undefined;
  /** True when this scope or an ancestor timed out. */
  timedOut(): boolean;
  /** Calls `listener` when this scope or an ancestor ends; returns an unsubscribe. */
  onTimeout(listener: () => void): () => void;
  /** Opens a child scope that times out after `timeoutMs` (or only with its ancestors). */
  child(timeoutMs?: number): Scope;
  /** Ends this scope as cancelled (a fail-fast sibling failed). Idempotent. */
  cancel(reason: string): void;
  /** Stops this scope's timer (the step finished). */
  close(): void;
}

/** Whether the execution is paused, and news of changes (pause-gate.ts). */
export interface PauseSource {
  readonly paused: boolean;
  onChange(listener: (paused: boolean) => void): () => void;
}

/**
 * Creates a scope on `clock`, optionally with a timeout. Child scopes' timers stand still while
 * `pauses` says paused; this scope's own does too unless `wallClock` (the run's deadline).
 */
export const createScope = (
  clock: Clock,
  timeoutMs?: number,
  parent?: Scope,
  pauses?: PauseSource,
  wallClock = false,
): Scope => {
  let own: ScopeEnd | undefined;
  const listeners = new Set<() => void>();
  const fire = (end: ScopeEnd) => {
    if (own !== undefined) return;
    own = end;
    for (const listener of [...listeners]) listener();
  };
  const timer =
    timeoutMs !== undefined && timeoutMs > 0
      ? pausableTimer(clock, timeoutMs, () => fire({ kind: "timeout" }), wallClock ? undefined : pauses)
      : undefined;
  const offParent = parent?.onTimeout(() => {
    const end = parent.ended();
    if (end !== undefined) fire(end);
  });

  const scope: Scope = {
    ended: () => own ?? parent?.ended(),
    timedOut: () => scope.ended()?.kind === "timeout",
    onTimeout(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    child: (childTimeoutMs) => createScope(clock, childTimeoutMs, scope, pauses),
    cancel: (reason) => fire({ kind: "cancelled", reason }),
    close() {
      timer?.stop();
      offParent?.();
    },
  };
  return scope;
};

/** Calls `done` after `ms` of time not paused (all of it without `pauses`). */
const pausableTimer = (clock: Clock, ms: number, done: () => void, pauses: PauseSource | undefined) => {
  let left = ms;
  let since = 0;
  let cancel: (() => void) | undefined;
  const arm = () => {
    if (cancel !== undefined) return;
    since = clock.now();
    cancel = clock.after(Math.max(0, left), done);
  };
  const hold = () => {
    if (cancel === undefined) return;
    cancel();
    cancel = undefined;
    left -= clock.now() - since;
  };
  if (pauses?.paused !== true) arm();
  const off = pauses?.onChange((paused) => (paused ? hold() : arm()));
  return {
    stop() {
      off?.();
      hold();
    },
  };
};
