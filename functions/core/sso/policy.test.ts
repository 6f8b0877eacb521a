import assert from "node:assert/strict";
import { test } from "node:test";
import { PlatformProvidersJson } from "./platform-providers.ts";
import { domainOf, emailVerified, groupsOf, roleFor } from "./policy.ts";

test("the highest mapped role wins; unmapped users get the default", () => {
  const mapping = [
    { group: "devs", role: "member" as const },
    { group: "admins", role: "admin" as const },
  ];
  assert.equal(roleFor(["devs", "admins"], mapping, "viewer"), "admin");
  assert.equal(roleFor(["devs"], mapping, "viewer"), "member");
  assert.equal(roleFor(["sales"], mapping, "viewer"), "viewer");
  assert.equal(roleFor([], [], "member"), "member");
});

test("groups are read from an array or a single string; other values are ignored", () => {
  assert.deepEqual(groupsOf({ groups: ["a", 1, "b"] }, "groups"), ["a", "b"]);
  assert.deepEqual(groupsOf({ roles: "ops" }, "roles"), ["ops"]);
  assert.deepEqual(groupsOf({ groups: { a: 1 } }, "groups"), []);
});

test("only a provider's positive word verifies an email", () => {
  assert.equal(emailVerified({ email_verified: true }), true);
  assert.equal(emailVerified({ email_verified: "true" }), true);
  assert.equal(emailVerified({ xms_edov: true }), true);
  assert.equal(emailVerified({ email_verified: false }), false);
  assert.equal(emailVerified({}), false);
  assert.equal(domainOf("A.B@Example.COM"), "example.com");
});

test("platform providers parse from JSON with clear errors", () => {
  const ok = PlatformProvidersJson.parse(
    '[{"id":"google","name":"Google","issuer":"https://accounts.google.com","clientId":"c","clientSecret":"s"}]',
  );
  assert.equal(ok[0]?.id, "google");
  assert.deepEqual(PlatformProvidersJson.parse(undefined), []);
  const bad = PlatformProvidersJson.safeParse(
    '[{"id":"Google","name":"G","issuer":"http://idp.example.com"}]',
  );
  assert.equal(bad.success, false);
  const text = bad.error?.issues.map((i) => i.message).join("\n") ?? "";
  assert.match(text, /0\.id: must be lower-case/);
  assert.match(text, /0\.issuer/);
  assert.match(text, /0\.clientId/);
  assert.equal(PlatformProvidersJson.safeParse("not json").success, false);
});
