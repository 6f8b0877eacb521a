import type { OneTimePurpose, OneTimeToken } from "../records.ts";

export interface OneTimeTokenStore {
  /**
   * Stores the token as the only usable one of its purpose for its email: every token stored
   * before for the same purpose and email can no longer be consumed.
   */
  put(token: OneTimeToken): Promise<void>;
  get(hash: string): Promise<OneTimeToken | undefined>;
  /**
   * Atomically deletes and returns the token when it exists, has this purpose, expires after
   * `now` and is the latest of its purpose for its email; otherwise undefined. A token can be
   * consumed once, even by concurrent callers, and consuming it retires all older ones too.
   */
  consume(hash: string, purpose: OneTimePurpose, now: string): Promise<OneTimeToken | undefined>;
}
