/**
 * Conformance workflows on the end-to-end stack (tests/support/agent-stack.ts): apply a
 * document, run it, wait for the end and read statuses and the stored log.
 */
import { type ExecutionJson, startAgentStack } from "../support/agent-stack.ts";

export interface Finished extends ExecutionJson {
  log: string;
}

export async function startAgentFixture(runtime: "process" | "docker" = "process", agentArgs: string[] = []) {
  const stack = await startAgentStack({ prefix: "assay-conformance", runtime, agentArgs });
  return {
    plane: stack.plane,
    put: (kind: "workflows" | "templates", name: string, yaml: string) => stack.put(name, yaml, kind),
    /** Applies `yaml` as workflow `name`, runs it with `config` and waits for a final status. */
    async run(
      name: string,
      yaml: string,
      config: Record<string, string> = {},
      timeoutMs = 60_000,
    ): Promise<Finished> {
      await stack.put(name, yaml);
      const id = await stack.start(name, { config });
      const final = await stack.finished(id, timeoutMs);
      return { ...final, log: await stack.log(id) };
    },
    stack,
    agentOutput: stack.agentOutput,
    stop: stack.stop,
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
