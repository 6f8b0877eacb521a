/**
 * `npm start`: the local control plane plus a local agent, ready in well under a minute.
 * Composition root only: config, logger, control plane, bootstrap, agent child, signals.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bootstrapLocal } from "./bootstrap.ts";
import { loadLocalConfig } from "./config.ts";
import { startControlPlane } from "./control-plane.ts";
import { createFileLogger } from "./logger.ts";
import { checkJava } from "./prerequisites.ts";
import { buildDashboard, dashboardIsStale } from "./web-assets.ts";

const missing = checkJava();
if (missing) {
  console.error(missing);
  process.exit(1);
}
const config = loadLocalConfig(process.env);
const logger = createFileLogger(join(config.dataDir, "control-plane.log"), config.ASSAY_LOG_LEVEL);
const started = Date.now();
console.log(`Starting Assay locally (data in ${config.dataDir})...`);

const plane = await startControlPlane({
  dataDir: config.dataDir,
  host: config.ASSAY_HOST,
  apiPort: config.PORT,
  ingressPort: config.ASSAY_INGRESS_PORT,
  natsUrl: config.ASSAY_NATS_URL,
  logger,
  tenancy: {
    ssoProviders: config.ASSAY_SSO_PROVIDERS,
    ...(config.ASSAY_PUBLIC_WEB_URL ? { publicWebUrl: config.ASSAY_PUBLIC_WEB_URL } : {}),
  },
}).catch((error: unknown) => {
  console.error(`Could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
const { state } = await bootstrapLocal(plane.core, config.dataDir, plane);
// Packed now so the first `npx` of an install command does not wait for it.
void plane.agentPackage.ensure().catch((error: unknown) => console.error(String(error)));

let agent: ChildProcess | undefined;
if (config.ASSAY_NO_AGENT !== "1") {
  const bin = fileURLToPath(new URL("../../agent/bin/assay.ts", import.meta.url));
  agent = spawn(
    process.execPath,
    [
      bin,
      "agent",
      "--url",
      state.ingressUrl,
      "--ca-file",
      state.caFile,
      "--state-dir",
      join(config.dataDir, "agent"),
      // Host processes unless asked: the samples need no image, and a Docker engine may have
      // no registry to pull the default image from.
      "--runtime",
      process.env.ASSAY_AGENT_RUNTIME ?? "process",
    ],
    { env: { ...process.env, ASSAY_AGENT_TOKEN: state.agentToken }, stdio: ["ignore", "inherit", "inherit"] },
  );
  agent.on("exit", (code, signal) => {
    if (!stopping)
      console.error(`The local agent exited (${signal ?? code}); the control plane keeps running.`);
  });
}

const building = dashboardIsStale();
if (building) {
  void buildDashboard((line) => console.error(line)).then((ok) => {
    if (ok) console.log(`The dashboard is built: ${state.apiUrl}`);
  });
}

console.log(`
Assay is running (${((Date.now() - started) / 1000).toFixed(1)} s).
  Dashboard ${state.apiUrl}${building ? "  (building in the background, ready in a few seconds)" : ""}
            sign in with the API token in local.json, or sign up (emails at ${state.apiUrl}/v1/dev/outbox)
  API      ${state.apiUrl}
  Ingress  ${state.ingressUrl}  (self-signed certificate: ${state.caFile})
  Org/env  ${state.orgId}/${state.envId}; credentials in ${join(config.dataDir, "local.json")}
${agent ? "  A local agent is connecting to the ingress.\n" : ""}
Next, in another terminal:
  npm run assay -- workflow list
  npm run assay -- run hello --watch
  npm run assay -- workflow apply -f my-workflow.yaml

Stop with Ctrl+C.`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping...`);
  agent?.kill("SIGTERM");
  await plane.stop();
  process.exit(0);
};
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
