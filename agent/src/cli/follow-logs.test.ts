import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createStreamPainter } from "./follow-logs.ts";

const ON = "\u001b[31m";
const OFF = "\u001b[39m";
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();

describe("createStreamPainter", () => {
  it("marks stderr lines in red on a terminal, ending the colour before each line feed and at stdout", () => {
    const painter = createStreamPainter(true);
    const out = [
      painter.paint(Buffer.from("bad\n\nwor"), "stderr"),
      painter.paint(Buffer.from("se"), "stderr"),
      painter.paint(Buffer.from(" then ok\n"), "stdout"),
      painter.paint(Buffer.from("tail"), "stderr"),
      painter.reset(),
    ].map(text);
    assert.equal(out.join(""), `${ON}bad${OFF}\n\n${ON}worse${OFF} then ok\n${ON}tail${OFF}`);
  });

  it("leaves stdout, and anything without colour, byte for byte", () => {
    const bytes = Buffer.from("ok \u001b[1mbold\u001b[0m\n");
    assert.equal(createStreamPainter(true).paint(bytes, "stdout"), bytes);
    assert.equal(createStreamPainter(false).paint(bytes, "stderr"), bytes);
  });

  it("keeps a character whole that an event boundary cut in two", () => {
    const painter = createStreamPainter(true);
    const e = Buffer.from("é\n");
    const painted = Buffer.concat([
      painter.paint(e.subarray(0, 1), "stderr"),
      painter.paint(e.subarray(1), "stderr"),
    ]);
    assert.equal(painted.toString(), `${ON}é${OFF}\n`);
  });
});
