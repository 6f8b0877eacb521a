/**
 * A production-shaped topology on loopback for fault injection: real nats-server, one set of
 * stores (DynamoDB Local, fauxqs) and the API in the test process, N ingress *processes*
 * (functions/ingress/main.ts, the container entry) behind a TCP balancer that can cut the
 * network, and a real agent process dialing the balancer. Every piece can be killed on its own.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findFreePort, waitForPort } from "../../functions/adapters/local/child-process.ts";
import { startNatsServer } from "../../functions/adapters/nats/nats-server.ts";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";

const INGRESS_MAIN = fileURLToPath(new URL("../../functions/ingress/main.ts", import.meta.url));
const ASSAY = fileURLToPath(new URL("../../agent/bin/assay.ts", import.meta.url));

/** Short protocol timings so faults are noticed in seconds, not the production 35 s. */
export const FAST_TIMINGS = {
  ASSAY_HEARTBEAT_INTERVAL_MS: "500",
  ASSAY_DEAD_AFTER_MS: "2000",
  ASSAY_SWEEP_INTERVAL_MS: "500",
  ASSAY_DRAIN_GRACE_MS: "10000",
  // Longer than any cut a test makes, with room for a loaded machine (the long blackhole is a
  // minute, plus reconnect backoff). The lost-execution test uses its own short lease.
  ASSAY_LEASE_TTL_MS: process.env.ASSAY_CHAOS_LONG === "1" ? "150000" : "60000",
};

interface IngressProcess {
  port: number;
  healthPort: number;
  child: ChildProcess;
  output: string;
}

export async function startTopology(options: { ingresses: number; timings?: Record<string, string> }) {
  const nats = await startNatsServer();
  const plane = await startTestControlPlane({
    natsUrl: nats.url,
    gateway: { sweepIntervalMs: 500 },
    reaperIntervalMs: 500,
  });
  const ingresses: IngressProcess[] = [];
  let agent: { child: ChildProcess; output: string } | undefined;

  async function startIngress(port?: number): Promise<IngressProcess> {
    const ingressPort = port ?? (await findFreePort());
    const healthPort = await findFreePort();
    const child = spawn(process.execPath, [INGRESS_MAIN], {
      env: {
        ...process.env,
        ...plane.runtimeEnv(),
        ...(options.timings ?? FAST_TIMINGS),
        ASSAY_INGRESS_TLS: "self-signed",
        ASSAY_TLS_DIR: join(plane.dataDir, "tls"),
        ASSAY_INGRESS_PORT: String(ingressPort),
        ASSAY_HEALTH_PORT: String(healthPort),
        ASSAY_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const ingress: IngressProcess = { port: ingressPort, healthPort, child, output: "" };
    child.stdout?.on("data", (d) => (ingress.output += d));
    child.stderr?.on("data", (d) => (ingress.output += d));
    await waitForPort(child, ingressPort, { timeoutMs: 30_000, describe: () => ingress.output });
    return ingress;
  }

  for (let i = 0; i < options.ingresses; i++) ingresses.push(await startIngress());
  const proxy: TcpProxy = await startTcpProxy(ingresses.map((i) => i.port));

  return {
    plane,
    nats,
    proxy,
    ingresses,
    /** The running agent process, if any. */
    get agent() {
      return agent?.child;
    },
    get agentOutput() {
      return agent?.output ?? "";
    },
    startAgent(extraArgs: string[] = []) {
      const child = spawn(
        process.execPath,
        [
          ASSAY,
          "agent",
          "--url",
          `https://localhost:${proxy.port}`,
          "--ca-file",
          plane.caFile,
          "--state-dir",
          join(plane.dataDir, "agent"),
          // The link is under test, not images: steps run as host processes.
          "--runtime",
          "process",
          ...extraArgs,
        ],
        { env: { ...process.env, ASSAY_AGENT_TOKEN: plane.agentToken }, stdio: ["ignore", "pipe", "pipe"] },
      );
      agent = { child, output: "" };
      const current = agent;
      child.stdout?.on("data", (d) => (current.output += d));
      child.stderr?.on("data", (d) => (current.output += d));
      return child;
    },
    /** Kills ingress i with a signal and waits for the process to exit. */
    async stopIngress(i: number, signal: NodeJS.Signals) {
      const ingress = ingresses[i];
      if (!ingress || ingress.child.exitCode !== null) return;
      const exited = new Promise((r) => ingress.child.once("exit", r));
      ingress.child.kill(signal);
      await exited;
    },
    /** Starts ingress i again on the same port. */
    async restartIngress(i: number) {
      const old = ingresses[i];
      if (!old) throw new Error(`no ingress ${i}`);
      ingresses[i] = await startIngress(old.port);
    },
    async stop() {
      if (agent && agent.child.exitCode === null) {
        const exited = new Promise((r) => agent?.child.once("exit", r));
        agent.child.kill("SIGKILL");
        await exited;
      }
      for (let i = 0; i < ingresses.length; i++) await this.stopIngress(i, "SIGKILL");
      await proxy.close();
      await plane.stop();
      await nats.stop();
    },
  };
}

export type Topology = Awaited<ReturnType<typeof startTopology>>;

/** Polls until `probe` returns a value, or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export type { TestControlPlane };
