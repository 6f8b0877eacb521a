/**
 * Pipelined log appends: several puts of one execution in flight, landing in any order, while
 * the committed offset only ever covers a contiguous prefix and acknowledgements come in order.
 * The puts go to fauxqs's S3; a wrapper holds chosen puts back or fails them.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createS3BlobStore } from "../adapters/aws/s3-blob-store.ts";
import { type LocalFauxqs, startLocalFauxqs } from "../adapters/local/fauxqs.ts";
import { createMemoryBus } from "../adapters/local/memory-bus.ts";
import { createLogService, decodeSegment, logSubject } from "./logs.ts";
import type { BlobStore } from "./ports.ts";

let fauxqs: LocalFauxqs;
before(async () => {
  fauxqs = await startLocalFauxqs();
});
after(async () => {
  await fauxqs?.stop();
});

/** A blob store whose puts wait for `release(n)` (n = put number from 0) or fail on `failing`. */
async function gatedBlobs(bucket: string) {
  const inner = await createS3BlobStore({ client: fauxqs.s3Client, bucket, createBucket: true });
  const gates: Array<() => void> = [];
  const opened = new Set<number>();
  const failing = new Set<number>();
  let puts = 0;
  const blobs: BlobStore = {
    ...inner,
    async put(key, body, options) {
      const n = puts++;
      if (!opened.has(n)) await new Promise<void>((r) => (gates[n] = r));
      if (failing.has(n)) throw new Error(`put ${n} failed`);
      await inner.put(key, body, options);
    },
  };
  return {
    blobs,
    failing,
    release(n: number) {
      opened.add(n);
      gates[n]?.();
    },
  };
}

const bytes = (s: string) => new TextEncoder().encode(s);
const REF = { orgId: "o", envId: "e", id: "01KAAAAAAAAAAAAAAAAAAAAAP1" };

test("puts land out of order; the committed offset and the live segments follow log order", async () => {
  const gate = await gatedBlobs("pipeline-order");
  const bus = createMemoryBus();
  const live: number[] = [];
  await bus.subscribe(logSubject(REF.id), (m) => live.push(decodeSegment(m.data).offset));
  const logs = createLogService({ blobs: gate.blobs, bus });
  const acks: number[] = [];
  const a = await logs.begin(REF, { offset: 0, step: "r1", data: bytes("aaaa") });
  const b = await logs.begin(REF, { offset: 4, step: "r1", data: bytes("bbbb") });
  const c = await logs.begin(REF, { offset: 8, step: "r1", data: bytes("cc") });
  for (const p of [a, b, c]) void p.stored.then((offset) => acks.push(offset));
  // The last put lands first, then the middle: nothing is committed before the first.
  gate.release(2);
  gate.release(1);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(acks, []);
  gate.release(0);
  assert.equal(await c.stored, 10);
  assert.deepEqual(acks, [4, 8, 10]);
  assert.deepEqual(live, [0, 4, 8]);
  assert.equal(await logs.committedOffset(REF), 10);
  assert.equal((await logs.read(REF)).toString(), "aaaabbbbcc");
});

test("a resend of bytes still in flight is not stored twice; a gap beyond them is refused", async () => {
  const gate = await gatedBlobs("pipeline-resend");
  const logs = createLogService({ blobs: gate.blobs, bus: createMemoryBus() });
  const first = await logs.begin(REF, { offset: 0, step: "r1", data: bytes("hello ") });
  const again = await logs.begin(REF, { offset: 0, step: "r1", data: bytes("hello ") });
  const gap = await logs.begin(REF, { offset: 20, step: "r1", data: bytes("late") });
  gate.release(0);
  assert.equal(await first.stored, 6);
  assert.equal(await again.stored, 6);
  assert.equal(await gap.stored, 6);
  gate.release(1); // no second put was made: nothing waits on it
  assert.equal((await logs.read(REF)).toString(), "hello ");
});

test("a failed put fails it and every later one; the next append starts from what is stored", async () => {
  const gate = await gatedBlobs("pipeline-fail");
  const logs = createLogService({ blobs: gate.blobs, bus: createMemoryBus() });
  gate.release(0);
  const a = await logs.begin(REF, { offset: 0, step: "r1", data: bytes("one,") });
  gate.failing.add(1);
  const b = await logs.begin(REF, { offset: 4, step: "r1", data: bytes("two,") });
  const c = await logs.begin(REF, { offset: 8, step: "r1", data: bytes("three") });
  gate.release(2); // lands, but after a gap
  gate.release(1);
  assert.equal(await a.stored, 4);
  await assert.rejects(b.stored, /put 1 failed/);
  await assert.rejects(c.stored, /put 1 failed/);
  assert.equal(await logs.committedOffset(REF), 4);
  // The agent resends from the committed offset: the missing bytes are stored, the log is whole.
  gate.release(3);
  gate.release(4);
  assert.equal(await logs.append(REF, { offset: 4, step: "r1", data: bytes("two,") }), 8);
  assert.equal(await logs.append(REF, { offset: 8, step: "r1", data: bytes("three") }), 13);
  assert.equal((await logs.read(REF)).toString(), "one,two,three");
});
