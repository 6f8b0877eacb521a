/**
 * A local control plane with a real `assay agent` child process, for conformance workflows:
 * apply documents, run them, wait for the end and read statuses and logs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";

const ASSAY = fileURLToPath(new URL("../../agent/bin/assay.ts", import.meta.url));

export interface Finished {
  id: string;
  status: string;
  message?: string;
  steps: Array<{ ref: string; name: string; status: string; message?: string; parentRef?: string }>;
  log: string;
}

export async function startAgentFixture() {
  const plane: TestControlPlane = await startTestControlPlane();
  const dir = mkdtempSync(join(tmpdir(), "assay-conformance-"));
  let output = "";
  const agent: ChildProcess = spawn(
    process.execPath,
    [ASSAY, "agent", "--url", plane.ingressUrl, "--ca-file", plane.caFile, "--state-dir", join(dir, "agent")],
    { env: { ...process.env, ASSAY_AGENT_TOKEN: plane.agentToken } },
  );
  agent.stdout?.on("data", (d) => (output += d));
  agent.stderr?.on("data", (d) => (output += d));
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
      await new Promise((r) => setTimeout(r, 150));
    }
  };
  await waitFor("the agent to connect", async () =>
    plane.gateway.agents(plane.orgId, plane.envId).length > 0 ? true : undefined,
  );

  const put = async (kind: "workflows" | "templates", name: string, yaml: string) => {
    const res = await plane.api(`${plane.envPath}/${kind}/${name}`, {
      method: "PUT",
      body: yaml,
      headers: { "content-type": "application/yaml" },
    });
    if (res.status >= 300) throw new Error(`apply ${name}: ${res.status} ${await res.text()}`);
  };

  return {
    plane,
    put,
    /** Applies `yaml` as workflow `name`, runs it with `config` and waits for a final status. */
    async run(
      name: string,
      yaml: string,
      config: Record<string, string> = {},
      timeoutMs = 60_000,
    ): Promise<Finished> {
      await put("workflows", name, yaml);
      const res = await plane.api(`${plane.envPath}/workflows/${name}/executions`, {
        method: "POST",
        body: JSON.stringify({ config }),
      });
      const started = (await res.json()) as { id?: string; error?: unknown };
      if (started.id === undefined) throw new Error(`run ${name}: ${JSON.stringify(started)}`);
      const final = await waitFor(
        `${name} to finish`,
        async () => {
          const e = (await (await plane.api(`${plane.envPath}/executions/${started.id}`)).json()) as Finished;
          return ["queued", "assigned", "running"].includes(e.status) ? undefined : e;
        },
        timeoutMs,
      );
      // Logs are committed before the result; give compaction a moment not to matter.
      const log = await (await plane.api(`${plane.envPath}/executions/${started.id}/logs`)).text();
      return { ...final, log };
    },
    agentOutput: () => output,
    async stop() {
      agent.kill("SIGTERM");
      await new Promise((r) => (agent.exitCode !== null ? r(null) : agent.once("exit", r)));
      await plane.stop();
    },
  };
}

export type AgentFixture = Awaited<ReturnType<typeof startAgentFixture>>;

/** A TestWorkflow document with `spec` (indented by two spaces already). */
export const workflowDoc = (name: string, spec: string) =>
  `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata:\n  name: ${name}\nspec:\n${spec}`;

/** The step named `name`. */
export const step = (run: Finished, name: string) => {
  const found = run.steps.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no step ${name} in ${run.steps.map((s) => s.name).join(", ")}`);
  return found;
};
