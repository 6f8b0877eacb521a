/**
 * Fixed-window counters shared by every process of the control plane (each hit is counted where
 * all of them see it), for the rate limits of core/rate-limit.ts.
 */
export interface RateLimiter {
  /**
   * Counts one hit on `key` in the fixed window of `windowSeconds` containing `nowMs`. Returns
   * whether the count is within `limit`, and the seconds until that window ends.
   */
  hit(
    key: string,
    limit: number,
    windowSeconds: number,
    nowMs: number,
  ): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
  /**
   * Counts `count` hits on `key` at once (one write) and returns how many of them fall within
   * `limit` (0..count: the window had `limit - granted` or more before them), the count the
   * window held before them, and the seconds until the window ends. A process spends what it
   * was granted locally (core/rate-limit-budget.ts).
   */
  reserve(
    key: string,
    count: number,
    limit: number,
    windowSeconds: number,
    nowMs: number,
  ): Promise<{ granted: number; countBefore: number; retryAfterSeconds: number }>;
}

/** The fixed window of `windowSeconds` that holds `nowMs`: its start and the seconds until it ends. */
export function fixedWindow(
  nowMs: number,
  windowSeconds: number,
): { startMs: number; retryAfterSeconds: number } {
  const windowMs = windowSeconds * 1000;
  const startMs = Math.floor(nowMs / windowMs) * windowMs;
  return { startMs, retryAfterSeconds: Math.max(1, Math.ceil((startMs + windowMs - nowMs) / 1000)) };
}
