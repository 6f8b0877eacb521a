/**
 * Live tail latency: a step prints a line carrying its wall-clock time (GNU `date +%s%3N`), the
 * real agent ships it, the ingress stores and publishes it, and an SSE client of the API
 * (`GET .../logs?follow=1`) receives it; latency = receipt time - printed time, per line, on the
 * same machine clock. Local mode: one process for API + ingress + stores, in-process bus; the
 * agent runs steps as host processes (`--runtime process`). A run that delivers fewer lines
 * than it printed fails the figure, naming the execution's outcome.
 *
 * Baseline in the same run: the same script run by `sh -c` with its stdout read straight from
 * the pipe (the floor for "printed -> seen").
 */
import { spawn } from "node:child_process";
import { createSseParser, parseLogStreamEvent } from "@assay/shared";
import { startAgentProcess } from "../lib/agent-process.ts";
import { figure, progress, quick, report, runCount } from "../lib/figure.ts";
import { startBenchPlane, workflowYaml } from "../lib/plane.ts";
import { latency } from "../lib/stats.ts";

const LINES = quick ? 60 : 300;
const RUNS = runCount(5, 2);
/** One line every 20 ms after a 1 s pause (the SSE client subscribes meanwhile). */
const SCRIPT = `sleep 1; i=0; while [ $i -lt ${LINES} ]; do echo "tail $(date +%s%3N)"; i=$((i+1)); sleep 0.02; done`;

/** Latencies of every `tail <ms>` line found in `text` received at `nowMs`. */
function collect(text: string, nowMs: number, out: number[]) {
  for (const m of text.matchAll(/^tail (\d{13})$/gm)) out.push(nowMs - Number(m[1]));
}

const plane = await startBenchPlane();
// Host processes, as the figure has always measured (the script needs GNU `date`; `auto` would
// pick Docker where an engine answers, and its default image may not be present).
const agent = startAgentProcess(plane, { name: "tail", runtime: "process" });
try {
  await agent.connected();
  await plane.applyWorkflow("tail", workflowYaml("tail", SCRIPT));

  /** The execution's status and message, for a run that delivered too few lines. */
  async function outcomeOf(id: string): Promise<string> {
    const res = await plane.api(`${plane.envPath}/executions/${id}`);
    const execution = (await res.json()) as { status?: string; message?: string };
    return `execution ${id} is ${execution.status}${execution.message ? `: ${execution.message}` : ""}`;
  }

  async function followRun(): Promise<number[]> {
    const id = await plane.run("tail");
    const res = await plane.api(`${plane.envPath}/executions/${id}/logs?follow=1`, {
      headers: { accept: "text/event-stream" },
    });
    if (!res.ok) throw new Error(`follow ${id}: ${res.status} ${await res.text()}`);
    const samples: number[] = [];
    const parser = createSseParser();
    const deadline = Date.now() + 60_000;
    let other = "";
    let ended = false;
    for await (const part of res.body ?? []) {
      const now = Date.now();
      for (const raw of parser.push(part)) {
        const event = parseLogStreamEvent(raw);
        if (event?.kind === "end") ended = true;
        if (event?.kind !== "log") continue;
        const text = Buffer.from(event.data, "base64").toString();
        const before = samples.length;
        collect(text, now, samples);
        if (samples.length === before) other = (other + text).slice(-2_000);
      }
      if (ended || samples.length >= LINES || Date.now() > deadline) break;
    }
    await res.body?.cancel().catch(() => {});
    // A figure of fewer lines than printed would measure something else (or nothing): refuse it.
    if (samples.length < LINES)
      throw new Error(
        `live tail: the SSE client received ${samples.length} of ${LINES} lines (${await outcomeOf(id)})` +
          (other ? `; other log text: ${JSON.stringify(other)}` : ""),
      );
    return samples;
  }

  function pipeRun(): Promise<number[]> {
    return new Promise((resolve) => {
      const samples: number[] = [];
      const child = spawn("sh", ["-c", SCRIPT], { stdio: ["ignore", "pipe", "inherit"] });
      child.stdout.setEncoding("utf8");
      let rest = "";
      child.stdout.on("data", (d: string) => {
        const now = Date.now();
        const text = rest + d;
        const end = text.lastIndexOf("\n");
        collect(text.slice(0, end + 1), now, samples);
        rest = text.slice(end + 1);
      });
      child.on("exit", () => resolve(samples));
    });
  }

  const p99: number[] = [];
  const p50: number[] = [];
  const base99: number[] = [];
  const base50: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const s = latency(await followRun());
    const b = latency(await pipeRun());
    p99.push(s.p99);
    p50.push(s.p50);
    base99.push(b.p99);
    base50.push(b.p50);
    progress(
      `live tail run ${r + 1}/${RUNS}: ${s.n} lines, p50 ${s.p50} ms, p99 ${s.p99} ms (pipe p99 ${b.p99} ms)`,
    );
  }
  report([
    figure({
      id: "tail.p99",
      name: "live tail latency p99 (step prints -> SSE client receives)",
      unit: "ms",
      runs: p99,
      baseline: { name: "sh -c, stdout read from the pipe, p99", runs: base99 },
      target: "<= 250 ms",
      meets: (v) => v <= 250,
      notes: [`${LINES} lines per run at 50 lines/s; ms resolution`],
    }),
    figure({
      id: "tail.p50",
      name: "live tail latency p50",
      unit: "ms",
      runs: p50,
      baseline: { name: "sh -c, stdout read from the pipe, p50", runs: base50 },
      target: "(informational)",
    }),
  ]);
} finally {
  await agent.stop();
  await plane.stop();
}
