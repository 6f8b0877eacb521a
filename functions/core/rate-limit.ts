/**
 * Rate-limit policy of the account endpoints and of agent registration, over the RateLimiter port. Subjects (IP addresses,
 * emails) are hashed before they become keys, so the table holds no personal data in clear.
 * Limits apply to known and unknown emails alike: a 429 reveals nothing about accounts.
 */
import { createHash } from "node:crypto";
import { AppError } from "@assay/shared";
import type { Clock, RateLimiter } from "./ports.ts";
import { createRateLimitBudget } from "./rate-limit-budget.ts";

export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

export type RateLimitName =
  | "signup:ip"
  | "signup:email"
  | "login:ip"
  | "login:account-source"
  | "verify:ip"
  | "reset:ip"
  | "reset:email"
  | "reset-confirm:ip"
  | "accept:ip"
  | "invite:org"
  | "invite:inviter"
  | "auth-failure:ip"
  | "sso:ip"
  | "register:token"
  | "register:source";

export const DEFAULT_RATE_LIMITS: Record<RateLimitName, RateLimit> = {
  "signup:ip": { limit: 20, windowSeconds: 3600 },
  "signup:email": { limit: 5, windowSeconds: 3600 },
  "login:ip": { limit: 30, windowSeconds: 300 },
  /** Subject: the email and the client IP together. */
  "login:account-source": { limit: 10, windowSeconds: 300 },
  "verify:ip": { limit: 30, windowSeconds: 300 },
  "reset:ip": { limit: 10, windowSeconds: 3600 },
  "reset:email": { limit: 5, windowSeconds: 3600 },
  "reset-confirm:ip": { limit: 30, windowSeconds: 300 },
  "accept:ip": { limit: 30, windowSeconds: 300 },
  /** Subject: the organization id. */
  "invite:org": { limit: 50, windowSeconds: 86_400 },
  /** Subject: the inviting user's id or API token's id. */
  "invite:inviter": { limit: 20, windowSeconds: 3600 },
  "auth-failure:ip": { limit: 120, windowSeconds: 60 },
  /** Starting, finishing and linking SSO sign-ins. */
  "sso:ip": { limit: 60, windowSeconds: 300 },
  /**
   * Agent registrations (`Register`) per agent token: a fleet sharing one token registers once
   * per agent, so the limit is wide; what it stops is a loop minting identities. Agents wait the
   * Retry-After (plus jitter) and try again, so a larger fleet only registers more slowly.
   */
  "register:token": { limit: 600, windowSeconds: 60 },
  /**
   * Per source address of the call. Behind the AWS NLB every agent shares the NLB's addresses
   * (docs/deploy.md), so this is a ceiling per address, wider than the token's.
   */
  "register:source": { limit: 1200, windowSeconds: 60 },
};

/**
 * Limits checked in bursts by a long-lived process (the ingress, as a fleet registers): hits are
 * reserved several at a time and spent locally (rate-limit-budget.ts), still within the shared
 * limit. The others are checked by short-lived Lambdas one write per hit.
 */
const BUDGETED: ReadonlySet<RateLimitName> = new Set(["register:token", "register:source"]);

export function createRateLimits(deps: {
  limiter: RateLimiter;
  clock: Clock;
  limits?: Partial<Record<RateLimitName, RateLimit>>;
}) {
  const limits = { ...DEFAULT_RATE_LIMITS, ...deps.limits };
  const budget = createRateLimitBudget(deps.limiter);
  return {
    /** Counts one attempt; throws `resource_exhausted` with Retry-After when over the limit. */
    async check(name: RateLimitName, subject: string | undefined): Promise<void> {
      if (!subject) return;
      const { limit, windowSeconds } = limits[name];
      const digest = createHash("sha256").update(subject).digest("hex").slice(0, 32);
      const counter = BUDGETED.has(name) ? budget : deps.limiter;
      const result = await counter.hit(`${name}:${digest}`, limit, windowSeconds, deps.clock.now());
      if (!result.allowed) {
        throw new AppError("resource_exhausted", "too many attempts: wait and try again", {
          retryAfterSeconds: result.retryAfterSeconds,
        });
      }
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
