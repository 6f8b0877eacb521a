/**
 * A process's local share of shared fixed-window limits, for a long-lived process that checks a
 * limit in bursts (the ingress's `Register`: a fleet's first start, hundreds of agents at once).
 * Instead of one shared write per hit, the process reserves several hits with one write
 * (`RateLimiter.reserve`) and spends them locally. The shared count remains the sum of what
 * every process reserved, so no window ever grants more than `limit` hits across all processes,
 * as with one write per hit.
 *
 * A reservation starts at one hit (a lone registration costs the one write it always did),
 * doubles while hits keep coming, and is never more than an eighth of what the window had left
 * at this process's last write, so near the limit each hit is one write again. Once a write finds
 * the window full, the process refuses the rest of that window without writing. What a process
 * reserved and did not spend when its window ends is lost to the other processes, at most an
 * eighth of what was left each time.
 */

import { fixedWindow } from "./ports/rate-limiter.ts";
import type { RateLimiter } from "./ports.ts";

interface Share {
  windowStartMs: number;
  /** Hits reserved and not spent yet. */
  left: number;
  /** The next reservation's size before the cap. */
  size: number;
  /** What the window had left of the limit at the last write (the shared count, not this share). */
  sharedLeft: number;
  /** A write found the window full: refuse until it ends. */
  full: boolean;
  /** The reservation in flight; hits that find nothing left wait for it. */
  pending?: Promise<void> | undefined;
}

/** Past this many shares, those of ended windows are dropped. */
const PRUNE_ABOVE = 1_000;

/** A RateLimiter's `hit` that spends reservations (see the header). */
export function createRateLimitBudget(limiter: RateLimiter): Pick<RateLimiter, "hit"> {
  const shares = new Map<string, Share>();

  const shareOf = (key: string, limit: number, windowStartMs: number): Share => {
    const share = shares.get(key);
    if (share?.windowStartMs === windowStartMs) return share;
    if (shares.size > PRUNE_ABOVE) {
      for (const [k, s] of shares) if (s.windowStartMs < windowStartMs && !s.pending) shares.delete(k);
    }
    const fresh: Share = { windowStartMs, left: 0, size: 1, sharedLeft: limit, full: false };
    shares.set(key, fresh);
    return fresh;
  };

  async function refill(share: Share, key: string, limit: number, windowSeconds: number, nowMs: number) {
    const count = Math.max(1, Math.min(share.size, Math.floor(share.sharedLeft / 8)));
    const { granted, countBefore } = await limiter.reserve(key, count, limit, windowSeconds, nowMs);
    share.left += granted;
    share.sharedLeft = Math.max(0, limit - countBefore - count);
    share.size = count * 2;
    if (granted < count || share.sharedLeft === 0) share.full = true;
  }

  return {
    async hit(key, limit, windowSeconds, nowMs) {
      const { startMs: windowStartMs, retryAfterSeconds } = fixedWindow(nowMs, windowSeconds);
      const share = shareOf(key, limit, windowStartMs);
      for (;;) {
        if (share.left > 0) {
          share.left--;
          return { allowed: true, retryAfterSeconds };
        }
        if (share.full) return { allowed: false, retryAfterSeconds };
        if (!share.pending) {
          share.pending = refill(share, key, limit, windowSeconds, nowMs).finally(() => {
            share.pending = undefined;
          });
        }
        await share.pending;
      }
    },
  };
}
