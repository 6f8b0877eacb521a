/**
 * Authentication of API requests: a bearer API token or a session cookie. Failures all look the
 * same (`unauthenticated`) and are counted per client IP: past the limit, a client gets 429 for
 * the rest of the window (token guessing is hopeless anyway, but it costs us reads).
 * A token's `lastUsedAt` is refreshed at most once a minute.
 */
import { AppError } from "@assay/shared";
import type { Clock, Logger, TokenUsageStore } from "./ports.ts";
import type { Actor } from "./principals.ts";
import type { RateLimits } from "./rate-limit.ts";
import type { SessionService } from "./sessions.ts";
import { hashToken, type TokenService } from "./tokens.ts";

const LAST_USED_INTERVAL_SECONDS = 60;
/** Tokens remembered as recently touched; the memo is dropped whole when it grows past this. */
const MAX_TOUCH_MEMO = 10_000;

export function createAuthn(deps: {
  tokens: TokenService;
  tokenUsage: TokenUsageStore;
  sessions: SessionService;
  rateLimits: RateLimits;
  clock: Clock;
  logger: Logger;
}) {
  const refuse = async (ip: string | undefined, message: string): Promise<never> => {
    await deps.rateLimits.check("auth-failure:ip", ip);
    throw new AppError("unauthenticated", message);
  };

  /**
   * When this process last refreshed each token's `lastUsedAt`: within the interval the
   * conditional write would be refused, so it is skipped, and an API request costs one store
   * read for its token instead of a read and a write.
   */
  const touchedAtMs = new Map<string, number>();

  return {
    /** An API token (`asy_api_...`); agent tokens and anything else are refused. */
    async bearer(secret: string | undefined, ip: string | undefined): Promise<Actor> {
      let principal: Awaited<ReturnType<TokenService["authenticateApi"]>>;
      try {
        principal = await deps.tokens.authenticateApi(secret);
      } catch {
        return refuse(ip, "a valid API token is required");
      }
      const nowMs = deps.clock.now();
      const hash = hashToken(secret ?? "");
      // This process refreshed it within the interval: the store would refuse the write anyway.
      if (nowMs - (touchedAtMs.get(hash) ?? Number.NEGATIVE_INFINITY) < LAST_USED_INTERVAL_SECONDS * 1000) {
        return principal;
      }
      if (touchedAtMs.size >= MAX_TOUCH_MEMO) touchedAtMs.clear();
      touchedAtMs.set(hash, nowMs);
      await deps.tokenUsage
        .touch(hash, new Date(nowMs).toISOString(), LAST_USED_INTERVAL_SECONDS)
        .catch((error: unknown) => {
          touchedAtMs.delete(hash);
          deps.logger.warn(
            { err: error instanceof Error ? error.message : String(error) },
            "lastUsedAt not recorded",
          );
        });
      return principal;
    },

    /** A session cookie's user. */
    async session(secret: string, ip: string | undefined): Promise<Actor> {
      const actor = await deps.sessions.authenticate(secret);
      return actor ?? refuse(ip, "the session has expired: sign in again");
    },

    /** For routes that need no sign-in but must not be hammered. */
    refuse,
  };
}

export type Authn = ReturnType<typeof createAuthn>;
