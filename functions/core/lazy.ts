/**
 * Services loaded on first use. A composition root builds every service at start, and each
 * service's modules are evaluated with it, although a process may never call most of them (the
 * API Lambda's cold start pays for every module it imports). These stand for what a dynamic
 * `import()` gives, loaded on the first call; a failed load is retried on the next call.
 */

/** `load`, run on the first call and remembered once it succeeds. */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () =>
    (loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    }));
}

// biome-ignore lint/suspicious/noExplicitAny: any method signature of the object stood for.
type AsyncMethods<T> = { [K in keyof T]: (...args: any[]) => Promise<unknown> };

/**
 * An object of async methods, each calling the same method of the object `load` gives. `names`
 * lists every method (the type makes a missing one an error), so the stand-in has the same keys.
 */
export function lazyMethods<T extends AsyncMethods<T>>(
  names: { [K in keyof T]: true },
  load: () => Promise<T>,
): T {
  const target = loadOnce(load);
  const forward =
    (name: string) =>
    async (...args: unknown[]) => {
      const loaded = (await target()) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      return (loaded[name] as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  return Object.fromEntries(Object.keys(names).map((name) => [name, forward(name)])) as T;
}
