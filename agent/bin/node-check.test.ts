import assert from "node:assert/strict";
import { test } from "node:test";
import { MIN_NODE_MAJOR, nodeVersionProblem } from "./node-check.js";

test("Node.js 22 and newer run assay; older versions are refused with the reason and a way out", () => {
  assert.equal(MIN_NODE_MAJOR, 22);
  for (const version of ["22.0.0", "22.18.0", "24.11.1", "30.0.0"])
    assert.equal(nodeVersionProblem(version), undefined);
  for (const version of ["20.20.2", "18.19.0", "21.7.3"]) {
    const problem = nodeVersionProblem(version);
    assert.ok(problem, version);
    assert.match(
      problem,
      new RegExp(`Node\\.js 22 or newer; this is Node\\.js ${version.replaceAll(".", "\\.")}`),
    );
    assert.match(problem, /Docker install command/);
  }
  assert.ok(nodeVersionProblem("not-a-version"));
});
