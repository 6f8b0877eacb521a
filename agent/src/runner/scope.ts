/**
 * Scopes: a node in a tree that can end early, taking everything inside it along. Every step
 * with a timeout (and the whole run) opens one that ends with `timeout` when its timer fires;
 * a parallel worker opens one that a fail-fast sibling ends with `cancelled`. When a scope ends,
 * every process started inside it (at any depth) is killed, and every step inside it that had
 * not finished ends as `timeout` or `aborted`. The run-wide abort is not a scope (see
 * run-plan.ts): after it, `always` steps still run.
 */

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

/** Creates a root scope, optionally with a timeout. */
export const createScope = (timeoutMs?: number, parent?: Scope): Scope => {
  let own: ScopeEnd | undefined;
  const listeners = new Set<() => void>();
  const fire = (end: ScopeEnd) => {
    if (own !== undefined) return;
    own = end;
    for (const listener of [...listeners]) listener();
  };
  const timer =
    timeoutMs !== undefined && timeoutMs > 0
      ? setTimeout(() => fire({ kind: "timeout" }), timeoutMs)
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
    child: (childTimeoutMs) => createScope(childTimeoutMs, scope),
    cancel: (reason) => fire({ kind: "cancelled", reason }),
    close() {
      if (timer !== undefined) clearTimeout(timer);
      offParent?.();
    },
  };
  return scope;
};
