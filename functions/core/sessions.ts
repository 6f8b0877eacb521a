/**
 * Login sessions: a random 32-byte id travels in the `assay_session` cookie; the store keeps
 * only its SHA-256 and an absolute expiry. Authentication checks the expiry itself (TTL
 * deletion is lazy) and that the user still exists.
 */

import type { Clock, SessionStore, UserStore } from "./ports.ts";
import type { UserActor } from "./principals.ts";
import { hashSecret, newSecret } from "./secrets.ts";

/** How long a session lasts from login. */
export const SESSION_TTL_SECONDS = 7 * 86_400;

export function createSessionService(deps: { sessions: SessionStore; users: UserStore; clock: Clock }) {
  const { sessions, users, clock } = deps;
  return {
    /** Starts a session; the secret goes in the cookie and is never stored. */
    async create(
      userId: string,
      how: { method: "password" | "sso"; ssoOrgId?: string } = { method: "password" },
    ): Promise<{ secret: string; expiresAt: string }> {
      const { secret, hash } = newSecret();
      const now = clock.now();
      const expiresAt = new Date(now + SESSION_TTL_SECONDS * 1000).toISOString();
      await sessions.put({ hash, userId, createdAt: new Date(now).toISOString(), expiresAt, ...how });
      return { secret, expiresAt };
    },

    /** The signed-in user, or undefined for a missing, expired or orphaned session. */
    async authenticate(secret: string): Promise<UserActor | undefined> {
      if (!/^[A-Za-z0-9_-]{20,100}$/.test(secret)) return undefined;
      const session = await sessions.get(hashSecret(secret));
      if (!session || Date.parse(session.expiresAt) <= clock.now()) return undefined;
      const user = await users.get(session.userId);
      if (!user) return undefined;
      return {
        kind: "user",
        userId: user.id,
        email: user.email,
        name: user.name,
        ...(session.ssoOrgId ? { ssoOrgId: session.ssoOrgId } : {}),
      };
    },

    async destroy(secret: string): Promise<void> {
      if (/^[A-Za-z0-9_-]{20,100}$/.test(secret)) await sessions.delete(hashSecret(secret));
    },

    destroyAllForUser: (userId: string) => sessions.deleteAllForUser(userId),
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
