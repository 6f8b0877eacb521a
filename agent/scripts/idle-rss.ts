/**
 * Measures the agent's idle memory: starts a TLS test gateway in this process, runs
 * `assay agent` (the TypeScript entry, or the bundle with `--bundle`) as a child connected to
 * it, waits until it is connected and idle, and prints the child's RSS and the modules it
 * loaded. A figure for humans and the report, not a test: it asserts nothing.
 *
 *   npx node agent/scripts/idle-rss.ts [--bundle]
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startTestGateway } from "../src/daemon/test-gateway.ts";

const agentDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = process.argv.includes("--bundle");
// Further arguments are Node/V8 flags to try (e.g. --max-semi-space-size=1).
const nodeFlags = process.argv.slice(2).filter((a) => a !== "--bundle");
const entry = bundle ? join(agentDir, "dist", "assay.js") : join(agentDir, "bin", "assay.ts");
const gateway = await startTestGateway();
const state = await mkdtemp(join(tmpdir(), "assay-rss-"));
const child = spawn(
  process.execPath,
  [
    ...nodeFlags,
    entry,
    "agent",
    "--url",
    gateway.url,
    "--token",
    "asy_agent_test",
    "--ca-file",
    gateway.caFile,
    "--state-dir",
    state,
  ],
  { stdio: ["ignore", "ignore", "pipe"] },
);
let stderr = "";
child.stderr.on("data", (d: Buffer) => {
  stderr += d.toString();
});
try {
  await gateway.waitFor("the agent to connect", () => gateway.live() !== undefined, 15_000);
  // Let start-up garbage be collected the way it would be on a real idle agent.
  await new Promise((resolve) => setTimeout(resolve, 4500));
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const rss = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) * 1024;
  const hwm = Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0) * 1024;
  console.log(
    stderr
      .split("\n")
      .filter((l) => l.startsWith("MEM"))
      .join("\n"),
  );
  console.log(
    `${bundle ? "bundle" : "typescript"}${nodeFlags.length > 0 ? ` ${nodeFlags.join(" ")}` : ""}: idle RSS ${(rss / 1048576).toFixed(1)} MiB (peak ${(hwm / 1048576).toFixed(1)} MiB)`,
  );
} catch (error) {
  console.error(stderr);
  throw error;
} finally {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
  await gateway.close();
  await rm(state, { recursive: true, force: true });
}
