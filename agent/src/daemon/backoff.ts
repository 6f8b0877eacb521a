/**
 * Reconnect delays. Full-jitter exponential backoff (AWS architecture blog, "Exponential
 * Backoff And Jitter"): delay = random(0, min(cap, base * 2^attempt)). Thousands of agents
 * reconnecting after an ingress restart then spread over the whole window instead of arriving
 * in waves (grpc-js accepts with a fixed backlog of 511; see STACK.md).
 *
 * After a healthy connection (`reset()` on Welcome) the window is held at `recoveringMaxMs` for
 * the next `recoveringAttempts` attempts: a control-plane restart of a few seconds then costs an
 * agent at most that window once the plane is back, instead of the minute-wide window the
 * doubling reaches within 15 s. An agent that never connected, or an outage that outlasts those
 * attempts (about two minutes), still widens to `maxMs`.
 */
import type { Random } from "./clock.ts";

export interface BackoffOptions {
  /** First window, default 1000 ms. */
  baseMs?: number;
  /** Largest window, default 60000 ms. */
  maxMs?: number;
  /** Largest window right after a healthy connection, default 8000 ms. */
  recoveringMaxMs?: number;
  /** Attempts after a healthy connection that stay within `recoveringMaxMs`, default 16. */
  recoveringAttempts?: number;
  random: Random;
}

/** A backoff sequence; `reset()` after a successful handshake. */
export interface Backoff {
  /** The next delay in milliseconds; each call widens the window until the cap. */
  next(): number;
  /** The connection was healthy: start again from the first window, held small for a while. */
  reset(): void;
  readonly attempt: number;
}

export const createBackoff = (options: BackoffOptions): Backoff => {
  const baseMs = options.baseMs ?? 1000;
  const maxMs = options.maxMs ?? 60_000;
  const recoveringMaxMs = options.recoveringMaxMs ?? 8000;
  const recoveringAttempts = options.recoveringAttempts ?? 16;
  let attempt = 0;
  /** Attempts below this number are capped at `recoveringMaxMs` (none until a first reset). */
  let recoveringUntil = 0;
  return {
    next() {
      const cap = attempt < recoveringUntil ? Math.min(maxMs, recoveringMaxMs) : maxMs;
      // 2^attempt overflows to Infinity eventually; min() keeps the window at the cap.
      const window = Math.min(cap, baseMs * 2 ** attempt);
      attempt++;
      return Math.floor(options.random() * window);
    },
    reset() {
      attempt = 0;
      recoveringUntil = recoveringAttempts;
    },
    get attempt() {
      return attempt;
    },
  };
};

/**
 * Delay after the server refused the token: at least `minMs` (default 60 s) so a revoked token
 * costs the control plane one attempt a minute per agent, plus up to 25 % jitter so a fleet
 * whose token was revoked at once does not retry in lockstep.
 */
export const refusedDelay = (random: Random, minMs = 60_000): number =>
  Math.floor(minMs + random() * minMs * 0.25);

/** Delay after a server's Reconnect: its suggestion plus up to one second of jitter. */
export const reconnectDelay = (random: Random, afterMs: number): number =>
  Math.floor(afterMs + random() * 1000);

/**
 * Delay after a rate limit's retry-after: at least that long, plus up to 25 % of it (at least
 * one second) of jitter, so agents refused together do not come back together.
 */
export const retryAfterDelay = (random: Random, retryAfterMs: number): number =>
  Math.floor(retryAfterMs + random() * Math.max(1000, retryAfterMs * 0.25));
