/**
 * Run-time fan-out and file functions end to end: YAML through the shared planner, run by the
 * process runner with real processes; files an earlier step writes decide the workers.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runOnProcess } from "./test-run-process.ts";

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "assay-fanout-test-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const runYaml = (spec: string, config: Record<string, string> = {}, secrets: string[] = []) =>
  runOnProcess(root, spec, config, secrets);

// Five test files (one a dot file, one in a sub-directory) and a file that does not match.
const MAKE_FILES = `  - name: checkout
    shell: |
      mkdir -p /data/repo/e2e/sub
      for f in .hidden a b c sub/d; do echo "it('$f')" > /data/repo/e2e/$f.cy.js; done
      echo 2 > /data/repo/e2e/notes.txt
`;

describe("run-time fan-out", () => {
  it("shards glob() results made by an earlier step, with Testkube's split, and skips unused slots", async () => {
    const r = await runYaml(
      `  config:
    workers: {type: integer, default: 3}
  container: {workingDir: /data/repo}
  steps:
${MAKE_FILES}  - name: split
    parallel:
      maxCount: "{{ config.workers }}"
      shards: {testFiles: 'glob("e2e/**/*.cy.js")'}
      shell: |
        echo "{{ index }}/{{ count }} {{ join(shard.testFiles, ",") }}"
        for f in {{ join(shard.testFiles, " ") }}; do test -f "$f"; done
  - name: wide
    parallel:
      maxCount: 7
      shards: {testFiles: 'glob("e2e/**/*.cy.js", "!**/sub/**")'}
      shell: echo "{{ shardIndex + 1 }} of {{ shardCount }} {{ shard.testFiles }}"
`,
    );
    assert.equal(r.result.status, "passed", r.text());
    // The process runtime maps /data onto the workspace in the command (a comma list too).
    const log = (ref: string) => r.textOf(ref).replaceAll(r.workspace, "/data");
    // Walked in name order, depth first: .hidden, a, b, c, sub/d; 5 values in 3 slices.
    assert.match(log("r2.w1"), /^0\/3 \/data\/repo\/e2e\/\.hidden\.cy\.js,\/data\/repo\/e2e\/a\.cy\.js$/m);
    assert.match(log("r2.w2"), /^1\/3 \/data\/repo\/e2e\/b\.cy\.js,\/data\/repo\/e2e\/c\.cy\.js$/m);
    assert.match(log("r2.w3"), /^2\/3 \/data\/repo\/e2e\/sub\/d\.cy\.js$/m);
    assert.match(r.textOf("r2"), /parallel: 3 of 3 instances, resolved now from testFiles/);
    // Four files (sub excluded) for up to seven workers: four run, three slots are skipped.
    assert.match(log("r3.w4"), /^4 of 4 \/data\/repo\/e2e\/c\.cy\.js$/m);
    assert.deepEqual(
      ["r3.w1", "r3.w4", "r3.w5", "r3.w7"].map((ref) => r.final(ref)?.status),
      ["passed", "passed", "skipped", "skipped"],
    );
    assert.match(r.final("r3.w5")?.message ?? "", /not needed: the fan-out gave 4 of at most 7 instances/);
    assert.equal(r.final("r3")?.status, "passed");
  });

  it("reads file() and glob() in steps relative to their working directory, and fails on a missing file", async () => {
    const r = await runYaml(`  steps:
${MAKE_FILES}  - name: read
    workingDir: /data/repo/e2e
    condition: len(glob("*.cy.js")) == 4
    shell: |
      echo "notes={{ trim(file("notes.txt")) }} abs={{ file("/data/repo/e2e/a.cy.js") }}"
      echo "found {{ len(glob("**/*.js", "!.*")) }}"
  - name: missing
    optional: true
    shell: echo "{{ file("nope.txt") }}"
  - name: fan-out from a missing file
    parallel:
      maxCount: 3
      count: 'int(file("count.txt"))'
      shell: echo never
`);
    assert.match(r.textOf("r2"), /^notes=2 abs=it\('a'\)$/m);
    assert.match(r.textOf("r2"), /^found 4$/m);
    assert.equal(r.final("r2")?.status, "passed");
    assert.equal(r.final("r3")?.status, "failed");
    assert.match(r.final("r3")?.message ?? "", /file\(nope\.txt\): \/data\/nope\.txt does not exist/);
    assert.equal(r.final("r4")?.status, "failed");
    assert.match(r.textOf("r4"), /error: parallel: .*file\(count\.txt\): \/data\/count\.txt does not exist/);
    assert.deepEqual(
      ["r4.w1", "r4.w3"].map((ref) => r.final(ref)?.message),
      ["the fan-out could not be resolved", "the fan-out could not be resolved"],
    );
    assert.equal(r.result.status, "failed");
    assert.match(r.result.message, /fan-out from a missing file/);
  });

  it("fills a service's instance slots from glob() when its step is reached", async () => {
    const r = await runYaml(`  steps:
  - name: make
    shell: mkdir -p /data/names && touch /data/names/a /data/names/b
  - name: with services
    services:
      echo:
        maxCount: 3
        shards: {names: 'glob("/data/names/*")'}
        shell: echo "up {{ index }}/{{ count }} {{ relpath(shard.names.0, "/data/names") }}"; sleep 30
    shell: echo "instances {{ len(services.echo) }}"
`);
    assert.equal(r.result.status, "passed", r.text());
    assert.match(r.textOf("r2.s1.1"), /^up 0\/2 a$/m);
    assert.match(r.textOf("r2.s1.2"), /^up 1\/2 b$/m);
    assert.equal(r.final("r2.s1.3")?.status, "skipped");
    assert.match(r.textOf("r2"), /service echo: 2 of 3 instances, resolved now from names/);
    assert.match(r.textOf("r2"), /^instances 2$/m);
  });
});
