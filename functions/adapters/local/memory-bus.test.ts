import assert from "node:assert/strict";
import { test } from "node:test";
import { runBusContract } from "../../core/contracts/bus.contract.ts";
import { createMemoryBus } from "./memory-bus.ts";

runBusContract("memory", () => createMemoryBus());

test("delivery is asynchronous to the publisher and subscribers get independent copies", async () => {
  const bus = createMemoryBus();
  const received: Uint8Array[] = [];
  await bus.subscribe("a.b", (m) => {
    m.data[0] = 99; // a subscriber scribbling on its copy must not affect the others
    received.push(m.data);
  });
  await bus.subscribe("a.*", (m) => received.push(m.data));
  const payload = new Uint8Array([1, 2, 3]);
  const published = bus.publish("a.b", payload);
  assert.equal(received.length, 0, "handlers never run inside publish");
  payload[1] = 42; // the publisher reusing its buffer must not reach subscribers
  await published;
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(received, [new Uint8Array([99, 2, 3]), new Uint8Array([1, 2, 3])]);
  await bus.close();
});

test("unsubscribing prunes the subscription trie and one pattern serves many subscribers", async () => {
  const bus = createMemoryBus();
  const offs = await Promise.all(
    Array.from({ length: 1_000 }, (_, i) => bus.subscribe(`exec.${i}.log`, () => {})),
  );
  let hits = 0;
  const off = await bus.subscribe("exec.500.>", () => hits++);
  for (const unsubscribe of offs) unsubscribe();
  await bus.publish("exec.500.log", new Uint8Array());
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(hits, 1);
  off();
  await bus.close();
});
