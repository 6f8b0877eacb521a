/** `assay login` / `logout` against a real control plane: checked, stored 0600, used, forgotten. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";

const ASSAY = fileURLToPath(new URL("../../agent/bin/assay.ts", import.meta.url));

describe("assay login", () => {
  let plane: TestControlPlane;
  const home = mkdtempSync(join(tmpdir(), "assay-login-"));
  // No ASSAY_* variables and no local.json in reach: only what login stores can help.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, "config"),
    ASSAY_DATA_DIR: join(home, "no-data"),
    NO_COLOR: "1",
  };
  const cli = (args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [ASSAY, ...args], { env, cwd: home });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.on("close", (code) => resolve({ code, out }));
    });

  before(async () => {
    plane = await startTestControlPlane();
  });
  after(async () => {
    await plane?.stop();
  });

  test("refuses a bad token and stores nothing", async () => {
    const result = await cli(["login", "--url", plane.apiUrl, "--token", "asy_api_wrong"]);
    assert.equal(result.code, 2);
    assert.match(result.out, /refused/);
    assert.equal(existsSync(join(home, "config", "assay", "config.json")), false);
  });

  test("stores a checked token with mode 0600 and later commands use it", async () => {
    const before = await cli(["workflow", "list"]);
    assert.equal(before.code, 2);
    assert.match(before.out, /assay login/);

    const login = await cli([
      "login",
      "--url",
      plane.apiUrl,
      "--token",
      plane.apiToken,
      "--env",
      plane.envId,
    ]);
    assert.equal(login.code, 0, login.out);
    const file = join(home, "config", "assay", "config.json");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, "config", "assay")).mode & 0o777, 0o700);

    const list = await cli(["workflow", "list", "-o", "json"]);
    assert.equal(list.code, 0, list.out);
    assert.ok(
      (JSON.parse(list.out) as { items: Array<{ name: string }> }).items.some((w) => w.name === "hello"),
    );

    assert.equal((await cli(["logout"])).code, 0);
    assert.equal(existsSync(file), false);
    assert.equal((await cli(["workflow", "list"])).code, 2);
  });

  test("without --env, picks the organization's only environment; with several, asks for one", async () => {
    const login = await cli(["login", "--url", plane.apiUrl, "--token", plane.apiToken, "-o", "json"]);
    assert.equal(login.code, 0, login.out);
    const saved = JSON.parse(login.out) as { org: string; env?: string; path: string };
    assert.equal(saved.org, plane.orgId);
    assert.equal(saved.env, plane.envId, "the only environment became the default");
    const list = await cli(["workflow", "list"]);
    assert.equal(list.code, 0, list.out);

    const created = await plane.api(`/v1/orgs/${plane.orgId}/envs`, {
      method: "POST",
      body: JSON.stringify({ id: "second" }),
      headers: { "content-type": "application/json" },
    });
    assert.equal(created.status, 201, await created.text());
    const again = await cli(["login", "--url", plane.apiUrl, "--token", plane.apiToken]);
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /no default environment: pass --env/);
    assert.equal((await cli(["workflow", "list"])).code, 2);
    assert.match((await cli(["logout", "-o", "yaml"])).out, /action: logged-out/);
  });
});
