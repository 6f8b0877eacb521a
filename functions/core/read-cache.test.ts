import assert from "node:assert/strict";
import { test } from "node:test";
import { createManualClock } from "@assay/shared";
import { createReadCache, withCachedReads, withClearingWrites } from "./read-cache.ts";

const fakeClock = () => createManualClock(1_000);

/** A store that counts its reads. */
const countingStore = () => {
  const records = new Map<string, { name: string }>([["a", { name: "A" }]]);
  const reads: string[] = [];
  return {
    reads,
    store: {
      async get(id: string) {
        reads.push(id);
        return records.get(id);
      },
      async rename(id: string, name: string) {
        records.set(id, { name });
      },
      async fail() {
        throw new Error("write failed");
      },
    },
  };
};

test("reads are answered from the cache within the TTL, and read again after it", async () => {
  const clock = fakeClock();
  const cache = createReadCache(clock, 5_000);
  const { store, reads } = countingStore();
  const cached = withCachedReads(store, cache, "s", ["get"]);
  assert.deepEqual(await cached.get("a"), { name: "A" });
  assert.deepEqual(await cached.get("a"), { name: "A" });
  assert.deepEqual(reads, ["a"]);
  clock.advance(5_000);
  await cached.get("a");
  assert.deepEqual(reads, ["a", "a"]);
});

test("a missing record is not remembered: something created elsewhere is seen at once", async () => {
  const cache = createReadCache(fakeClock());
  const { store, reads } = countingStore();
  const cached = withCachedReads(store, cache, "s", ["get"]);
  assert.equal(await cached.get("b"), undefined);
  await store.rename("b", "B");
  assert.deepEqual(await cached.get("b"), { name: "B" });
  assert.deepEqual(reads, ["b", "b"]);
});

test("a write through the wrapped store clears the cache, also when it fails", async () => {
  const cache = createReadCache(fakeClock());
  const { store, reads } = countingStore();
  const cached = withCachedReads(store, cache, "s", ["get"]);
  const writes = withClearingWrites(store, cache, ["rename", "fail"]);
  await cached.get("a");
  await writes.rename("a", "A2");
  assert.deepEqual(await cached.get("a"), { name: "A2" });
  await assert.rejects(writes.fail(), /write failed/);
  await cached.get("a");
  assert.deepEqual(reads, ["a", "a", "a"]);
});

test("a read that raced with a write does not store what it read before the write", async () => {
  const cache = createReadCache(fakeClock());
  let release: () => void = () => {};
  const slow = {
    async get() {
      await new Promise<void>((r) => {
        release = r;
      });
      return { name: "old" };
    },
  };
  const cached = withCachedReads(slow, cache, "s", ["get"]);
  const pending = cached.get();
  cache.clear(); // a write lands while the read is in flight
  release();
  assert.deepEqual(await pending, { name: "old" });
  assert.equal(cache.size, 0);
});

test("hits are copies: a caller changing one does not change the cache", async () => {
  const cache = createReadCache(fakeClock());
  const { store } = countingStore();
  const cached = withCachedReads(store, cache, "s", ["get"]);
  const first = await cached.get("a");
  assert.ok(first);
  first.name = "changed";
  assert.deepEqual(await cached.get("a"), { name: "A" });
});

test("wrapped stores keep their other methods, spread or not", async () => {
  const cache = createReadCache(fakeClock());
  const { store } = countingStore();
  const wrapped = { ...withCachedReads(store, cache, "s", ["get"]) };
  await wrapped.rename("a", "A3");
  assert.deepEqual(await wrapped.get("a"), { name: "A3" });
});

test("a TTL of 0 turns the cache off", async () => {
  const cache = createReadCache(fakeClock(), 0);
  const { store, reads } = countingStore();
  const cached = withCachedReads(store, cache, "s", ["get"]);
  await cached.get("a");
  await cached.get("a");
  assert.deepEqual(reads, ["a", "a"]);
});
