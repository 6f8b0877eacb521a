/**
 * Plans and their limits, in code (no billing yet). Every organization starts on `free`.
 * Limits are enforced where they are consumed: environments when one is created (a counter on
 * the org item), concurrent executions when a run starts (run slots), retention by the storage
 * lifecycle (see the report on retention).
 */
import type { PlanLimits, PlanName } from "@assay/shared";

export const PLANS: Record<PlanName, PlanLimits> = {
  free: { environments: 3, concurrentExecutions: 5, logRetentionDays: 7, artifactRetentionDays: 7 },
  team: { environments: 25, concurrentExecutions: 50, logRetentionDays: 90, artifactRetentionDays: 30 },
};

export const DEFAULT_PLAN: PlanName = "free";

/** The limits of a stored plan name; an unknown name gets the free plan's (never more). */
export const limitsOf = (plan: string): PlanLimits => PLANS[plan as PlanName] ?? PLANS.free;

/**
 * How many runs of an organization may wait queued beyond those that hold a run slot (issue 15,
 * item 16): runs past the plan's concurrency wait, and only a full queue refuses a new run.
 */
export const QUEUE_LIMITS: Record<PlanName, number> = { free: 20, team: 500 };

/** The queue bound of a stored plan name; an unknown name gets the free plan's. */
export const queueLimitOf = (plan: string): number => QUEUE_LIMITS[plan as PlanName] ?? QUEUE_LIMITS.free;
