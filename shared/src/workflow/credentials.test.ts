import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bindSecretRefs, type CredentialUse, credentialFunctions } from "./credentials.ts";
import { parseWorkflowText } from "./parse.ts";
import { planWorkflow } from "./plan/plan.ts";
import { RUNNER_FEATURES } from "./plan/types.ts";

const parse = (spec: string) => {
  const parsed = parseWorkflowText(
    `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata: {name: t}\nspec:\n${spec}`,
    { select: "first" },
  );
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.workflow;
};

const VALUES: Record<string, string> = {
  "db.password": "pw",
  "shop.user": "alice",
  "shop.pass": "s",
  token: "tk",
  "c.k": "ck",
  "flags.debug": "1",
};

describe("credentials in workflows", () => {
  test("Kubernetes references become secret() calls; envFrom expands, explicit env wins", () => {
    const workflow = parse(`  container:
    env:
    - {name: DB, valueFrom: {secretKeyRef: {name: db, key: password}}}
    - {name: CM, valueFrom: {configMapKeyRef: {name: c, key: k}}}
    - {name: SHOP_user, value: explicit}
    envFrom:
    - {prefix: SHOP_, secretRef: {name: shop}}
    - {configMapRef: {name: flags, optional: true}}
  content:
    git: {uri: "https://example.com/r.git", tokenFrom: {secretKeyRef: {name: token, key: value}}}
  steps:
  - shell: echo
`);
    const first = bindSecretRefs(workflow);
    assert.deepEqual(first.wholeSecrets, [
      { name: "shop", optional: false, kind: "secret" },
      { name: "flags", optional: true, kind: "configMap" },
    ]);
    const keysOf = (name: string) =>
      Object.keys(VALUES)
        .filter((k) => k.startsWith(`${name}.`))
        .map((k) => k.slice(name.length + 1));
    const bound = bindSecretRefs(workflow, keysOf).workflow;
    const uses: CredentialUse[] = [];
    const plan = planWorkflow(bound, {
      features: RUNNER_FEATURES.filter((f) => f !== "env.valueFrom"),
      functions: credentialFunctions({ lookup: (n) => VALUES[n], onUse: (u) => uses.push(u) }),
    });
    const env = plan.steps[0]?.env ?? {};
    assert.equal(env.DB, "pw");
    assert.equal(env.SHOP_pass, "s");
    assert.equal(env.SHOP_user, "explicit", "env set explicitly wins over envFrom");
    assert.equal(plan.git?.token, "tk", "secret(name, key) falls back to the credential `name`");
    assert.ok(uses.some((u) => u.candidates.join() === "token.value,token"));
    assert.equal(env.CM, "ck", "a config map key is the credential NAME.KEY too");
    assert.equal(env.debug, "1", "envFrom.configMapRef imports every flags.* credential");
    assert.deepEqual(plan.unsupported, []);
  });

  test("a credential that is not set is an error naming it, unless optional", () => {
    const fns = credentialFunctions({ lookup: () => undefined });
    const call = { name: "x", evaluate: () => null, now: () => 0, workingDir: "/" };
    assert.throws(() => fns.credential?.(["nope"], call), /credential "nope" is not set/);
    assert.equal(fns.secret?.(["a", "b", true], call), "");
    assert.throws(() => fns.secret?.(["a"], call), /expects 2 or 3 arguments/);
    assert.throws(
      () => fns.configMap?.(["settings", "region"], call),
      /credential "settings.region" \(config map settings, key region\) is not set/,
    );
  });
});
