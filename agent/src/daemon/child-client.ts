/**
 * Child runs from the agent's side of the stream (`execute` steps): start children, read their
 * statuses, abort them, each a ChildRunRequest answered by a ChildRunResponse matched by
 * request id (resent on a new stream, settled as an error after `timeoutMs`:
 * stream-requests.ts). The control plane answers a resent start from memory instead of
 * starting the children twice.
 */
import { randomUUID } from "node:crypto";
import type { ChildRunResponse } from "@assay/shared/proto";
import type { ChildAnswer, ChildRequest } from "../runner/types.ts";
import type { Clock } from "./clock.ts";
import { createStreamRequests } from "./stream-requests.ts";

export function createChildClient(options: { clock: Clock; onOutput(): void; timeoutMs?: number }) {
  const requests = createStreamRequests<ChildAnswer>({
    ...options,
    timeoutMs: options.timeoutMs ?? 60_000,
    timedOut: (s) => ({ ok: false, error: `no answer from the control plane within ${s} s` }),
  });
  return {
    /** Sends one request for `executionId`'s step `stepRef`. Never rejects. */
    request(executionId: string, stepRef: string, body: ChildRequest): Promise<ChildAnswer> {
      const requestId = randomUUID();
      const start = (body.start ?? []).map((run) => ({
        workflowName: run.workflow ?? "",
        selector: run.selector ?? {},
        config: run.config,
        tags: run.tags,
        executionName: run.executionName ?? "",
        targetMatch: Object.entries(run.target?.match ?? {}).map(([key, values]) => ({ key, values })),
        targetNot: Object.entries(run.target?.not ?? {}).map(([key, values]) => ({ key, values })),
      }));
      return requests.send(requestId, {
        kind: {
          $case: "childRunRequest",
          value: {
            requestId,
            executionId,
            stepRef,
            start,
            watch: body.watch ?? [],
            abort: body.abort ?? [],
            waiting: body.waiting,
          },
        },
      });
    },
    handleResponse(response: ChildRunResponse) {
      requests.answer(
        response.requestId,
        response.error ? { ok: false, error: response.error } : { ok: true, children: response.children },
      );
    },
    handleWelcome: requests.handleWelcome,
    next: requests.next,
  };
}

export type ChildClient = ReturnType<typeof createChildClient>;
