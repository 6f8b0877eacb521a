import assert from "node:assert/strict";
import { test } from "node:test";
import { LogSegmentsBody, parseLogStreamEvent } from "./log-events.ts";
import { createSseParser } from "./parser.ts";

test("events split across chunks, CRLF and multi-line data come out whole", () => {
  const parser = createSseParser();
  const bytes = new TextEncoder().encode(
    'event: log\r\nid: 5\r\ndata: {"a":\r\ndata: 1}\r\n\r\n: keepalive\n\n',
  );
  const events = [
    ...parser.push(bytes.subarray(0, 7)),
    ...parser.push(bytes.subarray(7, 21)),
    ...parser.push(bytes.subarray(21)),
  ];
  assert.deepEqual(events, [{ event: "log", id: "5", data: '{"a":\n1}' }]);
});

test("the id persists to later events and an unnamed event is a message", () => {
  const parser = createSseParser();
  assert.deepEqual(parser.push("id: 9\ndata: x\n\ndata: y\n\n"), [
    { event: "message", id: "9", data: "x" },
    { event: "message", id: "9", data: "y" },
  ]);
});

test("a multi-byte character split between chunks is decoded once", () => {
  const parser = createSseParser();
  const bytes = new TextEncoder().encode("data: é\n\n");
  assert.deepEqual(
    [...parser.push(bytes.subarray(0, 7)), ...parser.push(bytes.subarray(7))],
    [{ event: "message", id: undefined, data: "é" }],
  );
});

test("log stream events parse into their typed forms", () => {
  assert.deepEqual(
    parseLogStreamEvent({ event: "log", id: "3", data: '{"offset":0,"step":"s","data":"YWJj"}' }),
    {
      kind: "log",
      id: "3",
      offset: 0,
      step: "s",
      stream: "stdout",
      data: "YWJj",
    },
  );
  assert.deepEqual(
    parseLogStreamEvent({
      event: "log",
      id: "6",
      data: '{"offset":3,"step":"s","stream":"stderr","data":"ZXJy"}',
    }),
    { kind: "log", id: "6", offset: 3, step: "s", stream: "stderr", data: "ZXJy" },
  );
  assert.deepEqual(parseLogStreamEvent({ event: "status", id: undefined, data: '{"status":"running"}' }), {
    kind: "status",
    status: "running",
  });
  assert.deepEqual(
    parseLogStreamEvent({ event: "end", id: undefined, data: '{"status":"passed","logBytes":3}' }),
    {
      kind: "end",
      status: "passed",
      logBytes: 3,
    },
  );
  assert.deepEqual(parseLogStreamEvent({ event: "end", id: undefined, data: '{"status":"failed"}' }), {
    kind: "end",
    status: "failed",
  });
  assert.equal(parseLogStreamEvent({ event: "later", id: undefined, data: "{}" }), undefined);
});

test("a malformed log stream event is refused with the event's name", () => {
  assert.throws(
    () => parseLogStreamEvent({ event: "status", id: undefined, data: '{"status":"nope"}' }),
    /status event is malformed/,
  );
  assert.throws(
    () => parseLogStreamEvent({ event: "end", id: undefined, data: "not json" }),
    /end event is not JSON/,
  );
});

test("a log event naming an unknown stream is malformed, and the stored JSON read parses", () => {
  assert.throws(
    () =>
      parseLogStreamEvent({
        event: "log",
        id: "1",
        data: '{"offset":0,"step":"s","stream":"tty","data":""}',
      }),
    /log event is malformed/,
  );
  const body = LogSegmentsBody.parse({
    status: "passed",
    total: 6,
    truncated: false,
    segments: [
      { offset: 0, step: "s", data: "b3V0" },
      { offset: 3, step: "s", stream: "stderr", data: "ZXJy" },
    ],
  });
  assert.deepEqual(
    body.segments.map((s) => s.stream),
    ["stdout", "stderr"],
  );
});
