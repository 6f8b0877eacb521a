/**
 * Reading an execution's stored log for whoever asks: every read is authorized here (`read` in
 * the execution's environment; an execution of another organization or environment is
 * `not_found`) before a byte is read, and answers with the execution's state beside the bytes.
 * Input given as `Deferred` is read only once the caller is allowed, so a caller who may not
 * read learns nothing from a malformed request.
 */
import { AppError, type Execution } from "@assay/shared";
import { authorize, type Deferred, type Principal } from "./access.ts";
import type { LogSegment, LogService } from "./logs.ts";
import type { ExecutionRef } from "./ports/refs.ts";
import type { ExecutionStore } from "./ports.ts";

/** What a log reader learns about the execution with the bytes. */
export type LogHead = Pick<Execution, "id" | "workflowName" | "status" | "truncated">;

/** A byte range of the log: `[start, end)`, or the last `suffix` bytes. */
export type LogRange = { start: number; end?: number | undefined } | { suffix: number };

interface StepOnly {
  /** Only this step's part of the log. */
  step?: string | undefined;
}

export function createLogReads(deps: {
  logs: Pick<LogService, "read" | "readRange" | "tail" | "readSegments">;
  executions: Pick<ExecutionStore, "get">;
}) {
  const { logs } = deps;

  /** The execution, once `principal` may read in its environment. */
  async function head(principal: Principal, ref: ExecutionRef): Promise<LogHead> {
    authorize(principal, "read", ref);
    const execution = await deps.executions.get({ orgId: ref.orgId, envId: ref.envId, id: ref.id });
    if (!execution) throw new AppError("not_found", `execution ${ref.id} not found`);
    return execution;
  }

  return {
    /** The whole log (or one step's part) as bytes. */
    async text(principal: Principal, ref: ExecutionRef, options: StepOnly = {}) {
      const execution = await head(principal, ref);
      return { execution, data: await logs.read(ref, options) };
    },

    /** The last `lines` lines, with the log's length. */
    async tail(principal: Principal, ref: ExecutionRef, lines: number, options: StepOnly = {}) {
      const execution = await head(principal, ref);
      return { execution, ...(await logs.tail(ref, lines, options)) };
    },

    /**
     * A byte range, with where it starts and the log's length (a suffix range is measured
     * from the stored length).
     */
    async range(principal: Principal, ref: ExecutionRef, request: Deferred<LogRange & StepOnly>) {
      const execution = await head(principal, ref);
      const asked = await request();
      const step = asked.step;
      let start = "suffix" in asked ? 0 : asked.start;
      const end = "suffix" in asked ? undefined : asked.end;
      if ("suffix" in asked) {
        const { total } = await logs.readRange(ref, { start: 0, end: 0, step });
        start = Math.max(0, total - asked.suffix);
      }
      return { execution, start, ...(await logs.readRange(ref, { start, end, step })) };
    },

    /** The stored segments (each of one step and stream), with the log's length. */
    async segments(
      principal: Principal,
      ref: ExecutionRef,
      options: Deferred<StepOnly & { tail?: number | undefined }>,
    ): Promise<{ execution: LogHead; segments: LogSegment[]; total: number }> {
      const execution = await head(principal, ref);
      return { execution, ...(await logs.readSegments(ref, await options())) };
    },
  };
}

export type LogReads = ReturnType<typeof createLogReads>;
