/**
 * Installing the agent: the size of the npm tarball the control plane serves, the size of the
 * agent image (and what it adds to its Node base), and the time from running the npx install
 * command, exactly as the API gives it, to the agent's "connected" line on a warm npm cache
 * (the first, cold run is not counted). Baseline in the same run: the same bundle started with
 * `node assay.js agent` straight from an unpacked tarball, so the ratio is what npx adds.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { ASSAY_VERSION } from "@assay/shared/version";
import { buildAgentImage, TEST_NODE_BASE } from "../../support/agent-image.ts";
import { figure, progress, report, runCount } from "../lib/figure.ts";
import { startBenchPlane } from "../lib/plane.ts";

const RUNS = runCount(5);
const PATH = `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`;

/** Starts `command` in `sh` and resolves with the ms until a line says "connected"; then stops it. */
function timeToConnected(command: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn("sh", ["-c", command], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const timer = setTimeout(
      () => done(new Error(`no "connected" within 120 s:\n${output.slice(-2000)}`)),
      120_000,
    );
    const done = (error?: Error) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      if (child.pid) process.kill(-child.pid, "SIGTERM");
      child.once("exit", () => (error ? reject(error) : resolve(ms)));
    };
    const onData = (d: Buffer) => {
      output += d;
      if (/connected/.test(output)) done();
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
  });
}

const plane = await startBenchPlane();
const scratch = mkdtempSync(join(tmpdir(), "assay-bench-install-"));
try {
  const made = await plane.api(`${plane.envPath}/agent-tokens`, {
    method: "POST",
    body: JSON.stringify({ name: "bench" }),
  });
  const { install, secret } = (await made.json()) as {
    install: { npx: string; agentTarballUrl: string };
    secret: string;
  };
  const home = join(scratch, "home");
  mkdirSync(home);
  const env = { PATH, HOME: home };
  progress("npx, cold cache (not counted)");
  await timeToConnected(install.npx, env);
  const npxRuns: number[] = [];
  const nodeRuns: number[] = [];
  const tarball = await plane.agentPackage.ensure();
  const unpacked = join(scratch, "unpacked");
  mkdirSync(unpacked);
  execFileSync("tar", ["-xzf", tarball, "-C", unpacked]);
  const direct = `node ${join(unpacked, "package/assay.js")} agent --url ${plane.ingressUrl} --ca-file ${plane.caFile}`;
  for (let i = 0; i < RUNS; i++) {
    progress(`run ${i + 1}/${RUNS}`);
    npxRuns.push(await timeToConnected(install.npx, env));
    nodeRuns.push(await timeToConnected(direct, { ...env, ASSAY_AGENT_TOKEN: secret }));
  }

  const image = await buildAgentImage();
  const sizeOf = (ref: string) =>
    Number(execFileSync("docker", ["image", "inspect", ref, "--format", "{{.Size}}"], { encoding: "utf8" }));
  const imageBytes = sizeOf(image);
  const baseBytes = sizeOf(TEST_NODE_BASE);
  report([
    figure({
      id: "agent-install.tarball-kib",
      name: `agent npm tarball (${ASSAY_VERSION}), gzipped`,
      unit: "KiB",
      runs: [statSync(tarball).size / 1024],
      target: "informational",
    }),
    figure({
      id: "agent-install.image-mib",
      name: "agent image on the local Node 24 test base",
      unit: "MiB",
      runs: [imageBytes / 2 ** 20],
      baseline: { name: "the base image alone", runs: [baseBytes / 2 ** 20] },
      target: "informational",
      notes: [`the agent adds ${((imageBytes - baseBytes) / 2 ** 20).toFixed(1)} MiB to its base`],
    }),
    figure({
      id: "agent-install.npx-to-connected",
      name: 'npx install command to "connected", warm npm cache',
      unit: "ms",
      runs: npxRuns,
      baseline: { name: "node assay.js agent from the unpacked tarball", runs: nodeRuns },
      target: "informational",
    }),
  ]);
} finally {
  await plane.stop();
  rmSync(scratch, { recursive: true, force: true });
}
