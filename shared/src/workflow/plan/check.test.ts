import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseWorkflowText } from "../parse.ts";
import { PROCESS_RUNTIME_FEATURES, runtimeFromCapabilities } from "../runtimes.ts";
import { type CheckedRuntime, checkWorkflow, formatCheck } from "./check.ts";
import { RUNNER_FEATURES } from "./types.ts";

const workflow = (spec: string) => {
  const parsed = parseWorkflowText(
    `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata: {name: w}\nspec:\n${spec}`,
  );
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.workflow;
};

describe("runtimes from hello capabilities", () => {
  it("takes an agent that names no runtime for the process runtime", () => {
    assert.deepEqual(runtimeFromCapabilities(["logs.offsets"]), {
      runtime: "process",
      features: PROCESS_RUNTIME_FEATURES,
    });
  });

  it("reads a named runtime and listed features; unknown feature names are ignored", () => {
    assert.deepEqual(runtimeFromCapabilities(["runner.docker", "feature.content.oci", "feature.nope"]), {
      runtime: "docker",
      features: ["content.oci"],
      containers: true,
    });
    assert.deepEqual(runtimeFromCapabilities(["runner.future"]).features, []);
  });
});

describe("checkWorkflow", () => {
  const spec = `  config: {who: {type: string}}
  services:
    db: {shell: sleep 60}
  steps:
  - name: hello {{ config.who }}
    run: {image: alpine}
  - name: group
    steps: [{name: inner, shell: echo}]
`;

  it("gives the step tree and per runtime its refusals; missing config only warns", () => {
    const check = checkWorkflow(workflow(spec), [
      { runtime: "process", features: PROCESS_RUNTIME_FEATURES, agents: 2 },
      { runtime: "everything", features: RUNNER_FEATURES, agents: 1 },
    ]);
    assert.deepEqual(
      check.steps.map((s) => [s.ref, s.depth, s.kind]),
      [
        ["s1", 0, "service"],
        ["r1", 0, "step"],
        ["r2", 0, "step"],
        ["r2.1", 1, "step"],
      ],
    );
    const [process, everything] = check.runtimes;
    assert.deepEqual(
      process?.refusals.map((r) => [r.path, r.feature]),
      [["spec.steps[0].run", "image-entrypoint"]],
    );
    assert.deepEqual(everything?.refusals, []);
    assert.match(
      everything?.warnings.join("\n") ?? "",
      /spec\.config\.who: config parameter "who" has no default: a run must give it/,
    );
    const text = formatCheck(check).join("\n");
    assert.match(text, /^process runtime \(2 agents\): will not run$/m);
    assert.match(text, /^everything runtime \(1 agent\): runs$/m);
    assert.match(text, /^ {4}r2\.1 inner$/m);
  });

  it("plans secret and config map references as credentials; field references per runtime", () => {
    const check = checkWorkflow(
      workflow(`  container:
    env:
    - {name: KEY, valueFrom: {secretKeyRef: {name: api, key: token}}}
    - {name: REGION, valueFrom: {configMapKeyRef: {name: settings, key: region}}}
    - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: PRIO, valueFrom: {fieldRef: {fieldPath: spec.priority}}}
    envFrom: [{secretRef: {name: db}}, {configMapRef: {name: flags}, prefix: F_}]
  content:
    files: [{path: a.json, contentFrom: {configMapKeyRef: {name: settings, key: a}}}]
  steps:
  - shell: echo
`),
      [
        { runtime: "process", features: PROCESS_RUNTIME_FEATURES, agents: 1 },
        runtimeFromCapabilities(["runner.docker"]) as CheckedRuntime,
      ].map((r) => ({ ...r, agents: 1 })),
    );
    const [process, docker] = check.runtimes;
    assert.deepEqual(
      process?.refusals.map((r) => [r.path, r.message]),
      [
        [
          "spec.container.env[4].valueFrom",
          "env PRIO: fieldRef spec.priority has no counterpart in an Assay run",
        ],
      ],
    );
    assert.deepEqual(
      docker?.refusals.map((r) => r.message),
      [
        "env IP: fieldRef status.podIP: a container gets its address when it starts, after its environment is set",
        "env PRIO: fieldRef spec.priority has no counterpart in an Assay run",
      ],
    );
  });

  it("refuses execute.tests on every runtime, saying what to do instead", () => {
    const check = checkWorkflow(workflow("  steps:\n  - execute:\n      tests: [{name: legacy-test}]\n"), [
      { runtime: "everything", features: RUNNER_FEATURES, agents: 1 },
    ]);
    assert.deepEqual(
      check.runtimes[0]?.refusals.map((r) => [r.path, r.message]),
      [
        [
          "spec.steps[0].execute.tests",
          "execute.tests starts Testkube's legacy Tests, which Assay does not have: convert them to TestWorkflows and list them under execute.workflows",
        ],
      ],
    );
  });
});
