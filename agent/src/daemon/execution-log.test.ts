import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createExecutionLog, MAX_CHUNK_BYTES } from "./execution-log.ts";

const drain = (log: ReturnType<typeof createExecutionLog>) => {
  const out = [];
  for (let c = log.nextChunk(); c !== undefined; c = log.nextChunk()) out.push(c);
  return out;
};

describe("execution log", () => {
  it("batches appends of one step into a chunk once sealed, and splits at step changes", () => {
    const log = createExecutionLog();
    log.append("a", Buffer.from("one\n"));
    log.append("a", Buffer.from("two\n"));
    assert.equal(log.nextChunk(), undefined, "nothing is sent before the flush");
    log.append("b", Buffer.from("three\n"));
    log.seal();
    const chunks = drain(log);
    assert.deepEqual(
      chunks.map((c) => [c.seq, c.offset, c.stepRef, c.data.toString()]),
      [
        [1, 0, "a", "one\ntwo\n"],
        [2, 8, "b", "three\n"],
      ],
    );
    assert.ok(log.allSent());
  });

  it("splits at stream changes: each chunk is of one stream, the offsets one byte stream", () => {
    const log = createExecutionLog();
    log.append("a", Buffer.from("out\n"), "stdout");
    log.append("a", Buffer.from("err"), "stderr");
    log.append("a", Buffer.from("!\n"), "stderr");
    log.append("a", Buffer.from("note\n"));
    log.seal();
    assert.deepEqual(
      drain(log).map((c) => [c.offset, c.stream, c.data.toString()]),
      [
        [0, "stdout", "out\n"],
        [4, "stderr", "err!\n"],
        [9, "stdout", "note\n"],
      ],
    );
  });

  it("never sends more than 64 KiB in one chunk", () => {
    const log = createExecutionLog();
    assert.equal(log.append("a", Buffer.alloc(MAX_CHUNK_BYTES * 2 + 10, 1)), true);
    log.seal();
    assert.deepEqual(
      drain(log).map((c) => [c.offset, c.data.length]),
      [
        [0, MAX_CHUNK_BYTES],
        [MAX_CHUNK_BYTES, MAX_CHUNK_BYTES],
        [MAX_CHUNK_BYTES * 2, 10],
      ],
    );
  });

  it("drops acknowledged bytes and resends from the committed offset (also mid-chunk)", () => {
    const log = createExecutionLog();
    log.append("a", Buffer.from("0123456789"));
    log.seal();
    log.append("b", Buffer.from("abcdef"));
    log.seal();
    drain(log);
    assert.equal(log.ack(4), 4);
    assert.equal(log.heldBytes, 12);
    log.resendFrom(4);
    assert.deepEqual(
      drain(log).map((c) => [c.offset, c.data.toString()]),
      [
        [4, "456789"],
        [10, "abcdef"],
      ],
    );
    log.ack(16);
    assert.equal(log.heldBytes, 0);
  });

  it("resends once from a refused (non-advancing) ack", () => {
    const log = createExecutionLog();
    for (const piece of ["aaaa", "bbbb", "cccc"]) {
      log.append(piece, Buffer.from(piece));
      log.seal();
    }
    drain(log);
    log.ack(4);
    log.ack(4); // the server refused "cccc"? no: it refused "bbbb" (gap) -> resend from 4
    assert.equal(log.sentTo, 4);
    log.ack(4); // the refusal of "cccc", sent before the resend: ignored
    assert.deepEqual(
      drain(log).map((c) => c.data.toString()),
      ["bbbb", "cccc"],
    );
  });

  it("starts at the committed offset of a redelivered execution", () => {
    const log = createExecutionLog(100);
    log.append("a", Buffer.from("x"));
    log.seal();
    assert.equal(log.nextChunk()?.offset, 100);
    assert.equal(log.produced, 101);
  });
});
