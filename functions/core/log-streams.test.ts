/**
 * Output streams in stored logs: stdout and stderr segments keep their stream through chunk
 * keys, compaction and the live bus encoding; logs written before streams were kept (chunk keys
 * and index entries without one) read as stdout. Storage is fauxqs's S3.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createS3BlobStore } from "../adapters/aws/s3-blob-store.ts";
import { type LocalFauxqs, startLocalFauxqs } from "../adapters/local/fauxqs.ts";
import { createMemoryBus } from "../adapters/local/memory-bus.ts";
import { createLogService, decodeSegment, encodeSegment, type LogSegment, logSubject } from "./logs.ts";

let fauxqs: LocalFauxqs;
before(async () => {
  fauxqs = await startLocalFauxqs();
});
after(async () => {
  await fauxqs?.stop();
});

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (s: LogSegment) => [s.offset, s.step, s.stream, new TextDecoder().decode(s.data)];

test("mixed stdout and stderr keep their streams and offsets through compaction", async () => {
  const blobs = await createS3BlobStore({ client: fauxqs.s3Client, bucket: "streams", createBucket: true });
  const bus = createMemoryBus();
  const logs = createLogService({ blobs, bus });
  const id = "01KAAAAAAAAAAAAAAAAAAAAAS1";
  const ref = { orgId: "o", envId: "e", id };
  const live: unknown[] = [];
  await bus.subscribe(logSubject(id), (m) => live.push(text(decodeSegment(m.data))));
  const writes: LogSegment[] = [
    { offset: 0, step: "r1", data: bytes("out 1\n") },
    { offset: 6, step: "r1", stream: "stderr", data: bytes("err ") },
    { offset: 10, step: "r1", stream: "stderr", data: bytes("1\n") },
    { offset: 12, step: "r1", stream: "stdout", data: bytes("out 2\n") },
    { offset: 18, step: "r2", stream: "stderr", data: bytes("err 2\n") },
  ];
  let offset = 0;
  for (const segment of writes) offset = await logs.append(ref, segment);
  assert.equal(offset, 24);
  const expected = [
    [0, "r1", "stdout", "out 1\n"],
    [6, "r1", "stderr", "err "],
    [10, "r1", "stderr", "1\n"],
    [12, "r1", "stdout", "out 2\n"],
    [18, "r2", "stderr", "err 2\n"],
  ];
  assert.deepEqual((await logs.segments(ref)).map(text), expected);
  assert.deepEqual(live, expected, "the bus carries the stream");
  const keys = (await blobs.list(`logs/o/e/${id}/chunks/`)).map((k) => k.key.split("/").at(-1));
  assert.deepEqual(keys.filter((k) => k?.endsWith("~stderr")).length, 3);

  await logs.compact(ref);
  assert.equal((await blobs.list(`logs/o/e/${id}/chunks/`)).length, 0, "chunks removed");
  assert.deepEqual((await logs.segments(ref)).map(text), expected, "compaction keeps the boundaries");
  assert.deepEqual(
    (await logs.segments(ref, 8)).map(text)[0],
    [8, "r1", "stderr", "r "],
    "a resume mid-segment",
  );
  assert.equal((await logs.read(ref)).toString(), "out 1\nerr 1\nout 2\nerr 2\n");

  const tail = await logs.readSegments(ref, { tail: 2 });
  assert.equal(tail.total, 24);
  assert.deepEqual(tail.segments.map(text), [
    [12, "r1", "stdout", "out 2\n"],
    [18, "r2", "stderr", "err 2\n"],
  ]);
  const r1Tail = await logs.readSegments(ref, { step: "r1", tail: 2 });
  assert.deepEqual(r1Tail.segments.map(text), [
    [6, "r1", "stderr", "err "],
    [10, "r1", "stderr", "1\n"],
    [12, "r1", "stdout", "out 2\n"],
  ]);
});

test("a log stored before streams were kept reads as stdout, chunked and compacted", async () => {
  const blobs = await createS3BlobStore({
    client: fauxqs.s3Client,
    bucket: "streams-old",
    createBucket: true,
  });
  const logs = createLogService({ blobs, bus: createMemoryBus() });
  const chunked = "01KAAAAAAAAAAAAAAAAAAAAAS2";
  await blobs.put(`logs/o/e/${chunked}/chunks/0000000000000000-0000000004-r1`, bytes("old\n"));
  assert.deepEqual((await logs.segments({ orgId: "o", envId: "e", id: chunked })).map(text), [
    [0, "r1", "stdout", "old\n"],
  ]);
  // A new agent's stderr goes on after the old chunk; the offsets stay one byte stream.
  assert.equal(
    await logs.append(
      { orgId: "o", envId: "e", id: chunked },
      { offset: 4, step: "r1", stream: "stderr", data: bytes("e\n") },
    ),
    6,
  );
  assert.deepEqual((await logs.segments({ orgId: "o", envId: "e", id: chunked })).map(text), [
    [0, "r1", "stdout", "old\n"],
    [4, "r1", "stderr", "e\n"],
  ]);

  const compacted = "01KAAAAAAAAAAAAAAAAAAAAAS3";
  await blobs.put(`logs/o/e/${compacted}/log`, bytes("a\nb\n"));
  const oldIndex = { length: 4, segments: [{ offset: 0, length: 4, step: "r1" }] };
  await blobs.put(`logs/o/e/${compacted}/index.json`, bytes(JSON.stringify(oldIndex)));
  assert.deepEqual((await logs.segments({ orgId: "o", envId: "e", id: compacted })).map(text), [
    [0, "r1", "stdout", "a\nb\n"],
  ]);
});

test("the bus encoding of a stdout segment is unchanged; stderr sets the length byte's high bit", () => {
  const stdout = encodeSegment({ offset: 7, step: "r1", data: bytes("x") });
  assert.equal(stdout[8], 2, "the step ref's length, as before streams were kept");
  assert.equal(decodeSegment(stdout).stream, "stdout");
  const stderr = encodeSegment({ offset: 7, step: "r1", stream: "stderr", data: bytes("x") });
  assert.equal(stderr[8], 0x82);
  assert.deepEqual(text(decodeSegment(stderr)), [7, "r1", "stderr", "x"]);
});
