/**
 * Launches the real `assay agent` as a child process against a control plane's ingress, the way
 * a user starts it: the ingress URL, the plane's CA, a state directory, the environment's agent
 * token in ASSAY_AGENT_TOKEN. What it prints (stdout and stderr together) is kept for failure
 * messages and assertions.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ASSAY = fileURLToPath(new URL("../../agent/bin/assay.ts", import.meta.url));

export interface AgentLaunch {
  /** The ingress URL (`plane.ingressUrl`). */
  url: string;
  caFile: string;
  stateDir: string;
  /** The agent token (`plane.agentToken`, or a wrong one to be refused). */
  token: string;
  /** `--runtime`; the agent's own default when absent. */
  runtime?: "process" | "docker";
  args?: string[];
  /** Told each piece of output as it arrives (e.g. to gather several agents' output in one). */
  onOutput?: (chunk: string) => void;
}

export interface AgentProcess {
  child: ChildProcess;
  /** Everything the process printed so far. */
  output: () => string;
}

export const launchAgent = (launch: AgentLaunch): AgentProcess => {
  const runtime = launch.runtime === undefined ? [] : ["--runtime", launch.runtime];
  const child = spawn(
    process.execPath,
    [
      ASSAY,
      "agent",
      "--url",
      launch.url,
      "--ca-file",
      launch.caFile,
      "--state-dir",
      launch.stateDir,
      ...runtime,
      ...(launch.args ?? []),
    ],
    { env: { ...process.env, ASSAY_AGENT_TOKEN: launch.token } },
  );
  let output = "";
  const collect = (chunk: Buffer | string) => {
    output += chunk;
    launch.onOutput?.(String(chunk));
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  return { child, output: () => output };
};
