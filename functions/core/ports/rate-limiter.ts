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
}
