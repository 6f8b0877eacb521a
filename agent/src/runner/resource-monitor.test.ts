import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, test } from "node:test";
import { systemClock } from "@assay/shared/time";
import { createResourceMonitor, parseRssBytes, parseStat } from "./resource-monitor.ts";

const runGroup = async (script: string, monitor: ReturnType<typeof createResourceMonitor>) => {
  const child = spawn("/bin/sh", ["-c", script], { detached: true, stdio: "ignore" });
  const tracker = monitor.track(child.pid as number);
  await once(child, "exit");
  return tracker.stop();
};

describe("resource monitor", { skip: process.platform !== "linux" ? "needs /proc" : false }, () => {
  test("parses stat lines whose command holds spaces and parentheses", () => {
    const line = "4242 (my (odd) prog) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 50 0 0 20 0 1 0 5 1000 200";
    assert.deepEqual(parseStat(line), { pgid: 4242, ticks: 200 });
    assert.equal(parseRssBytes("Name:\tx\nVmRSS:\t    2048 kB\n"), 2048 * 1024);
    assert.equal(parseRssBytes("Name:\tzombie\n"), 0);
  });

  test("records the CPU peak of a busy group and the memory peak of a large one", async () => {
    const monitor = createResourceMonitor({ intervalMs: 100, clock: systemClock });
    const busy = await runGroup("i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done", monitor);
    // Other test files share the two cores: a busy loop still shows clearly above idle.
    assert.ok((busy.cpuPeakPercent ?? 0) > 10, `cpu peak ${busy.cpuPeakPercent}`);
    // dd holds one 64 MiB block in memory; grandchildren of the shell count (same group).
    const big = await runGroup(
      "dd if=/dev/zero of=/dev/null bs=64M count=40 2>/dev/null; sleep 0.3",
      monitor,
    );
    assert.ok((big.memoryPeakBytes ?? 0) > 60 * 1024 * 1024, `memory peak ${big.memoryPeakBytes}`);
    assert.equal(monitor.tracked, 0);
  });

  test("an idle group uses little CPU", async () => {
    const monitor = createResourceMonitor({ intervalMs: 100, clock: systemClock });
    const idle = await runGroup("sleep 0.5", monitor);
    assert.ok((idle.cpuPeakPercent ?? 0) < 20, `cpu peak ${idle.cpuPeakPercent}`);
    assert.ok((idle.memoryPeakBytes ?? 0) > 0);
  });
});
