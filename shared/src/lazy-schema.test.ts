import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as z from "zod";
import { lazySchema } from "./lazy-schema.ts";

const eagerItem = () => z.object({ name: z.string().min(1), size: z.number().int().optional() }).strict();

describe("lazySchema", () => {
  it("builds the schema on the first touch, once", () => {
    let builds = 0;
    const Item = lazySchema(() => {
      builds++;
      return eagerItem();
    });
    const List = lazySchema(() => z.array(Item));
    assert.equal(builds, 0, "declaring and referencing it builds nothing");
    assert.deepEqual(List.parse([{ name: "a" }]), [{ name: "a" }]);
    assert.deepEqual(Item.parse({ name: "b", size: 2 }), { name: "b", size: 2 });
    assert.equal(builds, 1);
  });

  it("parses, refuses and composes like the schema it stands for", () => {
    const Item = lazySchema(eagerItem);
    const Wrapped = z.object({ item: Item.optional(), more: z.array(Item.extend({ tag: z.string() })) });
    const refused = Wrapped.safeParse({ item: { name: "" }, more: [{ name: "x" }] });
    assert.equal(refused.success, false);
    assert.deepEqual(refused.error?.issues.map((i) => i.path.join(".")).sort(), ["item.name", "more.0.tag"]);
    assert.ok(Item instanceof z.ZodObject);
    assert.deepEqual(Object.keys(Item.shape), ["name", "size"]);
    assert.deepEqual(Item.pick({ name: true }).parse({ name: "y" }), { name: "y" });
    const Kind = lazySchema(() => z.enum(["a", "b"]));
    assert.deepEqual(Kind.options, ["a", "b"]);
    assert.equal(Kind.exclude(["a"]).safeParse("a").success, false);
    const Union = z.discriminatedUnion("kind", [
      lazySchema(() => z.object({ kind: z.literal("x") })),
      z.object({ kind: z.literal("y") }),
    ]);
    assert.deepEqual(Union.parse({ kind: "x" }), { kind: "x" });
  });

  it("gives the same JSON Schema as the eager schema, descriptions included", () => {
    const lazyItem = lazySchema(() => eagerItem().describe("an item"));
    const Lazy = z.object({
      one: lazyItem,
      list: z.array(lazyItem),
      piped: z.string().pipe(lazySchema(() => z.string().min(2))),
    });
    const eagerOne = eagerItem().describe("an item");
    const Eager = z.object({
      one: eagerOne,
      list: z.array(eagerOne),
      piped: z.string().pipe(z.string().min(2)),
    });
    assert.deepEqual(z.toJSONSchema(Lazy), z.toJSONSchema(Eager));
  });

  it("stands for an object of field schemas too (spread into shapes)", () => {
    const fields = lazySchema(() => ({ a: z.string(), b: z.boolean().default(false) }));
    assert.deepEqual(z.object({ ...fields }).parse({ a: "x" }), { a: "x", b: false });
  });

  it("a builder that throws throws at the first touch, and runs again at the next", () => {
    let fail = true;
    const Flaky = lazySchema(() => {
      if (fail) throw new Error("not yet");
      return z.string();
    });
    assert.throws(() => Flaky.parse("x"), /not yet/);
    fail = false;
    assert.equal(Flaky.parse("x"), "x");
  });
});
