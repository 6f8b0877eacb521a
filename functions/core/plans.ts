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
