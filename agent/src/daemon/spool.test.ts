/**
 * The disk spool, end to end: a network cut (a silent, half-open stream) while a step writes
 * far more than the memory bound. The step is not held back, the bytes wait on disk, and after
 * the reconnect the stored log holds every byte exactly once. With the spool full as well,
 * output pauses, and the log and the result say so.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import type { PlanSpec } from "../runner/run-execution.ts";
import { step } from "../runner/test-support.ts";
import type { RunnerStep } from "../runner/types.ts";
import { type AgentHandle, startAgent } from "./agent.ts";
import { createExecutionLog } from "./execution-log.ts";
import { createSpoolDir } from "./log-spool.ts";
import { startTestGateway, type TestGateway } from "./test-gateway.ts";

const jsonPlan: PlanSpec = (specYaml) => {
  const steps = (JSON.parse(specYaml) as Partial<RunnerStep>[]).map((s, i) => step(s.ref ?? `s${i}`, s));
  return { ok: true, plan: { steps, unsupported: [] } };
};

let dir: string;
let gateway: TestGateway | undefined;
let agent: AgentHandle | undefined;
const lines: string[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "assay-spool-test-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await agent?.stop("test over");
  await gateway?.close();
});

const runCommand = (executionId: string, shell: string) => ({
  kind: {
    $case: "run" as const,
    value: {
      commandId: `c-${executionId}`,
      executionId,
      workflowName: "spool",
      workflow: { specYaml: JSON.stringify([{ ref: "a", shell }]), warnings: [] },
      config: {},
      sensitive: [],
      queuedAtMs: Date.now(),
      committedLogOffset: 0,
      number: 0,
      organizationId: "",
      environmentId: "",
      dashboardUrl: "",
    },
  },
});

const startWith = async (stateDir: string, maxSpoolBytes: number, maxUnackedBytes = 64 * 1024) => {
  gateway = await startTestGateway({ heartbeatIntervalMs: 100, deadAfterMs: 600 });
  agent = await startAgent({
    url: gateway.url,
    token: "asy_agent_test",
    caFile: gateway.caFile,
    stateDir,
    workDir: join(dir, "work"),
    planSpec: jsonPlan,
    backoff: { baseMs: 20, maxMs: 100 },
    flushIntervalMs: 10,
    maxUnackedBytes,
    maxSpoolBytes,
    logger: { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) },
  });
  await gateway.waitFor("a session", () => gateway?.live() !== undefined);
  return gateway;
};

const spoolSize = (stateDir: string) => {
  const spool = join(stateDir, "spool");
  if (!existsSync(spool)) return 0;
  return readdirSync(spool).reduce((n, f) => n + statSync(join(spool, f)).size, 0);
};

describe("log spool", () => {
  it("spills unacknowledged output to disk during a network cut and resends it exactly once", async () => {
    const stateDir = join(dir, "state-a");
    const gw = await startWith(stateDir, 1024 * 1024 * 1024);
    const expected = execFileSync("seq", ["1", "60000"], { encoding: "utf8" });
    gw.live()?.send(runCommand("S1", "echo start; sleep 0.3; seq 1 60000"));
    await gw.waitFor("the first line", () => (gw.logs.get("S1")?.length ?? 0) > 0);
    gw.live()?.silence();
    await gw.waitFor("bytes on disk", () => spoolSize(stateDir) > 200_000, 5000);
    await gw.waitFor("the result", () => gw.results.has("S1"), 10_000);
    assert.equal(gw.logs.get("S1")?.toString(), `start\n${expected}`, "no byte lost or repeated");
    assert.ok(gw.sessions.length >= 2, "it reconnected");
    await gw.waitFor("the spool file removed", () => spoolSize(stateDir) === 0);
  });

  /** Warnings in `log`, and whether each starts a line of its own. */
  const warnings = (log: string) =>
    [...log.matchAll(/\[assay\] warning: [^\n]*\n/g)].map((m) => ({
      text: m[0],
      ownLine: m.index === 0 || log[m.index - 1] === "\n",
    }));
  const withoutWarnings = (log: string) => log.replace(/\[assay\] warning: [^\n]*\n/g, "");

  it("pauses output when the spool is full too, says so in the log and the result, never mid-line", async () => {
    const stateDir = join(dir, "state-b");
    const gw = await startWith(stateDir, 128 * 1024);
    // Lines of 121 bytes: pipe reads end mid-line almost always, where a warning must not go.
    const expected = execFileSync("seq", ["-f", "%0120g", "1", "4000"], { encoding: "utf8" });
    gw.live()?.send(runCommand("S2", "echo start; sleep 0.3; seq -f '%0120g' 1 4000"));
    await gw.waitFor("the first line", () => (gw.logs.get("S2")?.length ?? 0) > 0);
    gw.live()?.silence();
    await gw.waitFor("the result", () => gw.results.has("S2"), 10_000);
    const log = gw.logs.get("S2")?.toString() ?? "";
    const found = warnings(log);
    assert.ok(found.length > 0);
    assert.match(found[0]?.text ?? "", /the log spool is full \([1-9]\d* bytes unacknowledged on disk/);
    assert.deepEqual(
      found.filter((w) => !w.ownLine),
      [],
      "every warning starts a line",
    );
    assert.equal(withoutWarnings(log), `start\n${expected}`);
    assert.match(gw.results.get("S2")?.message ?? "", /log spool was full/);
    assert.ok(lines.some((l) => /S2: the log spool is full/.test(l)));
  });

  it("uses a spool smaller than the memory bound, segment by segment", async () => {
    const stateDir = join(dir, "state-c");
    // 256 KiB in memory, 128 KiB on disk: whole-log spills never fitted, so the disk stayed empty.
    const gw = await startWith(stateDir, 128 * 1024, 256 * 1024);
    const expected = execFileSync("seq", ["1", "150000"], { encoding: "utf8" });
    gw.live()?.send(runCommand("S3", "echo start; sleep 0.3; seq 1 150000"));
    await gw.waitFor("the first line", () => (gw.logs.get("S3")?.length ?? 0) > 0);
    gw.live()?.silence();
    await gw.waitFor("bytes on disk", () => spoolSize(stateDir) >= 64 * 1024, 5000);
    assert.ok(spoolSize(stateDir) <= 128 * 1024, "within the spool limit");
    await gw.waitFor("the result", () => gw.results.has("S3"), 10_000);
    assert.equal(withoutWarnings(gw.logs.get("S3")?.toString() ?? ""), `start\n${expected}`);
  });

  it("a full disk (ENOSPC) does not crash the agent: output pauses, it says so, nothing is lost", async () => {
    const stateDir = join(dir, "state-d");
    const gw = await startWith(stateDir, 1024 * 1024 * 1024);
    // The execution's spool file is the kernel's always-full device: every write is ENOSPC.
    mkdirSync(join(stateDir, "spool"), { recursive: true });
    symlinkSync("/dev/full", join(stateDir, "spool", "S4.log"));
    const expected = execFileSync("seq", ["1", "80000"], { encoding: "utf8" });
    gw.live()?.send(runCommand("S4", "echo start; sleep 0.3; seq 1 80000"));
    await gw.waitFor("the first line", () => (gw.logs.get("S4")?.length ?? 0) > 0);
    gw.live()?.silence();
    await gw.waitFor("the result", () => gw.results.has("S4"), 15_000);
    const log = gw.logs.get("S4")?.toString() ?? "";
    assert.match(
      warnings(log)[0]?.text ?? "",
      /the log spool cannot be written \(ENOSPC: is the disk full\?\)/,
    );
    assert.equal(withoutWarnings(log), `start\n${expected}`, "every byte arrived once after the pause");
    assert.match(gw.results.get("S4")?.message ?? "", /log spool was full/);
    assert.ok(lines.some((l) => /S4: the log spool cannot be written \(ENOSPC/.test(l)));
    assert.ok(gw.live() !== undefined, "and is still connected");
  });

  it("reads spilled segments back by offset, trims a partly committed one and empties the file", () => {
    const spool = createSpoolDir(join(dir, "unit")).open("E");
    const log = createExecutionLog(0, spool);
    log.append("a", Buffer.from("0123456789"));
    log.append("b", Buffer.from("abcdef"));
    assert.equal(log.spill(), 16);
    assert.equal(log.memoryBytes, 0);
    assert.equal(log.spooledBytes, 16);
    log.ack(4);
    assert.equal(log.spooledBytes, 12);
    const sent = [log.nextChunk(), log.nextChunk()].map((c) => [c?.offset, c?.stepRef, c?.data.toString()]);
    assert.deepEqual(sent, [
      [4, "a", "456789"],
      [10, "b", "abcdef"],
    ]);
    log.ack(16);
    assert.equal(log.spooledBytes, 0);
    assert.equal(statSync(join(dir, "unit", "E.log")).size, 0);
    log.dispose();
  });
});
