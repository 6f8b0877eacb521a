/**
 * The distributable bundle (npm run build:agent) runs on plain JavaScript: built into a temp
 * directory, it prints its version and help with type stripping switched off.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const agentDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

test("the bundle runs without type stripping", async () => {
  const outdir = await mkdtemp(join(tmpdir(), "assay-bundle-"));
  try {
    execFileSync(process.execPath, [join(agentDir, "scripts", "build.ts"), "--outdir", outdir]);
    const run = (...args: string[]) =>
      execFileSync(process.execPath, ["--no-experimental-strip-types", join(outdir, "assay.js"), ...args], {
        encoding: "utf8",
      });
    assert.match(run("--version"), /^\d+\.\d+\.\d+\n$/);
    assert.match(run("--help"), /agent \[options\]/);
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
});
