/**
 * The idle cost of connected agents, measured: an ingress process (functions/ingress/main.ts)
 * holds idle agent streams whose clients behave like real idle agents (heartbeats, stream
 * rotation at the Welcome's maximum age), its DynamoDB calls go through a counting proxy
 * (write-counter.ts) and its NATS publishes are counted by a `>` subscriber on the same real
 * nats-server. The periods that cause writes (presence refresh, stream age) run `timeScale`
 * times faster than in production, so one hour of idle agents is observed in a minute; counts
 * are converted back to per agent-hour at production periods. Connection set-up (registration,
 * the first hello) is outside the window: only the steady idle state is counted.
 */
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { startNatsServer } from "../../../functions/adapters/nats/nats-server.ts";
import type { BenchPlane } from "./plane.ts";
import { forkModule, sleep, stopChild } from "./proc.ts";
import { spawnIngress } from "./servers.ts";
import { startWriteCounter, type WriteCounts } from "./write-counter.ts";

const CLIENTS = fileURLToPath(new URL("./stream-clients.ts", import.meta.url));
/** Production periods (functions/core/presence-rule.ts, the gateway's stream age). */
const PRESENCE_REFRESH_MS = 12 * 60_000;
const MAX_STREAM_AGE_MS = 30 * 60_000;

export interface IdleCost {
  agents: number;
  /** DynamoDB write request units per agent-hour at production periods. */
  writeUnitsPerAgentHour: number;
  /** NATS messages published per agent-hour at production periods. */
  natsMessagesPerAgentHour: number;
  /** The window's writes by operation. */
  calls: Record<string, number>;
  /** Observed window, in production time. */
  observedHours: number;
}

export async function measureIdleCost(
  plane: BenchPlane,
  options: { agents: number; timeScale: number; windowMs: number; log: (line: string) => void },
): Promise<IdleCost> {
  const { agents, timeScale, windowMs } = options;
  const nats = await startNatsServer();
  const counter = await startWriteCounter(plane.runtimeEnv().AWS_ENDPOINT_URL_DYNAMODB ?? "");
  const watcher = await connect({ servers: nats.url });
  let natsMessages = 0;
  const sub = watcher.subscribe(">");
  void (async () => {
    for await (const _ of sub) natsMessages++;
  })();
  const ingress = await spawnIngress(plane, {
    tls: false,
    env: {
      AWS_ENDPOINT_URL_DYNAMODB: counter.endpoint,
      ASSAY_NATS_URL: nats.url,
      ASSAY_PRESENCE_REFRESH_MS: String(Math.round(PRESENCE_REFRESH_MS / timeScale)),
      ASSAY_MAX_STREAM_AGE_MS: String(Math.round(MAX_STREAM_AGE_MS / timeScale)),
    },
  });
  const clients: ChildProcess[] = [];
  try {
    const processes = 2;
    const done: Array<{ opened: number; failed: number; firstError?: string }> = [];
    for (let c = 0; c < processes; c++) {
      const n = Math.ceil(agents / processes);
      const child = forkModule(CLIENTS, [
        `127.0.0.1:${ingress.port}`,
        "-",
        plane.agentToken,
        String(n),
        `idle-${c}`,
        "32",
      ]);
      child.on("message", (m: { done?: boolean; opened: number; failed: number; firstError?: string }) => {
        if (m.done) done.push(m);
      });
      clients.push(child);
    }
    while (done.length < processes) await sleep(200);
    const failed = done.reduce((sum, d) => sum + d.failed, 0);
    if (failed > 0)
      options.log(
        `idle cost: ${failed} of ${agents} streams failed to open (${done.find((d) => d.firstError)?.firstError})`,
      );
    // Let the set-up writes (first presence batch) land before the window opens.
    await sleep(Math.round((2 * PRESENCE_REFRESH_MS) / timeScale));
    const before: WriteCounts = counter.snapshot();
    const natsBefore = natsMessages;
    await sleep(windowMs);
    const after = counter.snapshot();
    const held = (await ingress.streams().catch(() => Number.NaN)) as number;
    const observedHours = (windowMs * timeScale) / 3_600_000;
    const calls = Object.fromEntries(
      Object.entries(after.calls).map(([op, n]) => [op, n - (before.calls[op] ?? 0)]),
    );
    options.log(
      `idle cost: ${held} streams held; window ${windowMs / 1000} s = ${observedHours.toFixed(2)} h at production periods; ` +
        `${after.units - before.units} write units (${after.items - before.items} items; ${JSON.stringify(calls)}), ` +
        `${natsMessages - natsBefore} NATS messages`,
    );
    return {
      agents: held,
      writeUnitsPerAgentHour: (after.units - before.units) / held / observedHours,
      natsMessagesPerAgentHour: (natsMessages - natsBefore) / held / observedHours,
      calls,
      observedHours,
    };
  } finally {
    for (const child of clients) child.send({ close: true });
    await sleep(600);
    await stopChild(ingress.child, "SIGKILL");
    sub.unsubscribe();
    await watcher.close();
    await counter.close();
    await nats.stop();
  }
}
