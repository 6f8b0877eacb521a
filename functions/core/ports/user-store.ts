import type { UserRecord } from "../records.ts";

export interface UserStore {
  /** Creates the user and claims its email; throws `already_exists` when the email is taken. */
  create(user: UserRecord): Promise<void>;
  get(userId: string): Promise<UserRecord | undefined>;
  /** By normalized (lower-case) email. */
  getByEmail(email: string): Promise<UserRecord | undefined>;
  /** Replaces the password hash; throws `not_found` for a missing user. */
  setPassword(userId: string, passwordHash: string, changedAt: string): Promise<void>;
}
