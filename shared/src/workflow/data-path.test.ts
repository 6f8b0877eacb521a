import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isDataPath, mapDataPath } from "./data-path.ts";

describe("mapDataPath", () => {
  const ws = "/var/lib/assay/executions/01J0ABC";

  it("maps /data and everything under it onto the workspace", () => {
    assert.equal(mapDataPath("/data", ws), ws);
    assert.equal(mapDataPath("/data/repo/test/k6", ws), `${ws}/repo/test/k6`);
    assert.equal(mapDataPath("/data/artifacts/", ws), `${ws}/artifacts/`);
    assert.equal(mapDataPath("/data//repo/./x", ws), `${ws}/repo/x`);
    assert.equal(mapDataPath("/data/repo", `${ws}/`), `${ws}/repo`);
  });

  it("leaves other paths alone and never escapes the workspace", () => {
    assert.equal(mapDataPath("/database/x", ws), "/database/x");
    assert.equal(mapDataPath("/tmp/x", ws), "/tmp/x");
    assert.equal(mapDataPath("reports/x", ws), "reports/x");
    assert.equal(mapDataPath("/data/../etc/passwd", ws), "/data/../etc/passwd");
    assert.equal(mapDataPath("/data/a/../../b", ws), "/data/a/../../b");
    assert.equal(mapDataPath("/data/a/../b", ws), `${ws}/b`);
    assert.equal(isDataPath("/data/../etc"), false);
    assert.equal(isDataPath("/data/x"), true);
  });
});
