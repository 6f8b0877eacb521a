/**
 * A bounded in-process map whose entries expire `ttlMs` after they were set. It is the one
 * implementation behind every short-lived cache of the control plane (records read on every
 * request, per-organization limits, data keys, queue checks), so expiry and bounds behave the
 * same everywhere.
 */
import type { Clock } from "./clock.ts";

export interface TtlCache<K, V> {
  /** The value set for `key` less than `ttlMs` ago, else undefined (and the stale entry is dropped). */
  get(key: K): V | undefined;
  /** Remembers `value` for `ttlMs` from now; when full, the oldest entry makes room. */
  set(key: K, value: V): void;
  delete(key: K): void;
  clear(): void;
  /** Entries held, expired ones included until they are read or pushed out. */
  readonly size: number;
}

export interface TtlCacheOptions {
  clock: Pick<Clock, "now">;
  /** How long an entry is served after it was set. */
  ttlMs: number;
  /** Entries held at most (default 10,000). */
  maxEntries?: number;
}

export function createTtlCache<K, V>(options: TtlCacheOptions): TtlCache<K, V> {
  const { clock, ttlMs } = options;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<K, { value: V; expiresAtMs: number }>();
  return {
    get(key) {
      const hit = entries.get(key);
      if (hit === undefined) return undefined;
      if (hit.expiresAtMs > clock.now()) return hit.value;
      entries.delete(key);
      return undefined;
    },
    set(key, value) {
      entries.delete(key);
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
      entries.set(key, { value, expiresAtMs: clock.now() + ttlMs });
    },
    delete(key) {
      entries.delete(key);
    },
    clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
