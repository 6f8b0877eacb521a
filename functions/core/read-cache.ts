/**
 * A short-lived, per-process cache of records that almost never change but are read on every
 * request: API and agent tokens, organizations (their plan), environments. A run request reads
 * each of them before it can write anything; at a few milliseconds per store round trip they
 * were most of the dispatch latency.
 *
 * Staleness is bounded twice over:
 * - every write made through this process's core (token revocation, plan change, environment
 *   deletion...) clears the cache at once, so a single-process deployment (local mode) never
 *   reads a stale record;
 * - another process's write is seen within `ttlMs` (5 s by default): e.g. an API token revoked
 *   through one Lambda instance is refused by every other instance at most 5 s later. Checks that
 *   must be exact read past the cache (the ingress's 2 s re-check of connected agents' tokens).
 *
 * Only records that exist are remembered: a miss is read again, so something created in another
 * process is usable at once. Hits are copies, so a caller mutating a record cannot corrupt it.
 */
import { createTtlCache } from "@assay/shared";
import type { Clock } from "./ports.ts";

export const DEFAULT_READ_CACHE_TTL_MS = 5_000;
/** Entries held at most; the oldest makes room when full. */
const MAX_ENTRIES = 10_000;

export interface ReadCache {
  /** The cached value of `key`, else the result of `load` (remembered when defined). */
  read<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined>;
  /** Forgets everything (after any write that could change a cached record). */
  clear(): void;
  readonly size: number;
}

export function createReadCache(clock: Clock, ttlMs = DEFAULT_READ_CACHE_TTL_MS): ReadCache {
  const entries = createTtlCache<string, unknown>({ clock, ttlMs, maxEntries: MAX_ENTRIES });
  /** Bumped by clear(): a load that started before a write must not store what it read. */
  let generation = 0;
  return {
    async read<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
      const hit = entries.get(key);
      if (hit !== undefined) return structuredClone(hit) as T;
      const startedIn = generation;
      const value = await load();
      if (value !== undefined && ttlMs > 0 && startedIn === generation)
        entries.set(key, structuredClone(value));
      return value;
    },
    clear() {
      generation++;
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}

type AsyncMethod = (...args: never[]) => Promise<unknown>;

/**
 * A plain-object copy of `store` with every method bound to it (own and inherited), so the
 * result can be spread or wrapped again like the object-literal stores it stands for.
 */
function copyOf<T extends object>(store: T): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (let o: object | null = store; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name === "constructor" || name in copy) continue;
      const value = (store as Record<string, unknown>)[name];
      copy[name] = typeof value === "function" ? value.bind(store) : value;
    }
  }
  return copy;
}
type MethodsOf<T> = { [K in keyof T]: T[K] extends AsyncMethod ? K : never }[keyof T] & string;

/** A copy of `store` whose named methods are replaced by `wrap(name, original)`. */
function replaceMethods<T extends object>(
  store: T,
  methods: readonly MethodsOf<T>[],
  wrap: (name: string, original: AsyncMethod) => AsyncMethod,
): T {
  const wrapped = copyOf(store);
  for (const name of methods) {
    const original = store[name] as AsyncMethod;
    wrapped[name] = wrap(name, (...args) => original.apply(store, args));
  }
  return wrapped as T;
}

/** `store` with the named read methods answered from `cache` (keyed by method and arguments). */
export const withCachedReads = <T extends object>(
  store: T,
  cache: ReadCache,
  prefix: string,
  methods: readonly MethodsOf<T>[],
): T =>
  replaceMethods(
    store,
    methods,
    (name, read) =>
      (...args) =>
        cache.read(`${prefix}.${name}:${JSON.stringify(args)}`, () => read(...args)),
  );

/** `store` with the cache cleared after each named write method, whether it succeeded or not. */
export const withClearingWrites = <T extends object>(
  store: T,
  cache: ReadCache,
  methods: readonly MethodsOf<T>[],
): T =>
  replaceMethods(store, methods, (_name, write) => async (...args) => {
    try {
      return await write(...args);
    } finally {
      cache.clear();
    }
  });
