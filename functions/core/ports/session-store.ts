import type { SessionRecord } from "../records.ts";

export interface SessionStore {
  put(session: SessionRecord): Promise<void>;
  /** By the SHA-256 (hex) of the cookie value; expired sessions may still be returned. */
  get(hash: string): Promise<SessionRecord | undefined>;
  delete(hash: string): Promise<void>;
  /** Ends every session of a user (password reset). */
  deleteAllForUser(userId: string): Promise<void>;
}
