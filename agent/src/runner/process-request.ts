/**
 * The last step before a process starts: what the planner left for run time (expressions in
 * the shell, command, args, working directory and environment) is rendered against the step's
 * runtime scope. A bad expression is an error message for the step, never a half-rendered
 * command.
 */
import type { ProcessRequest } from "./process-run.ts";
import { type RuntimeScope, renderRuntimeText } from "./runtime-expressions.ts";
import type { RunnerStep } from "./types.ts";

export function renderProcessRequest(
  step: RunnerStep,
  env: Record<string, string>,
  scope: RuntimeScope,
): ProcessRequest | string {
  const errors: string[] = [];
  const render = (text: string) => {
    const out = renderRuntimeText(text, scope);
    if (!out.ok) errors.push(out.error);
    return out.ok ? out.value : text;
  };
  const renderedEnv = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, render(v)]));
  const command = typeof step.command === "string" ? [step.command] : step.command;
  const request: ProcessRequest = {
    ref: step.ref,
    kind: step.kind === "service" ? "service" : "step",
    serviceName: step.service?.name,
    container: step.container,
    shell: step.shell === undefined ? undefined : render(step.shell),
    shellProgram: step.shellProgram,
    command: command?.map(render),
    args: step.args?.map(render),
    workingDir: step.workingDir === undefined ? undefined : render(step.workingDir),
    env: renderedEnv,
  };
  return errors.length > 0 ? `expression error: ${errors[0]}` : request;
}
