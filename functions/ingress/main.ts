/**
 * Container entry of the ingress (ECS Fargate behind a TLS-terminating load balancer): serves
 * plaintext HTTP/2 gRPC on ASSAY_INGRESS_PORT, a health check on ASSAY_HEALTH_PORT, and drains
 * on SIGTERM (agents are told to reconnect elsewhere) within ASSAY_DRAIN_GRACE_MS.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import * as z from "zod";
import { buildAwsCore, loadAwsConfig } from "../runtime/aws.ts";
import { listenGateway } from "./agent-gateway.ts";
import { buildIngress } from "./build-ingress.ts";
import { ensureSelfSignedCertificate } from "./tls.ts";

const IngressConfig = z.object({
  /** gRPC port. */
  ASSAY_INGRESS_PORT: z.coerce.number().int().min(1).max(65535).default(8443),
  /** "off" behind a TLS-terminating load balancer; "self-signed" for a standalone test. */
  ASSAY_INGRESS_TLS: z.enum(["off", "self-signed"]).default("off"),
  /** Health check port (HTTP GET /healthz). */
  ASSAY_HEALTH_PORT: z.coerce.number().int().min(1).max(65535).default(8081),
  /** How long a draining ingress waits for agents to move, in milliseconds. */
  ASSAY_DRAIN_GRACE_MS: z.coerce.number().int().min(0).default(60_000),
  /** Where a self-signed certificate is kept (ASSAY_INGRESS_TLS=self-signed). */
  ASSAY_TLS_DIR: z.string().default("/tmp/assay-tls"),
  /** Heartbeat interval and dead-stream threshold, in milliseconds (protocol defaults). */
  ASSAY_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(100).default(15_000),
  ASSAY_DEAD_AFTER_MS: z.coerce.number().int().min(300).default(35_000),
  /** How often each stream sweeps for queued work without a doorbell, in milliseconds. */
  ASSAY_SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).default(5_000),
  /** How often connected agents' presence is refreshed, in milliseconds (default 12 min). */
  ASSAY_PRESENCE_REFRESH_MS: z.coerce.number().int().min(1_000).optional(),
  /** The longest an agent stream lives before the agent rotates it, in milliseconds (default 30 min). */
  ASSAY_MAX_STREAM_AGE_MS: z.coerce.number().int().min(5_000).optional(),
});

const config = IngressConfig.parse(process.env);
const { core, logger, bus } = await buildAwsCore(loadAwsConfig(process.env));
const gateway = buildIngress(core, {
  drainGraceMs: config.ASSAY_DRAIN_GRACE_MS,
  heartbeatIntervalMs: config.ASSAY_HEARTBEAT_INTERVAL_MS,
  deadAfterMs: config.ASSAY_DEAD_AFTER_MS,
  sweepIntervalMs: config.ASSAY_SWEEP_INTERVAL_MS,
  ...(config.ASSAY_PRESENCE_REFRESH_MS ? { presenceWriteMs: config.ASSAY_PRESENCE_REFRESH_MS } : {}),
  ...(config.ASSAY_MAX_STREAM_AGE_MS ? { maxStreamAgeMs: config.ASSAY_MAX_STREAM_AGE_MS } : {}),
});
const tls =
  config.ASSAY_INGRESS_TLS === "self-signed"
    ? await ensureSelfSignedCertificate(config.ASSAY_TLS_DIR)
    : undefined;
const { server, port } = await listenGateway(gateway, {
  host: "0.0.0.0",
  port: config.ASSAY_INGRESS_PORT,
  tls,
});

const health = createServer((req, res) => {
  const ok = req.url === "/healthz" && gateway.state === "serving";
  res.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
  res.end(JSON.stringify({ state: gateway.state, streams: gateway.sessionCount }));
});
health.listen(config.ASSAY_HEALTH_PORT);

logger.info({ port, openFileLimit: readOpenFileLimit() }, "ingress listening");

process.on("SIGTERM", async () => {
  logger.info({}, "SIGTERM: draining");
  await gateway.drain();
  server.forceShutdown();
  health.close();
  await bus.close();
  process.exit(0);
});

/** The soft limit on open descriptors (each agent stream holds one), from /proc on Linux. */
function readOpenFileLimit(): number | "unknown" {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    return Number(line?.split(/\s{2,}/)[1]) || "unknown";
  } catch {
    return "unknown";
  }
}
