import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { engineMayAnswer } from "./engine-socket.ts";

test("an engine may answer unless its socket file is certainly absent", async () => {
  const dir = await mkdtemp(join(tmpdir(), "assay-engine-socket-"));
  try {
    const socket = join(dir, "docker.sock");
    assert.equal(engineMayAnswer({ DOCKER_HOST: `unix://${socket}` }, "linux"), false);
    await writeFile(socket, "");
    assert.equal(engineMayAnswer({ DOCKER_HOST: `unix://${socket}` }, "linux"), true);
    // Hosts only the engine client can try.
    for (const host of ["tcp://127.0.0.1:1", "ssh://user@host", "npipe:////./pipe/docker_engine"])
      assert.equal(engineMayAnswer({ DOCKER_HOST: host }, "linux"), true, host);
    assert.equal(engineMayAnswer({ DOCKER_HOST: `unix://${join(dir, "none")}` }, "win32"), true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
