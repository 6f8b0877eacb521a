/**
 * Log throughput, agent -> ingress -> durable storage, through one ingress process: the
 * ingress container entry over TLS, storing chunks in fauxqs (S3, persisted to disk as
 * `npm start` does) and publishing them on a real nats-server for live viewers, acknowledging
 * each chunk only once stored. The agent is a raw client in its own process shipping the agent's
 * chunk size (64 KiB) with the agent's in-memory window (64 MiB unacknowledged).
 *
 * Baseline in the same run: the same client moving the same bytes over one TLS stream to a
 * bare grpc-js server that acknowledges each chunk at once.
 */
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { createS3BlobStore } from "../../../functions/adapters/aws/s3-blob-store.ts";
import { startNatsServer } from "../../../functions/adapters/nats/nats-server.ts";
import { MAX_MERGED_LOG_BYTES } from "../../../functions/ingress/log-runs.ts";
import { figure, progress, quick, report, runCount } from "../lib/figure.ts";
import { startBenchPlane, workflowYaml } from "../lib/plane.ts";
import { forkModule, nextMessage, stopChild } from "../lib/proc.ts";
import { type ServerProcess, spawnEcho, spawnIngress } from "../lib/servers.ts";

const PUMP = fileURLToPath(new URL("../lib/log-pump.ts", import.meta.url));
const BYTES = (quick ? 24 : 256) * 2 ** 20;
const CHUNK = 64 * 1024;
const WINDOW = 64 * 2 ** 20;
const RUNS = runCount(5, 2);

const nats = await startNatsServer();
const plane = await startBenchPlane({ durable: true, natsUrl: nats.url });
let ingress: ServerProcess | undefined;
let bare: ServerProcess | undefined;
try {
  await plane.applyWorkflow("logs", workflowYaml("logs"));
  // Fast sweeps: the ingress process hears doorbells over NATS, but need not wait for one.
  ingress = await spawnIngress(plane, { tls: true, env: { ASSAY_SWEEP_INTERVAL_MS: "200" } });
  bare = await spawnEcho({ tls: true, certDir: `${plane.dataDir}/tls` });

  async function pump(server: ServerProcess, mode: "ingress" | "bare"): Promise<number> {
    const child = forkModule(PUMP, [
      `127.0.0.1:${server.port}`,
      plane.caFile,
      plane.agentToken,
      mode,
      String(BYTES),
      String(CHUNK),
      String(WINDOW),
    ]);
    try {
      await nextMessage<{ ready?: boolean }>(child, (m) => m.ready === true, 30_000);
      if (mode === "ingress") await plane.run("logs");
      const done = await nextMessage<{ mbPerS?: number }>(child, (m) => m.mbPerS !== undefined, 5 * 60_000);
      return done.mbPerS ?? Number.NaN;
    } finally {
      await stopChild(child);
    }
  }

  /** The storage's own limit: the same bytes put one object after another, as the ingress does. */
  const blobs = await createS3BlobStore({ client: plane.s3Client(), bucket: "assay-data" });
  async function rawPuts(): Promise<number> {
    const object = new Uint8Array(MAX_MERGED_LOG_BYTES).fill(0x61);
    const t0 = performance.now();
    for (let sent = 0, i = 0; sent < BYTES; sent += object.length, i++)
      await blobs.put(`bench/raw/${i}`, object);
    return BYTES / ((performance.now() - t0) / 1_000) / 1e6;
  }

  await pump(bare, "bare"); // warm-up of both paths
  await pump(ingress, "ingress");
  const system: number[] = [];
  const baseline: number[] = [];
  const storage: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    system.push(await pump(ingress, "ingress"));
    baseline.push(await pump(bare, "bare"));
    storage.push(await rawPuts());
    progress(
      `log throughput run ${r + 1}/${RUNS}: ingress ${system.at(-1)?.toFixed(1)} MB/s, bare ${baseline.at(-1)?.toFixed(1)} MB/s, ` +
        `raw puts ${storage.at(-1)?.toFixed(1)} MB/s`,
    );
  }
  report([
    figure({
      id: "logs.throughput",
      name: "log throughput agent -> ingress -> durable storage (one stream)",
      unit: "MB/s",
      runs: system,
      baseline: { name: "bare grpc-js stream, same bytes and chunks", runs: baseline },
      target: ">= 50 MB/s and >= 0.5x bare",
      meets: (v, ratio) => v >= 50 && (ratio ?? 0) >= 0.5,
      notes: [
        `${BYTES / 2 ** 20} MiB per run in ${CHUNK / 1024} KiB chunks, TLS, fauxqs on disk, NATS fan-out`,
      ],
    }),
  ]);
} finally {
  if (ingress) await stopChild(ingress.child, "SIGKILL");
  if (bare) await stopChild(bare.child, "SIGKILL");
  await plane.stop();
  await nats.stop();
}
