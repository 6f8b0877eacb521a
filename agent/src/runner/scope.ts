/**
 * Timeout scopes. Every step with a timeout (and the whole run) opens a scope; when its timer
 * fires, every process started inside it (at any depth) is killed and every step inside it that
 * had not finished ends as `timeout`. Aborts are not scopes: they are run-wide (see run-plan.ts).
 */

/** A node in the tree of timeout scopes. */
export interface Scope {
  /** True when this scope or an ancestor timed out. */
  timedOut(): boolean;
  /** Calls `listener` when this scope or an ancestor times out; returns an unsubscribe. */
  onTimeout(listener: () => void): () => void;
  /** Opens a child scope that times out after `timeoutMs` (or only with its ancestors). */
  child(timeoutMs?: number): Scope;
  /** Stops this scope's timer (the step finished). */
  close(): void;
}

/** Creates a root scope, optionally with a timeout. */
export const createScope = (timeoutMs?: number, parent?: Scope): Scope => {
  let fired = false;
  const listeners = new Set<() => void>();
  const fire = () => {
    if (fired) return;
    fired = true;
    for (const listener of [...listeners]) listener();
  };
  const timer = timeoutMs !== undefined && timeoutMs > 0 ? setTimeout(fire, timeoutMs) : undefined;
  const offParent = parent?.onTimeout(fire);

  const scope: Scope = {
    timedOut: () => fired || (parent?.timedOut() ?? false),
    onTimeout(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    child: (childTimeoutMs) => createScope(childTimeoutMs, scope),
    close() {
      if (timer !== undefined) clearTimeout(timer);
      offParent?.();
    },
  };
  return scope;
};
