import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseWorkflowText } from "../parse.ts";
import type { TestWorkflow } from "../schema/workflow.ts";
import { planWorkflow } from "./plan.ts";
import { type PlannedStep, RUNNER_FEATURES } from "./types.ts";

const workflow = (spec: string): TestWorkflow => {
  const parsed = parseWorkflowText(
    `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata: {name: w}\nspec:\n${spec}`,
  );
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.issues));
  return parsed.workflow;
};
/** A one-step workflow whose `parallel` has these flow-mapping fields, planned for a full runner. */
const planFanOut = (fields: string) =>
  planWorkflow(workflow(`  steps:\n  - parallel: {${fields}, shell: echo}\n`), { features: RUNNER_FEATURES });
const flatten = (steps: PlannedStep[]): PlannedStep[] => steps.flatMap((s) => [s, ...flatten(s.steps)]);
const refs = (steps: PlannedStep[]) => flatten(steps).map((s) => `${s.ref}${s.kind ? `:${s.kind}` : ""}`);

describe("planWorkflow fan-out: parallel workers, services, fetched content", () => {
  it("expands matrix x shards into workers with lettered refs and folds their variables", () => {
    const doc = workflow(`  config:
    browsers: {type: string, default: "chrome,firefox"}
  steps:
  - name: e2e
    parallel:
      description: "{{ matrix.browser }} {{ index + 1 }}/{{ count }}"
      matrix: {browser: 'split(config.browsers, ",")'}
      shards: {suite: [a, b, c]}
      count: 2
      parallelism: 3
      failFast: true
      shell: echo {{ matrix.browser }} {{ join(shard.suite, " ") }}
      steps:
      - shell: echo step {{ index }}
  - shell: echo after
`);
    const plan = planWorkflow(doc, { features: RUNNER_FEATURES });
    assert.deepEqual(plan.unsupported, []);
    assert.deepEqual(refs(plan.steps), [
      "r1",
      "r1.w1:worker",
      "r1.w1.1",
      "r1.w2:worker",
      "r1.w2.1",
      "r1.w3:worker",
      "r1.w3.1",
      "r1.w4:worker",
      "r1.w4.1",
      "r2",
    ]);
    const [w1, w2, w3, w4] = plan.steps[0]?.steps ?? [];
    assert.deepEqual(plan.steps[0]?.parallel, { parallelism: 3, failFast: true });
    assert.equal(w1?.name, "chrome 1/4");
    // Split as Testkube's GetShardValues: the first slice takes the extra value.
    assert.equal(w1?.shell, "echo chrome a b");
    assert.equal(w2?.shell, "echo chrome c");
    assert.equal(w3?.shell, "echo firefox a b");
    assert.equal(w4?.steps[0]?.shell, "echo step 3");
    // The control plane plans without features and gets the same refs.
    assert.deepEqual(refs(planWorkflow(doc).steps), refs(plan.steps));
  });

  it("counts and cuts shards as Testkube's toolkit does", () => {
    const cut = (strategy: string) => {
      const plan = planWorkflow(
        workflow(
          `  steps:\n  - parallel:\n${strategy}\n      shell: echo {{ shardIndex }}/{{ shardCount }} {{ join(shard.v, "") }}\n`,
        ),
        { features: RUNNER_FEATURES },
      );
      assert.deepEqual(plan.unsupported, []);
      return (plan.steps[0]?.steps ?? []).map((w) => w.shell);
    };
    const five = "      shards: {v: [a, b, c, d, e]}";
    assert.deepEqual(cut(five), ["echo 0/1 abcde"], "no count: one shard with everything");
    assert.deepEqual(cut(`${five}\n      count: 3`), ["echo 0/3 ab", "echo 1/3 cd", "echo 2/3 e"]);
    assert.deepEqual(cut(`${five}\n      count: 7`).slice(4), ["echo 4/7 e", "echo 5/7 ", "echo 6/7 "]);
    assert.deepEqual(cut(`${five}\n      maxCount: 9`).length, 5, "maxCount is capped by the values");
    assert.deepEqual(cut(`${five}\n      maxCount: 2`), ["echo 0/2 abc", "echo 1/2 de"]);
    assert.deepEqual(
      cut(`${five}\n      count: 4\n      maxCount: 2`).length,
      2,
      "maxCount below count wins",
    );
    assert.deepEqual(cut(`${five}\n      count: 2\n      maxCount: 3`).length, 3, "else maxCount sets it");
  });

  it("plans a fan-out that reads run-time values as worker slots for the runner to fill", () => {
    const doc = workflow(`  config:
    max: {type: integer, default: 3}
  steps:
  - parallel:
      maxCount: "{{ config.max }}"
      shards: {files: 'glob("tests/*")', fixed: [a, b]}
      shell: echo {{ index + 1 }}/{{ count }} {{ join(shard.files, " ") }} {{ shardIndex }}
`);
    const plan = planWorkflow(doc, { features: RUNNER_FEATURES });
    assert.deepEqual(plan.unsupported, []);
    assert.deepEqual(refs(plan.steps), ["r1", "r1.w1:worker", "r1.w2:worker", "r1.w3:worker"]);
    assert.deepEqual(plan.steps[0]?.parallel?.fanOut, {
      shards: { files: 'glob("tests/*")', fixed: ["a", "b"] },
      maxCount: 3,
    });
    const w1 = plan.steps[0]?.steps[0];
    assert.equal(w1?.name, "worker 1");
    assert.equal(w1?.variables, undefined);
    assert.match(w1?.shell ?? "", /\{\{ ?index \+ 1 ?\}\}/, "left for the runner");
    // The control plane plans the same slots.
    assert.deepEqual(refs(planWorkflow(doc).steps), refs(plan.steps));
    // Shards alone: one worker; a literal count: that many.
    const slots = (strategy: string) => planFanOut(strategy);
    assert.equal(slots(`shards: {f: 'glob("x/*")'}`).steps[0]?.steps.length, 1);
    assert.equal(slots(`count: 4, shards: {f: 'glob("x/*")'}`).steps[0]?.steps.length, 4);
  });

  it("refuses run-time fan-outs without a bound, and negative counts, saying what Testkube does", () => {
    const refusal = (strategy: string) => planFanOut(strategy).unsupported.map((u) => u.message);
    assert.match(
      refusal(`matrix: {f: 'glob("x/*")'}`)[0] ?? "",
      /matrix f reads glob\("x\/\*"\).*only shards/,
    );
    assert.match(
      refusal(`count: 'len(glob("x/*"))'`)[0] ?? "",
      /count reads len\(glob\("x\/\*"\)\).*give maxCount as a literal or config value/,
    );
    assert.equal(refusal(`count: 'len(glob("x/*"))', maxCount: 2`).length, 0);
    assert.match(
      refusal("count: -1")[0] ?? "",
      /count must not be lower than zero, got -1 \(Testkube refuses it too/,
    );
  });

  it("plans a service whose shards come from glob() as instance slots", () => {
    const plan = planWorkflow(
      workflow(`  services:
    db:
      count: 2
      shards: {seeds: 'glob("seeds/*.sql")'}
      shell: echo {{ shard.seeds }}
  steps:
  - shell: echo
`),
      { features: RUNNER_FEATURES },
    );
    assert.deepEqual(plan.unsupported, []);
    const group = plan.steps[0];
    assert.deepEqual(group?.service, {
      name: "db",
      fanOut: { shards: { seeds: 'glob("seeds/*.sql")' }, count: 2 },
    });
    assert.deepEqual(
      group?.steps.map((s) => [s.ref, s.name, s.variables]),
      [
        ["s1.1", "db (instance 1)", undefined],
        ["s1.2", "db (instance 2)", undefined],
      ],
    );
  });

  it("drops empty shard and matrix lists as Testkube does", () => {
    const plan = planWorkflow(
      workflow(`  steps:
  - parallel:
      maxCount: 2
      shards: {none: []}
      matrix: {empty: [], os: [linux]}
      shell: echo {{ matrix.os }}
`),
      { features: RUNNER_FEATURES },
    );
    assert.deepEqual(
      plan.steps[0]?.steps.map((w) => w.shell),
      ["echo linux", "echo linux"],
    );
  });

  it("plans services with probes and instances, at workflow and step level", () => {
    const plan = planWorkflow(
      workflow(`  services:
    api:
      shell: python3 -m http.server 8080
      timeout: 20s
      readinessProbe:
        httpGet: {path: /health, port: 8080}
        periodSeconds: 1
  steps:
  - shell: echo hi
    services:
      db:
        count: 2
        command: [sleep, "{{ index }}"]
        readinessProbe: {tcpSocket: {port: "5432"}, initialDelaySeconds: 2, failureThreshold: 5}
`),
      { features: RUNNER_FEATURES },
    );
    assert.deepEqual(plan.unsupported, []);
    assert.deepEqual(refs(plan.steps), [
      "s1:service",
      "r1",
      "r1.s1:service",
      "r1.s1.1:service",
      "r1.s1.2:service",
    ]);
    const api = plan.steps[0];
    assert.equal(api?.shell, "python3 -m http.server 8080");
    assert.deepEqual(api?.service, {
      name: "api",
      readyTimeoutMs: 20_000,
      readinessProbe: {
        http: { scheme: "http", host: "127.0.0.1", port: 8080, path: "/health", headers: {} },
        initialDelayMs: 0,
        periodMs: 1000,
        timeoutMs: 1000,
        failureThreshold: 3,
      },
    });
    const db2 = plan.steps[1]?.steps[0]?.steps[1];
    assert.deepEqual(db2?.command, ["sleep", "1"]);
    assert.deepEqual(db2?.service?.readinessProbe?.tcp, { host: "127.0.0.1", port: 5432 });
    assert.equal(db2?.service?.readinessProbe?.initialDelayMs, 2000);
  });

  it("plans git and tarball content with config-resolved credentials", () => {
    const plan = planWorkflow(
      workflow(`  config:
    token: {type: string, sensitive: true, default: s3cret}
  content:
    git: {uri: "https://git.example.com/r.git", revision: main, token: "{{ config.token }}", paths: [tests]}
    tarball:
    - {url: "https://example.com/x.tgz", path: /data/x}
  steps:
  - shell: ls
`),
      { features: RUNNER_FEATURES },
    );
    assert.deepEqual(plan.unsupported, []);
    assert.deepEqual(plan.git, {
      uri: "https://git.example.com/r.git",
      mountPath: "/data/repo",
      revision: "main",
      token: "s3cret",
      paths: ["tests"],
    });
    assert.deepEqual(plan.tarballs, [{ url: "https://example.com/x.tgz", path: "/data/x" }]);
  });
});
