/**
 * Log chunks that arrive back to back are stored as contiguous runs: merged only when they
 * continue each other in the same execution and step, never past the size cap.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type LogChunk, LogStream } from "@assay/shared/proto";
import { contiguousRuns } from "./log-runs.ts";

const chunk = (
  executionId: string,
  offset: number,
  text: string,
  stepRef = "s1",
  stream: LogStream = LogStream.LOG_STREAM_UNSPECIFIED,
): LogChunk => ({
  executionId,
  seq: offset,
  offset,
  stepRef,
  data: Buffer.from(text),
  stream,
});

describe("contiguousRuns", () => {
  test("merges chunks that continue each other", () => {
    const runs = contiguousRuns([chunk("e", 0, "ab"), chunk("e", 2, "cd"), chunk("e", 4, "e")], 100);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]?.offset, 0);
    assert.equal(Buffer.concat(runs[0]?.parts ?? []).toString(), "abcde");
  });

  test("splits on another execution, another step, a gap, a resend and the cap", () => {
    const runs = contiguousRuns(
      [
        chunk("e", 0, "ab"),
        chunk("f", 0, "xy"),
        chunk("e", 2, "cd"),
        chunk("e", 4, "ef", "s2"),
        chunk("e", 9, "zz", "s2"),
        chunk("e", 9, "zz", "s2"),
        chunk("e", 11, "abcd", "s2"),
      ],
      5,
    );
    assert.deepEqual(
      runs.map((r) => [r.executionId, r.stepRef, r.offset, r.length]),
      [
        ["e", "s1", 0, 2],
        ["f", "s1", 0, 2],
        ["e", "s1", 2, 2],
        ["e", "s2", 4, 2],
        ["e", "s2", 9, 2],
        ["e", "s2", 9, 2],
        ["e", "s2", 11, 4],
      ],
    );
  });

  test("splits where the stream changes; an unset stream (an older agent) merges with stdout", () => {
    const runs = contiguousRuns(
      [
        chunk("e", 0, "ab"),
        chunk("e", 2, "cd", "s1", LogStream.LOG_STREAM_STDOUT),
        chunk("e", 4, "ef", "s1", LogStream.LOG_STREAM_STDERR),
        chunk("e", 6, "gh", "s1", LogStream.LOG_STREAM_STDERR),
        chunk("e", 8, "ij", "s1", LogStream.LOG_STREAM_STDOUT),
      ],
      100,
    );
    assert.deepEqual(
      runs.map((r) => [r.stream, r.offset, r.length]),
      [
        ["stdout", 0, 4],
        ["stderr", 4, 4],
        ["stdout", 8, 2],
      ],
    );
  });

  test("a chunk bigger than the cap stays whole", () => {
    const runs = contiguousRuns([chunk("e", 0, "abcdefgh")], 4);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]?.length, 8);
  });
});
