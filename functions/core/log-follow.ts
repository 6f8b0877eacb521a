/**
 * Following an execution's log live, as a stream of domain events: the API frames them as
 * server-sent events, and anything else (a test, another transport) can consume them as they
 * are.
 *
 * Live segments come from the bus; whenever they leave a gap (a lost message, a late
 * subscriber) or go quiet, storage fills in, so the bus only ever lowers latency. The follow
 * ends once the execution is finished and every stored byte was given, when `signal` aborts,
 * or after `maxMs` (a client then resumes from the last end offset it saw).
 */
import { type ExecutionStatus, isTerminal, type OutputStream } from "@assay/shared";
import type { Principal } from "./access.ts";
import type { ExecutionService } from "./executions.ts";
import { statusSubject } from "./lifecycle/subjects.ts";
import { decodeSegment, type LogSegment, type LogService, logSubject } from "./logs.ts";
import type { Bus, Clock } from "./ports.ts";

export type LogFollowEvent =
  /** The execution's status: first, and on every change. */
  | { kind: "status"; status: ExecutionStatus }
  /** Bytes `step` wrote to `stream`, from `offset` to `end` (exclusive) of the execution's log. */
  | { kind: "log"; offset: number; end: number; step: string; stream: OutputStream; data: Uint8Array }
  /** Nothing was given for `quietMs`: a transport may send a keepalive. */
  | { kind: "quiet" }
  /** The execution is finished and every byte was given. */
  | { kind: "end"; status: ExecutionStatus; logBytes: number };

export interface LogFollowRequest {
  /** Who follows (they need to be allowed to read the execution). */
  principal: Principal;
  orgId: string;
  envId: string;
  id: string;
  /** The first byte to give (a resuming client's last end offset). */
  from: number;
  /** Only this step's bytes. */
  step?: string | undefined;
  /** Stops the follow (the client went away). */
  signal: AbortSignal;
  /** Longest the follow lasts, in milliseconds (unset: until the execution ends). */
  maxMs?: number | undefined;
}

/** How long a follower waits for live data before checking storage and status itself. */
const POLL_MS = 1_000;
/** Silence after which a `quiet` event is given. */
const QUIET_MS = 15_000;

export function createLogFollower(deps: {
  logs: Pick<LogService, "segments">;
  executions: Pick<ExecutionService, "get">;
  bus: Pick<Bus, "subscribe">;
  clock: Clock;
}) {
  const { logs, executions, bus, clock } = deps;

  return async function* follow(request: LogFollowRequest): AsyncGenerator<LogFollowEvent> {
    const { principal, orgId, envId, id, step, signal } = request;
    const execution = await executions.get(principal, { orgId, envId, id });
    const live: LogSegment[] = [];
    let wake: (() => void) | undefined;
    const nudge = () => wake?.();
    const offLog = await bus.subscribe(logSubject(id), (m) => {
      live.push(decodeSegment(m.data));
      nudge();
    });
    const offStatus = await bus.subscribe(statusSubject(id), nudge);
    signal.addEventListener("abort", nudge, { once: true });
    try {
      let cursor = request.from;
      let lastGivenMs = clock.now();
      /** The part of `segment` after the cursor (and in the step asked for), advancing the cursor. */
      const take = (segment: LogSegment): LogFollowEvent | undefined => {
        const end = segment.offset + segment.data.length;
        if (end <= cursor || segment.offset > cursor) return undefined;
        if (step && segment.step !== step) {
          cursor = end;
          return undefined;
        }
        const event: LogFollowEvent = {
          kind: "log",
          offset: cursor,
          end,
          step: segment.step,
          stream: segment.stream ?? "stdout",
          data: segment.data.subarray(cursor - segment.offset),
        };
        cursor = end;
        lastGivenMs = clock.now();
        return event;
      };
      async function* fromStorage(): AsyncGenerator<LogFollowEvent> {
        for (const segment of await logs.segments({ orgId, envId, id }, cursor)) {
          const event = take(segment);
          if (event) yield event;
        }
      }

      let status = execution.status;
      const closeAtMs = request.maxMs === undefined ? Number.POSITIVE_INFINITY : clock.now() + request.maxMs;
      yield { kind: "status", status };
      yield* fromStorage();
      while (!signal.aborted && clock.now() < closeAtMs) {
        let gap = false;
        for (const segment of live.splice(0).sort((a, b) => a.offset - b.offset)) {
          if (segment.offset > cursor) gap = true;
          const event = take(segment);
          if (event) yield event;
        }
        const woke = await new Promise<boolean>((resolve) => {
          if (gap || signal.aborted) return resolve(false);
          const cancel = clock.after(POLL_MS, () => resolve(false));
          wake = () => {
            cancel();
            resolve(true);
          };
        });
        wake = undefined;
        if (signal.aborted) break;
        if (clock.now() - lastGivenMs >= QUIET_MS) {
          lastGivenMs = clock.now();
          yield { kind: "quiet" };
        }
        if (woke && live.length > 0) continue;
        const current = await executions.get(principal, { orgId, envId, id });
        if (current.status !== status) {
          status = current.status;
          yield { kind: "status", status };
        }
        yield* fromStorage();
        if (isTerminal(status) && cursor >= current.logBytes) {
          yield { kind: "end", status, logBytes: current.logBytes };
          break;
        }
      }
    } finally {
      offLog();
      offStatus();
      signal.removeEventListener("abort", nudge);
    }
  };
}

export type LogFollower = ReturnType<typeof createLogFollower>;
