/**
 * Reconnect delays. Full-jitter exponential backoff (AWS architecture blog, "Exponential
 * Backoff And Jitter"): delay = random(0, min(cap, base * 2^attempt)). Thousands of agents
 * reconnecting after an ingress restart then spread over the whole window instead of arriving
 * in waves (grpc-js accepts with a fixed backlog of 511; see STACK.md).
 */
import type { Random } from "./clock.ts";

export interface BackoffOptions {
  /** First window, default 1000 ms. */
  baseMs?: number;
  /** Largest window, default 60000 ms. */
  maxMs?: number;
  random: Random;
}

/** A backoff sequence; `reset()` after a successful handshake. */
export interface Backoff {
  /** The next delay in milliseconds; each call widens the window until the cap. */
  next(): number;
  reset(): void;
  readonly attempt: number;
}

export const createBackoff = (options: BackoffOptions): Backoff => {
  const baseMs = options.baseMs ?? 1000;
  const maxMs = options.maxMs ?? 60_000;
  let attempt = 0;
  return {
    next() {
      // 2^attempt overflows to Infinity eventually; min() keeps the window at the cap.
      const window = Math.min(maxMs, baseMs * 2 ** attempt);
      attempt++;
      return Math.floor(options.random() * window);
    },
    reset() {
      attempt = 0;
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
