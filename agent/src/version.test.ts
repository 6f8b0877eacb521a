/** One version: the product's package.json, the agent's hello and the served tarball agree. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { ASSAY_VERSION, agentIsOutdated, compareVersions, MIN_AGENT_VERSION } from "@assay/shared/version";
import { AGENT_VERSION } from "./version.ts";

const versionOf = (path: string) =>
  (JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")) as { version: string }).version;

test("the product, the control plane and the agent carry one version", () => {
  assert.equal(ASSAY_VERSION, versionOf("../../package.json"));
  assert.equal(ASSAY_VERSION, versionOf("../../functions/package.json"));
  assert.equal(AGENT_VERSION, ASSAY_VERSION);
  assert.ok(
    compareVersions(MIN_AGENT_VERSION, ASSAY_VERSION) <= 0,
    "the minimum is not newer than the product",
  );
});

test("versions compare numerically; agents without a version or older than the minimum are outdated", () => {
  assert.equal(compareVersions("0.10.0", "0.9.1"), 1);
  assert.equal(compareVersions("1.2.3", "1.2.3-rc.1"), 0);
  assert.equal(compareVersions("0.0.9", "0.1.0"), -1);
  assert.equal(agentIsOutdated("0.0.1"), true);
  assert.equal(agentIsOutdated(""), true);
  assert.equal(agentIsOutdated(MIN_AGENT_VERSION), false);
});
