/**
 * Agent idle memory: `assay agent` connected to a local control plane with nothing to do, its
 * RSS read from /proc after it settles. Each run is a fresh agent process. Measured for the
 * bundle agent/dist/assay.js (what ships; built here first, so the figure never measures a stale
 * build) with each runtime choice: `--runtime process` (host processes; comparable with trees
 * that had no other runtime) and the default `auto` (Docker where an engine answers; the figure
 * names the runtime the agent logged), and, in full runs, the TypeScript entry agent/bin/assay.ts
 * (type stripping at load).
 *
 * Baseline in the same run: an idle Node process (`setInterval`), the runtime's own floor.
 */
import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { AGENT_BUNDLE, AGENT_TS, startAgentProcess } from "../lib/agent-process.ts";
import { figure, progress, quick, report, runCount } from "../lib/figure.ts";
import { startBenchPlane } from "../lib/plane.ts";
import { rssOf, sleep, stopChild } from "../lib/proc.ts";

const RUNS = runCount(5, 2);
const SETTLE_MS = quick ? 2_000 : 8_000;
const MB = 2 ** 20;

execFileSync(process.execPath, [fileURLToPath(new URL("../../../agent/scripts/build.ts", import.meta.url))], {
  stdio: "ignore",
});
const plane = await startBenchPlane();
try {
  /** The runtime each `auto` agent said it chose (`runtime: docker`). */
  const chosen = new Set<string>();
  async function idleRss(entry: string, name: string, runtime: "auto" | "process"): Promise<number> {
    const agent = startAgentProcess(plane, { entry, name, runtime });
    try {
      await agent.connected();
      await sleep(SETTLE_MS);
      const rss = rssOf(agent.child.pid ?? 0) / MB;
      const said = /runtime: (\w+)/.exec(agent.output)?.[1];
      if (runtime === "auto") chosen.add(said ?? "not logged");
      return rss;
    } finally {
      await agent.stop();
      // The next agent must not find this one still listed.
      for (
        let i = 0;
        i < 100 && plane.gateway.agents({ orgId: plane.orgId, envId: plane.envId }).length > 0;
        i++
      )
        await sleep(50);
    }
  }
  async function bareNode(): Promise<number> {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    await sleep(SETTLE_MS);
    const rss = rssOf(child.pid ?? 0) / MB;
    await stopChild(child);
    return rss;
  }

  const entries: { id: string; label: string; entry: string; runtime: "auto" | "process" }[] = [
    {
      id: "bundle.process",
      label: "agent/dist/assay.js, --runtime process",
      entry: AGENT_BUNDLE,
      runtime: "process",
    },
    { id: "bundle.auto", label: "agent/dist/assay.js, --runtime auto", entry: AGENT_BUNDLE, runtime: "auto" },
  ];
  // The development entry is informational: only full runs spend the time on it.
  if (!quick) entries.push({ id: "ts", label: "agent/bin/assay.ts", entry: AGENT_TS, runtime: "auto" });
  const samples = new Map<string, number[]>(entries.map((e) => [e.id, []]));
  const bare: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    for (const e of entries) samples.get(e.id)?.push(await idleRss(e.entry, `${e.id}-${r}`, e.runtime));
    bare.push(await bareNode());
    progress(
      `agent idle run ${r + 1}/${RUNS}: ${entries.map((e) => `${e.id} ${samples.get(e.id)?.at(-1)?.toFixed(1)} MB`).join(", ")}, bare node ${bare.at(-1)?.toFixed(1)} MB`,
    );
  }
  report(
    entries.map((e) =>
      figure({
        id: `agent.idle-rss.${e.id}`,
        name: `agent idle RSS (${e.label}${e.runtime === "auto" ? `: ${[...chosen].join(", ")}` : ""})`,
        unit: "MB",
        runs: samples.get(e.id) ?? [],
        baseline: { name: "idle node process", runs: bare },
        target: "<= 60 MB",
        meets: (v) => v <= 60,
        notes: [`connected over TLS, ${SETTLE_MS / 1000} s after the welcome`],
      }),
    ),
  );
} finally {
  await plane.stop();
}
