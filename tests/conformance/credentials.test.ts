/**
 * Testkube documents that reference secrets, run by the real agent on a real local control
 * plane with credentials set: `credential()`, `secret()`, `env.valueFrom.secretKeyRef`,
 * `envFrom.secretRef`, `content.files[].contentFrom` and `content.git.tokenFrom` (a Git
 * repository served over HTTP on loopback that demands the token). Secret values are masked in
 * the stored log (also when printed in pieces), and appear in neither the execution record nor
 * the table; a credential that is not set fails the run before any step, naming it. Text files
 * uploaded as artifacts have the values masked too; binary artifacts arrive byte for byte.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import { after, before, describe, test } from "node:test";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient } from "../../functions/adapters/aws/dynamo-support.ts";
import { type AgentFixture, startAgentFixture, workflowDoc } from "./agent-fixture.ts";

const DB_PASSWORD = "pw-9d1e-correct-horse";
const API_TOKEN = "tok-51ab-battery-staple";
const GIT_TOKEN = "git-77c3-token-value";
/** Steps compare digests, so the documents themselves hold no value. */
const digest = (value: string) => createHash("sha256").update(value).digest("hex");
const is = (shell: string, value: string) =>
  `[ "$(printf %s "${shell}" | sha256sum | cut -c1-64)" = "${digest(value)}" ]`;

describe("conformance: workflows that use credentials (real agent)", () => {
  let fx: AgentFixture;
  let root: string;
  before(async () => {
    fx = await startAgentFixture();
    root = mkdtempSync(join(tmpdir(), "assay-cred-conf-"));
    const { orgId, envId } = fx.plane;
    const set = async (path: string, value: string, kind = "secret") => {
      const res = await fx.plane.api(path, { method: "PUT", body: JSON.stringify({ value, kind }) });
      assert.ok(res.status === 201 || res.status === 200, await res.text());
    };
    await set(`/v1/orgs/${orgId}/credentials/db.password`, DB_PASSWORD);
    await set(`/v1/orgs/${orgId}/credentials/api-token`, "org-level-loses");
    await set(`/v1/orgs/${orgId}/envs/${envId}/credentials/api-token`, API_TOKEN);
    await set(`/v1/orgs/${orgId}/credentials/region`, "eu-west-1", "variable");
    await set(`/v1/orgs/${orgId}/credentials/shop.user`, "alice", "variable");
    await set(`/v1/orgs/${orgId}/credentials/shop.pass`, DB_PASSWORD);
    await set(`/v1/orgs/${orgId}/credentials/git.token`, GIT_TOKEN);
    await set(`/v1/orgs/${orgId}/credentials/settings.region`, "eu-central-1", "variable");
    await set(`/v1/orgs/${orgId}/credentials/flags.debug`, "on", "variable");
  });
  after(async () => {
    await fx?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test("credential() and secret(): environment wins, secrets masked, variables shown", async () => {
    const run = await fx.run(
      "cred-functions",
      workflowDoc(
        "cred-functions",
        `  steps:
  - name: use
    shell: |
      ${is('{{ credential("api-token") }}', API_TOKEN)} && echo env-wins
      echo "token={{ credential("api-token") }} region={{ credential("region") }}"
      ${is('{{ secret("db", "password") }}', DB_PASSWORD)} && echo secret-ok
`,
      ),
    );
    assert.equal(run.status, "passed", run.log);
    assert.match(run.log, /env-wins/);
    assert.match(run.log, /secret-ok/);
    assert.match(run.log, /token=\*{8} region=eu-west-1/);
    assert.doesNotMatch(run.log, new RegExp(`${API_TOKEN}|${DB_PASSWORD}`));
  });

  test("env valueFrom.secretKeyRef and envFrom.secretRef; a value printed in pieces is still masked", async () => {
    const run = await fx.run(
      "cred-env",
      workflowDoc(
        "cred-env",
        `  container:
    env:
    - name: DB_PASSWORD
      valueFrom:
        secretKeyRef: {name: db, key: password}
    envFrom:
    - prefix: SHOP_
      secretRef: {name: shop}
  steps:
  - name: env
    shell: |
      ${is("$DB_PASSWORD", DB_PASSWORD)} && echo value-from-ok
      echo "user=$SHOP_user"
      ${is("$SHOP_pass", DB_PASSWORD)} && echo env-from-ok
      printf '%s' "$(echo "$DB_PASSWORD" | cut -c1-8)"; sleep 0.3; printf '%s\\n' "$(echo "$DB_PASSWORD" | cut -c9-)"
`,
      ),
    );
    assert.equal(run.status, "passed", run.log);
    assert.match(run.log, /value-from-ok/);
    assert.match(run.log, /env-from-ok/);
    assert.match(run.log, /user=alice/);
    assert.doesNotMatch(run.log, new RegExp(DB_PASSWORD));
    assert.doesNotMatch(run.log, /pw-9d1e-/, "the first half of a split value reached the log");
  });

  test("artifacts: secret values masked in text files (also across read chunks), binaries untouched", async () => {
    const run = await fx.run(
      "cred-artifacts",
      workflowDoc(
        "cred-artifacts",
        `  container:
    env:
    - name: DB_PASSWORD
      valueFrom:
        secretKeyRef: {name: db, key: password}
  steps:
  - name: write
    shell: |
      mkdir -p /data/out/logs
      echo "connecting with password=$DB_PASSWORD" > /data/out/logs/app.log
      head -c 65530 /dev/zero | tr '\\0' 'x' > /data/out/logs/long.log
      printf '%s\\n' "$DB_PASSWORD" >> /data/out/logs/long.log
      { printf 'BIN\\000'; printf '%s' "$DB_PASSWORD"; } > /data/out/blob.bin
      sha256sum /data/out/blob.bin
    artifacts:
      paths: ["/data/out/**"]
`,
      ),
    );
    assert.equal(run.status, "passed", run.log);
    assert.match(run.log, /secret values masked in 2 text file\(s\)/);
    const { orgId, envId } = fx.plane;
    const base = `/v1/orgs/${orgId}/envs/${envId}/executions/${run.id}/artifacts`;
    const deadline = Date.now() + 30_000;
    let files: Array<{ path: string; sha256: string }> = [];
    while (Date.now() < deadline) {
      const body = (await (await fx.plane.api(base)).json()) as {
        files: typeof files;
        bundles: Array<{ status: string }>;
      };
      files = body.files;
      if (body.bundles[0]?.status === "unpacked") break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const read = async (name: string) => {
      const path = files.find((f) => f.path.endsWith(name))?.path;
      assert.ok(path, `${name} among ${files.map((f) => f.path).join(", ")}`);
      const res = await fx.plane.api(`${base}/${path}`);
      assert.equal(res.status, 200, path);
      return Buffer.from(await res.arrayBuffer());
    };
    assert.equal((await read("logs/app.log")).toString(), "connecting with password=********\n");
    const long = (await read("logs/long.log")).toString();
    assert.equal(long.length, 65530 + 9);
    assert.ok(long.endsWith("x********\n"));
    assert.doesNotMatch(long, /pw-9d1e/);
    const blob = await read("blob.bin");
    assert.deepEqual(
      blob,
      Buffer.concat([Buffer.from("BIN\0"), Buffer.from(DB_PASSWORD)]),
      "binary untouched",
    );
    assert.equal(
      files.find((f) => f.path.endsWith("blob.bin"))?.sha256,
      createHash("sha256").update(blob).digest("hex"),
    );
  });

  test("content.files contentFrom and content.git tokenFrom", async () => {
    const { server, commit } = await serveGitRepo(
      root,
      `Basic ${Buffer.from(`bot:${GIT_TOKEN}`).toString("base64")}`,
    );
    const port = (server.address() as { port: number }).port;
    try {
      const run = await fx.run(
        "cred-content",
        workflowDoc(
          "cred-content",
          `  content:
    git:
      uri: http://127.0.0.1:${port}/repo.git
      revision: ${commit}
      username: bot
      tokenFrom:
        secretKeyRef: {name: git, key: token}
    files:
    - path: /data/secret.txt
      contentFrom:
        secretKeyRef: {name: db, key: password}
  steps:
  - name: files
    shell: |
      ${is("$(cat /data/secret.txt)", DB_PASSWORD)} && echo content-from-ok
      cat /data/repo/hello.txt
`,
        ),
      );
      assert.equal(run.status, "passed", run.log);
      assert.match(run.log, /content-from-ok/);
      assert.match(run.log, /hello from a private repo/);
      assert.doesNotMatch(run.log, new RegExp(`${GIT_TOKEN}|${DB_PASSWORD}`));
    } finally {
      server.close();
    }
  });

  test("config maps read variable credentials; field references answer from the run", async () => {
    const run = await fx.run(
      "cred-config-maps",
      workflowDoc(
        "cred-config-maps",
        `  pod:
    labels: {app: shop}
  container:
    env:
    - name: REGION
      valueFrom: {configMapKeyRef: {name: settings, key: region}}
    - name: POD
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    - name: UID
      valueFrom: {fieldRef: {fieldPath: metadata.uid}}
    - name: IP
      valueFrom: {fieldRef: {fieldPath: status.podIP}}
    - name: APP
      valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}
    - name: NS
      valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
    envFrom:
    - prefix: FLAG_
      configMapRef: {name: flags}
  steps:
  - name: env
    shell: echo "region=$REGION pod=$POD uid=$UID ip=$IP app=$APP ns=$NS debug=$FLAG_debug"
`,
      ),
    );
    assert.equal(run.status, "passed", run.log);
    const { envId } = fx.plane;
    assert.match(
      run.log,
      new RegExp(
        `region=eu-central-1 pod=cred-config-maps-${run.id} uid=${run.id} ip=127\\.0\\.0\\.1 app=shop ns=${envId} debug=on`,
      ),
    );
    const missing = await fx.run(
      "cred-config-map-missing",
      workflowDoc(
        "cred-config-map-missing",
        "  steps:\n  - shell: echo never\n    run:\n      env: [{name: X, valueFrom: {configMapKeyRef: {name: nothing, key: k}}}]\n",
      ),
    );
    assert.equal(missing.status, "failed");
    assert.match(missing.message ?? "", /"nothing\.k" \(config map nothing, key k\)/);
  });

  test("a credential that is not set fails the run at start, naming it; no step runs", async () => {
    const run = await fx.run(
      "cred-missing",
      workflowDoc(
        "cred-missing",
        `  steps:
  - name: never
    shell: echo this-must-not-run {{ credential("nope") }}
    container:
      env:
      - name: X
        valueFrom:
          secretKeyRef: {name: absent, key: k}
`,
      ),
    );
    assert.equal(run.status, "failed");
    assert.match(run.message ?? "", /"nope"/);
    assert.match(run.message ?? "", /absent\.k/);
    assert.doesNotMatch(run.log, /this-must-not-run/);
    assert.ok(run.steps.every((s) => s.status !== "passed" && s.status !== "running"));
  });

  test("values are in neither the execution records nor the table", async () => {
    const { client, tableName } = fx.plane.dynamo();
    const items = await documentClient(client).send(new ScanCommand({ TableName: tableName }));
    const raw = JSON.stringify(items.Items);
    assert.ok(raw.includes("cred-env"), "the executions are in the table");
    for (const value of [DB_PASSWORD, API_TOKEN, GIT_TOKEN]) assert.ok(!raw.includes(value), value);
    assert.ok(!fx.plane.logger.lines.join("\n").includes(DB_PASSWORD), "a value reached the server log");
  });
});

/**
 * A bare repository served over Git's dumb HTTP protocol (static files), for requests carrying
 * `authorization`; returns the server and the commit id (dumb HTTP fetches by id, not shallow).
 */
async function serveGitRepo(
  root: string,
  authorization: string,
): Promise<{ server: Server; commit: string }> {
  const source = join(root, "source");
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd });
  execFileSync("git", ["init", "-q", "-b", "main", source]);
  writeFileSync(join(source, "hello.txt"), "hello from a private repo\n");
  git(source, "add", ".");
  git(source, "commit", "-q", "-m", "one");
  const bare = join(root, "repo.git");
  execFileSync("git", ["clone", "-q", "--bare", source, bare]);
  execFileSync("git", ["update-server-info"], { cwd: bare });
  const server = createServer((req, res) => {
    if (req.headers.authorization !== authorization) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="git"' });
      return res.end();
    }
    const path = normalize(decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/")).replace(
      /^\/repo\.git/,
      "",
    );
    const file = join(bare, path);
    try {
      if (!file.startsWith(bare) || !statSync(file).isFile()) throw new Error("not a file");
      res.end(readFileSync(file));
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, commit: execFileSync("git", ["rev-parse", "HEAD"], { cwd: source }).toString().trim() };
}
