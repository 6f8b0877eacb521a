/** Counts an organization's active (queued, assigned, running) executions against its plan. */
/** The two kinds of run holds of an organization: runs that wait, runs that hold an agent. */
export type RunPool = "queued" | "running";

/**
 * Holds of an organization's runs against its plan: a set of holder ids per pool (the
 * executions as `{envId}/{executionId}`), so taking and giving back are idempotent and a
 * holder that should no longer hold can be spotted by comparing with execution statuses.
 */
export interface RunSlots {
  /** Adds `holder` unless `limit` others hold the pool; true when it holds (also when it already did). */
  acquire(orgId: string, pool: RunPool, holder: string, limit: number): Promise<boolean>;
  /** Removes `holder` (a no-op when it holds nothing). */
  release(orgId: string, pool: RunPool, holder: string): Promise<void>;
  /** Every holder of the pool. */
  holders(orgId: string, pool: RunPool): Promise<string[]>;
}
