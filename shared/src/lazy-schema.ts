/**
 * Module-scope schemas built on first use. zod builds a schema when its expression runs, and a
 * module's schemas run when anything imports the module: every process importing
 * `@assay/shared` built all of the domain's schemas (about a thousand) before its first line of
 * work, though a request reads a few. `lazySchema(() => z.object(...))` stands for that schema
 * and becomes it on the first touch (a parse, a method, a property, composition into another
 * schema); the builder runs once.
 *
 * The stand-in is a proxy whose own object is initialized as the built schema's kind, from the
 * built schema's definition, with the stand-in as the instance: the schema's internals then know
 * it under the one identity every reader holds (zod keys JSON Schema generation and metadata by
 * that identity). Metadata registered for the built schema (`.describe()`, `.meta()`) is
 * registered for the stand-in too.
 */
import * as z from "zod";

/** What the stand-in reads of a built schema's internals. */
interface Internals {
  constr: (this: object, def: unknown) => void;
  def: unknown;
  parent?: unknown;
}
const internalsOf = (value: object): Internals | undefined => (value as { _zod?: Internals })._zod;

// Calling it builds nothing, as the annotation tells bundlers: a stand-in no code reads is dropped
// with its builder, so a bundle that imports a constant of a schema module carries no zod for it.
/* @__NO_SIDE_EFFECTS__ */
export function lazySchema<T extends object>(build: () => T): T {
  const own = {} as T;
  let state: "waiting" | "building" | "built" = "waiting";
  let proxy: T;
  const target = (): T => {
    if (state !== "waiting") return own;
    state = "building";
    try {
      const built = build();
      const internals = internalsOf(built);
      if (!internals) {
        // Not a schema (an object of field schemas): the stand-in holds the same fields.
        Object.defineProperties(own, Object.getOwnPropertyDescriptors(built));
      } else {
        Object.setPrototypeOf(own, Object.getPrototypeOf(built));
        // What `new Kind(def)` does, with the stand-in as the new instance.
        internals.constr.call(proxy, internals.def);
        const mine = internalsOf(proxy);
        if (mine && internals.parent !== undefined) mine.parent = internals.parent;
        const meta = z.globalRegistry.get(built as unknown as z.ZodType);
        if (meta !== undefined) z.globalRegistry.add(proxy as unknown as z.ZodType, meta);
      }
    } catch (error) {
      state = "waiting";
      throw error;
    }
    state = "built";
    return own;
  };
  // `own` stays extensible and its properties are reported configurable, which keeps the proxy
  // invariants while the traps read the built schema's state through it.
  proxy = new Proxy(own, {
    get: (_, key) => Reflect.get(target(), key, proxy),
    set: (_, key, value) => Reflect.set(target(), key, value, proxy),
    has: (_, key) => Reflect.has(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(target(), key),
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(target(), key, descriptor),
    deleteProperty: (_, key) => Reflect.deleteProperty(target(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(target()),
  });
  return proxy;
}
