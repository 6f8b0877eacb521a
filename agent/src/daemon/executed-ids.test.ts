import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadExecutedIds } from "./executed-ids.ts";

test("executed ids survive a reload and are compacted to the newest", async () => {
  const dir = await mkdtemp(join(tmpdir(), "assay-ids-"));
  try {
    const ids = loadExecutedIds(dir, 3);
    for (const id of ["a", "b", "c", "d"]) ids.add(id);
    ids.add("d");
    assert.ok(loadExecutedIds(dir, 10).has("a"));
    const compacted = loadExecutedIds(dir, 3);
    assert.ok(!compacted.has("a") && compacted.has("b") && compacted.has("d"));
    assert.equal(await readFile(join(dir, "executed-ids"), "utf8"), "b\nc\nd\n");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
