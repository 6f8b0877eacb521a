/**
 * The real `assay agent` as a child process connected to a bench plane, for the figures that
 * need the whole agent (live tail, idle memory). The entry is the TypeScript source by default;
 * the bundled build (agent/dist/assay.js) can be passed instead.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchPlane } from "./plane.ts";

export const AGENT_TS = fileURLToPath(new URL("../../../agent/bin/assay.ts", import.meta.url));
export const AGENT_BUNDLE = fileURLToPath(new URL("../../../agent/dist/assay.js", import.meta.url));

export function startAgentProcess(plane: BenchPlane, options: { entry?: string; name?: string } = {}) {
  let output = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [
      options.entry ?? AGENT_TS,
      "agent",
      "--url",
      plane.ingressUrl,
      "--ca-file",
      plane.caFile,
      "--state-dir",
      join(plane.dataDir, `agent-${options.name ?? "bench"}`),
    ],
    { env: { ...process.env, ASSAY_AGENT_TOKEN: plane.agentToken }, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (d) => (output = (output + d).slice(-8_000)));
  child.stderr?.on("data", (d) => (output = (output + d).slice(-8_000)));
  return {
    child,
    get output() {
      return output;
    },
    /** Resolves once the plane lists this agent as connected. */
    async connected(timeoutMs = 30_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (plane.gateway.agents({ orgId: plane.orgId, envId: plane.envId }).length > 0) return;
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`agent did not connect: ${output}`);
    },
    async stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
