/**
 * The end-to-end fixture: a real local control plane (functions/testing/harness.ts) and a real
 * `assay agent` child process connected to it, with helpers to drive it the way users do: the
 * CLI as a child process, workflows applied and run through the API, waits that fail with the
 * agent's output attached.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";
import { ASSAY, launchAgent } from "./agent-process.ts";

export { ASSAY } from "./agent-process.ts";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** An execution as the API returns it, with the fields tests read. */
export interface ExecutionJson {
  id: string;
  status: string;
  message?: string;
  logBytes: number;
  startedAt?: string;
  steps: Array<{
    ref: string;
    name: string;
    status: string;
    message?: string;
    parentRef?: string;
    exitCode?: number;
  }>;
}

const ACTIVE = ["queued", "assigned", "running"];

export async function startAgentStack(
  options: {
    prefix?: string;
    runtime?: "process" | "docker";
    agentArgs?: string[];
    /** Options of the local control plane (e.g. a faster reaper). */
    plane?: Parameters<typeof startTestControlPlane>[0];
  } = {},
) {
  const plane: TestControlPlane = await startTestControlPlane(options.plane);
  const dir = mkdtempSync(join(tmpdir(), `${options.prefix ?? "assay-e2e"}-`));
  let output = "";
  const spawnAgent = (stateDir: string, args: string[]): ChildProcess =>
    launchAgent({
      url: plane.ingressUrl,
      caFile: plane.caFile,
      stateDir: join(dir, stateDir),
      token: plane.agentToken,
      runtime: options.runtime ?? "process",
      args,
      onOutput: (chunk) => (output += chunk),
    }).child;
  const agents: ChildProcess[] = [spawnAgent("agent", options.agentArgs ?? [])];

  /** Polls `probe` until it returns a value; fails after `timeoutMs` with the agent's output. */
  const waitFor = async <T>(
    what: string,
    probe: () => Promise<T | undefined>,
    timeoutMs = 30_000,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}\nagent output:\n${output.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const cliEnv = (): NodeJS.ProcessEnv => ({
    ...process.env,
    ASSAY_URL: plane.apiUrl,
    ASSAY_TOKEN: plane.apiToken,
    ASSAY_ORG: plane.orgId,
    ASSAY_ENV: plane.envId,
    NO_COLOR: "1",
  });

  const getExecution = async (id: string) =>
    (await (await plane.api(`${plane.envPath}/executions/${id}`)).json()) as ExecutionJson;

  const stack = {
    plane,
    dir,
    waitFor,
    cliEnv,
    agentOutput: () => output,
    /** Runs the `assay` CLI as a child process (with the plane's URL, token, org and env). */
    cli: (args: string[], env: NodeJS.ProcessEnv = cliEnv()): Promise<CliResult> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [ASSAY, ...args], { env, cwd: dir });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      }),
    /** Creates or replaces a workflow (or template) through the API. */
    async put(name: string, yaml: string, kind: "workflows" | "templates" = "workflows") {
      const res = await plane.api(`${plane.envPath}/${kind}/${name}`, {
        method: "PUT",
        body: yaml,
        headers: { "content-type": "application/yaml" },
      });
      assert.ok(res.status < 300, `apply ${name}: ${res.status} ${await res.text()}`);
    },
    /** Starts a run of a stored workflow; returns its id. */
    async start(name: string, body: { config?: Record<string, string> } = {}) {
      const res = await plane.api(`${plane.envPath}/workflows/${name}/executions`, {
        method: "POST",
        body: JSON.stringify(body),
      });
      const text = await res.text();
      assert.equal(res.status, 201, `run ${name}: ${text}`);
      return (JSON.parse(text) as { id: string }).id;
    },
    getExecution,
    /** Waits for a final status. */
    finished: (id: string, timeoutMs = 60_000) =>
      waitFor(
        `execution ${id} to finish`,
        async () => {
          const e = await getExecution(id);
          return ACTIVE.includes(e.status) ? undefined : e;
        },
        timeoutMs,
      ),
    /** The stored log as text. */
    log: async (id: string) => (await plane.api(`${plane.envPath}/executions/${id}/logs`)).text(),
    /** Starts one more agent of the environment (its own state dir) and waits until it is online. */
    async addAgent(args: string[]) {
      const before = plane.gateway.agents({ orgId: plane.orgId, envId: plane.envId }).length;
      agents.push(spawnAgent(`agent-${agents.length + 1}`, args));
      await waitFor("the added agent to connect", async () =>
        plane.gateway.agents({ orgId: plane.orgId, envId: plane.envId }).length > before ? true : undefined,
      );
    },
    async stop() {
      for (const agent of agents) agent.kill("SIGTERM");
      await Promise.all(
        agents.map(
          (agent) => new Promise((r) => (agent.exitCode !== null ? r(null) : agent.once("exit", r))),
        ),
      );
      await plane.stop();
    },
  };
  await waitFor("the agent to connect", async () =>
    plane.gateway.agents({ orgId: plane.orgId, envId: plane.envId }).length > 0 ? true : undefined,
  );
  return stack;
}

export type AgentStack = Awaited<ReturnType<typeof startAgentStack>>;
