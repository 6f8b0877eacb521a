/**
 * Idle agent streams held by one ingress process, and memory per stream, against a bare
 * grpc-js server holding the same number in the same run. Four servers in turn: the ingress
 * entry (functions/ingress/main.ts, on the bench plane's DynamoDB Local and fauxqs) and the bare
 * echo server, each with TLS in the process and with plaintext h2c (the shape behind a
 * TLS-terminating load balancer).
 *
 * Streams come from several client processes (descriptors split across processes; each process
 * has its own 20,000 limit) that say hello on every stream and keep them alive with the
 * protocol's heartbeats. RSS per stream = (server RSS holding N - RSS before) / N, read from
 * /proc after the streams settle.
 *
 * The streams are opened as agents open them: each agent registered once, before the servers
 * are measured (streams-identities.ts), and says hello with its issued identity, as a fleet
 * reconnects after an ingress restart or a deploy. What a new agent's first stream costs
 * (Register, then hello, on the measured ingress) is its own figure, `streams.rss.first`.
 *
 * Then the idle cost (lib/idle-cost.ts): the DynamoDB write units and NATS messages one idle
 * connected agent causes per hour, counted on the real adapters' calls, and the resulting
 * $/month per 1,000 agents at the on-demand write prices stated in the figure.
 */
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { figure, progress, quick, report } from "../lib/figure.ts";
import { measureIdleCost } from "../lib/idle-cost.ts";
import { startBenchPlane } from "../lib/plane.ts";
import { cpuSecondsOf, fdCountOf, forkModule, rssOf, sleep, stopChild } from "../lib/proc.ts";
import { type ServerProcess, spawnEcho, spawnIngress } from "../lib/servers.ts";
import { issueIdentities } from "./streams-identities.ts";

const CLIENTS = fileURLToPath(new URL("../lib/stream-clients.ts", import.meta.url));
/** Streams per server: as close to the 20,000 descriptor limit as is safe (spare ~500 fds). */
const STREAMS = quick ? 500 : 19_000;
const CLIENT_PROCESSES = quick ? 2 : 4;
/** One run per server at full size: opening 19,000 TLS streams four times already takes many minutes. */
const RUNS = 1;
const SETTLE_MS = quick ? 500 : 5_000;
/** How long the clients may take to open their streams before the server is measured anyway. */
const OPEN_BUDGET_MS = quick ? 60_000 : 12 * 60_000;
/** Idle CPU is sampled over one heartbeat interval with every stream open. */
const CPU_WINDOW_MS = quick ? 2_000 : 15_000;

interface Held {
  held: number;
  rssPerStreamKb: number;
  fds: number;
  seconds: number;
  /** CPU used while holding the streams idle, in cores (1 = one core busy). */
  idleCpu: number;
}

/** On-demand DynamoDB prices per million write request units (AWS price list, 2026). */
const WRITE_PRICES = { "us-east-1": 0.625, "eu-west-1": 0.7069 } as const;
const HOURS_PER_MONTH = 730;

const plane = await startBenchPlane();
try {
  const certDir = `${plane.dataDir}/tls`;
  /** Issued before any server runs, so no measured process sees their registration. */
  const identitiesFile = await issueIdentities(plane, STREAMS);
  /** `registered`: the clients say hello with the issued identities; else each registers first. */
  async function hold(
    server: ServerProcess,
    tls: boolean,
    label: string,
    registered: boolean,
  ): Promise<Held> {
    await sleep(quick ? 300 : 1_000);
    const before = rssOf(server.pid);
    const started = Date.now();
    const per = Math.ceil(STREAMS / CLIENT_PROCESSES);
    const clients: ChildProcess[] = [];
    const results: Array<{ opened: number; failed: number; firstError?: string }> = [];
    for (let c = 0; c < CLIENT_PROCESSES; c++) {
      const n = Math.min(per, STREAMS - c * per);
      const child = forkModule(CLIENTS, [
        `127.0.0.1:${server.port}`,
        tls ? plane.caFile : "-",
        plane.agentToken,
        String(n),
        `${label}-${c}`,
        "48",
        ...(registered ? [identitiesFile, String(c * per)] : []),
      ]);
      clients.push(child);
      child.on("message", (m: { done?: boolean; opened: number; failed: number; firstError?: string }) => {
        if (m.done) results.push(m);
      });
    }
    // Bounded: a server that cannot take them all in time is measured holding what it has.
    const deadline = Date.now() + OPEN_BUDGET_MS;
    while (results.length < CLIENT_PROCESSES && Date.now() < deadline) await sleep(quick ? 100 : 500);
    const seconds = (Date.now() - started) / 1_000;
    await sleep(SETTLE_MS);
    // At the descriptor limit the health endpoint itself may not get a socket: count fds then.
    const held = await server.streams().catch(() => Number.NaN);
    const after = rssOf(server.pid);
    const fds = fdCountOf(server.pid);
    const cpuBefore = cpuSecondsOf(server.pid);
    await sleep(CPU_WINDOW_MS);
    const idleCpu = (cpuSecondsOf(server.pid) - cpuBefore) / (CPU_WINDOW_MS / 1_000);
    const opening = results.length < CLIENT_PROCESSES ? " (open budget spent)" : "";
    const failed = results.reduce((sum, r) => sum + r.failed, 0);
    progress(
      `${label}: ${held} streams held (${failed} failed${failed ? `: ${results.find((r) => r.firstError)?.firstError}` : ""}), ` +
        `${fds} fds, RSS ${(before / 2 ** 20).toFixed(0)} -> ${(after / 2 ** 20).toFixed(0)} MiB, ` +
        `opened in ${seconds.toFixed(1)} s${opening}, idle CPU ${(idleCpu * 100).toFixed(1)} % of a core`,
    );
    const complaints = server.complaints?.();
    if (complaints) progress(`${label} logged: ${complaints}`);
    for (const child of clients) child.send({ close: true });
    await Promise.all(
      clients.map((c) => new Promise((r) => (c.exitCode !== null ? r(0) : c.once("exit", r)))),
    );
    return { held, rssPerStreamKb: (after - before) / Math.max(1, held) / 1024, fds, seconds, idleCpu };
  }

  // BENCH_STREAM_VARIANTS=tls (or h2c, first, idle) measures one part only (each takes many
  // minutes at full size). `first`: new agents over TLS, each registering on the measured ingress.
  const only = process.env.BENCH_STREAM_VARIANTS?.split(",");
  const variants = (
    [
      { key: "tls", tls: true, registered: true, title: "TLS in process" },
      { key: "h2c", tls: false, registered: true, title: "plaintext h2c" },
      {
        key: "first",
        tls: true,
        registered: false,
        title: "new agents: Register, then hello; TLS in process",
      },
    ] as const
  ).filter((v) => !only || only.includes(v.key));
  const samples: Record<string, { ingress: Held[]; bare: Held[] }> = {};
  for (const v of variants) {
    samples[v.key] = { ingress: [], bare: [] };
    for (let r = 0; r < RUNS; r++) {
      const ingress = await spawnIngress(plane, { tls: v.tls });
      try {
        samples[v.key]?.ingress.push(await hold(ingress, v.tls, `ingress-${v.key}`, v.registered));
      } finally {
        await stopChild(ingress.child, "SIGKILL");
      }
      // New agents' baseline is the bare server's TLS run when there is one (it never registers).
      const tlsBare = samples.tls?.bare[r];
      if (v.key === "first" && tlsBare) {
        samples[v.key]?.bare.push(tlsBare);
        continue;
      }
      const bare = await spawnEcho({ tls: v.tls, certDir });
      try {
        samples[v.key]?.bare.push(await hold(bare, v.tls, `bare-${v.key}`, v.registered));
      } finally {
        await stopChild(bare.child, "SIGKILL");
      }
    }
  }

  const results = [];
  for (const v of variants) {
    const s = samples[v.key];
    if (!s) continue;
    const first = v.key === "first";
    const rss = figure({
      id: `streams.rss.${v.key}`,
      name: `RSS per ${first ? "" : "idle "}stream (${v.title})`,
      unit: "KiB",
      runs: s.ingress.map((h) => h.rssPerStreamKb),
      baseline: {
        name: `bare grpc-js server holding the same streams${first ? " (no Register)" : ""}`,
        runs: s.bare.map((h) => h.rssPerStreamKb),
      },
      ...(first
        ? {
            target: "(informational: a burst of first registrations; an agent registers once)",
            notes: [
              `${s.ingress.map((h) => h.held).join(", ")} of ${STREAMS} held; time to register and open all: ${s.ingress.map((h) => h.seconds.toFixed(1)).join(", ")} s`,
            ],
          }
        : {
            target: "<= 1.25x bare",
            meets: (_v: number, ratio?: number) => ratio !== undefined && ratio <= 1.25,
          }),
    });
    if (first) {
      results.push(rss);
      continue;
    }
    results.push(
      figure({
        id: `streams.held.${v.key}`,
        name: `idle streams held by one ingress process (${v.title})`,
        unit: "streams",
        runs: s.ingress.map((h) => h.held),
        baseline: { name: "bare grpc-js server, same clients", runs: s.bare.map((h) => h.held) },
        target: quick ? `>= 19,000 (quick mode opens only ${STREAMS})` : ">= 19,000",
        meets: (held) => held >= (quick ? STREAMS : 19_000),
        notes: [
          `asked for ${STREAMS} from ${CLIENT_PROCESSES} client processes; server fds at peak: ${s.ingress.map((h) => h.fds).join(", ")}`,
          `time to open all: ${s.ingress.map((h) => h.seconds.toFixed(1)).join(", ")} s (bare: ${s.bare.map((h) => h.seconds.toFixed(1)).join(", ")} s)`,
        ],
      }),
      rss,
      figure({
        id: `streams.idle-cpu.${v.key}`,
        name: `CPU holding the idle streams (${v.title})`,
        unit: "% of a core",
        runs: s.ingress.map((h) => h.idleCpu * 100),
        baseline: {
          name: "bare grpc-js server (no heartbeats of its own)",
          runs: s.bare.map((h) => h.idleCpu * 100),
        },
        target: "(informational: heartbeats, presence writes, sweeps)",
      }),
    );
  }
  if (!only || only.includes("idle")) results.push(...(await idleCostFigures()));
  report(results);
} finally {
  await plane.stop();
}

async function idleCostFigures() {
  const agents = quick ? 200 : 1_000;
  const timeScale = 60;
  // Two production stream lifetimes (1 h): every periodic write of an idle agent happens in it.
  const windowMs = (2 * 30 * 60_000) / timeScale;
  const runs = [];
  for (let r = 0; r < (quick ? 1 : 3); r++)
    runs.push(await measureIdleCost(plane, { agents, timeScale, windowMs, log: progress }));
  const perMonth = (units: number, price: number) => (units * HOURS_PER_MONTH * 1_000 * price) / 1e6;
  const assumptions = `$${WRITE_PRICES["us-east-1"]} (us-east-1) / $${WRITE_PRICES["eu-west-1"]} (eu-west-1) per million on-demand write units, ${HOURS_PER_MONTH} h a month`;
  const calls = runs.map((r) => JSON.stringify(r.calls)).join("; ");
  return [
    figure({
      id: "streams.idle.write-units",
      name: "DynamoDB write units per idle connected agent-hour (measured)",
      unit: "WRU/agent-hour",
      runs: runs.map((r) => r.writeUnitsPerAgentHour),
      target: "(informational: presence refresh, stream rotation)",
      notes: [
        `${agents} agents, presence refresh and stream age ${timeScale}x faster than production, ${runs[0]?.observedHours ?? 0} h observed per run`,
        `writes in the window by operation: ${calls}`,
      ],
    }),
    figure({
      id: "streams.idle.dynamodb-cost",
      name: "DynamoDB writes per 1,000 idle agents a month (us-east-1, from the measured rate)",
      unit: "$/month",
      runs: runs.map((r) => perMonth(r.writeUnitsPerAgentHour, WRITE_PRICES["us-east-1"])),
      target: "<= $5",
      meets: (value) => value <= 5,
      notes: [
        `price assumptions: ${assumptions}`,
        `eu-west-1: $${runs.map((r) => perMonth(r.writeUnitsPerAgentHour, WRITE_PRICES["eu-west-1"]).toFixed(2)).join(", ")}`,
      ],
    }),
    figure({
      id: "streams.idle.nats",
      name: "NATS messages per idle connected agent-hour (measured)",
      unit: "msgs/agent-hour",
      runs: runs.map((r) => r.natsMessagesPerAgentHour),
      target: "(informational: NATS on ECS has no per-message price)",
    }),
  ];
}
