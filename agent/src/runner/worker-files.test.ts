import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { copyMatching, hostPathIn } from "./worker-files.ts";

describe("worker files", () => {
  it("maps unit paths on /data and on mounts to host paths, and nothing else", () => {
    const space = { workspace: "/ws/data", volumes: {}, mounts: [{ path: "/opt/in", host: "/ws/m1" }] };
    assert.equal(hostPathIn(space, "/data"), "/ws/data");
    assert.equal(hostPathIn(space, "/data/a/../b/"), "/ws/data/b");
    assert.equal(hostPathIn(space, "/opt/in/x"), "/ws/m1/x");
    assert.equal(hostPathIn(space, "/database"), undefined);
    assert.equal(hostPathIn(space, "/etc"), undefined);
  });

  it("copies the matching files with their directories, world-writable", async () => {
    const dir = await mkdtemp(join(tmpdir(), "assay-worker-files-"));
    try {
      await mkdir(join(dir, "from/sub"), { recursive: true });
      await writeFile(join(dir, "from/a.txt"), "a");
      await writeFile(join(dir, "from/sub/b.txt"), "b");
      await writeFile(join(dir, "from/sub/c.log"), "c");
      assert.equal(await copyMatching(join(dir, "from"), join(dir, "to"), ["**/*.txt"]), 2);
      assert.equal(await readFile(join(dir, "to/sub/b.txt"), "utf8"), "b");
      await assert.rejects(stat(join(dir, "to/sub/c.log")));
      assert.equal((await stat(join(dir, "to/sub"))).mode & 0o777, 0o777);
      await assert.rejects(copyMatching(join(dir, "missing"), join(dir, "x"), ["**/*"]), /not a directory/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
