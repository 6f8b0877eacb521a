/**
 * `assay credential set | list | delete` against a real control plane: the value comes from
 * stdin or a file, never argv; a secret is never printed back; a variable is.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";

const ASSAY = fileURLToPath(new URL("../../agent/bin/assay.ts", import.meta.url));
const SECRET = "cli-secret-4e1f-value";

describe("assay credential", () => {
  let plane: TestControlPlane;
  const home = mkdtempSync(join(tmpdir(), "assay-cred-cli-"));
  const cli = (args: string[], stdin?: string) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [ASSAY, ...args], {
        cwd: home,
        env: {
          PATH: process.env.PATH,
          HOME: home,
          NO_COLOR: "1",
          ASSAY_URL: plane.apiUrl,
          ASSAY_TOKEN: plane.apiToken,
          ASSAY_ORG: plane.orgId,
          ASSAY_ENV: plane.envId,
          ASSAY_DATA_DIR: join(home, "no-data"),
        },
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.on("close", (code) => resolve({ code, out }));
      child.stdin.end(stdin ?? "");
    });

  before(async () => {
    plane = await startTestControlPlane();
  });
  after(async () => {
    await plane?.stop();
  });

  test("set from stdin and from a file, list, delete", async () => {
    const set = await cli(["credential", "set", "api-token"], `${SECRET}\n`);
    assert.equal(set.code, 0, set.out);
    assert.match(set.out, /secret api-token set \(env, version 1\)/);
    const file = join(home, "region.txt");
    writeFileSync(file, "eu-west-1\n");
    const variable = await cli([
      "credential",
      "set",
      "region",
      "--variable",
      "--org-wide",
      "--from-file",
      file,
    ]);
    assert.equal(variable.code, 0, variable.out);
    const list = await cli(["credential", "list"]);
    assert.match(list.out, /api-token {2}secret {2}v1/);
    assert.ok(!list.out.includes(SECRET));
    assert.match(
      (await cli(["credential", "list", "--org-wide"])).out,
      /region {2}variable {2}v1 .* = eu-west-1/,
    );
    const resolved = await plane.core.credentials?.resolve(
      { orgId: plane.orgId, envId: plane.envId },
      {
        names: ["api-token"],
        prefixes: [],
      },
    );
    assert.equal(resolved?.[0]?.value, SECRET, "stdin's trailing newline is dropped");
    assert.equal((await cli(["credential", "delete", "api-token"])).code, 0);
    const again = await cli(["credential", "delete", "api-token"]);
    assert.equal(again.code, 2);
    assert.match(again.out, /not found/);
  });

  test("a value on the command line is refused; a bad name is a clear error", async () => {
    const extra = await cli(["credential", "set", "x", SECRET]);
    assert.notEqual(extra.code, 0);
    const missing = await cli(["credential", "set", "x", "--from-file", join(home, "nope")]);
    assert.equal(missing.code, 2);
    assert.match(missing.out, /ENOENT/);
    const bad = await cli(["credential", "set", ".bad"], "v");
    assert.equal(bad.code, 2);
    assert.match(bad.out, /name/);
  });
});
