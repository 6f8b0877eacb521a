/**
 * A running parent's children (`execute` steps, TestWorkflow suites), for the agent that runs
 * the parent: start them, read their statuses, abort them. Only a parent running on the asking
 * agent has children started, watched or aborted through it (ownership.ts). A child is started
 * through the execution service like any run (same environment, plan queue, templates and
 * config checks) and records its parent; an entry without a workflow name starts every workflow
 * of the environment whose labels match its selector. Only executions that record the parent
 * count as its children. A child that cannot start is reported without an id and with the
 * reason (`retry` when the plan's queue is full).
 *
 * Each child's id is derived from the parent, the request and its place in it (child-id.ts), so
 * a start request resent to any ingress starts each child once.
 */
import { type Execution, type ExecutionStatus, isAppError, isTerminal } from "@assay/shared";
import type { EnvAgentPrincipal } from "../access.ts";
import type { AgentWork } from "../agent-work.ts";
import { childExecutionId } from "../child-id.ts";
import type { ExecutionService, StartInput } from "../executions.ts";
import type { WorkflowService } from "../workflows.ts";
import type { AgentRef } from "./agent-link.ts";
import { notRunningHere, runningOn } from "./ownership.ts";

/** One child entry of a start request. */
export interface ChildSpec extends Pick<StartInput, "config" | "tags" | "target"> {
  /** The workflow to run; empty to run every workflow whose labels match `selector`. */
  workflowName: string;
  selector: Record<string, string>;
}

/** A child as the parent's agent is told of it. */
export interface ChildStatus {
  /** Empty when the child could not be started (`message` says why). */
  executionId: string;
  workflowName: string;
  status: ExecutionStatus | "";
  message: string;
  /** The child could not be started for now (the plan's queue is full). */
  retry: boolean;
}

/** The start request a child belongs to: the step that asked, and the request's id. */
export interface ChildRequest {
  requestId: string;
  stepRef: string;
}

/** The agent as the principal its requests act for. */
const agentOf = ({ orgId, envId, agentId }: AgentRef): EnvAgentPrincipal => ({
  kind: "agent",
  orgId,
  envId,
  agentId,
});

const failed = (workflowName: string, message: string): ChildStatus => ({
  executionId: "",
  workflowName,
  status: "",
  message,
  retry: false,
});

export function createChildren(deps: {
  executions: Pick<ExecutionService, "start" | "abort">;
  workflows: Pick<WorkflowService, "list">;
  work: Pick<AgentWork, "get">;
}) {
  const { executions, workflows, work } = deps;

  const namesFor = async (agent: AgentRef, spec: ChildSpec) =>
    spec.workflowName !== ""
      ? [spec.workflowName]
      : (await workflows.list(agentOf(agent), { orgId: agent.orgId, envId: agent.envId }, spec.selector)).map(
          (w) => w.name,
        );

  /** Starts one entry's children (one, or one per matching workflow). */
  async function startEntry(
    agent: AgentRef,
    parent: Execution,
    request: ChildRequest,
    spec: ChildSpec,
    index: number,
  ): Promise<ChildStatus[]> {
    const names = await namesFor(agent, spec);
    if (names.length === 0) {
      const labels = Object.entries(spec.selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ");
      return [failed("", `no workflow of the environment has the labels ${labels}`)];
    }
    const out: ChildStatus[] = [];
    for (const name of names) {
      try {
        const child = await executions.start(
          agentOf(agent),
          { orgId: agent.orgId, envId: agent.envId },
          name,
          {
            config: spec.config,
            tags: spec.tags,
            parent: { executionId: parent.id, stepRef: request.stepRef },
            startedBy: { kind: "execution", id: parent.id },
            id: childExecutionId(parent, request.requestId, `${index}/${name}`),
            ...(spec.target ? { target: spec.target } : {}),
          },
        );
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
  }

  /** The child `id` of `parentId`, or why it is not one. */
  const childOf = async (agent: AgentRef, parentId: string, id: string): Promise<ChildStatus> => {
    const child = await work.get({ orgId: agent.orgId, envId: agent.envId, id });
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
    /** The parent when it runs on the asking agent; otherwise the refusal. */
    async parent(agent: AgentRef, executionId: string): Promise<{ parent: Execution } | { refusal: string }> {
      const parent = await work.get({ orgId: agent.orgId, envId: agent.envId, id: executionId });
      return runningOn(parent, agent.agentId) ? { parent } : { refusal: notRunningHere(executionId) };
    },

    /** Starts the children of one request, in order. */
    async start(agent: AgentRef, parent: Execution, request: ChildRequest, specs: ChildSpec[]) {
      const all: ChildStatus[] = [];
      for (const [index, spec] of specs.entries())
        all.push(...(await startEntry(agent, parent, request, spec, index)));
      return all;
    },

    /** Aborts `id` when it is an unfinished child of the parent; answers it as it now is. */
    async abort(agent: AgentRef, parentId: string, id: string): Promise<ChildStatus> {
      const child = await work.get({ orgId: agent.orgId, envId: agent.envId, id });
      if (child?.parent?.executionId === parentId && !isTerminal(child.status)) {
        await executions
          .abort(agentOf(agent), { orgId: agent.orgId, envId: agent.envId, id })
          .catch((error: unknown) => {
            if (!isAppError(error)) throw error;
          });
      }
      return childOf(agent, parentId, id);
    },

    /** Child `id` of the parent as it now is. */
    watch: childOf,
  };
}

export type Children = ReturnType<typeof createChildren>;
