import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseWorkflowText } from "../parse.ts";
import type { TestWorkflow } from "../schema/workflow.ts";
import { planWorkflow } from "./plan.ts";
import { type PlannedStep, RUNNER_FEATURES } from "./types.ts";

const workflow = (spec: string): TestWorkflow => {
  const text = `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata:\n  name: demo\nspec:\n${spec}`;
  const result = parseWorkflowText(text);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  return result.workflow;
};

const flatten = (steps: PlannedStep[]): PlannedStep[] => steps.flatMap((s) => [s, ...flatten(s.steps)]);
const byRef = (steps: PlannedStep[], ref: string): PlannedStep => {
  const found = flatten(steps).find((s) => s.ref === ref);
  assert.ok(found, `no step ${ref}`);
  return found;
};

describe("planWorkflow refs", () => {
  it("numbers setup, steps and after as one sequence, children by position", () => {
    const plan = planWorkflow(
      workflow(`  setup:
  - name: prepare
    shell: echo setup
  steps:
  - name: group
    setup:
    - shell: echo nested-setup
    steps:
    - shell: echo a
    - name: inner
      steps:
      - shell: echo deep
  - shell: echo b
  after:
  - name: cleanup
    shell: echo after
`),
    );
    const refs = flatten(plan.steps).map((s) => [s.ref, s.parentRef ?? null, s.phase, s.name]);
    assert.deepEqual(refs, [
      ["r1", null, "setup", "prepare"],
      ["r2", null, "steps", "group"],
      ["r2.1", "r2", "setup", "echo nested-setup"],
      ["r2.2", "r2", "steps", "echo a"],
      ["r2.3", "r2", "steps", "inner"],
      ["r2.3.1", "r2.3", "steps", "echo deep"],
      ["r3", null, "steps", "echo b"],
      ["r4", null, "after", "cleanup"],
    ]);
  });

  it("is deterministic and does not depend on options", () => {
    const doc = workflow(
      readFileSync(new URL("../fixtures/kitchen-sink.yaml", import.meta.url), "utf8").split("spec:\n")[1] ??
        "",
    );
    const a = planWorkflow(doc);
    const b = planWorkflow(doc, { features: RUNNER_FEATURES, config: { target: "x" } });
    assert.deepEqual(planWorkflow(doc), a);
    assert.deepEqual(
      flatten(a.steps).map((s) => s.ref),
      flatten(b.steps).map((s) => s.ref),
    );
  });
});

describe("planWorkflow inheritance", () => {
  it("merges env: workflow container < step container < run, children inherit all but run", () => {
    const plan = planWorkflow(
      workflow(`  container:
    env:
    - {name: LEVEL, value: workflow}
    - {name: ONLY_WORKFLOW, value: w}
  steps:
  - name: parent
    container:
      env:
      - {name: LEVEL, value: step}
    run:
      shell: echo parent
      env:
      - {name: LEVEL, value: run}
      - {name: PORT, value: 8080}
    steps:
    - shell: echo child
`),
    );
    assert.deepEqual(byRef(plan.steps, "r1").env, { LEVEL: "run", ONLY_WORKFLOW: "w", PORT: "8080" });
    assert.deepEqual(byRef(plan.steps, "r1.1").env, { LEVEL: "step", ONLY_WORKFLOW: "w" });
  });

  it("resolves workingDir: run > step workingDir > step container > parent > workflow", () => {
    const plan = planWorkflow(
      workflow(`  container:
    workingDir: /data/repo
  steps:
  - shell: pwd
  - workingDir: /data/step
    container: {workingDir: /data/ignored}
    steps:
    - shell: pwd
    - run: {shell: pwd, workingDir: /data/run}
  - container: {workingDir: /data/container}
    shell: pwd
`),
    );
    assert.equal(byRef(plan.steps, "r1").workingDir, "/data/repo");
    assert.equal(byRef(plan.steps, "r2.1").workingDir, "/data/step");
    assert.equal(byRef(plan.steps, "r2.2").workingDir, "/data/run");
    assert.equal(byRef(plan.steps, "r3").workingDir, "/data/container");
  });

  it("runs command and args without a shell, inheriting them from the container", () => {
    const plan = planWorkflow(
      workflow(`  container:
    command: [npx]
  steps:
  - run: {args: [playwright, test]}
  - run: {command: [npm], args: [ci]}
`),
    );
    assert.deepEqual(
      [byRef(plan.steps, "r1").command, byRef(plan.steps, "r1").args],
      [["npx"], ["playwright", "test"]],
    );
    assert.deepEqual([byRef(plan.steps, "r2").command, byRef(plan.steps, "r2").args], [["npm"], ["ci"]]);
    assert.equal(byRef(plan.steps, "r1").name, "npx playwright test");
  });
});

describe("planWorkflow control", () => {
  it("plans conditions, retries, timeouts, delays and the run timeout", () => {
    const plan = planWorkflow(
      workflow(`  job:
    activeDeadlineSeconds: 600
  steps:
  - shell: a
    timeout: 1h30m
    delay: 500ms
    retry: {count: 3, until: self.failed}
    optional: true
    negative: 'true'
  - shell: b
    condition: always
  - shell: c
    condition: "false"
  - shell: d
    condition: failed
  - artifacts: {paths: ["**/*.xml"]}
`),
    );
    const [a, b, c, d, e] = plan.steps;
    assert.equal(plan.timeoutMs, 600_000);
    assert.deepEqual(
      [a?.timeoutMs, a?.delayMs, a?.retry, a?.optional, a?.negative, a?.condition],
      [5_400_000, 500, { count: 3, until: "failed" }, true, true, "passed"],
    );
    assert.deepEqual([b?.condition, c?.condition, d?.condition], ["always", "never", "failed"]);
    assert.equal(e?.condition, "always", "a step that only collects artifacts runs even after a failure");
    assert.deepEqual(e?.artifacts, { paths: ["**/*.xml"] });
  });

  it("resolves {{ config.x }} from run values and defaults, and reports a missing one", () => {
    const doc = workflow(`  config:
    vus: {type: integer, default: 2}
    host: {type: string}
  steps:
  - shell: k6 run --vus {{ config.vus }} -e HOST={{ config.host }} {{ "{" }}x}
    timeout: '{{ config.vus }}m'
`);
    const ok = planWorkflow(doc, { config: { host: "example.com" } });
    assert.equal(ok.steps[0]?.shell, "k6 run --vus 2 -e HOST=example.com {x}");
    assert.equal(ok.steps[0]?.timeoutMs, 120_000);
    assert.deepEqual(ok.unsupported, []);
    const missing = planWorkflow(doc);
    assert.deepEqual(
      missing.unsupported.map((u) => [u.path, u.feature]),
      [
        ["spec.config.host", "config"],
        ["spec.steps[0].shell", "expressions"],
      ],
    );
  });
});

describe("planWorkflow warnings and unsupported features", () => {
  it("warns on each step about Kubernetes settings a host runner ignores", () => {
    const plan = planWorkflow(
      workflow(`  container:
    image: alpine:3.22
    imagePullPolicy: Always
    resources: {requests: {cpu: 1}}
    securityContext: {runAsUser: 1000}
  pod:
    serviceAccountName: runner
  pvcs:
    cache: {accessModes: [ReadWriteOnce]}
  job:
    labels: {a: b}
  steps:
  - shell: echo
  - run: {image: node:22, shell: node -v}
  - steps:
    - shell: echo nested
`),
    );
    assert.deepEqual(plan.steps[0]?.warnings, [
      "image alpine:3.22 is not used by the process runner; the step runs on the agent host",
      "imagePullPolicy Always is ignored: the process runner pulls no image",
      "resources (requests and limits) are not enforced by the process runner",
      "securityContext is not applied by the process runner; the step runs as the agent's user",
    ]);
    assert.match(plan.steps[1]?.warnings[0] ?? "", /^image node:22 is not used/);
    assert.deepEqual(plan.steps[2]?.warnings, [], "a group runs no process, so nothing to warn about");
    assert.equal(plan.steps[2]?.steps[0]?.warnings.length, 4);
    assert.equal(plan.warnings.length, 3);
    assert.match(plan.warnings[0] ?? "", /^pod settings \(serviceAccountName\)/);
    assert.deepEqual(plan.unsupported, []);
  });

  it("lists what the runner lacks, with paths and refs, and lifts it with features", () => {
    const doc = workflow(`  use: [{name: org/defaults}]
  content:
    git: {uri: https://git.example.com/repo.git}
  services:
    db: {image: postgres}
  container:
    env:
    - name: TOKEN
      valueFrom: {secretKeyRef: {name: s, key: k}}
  steps:
  - shell: echo {{ index }}
  - parallel:
      count: 2
      paused: true
      shell: echo
  - run: {image: grafana/k6, args: [run, x.js]}
  - template: {name: official/k6/v1}
  - execute: {workflows: [{name: other}]}
  - artifacts: {paths: [out]}
  - paused: true
    shell: echo paused
`);
    const plan = planWorkflow(doc);
    const entries = plan.unsupported.map((u) => [u.path, u.feature, u.ref ?? null]);
    assert.deepEqual(entries, [
      ["spec.use", "templates", null],
      ["spec.services", "services", null],
      // Services are planned first (refs s1...); they see only global env, so the
      // workflow's valueFrom variable is reported at the first step.
      ["spec.services.db.run", "image-entrypoint", "s1"],
      ["spec.container.env[0].valueFrom", "env.valueFrom", "r1"],
      ["spec.steps[0].shell", "expressions", "r1"],
      ["spec.steps[1].parallel", "parallel", "r2"],
      ["spec.steps[2].run", "image-entrypoint", "r3"],
      ["spec.steps[3].template", "templates", "r4"],
      ["spec.steps[4].execute", "execute", "r5"],
      ["spec.steps[5].artifacts", "artifacts", "r6"],
      ["spec.content.git", "content.git", null],
    ]);
    assert.equal(plan.unsupported[5]?.message, "parallel is not supported by this agent");
    assert.match(
      plan.unsupported[6]?.message ?? "",
      /default entrypoint of image grafana\/k6.*set run.command or shell/,
    );

    const everything = planWorkflow(doc, { features: RUNNER_FEATURES });
    assert.deepEqual(everything.unsupported, [], "every feature lifts its refusal");
    // `paused` is planned: the run pauses as the step starts (and each worker, as it starts).
    assert.equal(byRef(everything.steps, "r7").paused, true);
    assert.equal(byRef(everything.steps, "r2.w1").paused, true);
    assert.deepEqual(byRef(everything.steps, "r3").args, ["run", "x.js"]);
  });

  it("plans inline files and reports nested setup before a step's own command", () => {
    const plan = planWorkflow(
      workflow(`  content:
    files:
    - {path: /data/run.sh, content: "echo {{ config.word }}", mode: 0755}
  config:
    word: {default: hi}
  steps:
  - shell: ./run.sh
    setup:
    - shell: chmod +x run.sh
`),
      { features: ["content.files"] },
    );
    assert.deepEqual(plan.files, [{ path: "/data/run.sh", content: "echo hi", mode: 0o755 }]);
    assert.deepEqual(
      plan.unsupported.map((u) => [u.path, u.feature]),
      [["spec.steps[0].setup", "setup-before-command"]],
    );
  });

  it("plans every step of a document that uses every field group", () => {
    const text = readFileSync(new URL("../fixtures/kitchen-sink.yaml", import.meta.url), "utf8");
    const parsed = parseWorkflowText(text);
    assert.ok(parsed.ok);
    const plan = planWorkflow(parsed.workflow);
    assert.deepEqual(
      flatten(plan.steps).map((s) => `${s.ref} ${s.name}`),
      [
        "s1 db",
        "s2 browsers",
        's2.1 browsers (browser="chromium", shard 1)',
        's2.2 browsers (browser="chromium", shard 2)',
        's2.3 browsers (browser="chromium", shard 3)',
        's2.4 browsers (browser="firefox", shard 1)',
        's2.5 browsers (browser="firefox", shard 2)',
        's2.6 browsers (browser="firefox", shard 3)',
        "r1 Install dependencies",
        "r2 Lint",
        "r3 Unit tests",
        "r3.1 mkdir -p /data/artifacts",
        "r3.2 Run",
        "r3.3 Upload reports",
        "r4 E2E shards",
        "r5 Downstream suites",
        "r6 From template",
        "r7 Step services",
        "r7.s1 cache",
        "r8 Report",
      ],
    );
    assert.equal(plan.timeoutMs, 1_800_000);
    assert.deepEqual(byRef(plan.steps, "r2").command, ["npx"]);
    assert.equal(byRef(plan.steps, "r3.2").env.NODE_ENV, "test");
    assert.equal(byRef(plan.steps, "r3.2").env.TARGET, "https://shop.example.com");
    assert.ok(byRef(plan.steps, "r1").warnings.some((w) => w.startsWith("cache is not used")));
    const features = new Set(plan.unsupported.map((u) => u.feature));
    for (const f of [
      "templates",
      "services",
      "parallel",
      "execute",
      "artifacts",
      "content.git",
      "env.valueFrom",
      "envFrom",
    ]) {
      assert.ok(features.has(f as never), `expected ${f} to be reported`);
    }
  });
});

describe("planWorkflow environment of services and workers", () => {
  it("gives services and parallel workers only the global variables of their owner", () => {
    const plan = planWorkflow(
      workflow(`  container:
    env:
    - name: SHARED
      value: everywhere
      global: true
    - name: LOCAL
      value: steps-only
    - name: BY_EXPRESSION
      value: too
      global: "{{ 1 == 1 }}"
  services:
    db:
      env:
      - name: OWN
        value: service
      shell: env
  steps:
  - shell: env
    parallel:
      count: 1
      shell: env`),
      { features: RUNNER_FEATURES, containers: true },
    );
    assert.deepEqual(plan.unsupported, []);
    assert.deepEqual(byRef(plan.steps, "s1").env, {
      SHARED: "everywhere",
      BY_EXPRESSION: "too",
      OWN: "service",
    });
    assert.deepEqual(byRef(plan.steps, "r1.w1").env, { SHARED: "everywhere", BY_EXPRESSION: "too" });
    assert.deepEqual(byRef(plan.steps, "r1").env, {
      SHARED: "everywhere",
      LOCAL: "steps-only",
      BY_EXPRESSION: "too",
    });
  });
});

describe("planWorkflow pod volumes for a container runtime", () => {
  const spec = `  pod:
    volumes:
    - name: scratch
      emptyDir: {}
    - name: host
      hostPath: {path: /srv/fixtures}
    - name: cache
      persistentVolumeClaim: {claimName: build-cache, readOnly: true}
    - name: shared
      nfs: {server: nfs.example, path: /x}
  steps:
  - shell: "true"`;
  const without = RUNNER_FEATURES.filter((f) => f !== "volumes.hostPath");

  it("plans the kinds it mounts and refuses hostPath without the feature and unknown kinds", () => {
    const plan = planWorkflow(workflow(spec), { features: without, containers: true });
    assert.deepEqual(plan.pod?.volumes, [
      { name: "scratch", kind: "emptyDir" },
      { name: "cache", kind: "claim", claimName: "build-cache", readOnly: true },
    ]);
    assert.deepEqual(
      plan.unsupported.map((u) => [u.path, u.feature]),
      [
        ["spec.pod.volumes[1].hostPath", "volumes.hostPath"],
        ["spec.pod.volumes[3]", "volumes"],
      ],
    );
    assert.match(plan.unsupported[1]?.message ?? "", /kind nfs, which the container runtime cannot mount/);
  });

  it("plans hostPath for an agent that allows it, and no volumes for the process runtime", () => {
    const allowed = planWorkflow(workflow(spec), { features: RUNNER_FEATURES, containers: true });
    assert.deepEqual(allowed.pod?.volumes?.[1], { name: "host", kind: "hostPath", path: "/srv/fixtures" });
    const host = planWorkflow(workflow(spec), { features: RUNNER_FEATURES });
    assert.equal(host.pod?.volumes, undefined);
    assert.deepEqual(host.unsupported, []);
  });
});
