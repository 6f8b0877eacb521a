/**
 * Credentials through the API of a real local control plane: set, rotate, list, read, delete;
 * who sees what (viewers names only, members a variable's value, nobody a secret's); an
 * environment's credential winning at resolution; the audit trail; and that a secret value
 * never reaches the server log or the table's raw items.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient } from "../adapters/aws/dynamo-support.ts";
import { callerFor, json } from "../testing/accounts.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { createTenantFixture, type TenantFixture } from "../testing/tenant-fixture.ts";

const SECRET = "s3cr3t-Value-that-must-not-leak-7f2c";

describe("credentials API", () => {
  let plane: TestControlPlane;
  let fx: TenantFixture;
  before(async () => {
    plane = await startTestControlPlane();
    fx = await createTenantFixture(plane);
  });
  after(async () => {
    await plane?.stop();
  });
  const as = (role: "owner" | "admin" | "member" | "viewer") => callerFor(plane, { token: fx.tokens[role] });
  const org = () => `/v1/orgs/${fx.orgA}`;

  test("admins set and rotate; the answer and every read hide a secret's value", async () => {
    const created = await as("admin")(`${org()}/credentials/db.password`, {
      method: "PUT",
      json: { value: SECRET, kind: "secret" },
    });
    assert.equal(created.status, 201);
    const view = await json(created);
    assert.equal(view.version, 1);
    assert.equal(view.scope, "org");
    assert.equal(view.value, undefined);
    const rotated = await as("admin")(`${org()}/credentials/db.password`, {
      method: "PUT",
      json: { value: `${SECRET}-2`, kind: "secret" },
    });
    assert.equal(rotated.status, 200);
    assert.equal((await json(rotated)).version, 2);
    for (const role of ["owner", "member", "viewer"] as const) {
      const text = await (await as(role)(`${org()}/credentials`)).text();
      assert.ok(text.includes("db.password"), text);
      assert.ok(!text.includes(SECRET), `${role} saw the secret in the list`);
      const one = await (await as(role)(`${org()}/credentials/db.password`)).text();
      assert.ok(!one.includes(SECRET), `${role} saw the secret`);
    }
  });

  test("a variable's value: members read it, viewers see the name only, nobody below admin writes", async () => {
    const base = `${org()}/envs/prod/credentials/region`;
    assert.equal(
      (await as("admin")(base, { method: "PUT", json: { value: "eu-west-1", kind: "variable" } })).status,
      201,
    );
    assert.equal((await json(await as("member")(base))).value, "eu-west-1");
    const seen = await json(await as("viewer")(base));
    assert.equal(seen.name, "region");
    assert.equal(seen.value, undefined);
    const listed = await json<{ items: Array<{ value?: string }> }>(
      await as("viewer")(`${org()}/envs/prod/credentials`),
    );
    assert.ok(listed.items.every((i) => i.value === undefined));
    assert.equal(
      (await as("member")(base, { method: "PUT", json: { value: "x", kind: "variable" } })).status,
      403,
    );
    assert.equal((await as("viewer")(base, { method: "DELETE" })).status, 403);
  });

  test("bad names and bodies are 400s naming the field", async () => {
    const put = (name: string, body: unknown) =>
      as("admin")(`${org()}/credentials/${encodeURIComponent(name)}`, { method: "PUT", json: body });
    const cases: Array<[string, unknown, string]> = [
      [".hidden", { value: "v" }, "name"],
      ["a#b", { value: "v" }, "name"],
      ["ok", { value: 5 }, "body.value"],
      ["ok", { value: "v", kind: "password" }, "body.kind"],
      ["ok", { value: "x".repeat(70_000) }, "body.value"],
      ["ok", { value: "v", extra: true }, "body"],
    ];
    for (const [name, body, field] of cases) {
      const res = await put(name, body);
      assert.equal(res.status, 400, `${name} ${JSON.stringify(body).slice(0, 40)}`);
      const error = (await json<{ error: { code: string; message: string } }>(res)).error;
      assert.equal(error.code, "invalid_argument");
      assert.ok(error.message.startsWith(field), error.message);
    }
  });

  test("the environment's credential wins; prefixes find a secret's keys", async () => {
    const put = (path: string, value: string) =>
      as("admin")(path, { method: "PUT", json: { value, kind: "secret" } });
    await put(`${org()}/credentials/api-token`, "org-token");
    await put(`${org()}/envs/prod/credentials/api-token`, "env-token");
    await put(`${org()}/credentials/shop.user`, "alice");
    await put(`${org()}/envs/prod/credentials/shop.pass`, "pw");
    const credentials = plane.core.credentials;
    assert.ok(credentials);
    const got = await credentials.resolve(
      { orgId: fx.orgA, envId: "prod" },
      {
        names: ["api-token", "nope"],
        prefixes: ["shop"],
      },
    );
    const byName = Object.fromEntries(got.map((c) => [c.name, c.value]));
    assert.deepEqual(byName, { "api-token": "env-token", "shop.user": "alice", "shop.pass": "pw" });
    const inOther = await credentials.resolve(
      { orgId: fx.orgA, envId: "other" },
      { names: ["api-token"], prefixes: [] },
    );
    assert.deepEqual(
      inOther.map((c) => c.value),
      ["org-token"],
    );
  });

  test("delete is audited like set and rotate, without the value; deleting twice is 404", async () => {
    const path = `${org()}/credentials/temp`;
    await as("admin")(path, { method: "PUT", json: { value: SECRET, kind: "secret" } });
    assert.equal((await as("admin")(path, { method: "DELETE" })).status, 204);
    assert.equal((await as("admin")(path, { method: "DELETE" })).status, 404);
    assert.equal((await as("admin")(path)).status, 404);
    const audit = await (await as("admin")(`${org()}/audit?limit=100`)).text();
    for (const action of ["credential.created", "credential.rotated", "credential.deleted"])
      assert.ok(audit.includes(action), action);
    assert.ok(!audit.includes(SECRET));
  });

  test("the value is in neither the table's raw items nor the server log", async () => {
    const { client, tableName } = plane.dynamo();
    const items = await documentClient(client).send(new ScanCommand({ TableName: tableName }));
    const raw = JSON.stringify(items.Items);
    assert.ok(raw.includes("db.password"), "the credential is stored");
    assert.ok(!raw.includes(SECRET), "a value is stored in plain text");
    assert.ok(!raw.includes(Buffer.from(SECRET).toString("base64")), "a value is stored base64-encoded");
    assert.ok(!plane.logger.lines.join("\n").includes(SECRET), "a value reached the server log");
  });
});
