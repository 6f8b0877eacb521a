/**
 * Child runs on an agent stream (`execute` steps, TestWorkflow suites): the agent that holds a
 * running parent execution asks to start children, to read their statuses, or to abort them.
 * Which parent may ask and which executions are its children are core's rules
 * (core/agent-link/children.ts); here requests are bounded, translated and answered. Refusals
 * are answers with `error`, never stream errors.
 *
 * A start request resent after a reconnect is not started twice: the same ingress answers it
 * from memory, and any ingress derives the same execution ids for its children (child-id.ts),
 * which the store creates once.
 */
import { isAppError } from "@assay/shared";
import type { ChildExecution, ChildRun, ChildRunRequest, ControlMessage } from "@assay/shared/proto";
import type { AgentLink } from "../core/agent-link/agent-link.ts";
import type { Children, ChildSpec } from "../core/agent-link/children.ts";
import type { Logger } from "../core/ports.ts";

/** Most children one request may start, watch or abort. */
export const MAX_CHILDREN_PER_REQUEST = 256;
/** Start requests remembered for answering resends. */
const REMEMBERED = 1_000;

export function createChildRuns(deps: { children: Children | undefined; logger: Logger }) {
  const answered = new Map<string, Promise<ChildExecution[]>>();

  return {
    async handle(
      link: Pick<AgentLink, "agent" | "waiting">,
      request: ChildRunRequest,
      send: (message: ControlMessage) => void,
    ): Promise<void> {
      const { agent } = link;
      const { requestId, executionId } = request;
      const answer = (children: ChildExecution[], error = "") =>
        send({ kind: { $case: "childRunResponse", value: { requestId, executionId, children, error } } });
      const children = deps.children;
      if (children === undefined)
        return answer([], "child executions are not available on this control plane");
      const count = request.start.length + request.watch.length + request.abort.length;
      if (count > MAX_CHILDREN_PER_REQUEST)
        return answer([], `at most ${MAX_CHILDREN_PER_REQUEST} children per request`);
      const asked = await children.parent(agent, executionId);
      if ("refusal" in asked) return answer([], asked.refusal);
      // Before starting: the doorbell the start rings finds the parent's place free.
      link.waiting(executionId, request.waiting);
      try {
        const out: ChildExecution[] = [];
        if (request.start.length > 0) {
          const key = `${agent.orgId}/${executionId}/${requestId}`;
          let started = answered.get(key);
          if (started === undefined) {
            started = children.start(agent, asked.parent, request, request.start.map(specOf));
            answered.set(key, started);
            if (answered.size > REMEMBERED) answered.delete(answered.keys().next().value as string);
            started.catch(() => answered.delete(key));
          }
          out.push(...(await started));
          deps.logger.info({ executionId, started: out.length }, "child executions started");
        }
        for (const id of request.abort) out.push(await children.abort(agent, executionId, id));
        for (const id of request.watch) out.push(await children.watch(agent, executionId, id));
        answer(out);
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

/** A child entry as core reads it; its own target when the `execute` entry names one. */
const specOf = (run: ChildRun): ChildSpec => {
  const labels = (list: ChildRun["targetMatch"]) =>
    list.length === 0 ? undefined : Object.fromEntries(list.map((l) => [l.key, l.values]));
  const match = labels(run.targetMatch);
  const not = labels(run.targetNot);
  const spec = { workflowName: run.workflowName, selector: run.selector, config: run.config, tags: run.tags };
  if (match === undefined && not === undefined) return spec;
  return { ...spec, target: { ...(match ? { match } : {}), ...(not ? { not } : {}) } };
};

export type ChildRuns = ReturnType<typeof createChildRuns>;
