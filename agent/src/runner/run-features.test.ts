/**
 * The runner's Testkube features end to end: YAML through the shared parser and planner, run
 * by the process runner with real processes and real servers on loopback.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { c as createTar } from "tar";
import { runOnProcess } from "./test-run-process.ts";
import { freePort } from "./test-support.ts";

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "assay-features-test-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const NODE = process.execPath;
const runYaml = (spec: string, config: Record<string, string> = {}, secrets: string[] = []) =>
  runOnProcess(root, spec, config, secrets);

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
};

describe("services", () => {
  it("reads passed and failed in step text as what ran before the step (Testkube's status roots)", async () => {
    const { result, textOf } = await runYaml(`  steps:
  - name: before
    shell: echo "before passed={{ passed }} failed={{ failed }}"
  - name: broken
    shell: exit 4
  - name: report
    condition: always
    run:
      env:
      - name: OUTCOME
        value: "{{ failed ? 'red' : 'green' }}"
      shell: echo "after passed={{ passed }} failed={{ failed }} status={{ status }} outcome=$OUTCOME"
`);
    assert.equal(result.status, "failed");
    assert.match(textOf("r1"), /before passed=true failed=false/);
    assert.match(textOf("r3"), /after passed=false failed=true status=failed outcome=red/);
  });

  it("starts a service, waits for its http probe, runs the steps against it, then stops it", async () => {
    const port = await freePort();
    const server = `setTimeout(() => require("http").createServer((q, s) => s.end("pong " + q.url)).listen(${port}, "127.0.0.1", () => console.log("listening")), 300)`;
    const r = await runYaml(`  services:
    api:
      command: ["${NODE}", "-e", '${server}']
      timeout: 10s
      readinessProbe: {httpGet: {path: /health, port: ${port}}, periodSeconds: 1}
  steps:
  - name: call
    shell: '"${NODE}" -e "fetch(\\"http://127.0.0.1:${port}/x\\").then(r => r.text()).then(console.log)"'
`);
    assert.equal(r.result.status, "passed", r.text());
    assert.match(r.textOf("r1"), /pong \/x/);
    assert.match(r.textOf("s1"), /listening/);
    assert.match(r.textOf("s1"), /service "api" is ready/);
    assert.equal(r.final("s1")?.status, "passed");
    assert.equal(r.final("s1")?.message, "stopped at the end of its scope");
  });

  it("fails the step clearly when a service never becomes ready, and stops it", async () => {
    const port = await freePort();
    const r = await runYaml(`  steps:
  - name: uses db
    services:
      db:
        shell: echo $$ > db.pid; exec sleep 30
        readinessProbe: {tcpSocket: {port: ${port}}, periodSeconds: 1, failureThreshold: 2, timeoutSeconds: 1}
    steps:
    - shell: echo never runs
  - shell: echo after
`);
    assert.equal(r.result.status, "failed");
    assert.match(
      r.result.message,
      /service "db" did not become ready: 2 probes failed in a row \(last: tcp 127\.0\.0\.1:\d+: connect ECONNREFUSED/,
    );
    assert.equal(r.final("r1.1")?.status, "skipped");
    assert.equal(r.final("r2")?.status, "skipped");
    const pid = Number(readFileSync(join(r.workspace, "db.pid"), "utf8"));
    assert.throws(() => process.kill(pid, 0), "the service's process group was stopped");
  });

  it("runs service instances of a matrix with an exec probe, each with its own log", async () => {
    const r = await runYaml(`  steps:
  - shell: cat ready-a ready-b
    services:
      worker:
        matrix: {name: [a, b]}
        shell: echo up {{ matrix.name }}; touch ready-{{ matrix.name }}; sleep 30
        readinessProbe: {exec: {command: [test, -f, "ready-{{ matrix.name }}"]}, periodSeconds: 1}
`);
    assert.equal(r.result.status, "passed", r.text());
    assert.match(r.textOf("r1.s1.1"), /up a/);
    assert.match(r.textOf("r1.s1.2"), /up b/);
    assert.equal(r.final("r1.s1")?.status, "passed");
  });
});

describe("parallel", () => {
  it("fans out matrix x shards into workers with separate refs, logs and statuses", async () => {
    const r = await runYaml(`  steps:
  - name: e2e
    parallel:
      parallelism: 2
      matrix: {browser: [chrome, firefox]}
      shards: {suite: [a, b, c, d]}
      count: 2
      shell: echo "{{ index }}/{{ count }} {{ matrix.browser }} {{ join(shard.suite, "+") }}"
      steps:
      - shell: test "{{ matrix.browser }}" != firefox || test {{ shard.suite[0] }} != c
`);
    assert.equal(r.result.status, "failed");
    assert.match(r.textOf("r1.w1"), /^0\/4 chrome a\+b$/m);
    assert.match(r.textOf("r1.w4"), /^3\/4 firefox c\+d$/m);
    assert.deepEqual(
      ["r1.w1", "r1.w2", "r1.w3", "r1.w4"].map((ref) => r.final(ref)?.status),
      ["passed", "passed", "passed", "failed"],
    );
    assert.equal(r.final("r1.w4.1")?.status, "failed");
    assert.equal(r.final("r1")?.status, "failed");
  });

  it("with failFast cancels running workers and skips the ones not started", async () => {
    const r = await runYaml(`  steps:
  - parallel:
      count: 4
      parallelism: 2
      failFast: true
      shell: if [ {{ index }} = 0 ]; then sleep 0.2; exit 3; fi; sleep 20
`);
    assert.equal(r.final("r1.w1")?.status, "failed");
    assert.equal(r.final("r1.w2")?.status, "aborted", "the slow worker was cancelled");
    assert.match(r.final("r1.w2")?.message ?? "", /cancelled: worker .* failed \(failFast\)/);
    assert.equal(r.final("r1.w3")?.status, "skipped");
    assert.equal(r.final("r1.w4")?.status, "skipped");
  });
});

describe("control: retry until, timeout inside retry, expressions, negative and optional", () => {
  it("retries until an expression holds, each attempt with its own timeout", async () => {
    const r = await runYaml(`  steps:
  - name: flaky
    retry: {count: 5, until: 'self.passed'}
    timeout: 1s
    shell: n=$(cat n 2>/dev/null || echo 0); n=$((n+1)); echo $n > n; if [ $n -lt 3 ]; then sleep 5; fi; echo attempt $n
  - name: until failed
    retry: {count: 3, until: self.failed}
    shell: echo try; exit 1
  - name: runs on failure only
    condition: failed && status != "passed"
    shell: echo recovery
    optional: true
  - name: negative passes
    condition: always
    negative: true
    optional: true
    shell: exit 2
  - name: optional negative failing
    condition: always
    negative: true
    optional: true
    shell: exit 0
`);
    assert.equal(r.final("r1")?.status, "passed");
    assert.match(r.textOf("r1"), /step "flaky" timeout; retry 1 of 5/);
    assert.match(r.textOf("r1"), /attempt 3/);
    // until self.failed holds after the first attempt: no retries.
    assert.equal((r.textOf("r2").match(/^try$/gm) ?? []).length, 1);
    assert.equal(r.final("r3")?.status, "passed");
    assert.match(r.textOf("r3"), /recovery/);
    assert.equal(r.final("r4")?.status, "passed");
    assert.equal(r.final("r5")?.status, "failed");
    assert.equal(r.result.status, "failed", "r2 is not optional");
  });

  it("reports CPU and memory peaks for a step and its group", async () => {
    const r = await runYaml(`  steps:
  - name: group
    steps:
    - shell: i=0; while [ $i -lt 1000000 ]; do i=$((i+1)); done
`);
    assert.equal(r.result.status, "passed");
    const leaf = r.final("r1.1");
    assert.ok((leaf?.cpuPeakPercent ?? 0) > 10, `cpu ${leaf?.cpuPeakPercent}`);
    assert.ok((leaf?.memoryPeakBytes ?? 0) > 100_000, `memory ${leaf?.memoryPeakBytes}`);
    assert.equal(r.final("r1")?.memoryPeakBytes, leaf?.memoryPeakBytes);
  });
});

describe("content", () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
      cwd,
      encoding: "utf8",
    }).trim();

  it("checks out a revision of a git repository (file://) with sparse paths into /data/repo", async () => {
    const source = await mkdtemp(join(root, "src-"));
    git(source, "init", "-q", "-b", "main");
    await mkdir(join(source, "tests"));
    await mkdir(join(source, "docs"));
    await writeFile(join(source, "tests", "a.sh"), "echo v1\n");
    await writeFile(join(source, "docs", "x.md"), "doc\n");
    git(source, "add", ".");
    git(source, "commit", "-q", "-m", "one");
    const first = git(source, "rev-parse", "HEAD");
    await writeFile(join(source, "tests", "a.sh"), "echo v2\n");
    git(source, "commit", "-q", "-am", "two");
    const bare = join(root, `bare-${Date.now()}.git`);
    execFileSync("git", ["clone", "-q", "--bare", source, bare]);
    const r = await runYaml(`  content:
    git: {uri: "file://${bare}", revision: main, paths: [tests]}
  steps:
  - workingDir: /data/repo
    shell: sh tests/a.sh; test ! -e docs/x.md && echo sparse
  - content:
      git: {uri: "file://${bare}", revision: ${first}, mountPath: /data/old}
    shell: sh /data/old/tests/a.sh
`);
    assert.equal(r.result.status, "passed", r.text());
    assert.match(r.textOf("r1"), /v2\nsparse/);
    assert.match(r.textOf("r2"), /v1/);
  });

  it("sends a token as a header (never on the command line) and masks it", async () => {
    let authorization: string | undefined;
    const server = createHttpServer((req, res) => {
      authorization ??= req.headers.authorization;
      res.statusCode = 404;
      res.end();
    });
    const port = await listen(server);
    try {
      const r = await runYaml(
        `  content:
    git: {uri: "http://127.0.0.1:${port}/r.git", token: "{{ config.token }}", username: bot}
  steps:
  - shell: echo unreachable
`,
        { token: "s3cr3t-token" },
        ["s3cr3t-token"],
      );
      assert.equal(r.result.status, "failed");
      assert.match(r.result.message, /content\.git/);
      assert.equal(authorization, `Basic ${Buffer.from("bot:s3cr3t-token").toString("base64")}`);
      assert.doesNotMatch(r.text(), /s3cr3t-token/);
    } finally {
      server.close();
    }
  });

  it("downloads and unpacks tarballs, refusing links and paths outside the target", async () => {
    const src = await mkdtemp(join(root, "tar-"));
    await mkdir(join(src, "pkg"));
    await writeFile(join(src, "pkg", "hello.txt"), "hello from tarball\n");
    execFileSync("ln", ["-s", "/etc/passwd", join(src, "pkg", "link")]);
    const archive = join(root, "pkg.tgz");
    await createTar({ gzip: true, file: archive, cwd: src }, ["pkg"]);
    const server = createHttpServer(async (_req, res) => res.end(await readFile(archive)));
    const port = await listen(server);
    try {
      const r = await runYaml(`  content:
    tarball: [{url: "http://127.0.0.1:${port}/pkg.tgz", path: /data/vendor}]
  steps:
  - shell: cat /data/vendor/pkg/hello.txt; test ! -e /data/vendor/pkg/link && echo no-link
`);
      assert.equal(r.result.status, "passed", r.text());
      assert.match(r.textOf("r1"), /hello from tarball\nno-link/);
      assert.match(r.text(), /SymbolicLink entries are not unpacked/);
    } finally {
      server.close();
    }
  });

  it("timeouts.initialization ends once the first unit starts: a longer first step is not cut", async () => {
    const r = await runYaml(`  timeouts:
    initialization: 1s
  steps:
  - name: slow
    shell: sleep 2; echo still-running
  - name: next
    shell: echo next-ran
`);
    assert.equal(r.result.status, "passed", r.text());
    assert.match(r.textOf("r1"), /still-running/);
    assert.match(r.textOf("r2"), /next-ran/);
  });

  it("timeouts.initialization counts the time before the run started (planning, credentials)", async () => {
    const spec = "  timeouts:\n    initialization: 1s\n  steps:\n  - shell: echo ran\n";
    // The agent took the run 5 s ago: planning and credentials used the whole budget.
    const r = await runOnProcess(root, spec, {}, [], { takenAtMs: Date.now() - 5000 });
    assert.equal(r.result.status, "timeout", r.text());
    assert.equal(
      r.result.message,
      "timeouts.initialization (1s) elapsed before the first step started: still preparing the run",
    );
    assert.doesNotMatch(r.text(), /^ran$/m);
  });
});
