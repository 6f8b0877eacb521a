/**
 * Server processes for the stream and throughput benchmarks: the real ingress container entry
 * (functions/ingress/main.ts) against the bench plane's stores, and the bare grpc-js baseline.
 * Both start through `sh -c 'ulimit -Sn <hard>'` so they may hold as many descriptors as the
 * machine allows (Node also raises its soft limit to the hard one at start; the wrapper makes
 * the intent explicit for any runtime), and the limit each process really got is logged.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findFreePort, waitForPort } from "../../../functions/adapters/local/child-process.ts";
import { progress } from "./figure.ts";
import type { BenchPlane } from "./plane.ts";
import { nextMessage, openFileLimitOf } from "./proc.ts";

const INGRESS_MAIN = fileURLToPath(new URL("../../../functions/ingress/main.ts", import.meta.url));
const ECHO = fileURLToPath(new URL("./echo-server.ts", import.meta.url));
const RAISE_NOFILE = 'ulimit -Sn "$(ulimit -Hn)" && exec "$0" "$@"';

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  /** Streams the server holds now. */
  streams(): Promise<number>;
  /** What the server logged at warn level or above, counted by message. */
  complaints?: () => string;
}

function logLimit(name: string, pid: number) {
  const { soft, hard } = openFileLimitOf(pid);
  progress(`${name} (pid ${pid}) may hold ${soft} descriptors (hard limit ${hard})`);
}

/** The ingress entry as deployed: TLS in the process ("self-signed") or plaintext h2c ("off"). */
export async function spawnIngress(
  plane: BenchPlane,
  options: { tls: boolean; env?: Record<string, string> },
): Promise<ServerProcess> {
  const port = await findFreePort();
  const healthPort = await findFreePort();
  let output = "";
  const child = spawn("sh", ["-c", RAISE_NOFILE, process.execPath, INGRESS_MAIN], {
    env: {
      ...process.env,
      ...plane.runtimeEnv(),
      ASSAY_INGRESS_TLS: options.tls ? "self-signed" : "off",
      ASSAY_TLS_DIR: join(plane.dataDir, "tls"),
      ASSAY_INGRESS_PORT: String(port),
      ASSAY_HEALTH_PORT: String(healthPort),
      ASSAY_LOG_LEVEL: "warn",
      // Thousands of simulated agents register within a minute from one address.
      ASSAY_REGISTER_TOKEN_LIMIT: "1000000",
      ASSAY_REGISTER_SOURCE_LIMIT: "1000000",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  /** Warnings and errors the ingress logged, counted by message (a dropped stream says why). */
  const complaints = new Map<string, number>();
  const collect = (d: Buffer) => {
    output = (output + d).slice(-4_000);
    for (const m of String(d).matchAll(/"msg":"([^"]{1,120})"/g)) {
      const msg = m[1] ?? "";
      complaints.set(msg, (complaints.get(msg) ?? 0) + 1);
    }
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  await waitForPort(child, port, { timeoutMs: 30_000, describe: () => output });
  const pid = child.pid ?? 0;
  logLimit(`ingress ${options.tls ? "TLS" : "h2c"}`, pid);
  return {
    child,
    pid,
    port,
    complaints: () => [...complaints].map(([msg, n]) => `${n}x ${msg}`).join("; "),
    async streams() {
      const res = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
      return ((await res.json()) as { streams: number }).streams;
    },
  };
}

/** The bare grpc-js echo server in its own process. */
export async function spawnEcho(options: { tls: boolean; certDir: string }): Promise<ServerProcess> {
  const child = spawn(
    "sh",
    ["-c", RAISE_NOFILE, process.execPath, ECHO, options.tls ? "--tls" : "--plain", options.certDir],
    {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    },
  );
  const { port } = await nextMessage<{ port?: number }>(child, (m) => m.port !== undefined, 30_000);
  const pid = child.pid ?? 0;
  logLimit(`bare grpc-js ${options.tls ? "TLS" : "h2c"}`, pid);
  return {
    child,
    pid,
    port: port ?? 0,
    async streams() {
      const reply = nextMessage<{ streams?: number }>(child, (m) => m.streams !== undefined, 10_000);
      child.send({ stats: true });
      return (await reply).streams ?? 0;
    },
  };
}
