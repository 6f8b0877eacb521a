/**
 * Child runs on an agent stream (`execute` steps, TestWorkflow suites): the agent that holds a
 * running parent execution asks to start children, to read their statuses, or to abort them.
 * Children are started through the execution service like any run (same environment, plan
 * queue, templates and config checks) and record their parent; only the parent's children can
 * be watched or aborted through it. Refusals are answers with `error`, never stream errors; a
 * child that cannot start is answered without an id and with the reason (`retry` when the
 * plan's queue is full, as Testkube's toolkit retries creation).
 *
 * A start request resent after a reconnect is not started twice: the same ingress answers it
 * from memory, and any ingress derives the same execution ids for its children (child-id.ts),
 * which the store creates once.
 */
import { AppError, type Execution, isAppError, isTerminal } from "@assay/shared";
import type { ChildExecution, ChildRun, ChildRunRequest, ControlMessage } from "@assay/shared/proto";
import type { EnvAgentPrincipal } from "../core/access.ts";
import type { AgentLink } from "../core/agent-link/agent-link.ts";
import type { AgentWork } from "../core/agent-work.ts";
import { childExecutionId } from "../core/child-id.ts";
import type { ExecutionService, StartInput } from "../core/executions.ts";
import type { Logger } from "../core/ports.ts";
import type { WorkflowService } from "../core/workflows.ts";

/** Most children one request may start, watch or abort. */
export const MAX_CHILDREN_PER_REQUEST = 256;
/** Start requests remembered for answering resends. */
const REMEMBERED = 1_000;

export interface ChildRunScope {
  orgId: string;
  envId: string;
  agentId: string;
}

/** The agent as the principal its requests act for. */
const agentOf = ({ orgId, envId, agentId }: ChildRunScope): EnvAgentPrincipal => ({
  kind: "agent",
  orgId,
  envId,
  agentId,
});

export function createChildRuns(deps: {
  executions: ExecutionService | undefined;
  workflows: WorkflowService | undefined;
  work: AgentWork;
  logger: Logger;
}) {
  const answered = new Map<string, Promise<ChildExecution[]>>();

  const startOne = async (
    scope: ChildRunScope,
    parent: Execution,
    request: Pick<ChildRunRequest, "stepRef" | "requestId">,
    run: ChildRun,
    index: number,
  ): Promise<ChildExecution[]> => {
    const { stepRef } = request;
    const service = deps.executions;
    const workflows = deps.workflows;
    if (service === undefined || workflows === undefined)
      throw new AppError("unavailable", "no execution service");
    const names =
      run.workflowName !== ""
        ? [run.workflowName]
        : (
            await workflows.list(agentOf(scope), { orgId: scope.orgId, envId: scope.envId }, run.selector)
          ).map((w) => w.name);
    if (names.length === 0) {
      const labels = Object.entries(run.selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ");
      return [failed("", `no workflow of the environment has the labels ${labels}`)];
    }
    const out: ChildExecution[] = [];
    for (const name of names) {
      try {
        const child = await service.start(agentOf(scope), { orgId: scope.orgId, envId: scope.envId }, name, {
          config: run.config,
          tags: run.tags,
          parent: { executionId: parent.id, stepRef },
          startedBy: { kind: "execution", id: parent.id },
          id: childExecutionId(parent, request.requestId, `${index}/${name}`),
          ...targetOf(run),
        });
        out.push({
          executionId: child.id,
          workflowName: name,
          status: child.status,
          message: "",
          retry: false,
        });
      } catch (error) {
        if (!isAppError(error)) throw error;
        out.push({ ...failed(name, error.message), retry: error.code === "resource_exhausted" });
      }
    }
    return out;
  };

  const childOf = async (scope: ChildRunScope, parentId: string, id: string): Promise<ChildExecution> => {
    const child = await deps.work.get({ orgId: scope.orgId, envId: scope.envId, id });
    if (child === undefined || child.parent?.executionId !== parentId)
      return { ...failed("", `execution ${id} is not a child of ${parentId}`), executionId: id };
    return {
      executionId: id,
      workflowName: child.workflowName,
      status: child.status,
      message: child.message ?? "",
      retry: false,
    };
  };

  return {
    async handle(
      link: Pick<AgentLink, "agent" | "waiting">,
      request: ChildRunRequest,
      send: (message: ControlMessage) => void,
    ): Promise<void> {
      const scope = link.agent;
      const { requestId, executionId } = request;
      const answer = (children: ChildExecution[], error = "") =>
        send({ kind: { $case: "childRunResponse", value: { requestId, executionId, children, error } } });
      if (deps.executions === undefined)
        return answer([], "child executions are not available on this control plane");
      const count = request.start.length + request.watch.length + request.abort.length;
      if (count > MAX_CHILDREN_PER_REQUEST)
        return answer([], `at most ${MAX_CHILDREN_PER_REQUEST} children per request`);
      const parent = await deps.work.get({ orgId: scope.orgId, envId: scope.envId, id: executionId });
      if (parent === undefined || parent.agentId !== scope.agentId || parent.status !== "running")
        return answer([], `execution ${executionId} is not running on this agent`);
      // Before starting: the doorbell the start rings finds the parent's place free.
      link.waiting(executionId, request.waiting);
      try {
        const children: ChildExecution[] = [];
        if (request.start.length > 0) {
          const key = `${scope.orgId}/${executionId}/${requestId}`;
          let started = answered.get(key);
          if (started === undefined) {
            started = (async () => {
              const all: ChildExecution[] = [];
              for (const [index, run] of request.start.entries())
                all.push(...(await startOne(scope, parent, request, run, index)));
              return all;
            })();
            answered.set(key, started);
            if (answered.size > REMEMBERED) answered.delete(answered.keys().next().value as string);
            started.catch(() => answered.delete(key));
          }
          children.push(...(await started));
          deps.logger.info({ executionId, started: children.length }, "child executions started");
        }
        for (const id of request.abort) {
          const child = await deps.work.get({ orgId: scope.orgId, envId: scope.envId, id });
          if (child?.parent?.executionId === executionId && !isTerminal(child.status)) {
            await deps.executions
              .abort(agentOf(scope), { orgId: scope.orgId, envId: scope.envId, id })
              .catch((error: unknown) => {
                if (!isAppError(error)) throw error;
              });
          }
          children.push(await childOf(scope, executionId, id));
        }
        for (const id of request.watch) children.push(await childOf(scope, executionId, id));
        answer(children);
      } catch (error) {
        const reason = isAppError(error) ? error.message : "internal error in the ingress";
        if (!isAppError(error))
          deps.logger.error(
            { executionId, err: error instanceof Error ? error.message : String(error) },
            "child run request failed",
          );
        answer([], reason);
      }
    },
  };
}

/** The child's own target, when the `execute` entry names one. */
const targetOf = (run: ChildRun): { target?: NonNullable<StartInput["target"]> } => {
  const labels = (list: ChildRun["targetMatch"]) =>
    list.length === 0 ? undefined : Object.fromEntries(list.map((l) => [l.key, l.values]));
  const match = labels(run.targetMatch);
  const not = labels(run.targetNot);
  if (match === undefined && not === undefined) return {};
  return { target: { ...(match ? { match } : {}), ...(not ? { not } : {}) } };
};

const failed = (workflowName: string, message: string): ChildExecution => ({
  executionId: "",
  workflowName,
  status: "",
  message,
  retry: false,
});

export type ChildRuns = ReturnType<typeof createChildRuns>;
