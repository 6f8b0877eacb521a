import type { EnvRef } from "./refs.ts";

/**
 * Concurrency groups (`spec.concurrency`): the set of executions holding a slot of a group.
 * A set of ids rather than a counter makes acquire and release idempotent: a retried release
 * cannot free someone else's slot and a retried acquire cannot take two.
 */
export interface ConcurrencyGroups {
  /** Adds `executionId` to the group unless it already holds `max` others; true when it holds a slot. */
  acquire(env: EnvRef, group: string, executionId: string, max: number): Promise<boolean>;
  /** Removes `executionId` from the group (a no-op when it holds no slot). */
  release(env: EnvRef, group: string, executionId: string): Promise<void>;
}
