/** Records when a token was last used, at most once per `minIntervalSeconds`. */
export interface TokenUsageStore {
  touch(hash: string, at: string, minIntervalSeconds: number): Promise<void>;
}
