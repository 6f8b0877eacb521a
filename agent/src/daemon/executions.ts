/**
 * The executions this agent holds: running ones, and finished ones whose result the control
 * plane has not acknowledged yet. Applies commands once (by execution id, for the life of the
 * process), feeds runner output into each execution's log, and yields the next message to
 * send, round-robin across executions so one chatty run cannot starve the others.
 *
 * Memory for unacknowledged log bytes is bounded (`maxHeldBytes`, default 64 MiB across all
 * executions). At the bound the biggest logs spill their sealed segments to the disk spool
 * (`maxSpoolBytes`, default 1 GiB, in the state directory), so steps keep running through a
 * long network cut. When the spool is full too, the runner is told to pause (its children
 * block on a full pipe) until acknowledgements free room; that is reported in the agent's log,
 * in the execution's log and in its result message, never silent. Output is delayed, never
 * dropped: the ingress cannot accept a gap, so refusing bytes would lose the rest of the log.
 */
import {
  type AbortCommand,
  type ActiveExecution,
  type AgentMessage,
  type CommandAck,
  ExecutionStatus,
  type LogAck,
  LogStream,
  type PauseCommand,
  type ResultAck,
  type RunCommand,
  StepStatus,
  type StepUpdate,
  type Welcome,
} from "@assay/shared/proto";
import type { RunPlace } from "@assay/shared/workflow";
import type { ExecutionRequest, ExecutionRun } from "../runner/run-execution.ts";
import type { RunnerSink, RunResult, StepEvent } from "../runner/types.ts";
import type { Clock } from "./clock.ts";
import { type ExecutedIds, memoryExecutedIds } from "./executed-ids.ts";
import { createExecutionLog, type ExecutionLog } from "./execution-log.ts";
import type { SpoolFile } from "./log-spool.ts";
import { createSpoolRelief } from "./spool-relief.ts";

interface Entry {
  id: string;
  log: ExecutionLog;
  run: ExecutionRun | undefined;
  startedAtMs: number;
  /** Protocol messages for the current stream (started, step updates). */
  outbox: AgentMessage[];
  /** The latest update per step, resent on a new stream (updates are at-least-once). */
  steps: Map<string, StepUpdate>;
  result: AgentMessage | undefined;
  resultSent: boolean;
  /** Times the spool was full while this execution produced output (paused). */
  spoolFull: number;
  /** A pause warning waiting for the log to reach a line boundary (spool-relief.ts). */
  pendingWarning?: string | undefined;
  /** The last pause or resume reported, resent on a new stream. */
  pausedMessage?: AgentMessage | undefined;
}

/** What starting an execution needs besides the command (bound by the daemon). */
export type StartExecution = (
  request: Pick<
    ExecutionRequest,
    "executionId" | "executionNumber" | "scheduledAt" | "place" | "specYaml" | "config" | "sensitive" | "sink"
  >,
) => ExecutionRun;

export interface RegistryOptions {
  clock: Clock;
  maxConcurrency: number;
  maxHeldBytes?: number;
  /** Unacknowledged bytes kept on disk beyond `maxHeldBytes`, default 1 GiB. */
  maxSpoolBytes?: number;
  /** Opens an execution's spool file; without it, output pauses at the memory bound. */
  spool?: { open(executionId: string): SpoolFile };
  start: StartExecution;
  /** Something new can be sent (`urgent`: a full chunk, send now rather than at the flush). */
  onOutput(urgent: boolean): void;
  log(message: string): void;
  /** Ids already run; kept across restarts by the daemon (default: this process only). */
  executed?: ExecutedIds;
}

export interface Registry {
  handleRun(command: RunCommand): CommandAck;
  handleAbort(command: AbortCommand): CommandAck;
  /** Pauses or resumes a running execution (a no-op for an unknown or finished one). */
  handlePause(command: PauseCommand): CommandAck;
  handleLogAck(ack: LogAck): void;
  handleResultAck(ack: ResultAck): void;
  /** A new stream was welcomed: resend from the server's committed offsets. */
  handleWelcome(welcome: Welcome): void;
  /** Seals open log segments (the flush timer). */
  flush(): void;
  /** The next message to send on the current stream, if any. */
  next(): AgentMessage | undefined;
  active(): ActiveExecution[];
  running(): number;
  /** Executions held (running or awaiting a result ack). */
  held(): number;
  /** Refuse new work from now on. */
  refuseNewWork(reason: string): void;
  abortAll(reason: string): void;
  /** Resolves when nothing runs any more. */
  idle(): Promise<void>;
  /** Resolves when nothing is held any more (every result acknowledged). */
  empty(): Promise<void>;
}

const STEP_STATUS: Record<StepEvent["status"], StepStatus> = {
  running: StepStatus.STEP_STATUS_RUNNING,
  passed: StepStatus.STEP_STATUS_PASSED,
  failed: StepStatus.STEP_STATUS_FAILED,
  skipped: StepStatus.STEP_STATUS_SKIPPED,
  timeout: StepStatus.STEP_STATUS_TIMEOUT,
  aborted: StepStatus.STEP_STATUS_ABORTED,
};

const RESULT_STATUS: Record<RunResult["status"], ExecutionStatus> = {
  passed: ExecutionStatus.EXECUTION_STATUS_PASSED,
  failed: ExecutionStatus.EXECUTION_STATUS_FAILED,
  aborted: ExecutionStatus.EXECUTION_STATUS_ABORTED,
  timeout: ExecutionStatus.EXECUTION_STATUS_TIMEOUT,
};

const toStepUpdate = (executionId: string, event: StepEvent): StepUpdate => ({
  executionId,
  stepRef: event.ref,
  status: STEP_STATUS[event.status],
  startedAtMs: event.startedAtMs ?? 0,
  finishedAtMs: event.finishedAtMs ?? 0,
  exitCode: event.exitCode ?? -1,
  message: event.message ?? "",
  // Zero means "not measured" on the wire.
  cpuPeakPercent: event.cpuPeakPercent ?? 0,
  memoryPeakBytes: event.memoryPeakBytes ?? 0,
});

export const createRegistry = (options: RegistryOptions): Registry => {
  const { clock } = options;
  const maxHeldBytes = options.maxHeldBytes ?? 64 * 1024 * 1024;
  const entries = new Map<string, Entry>();
  /** Every execution id this installation started (persisted): commands apply once. */
  const seen = options.executed ?? memoryExecutedIds();
  let refusal: string | undefined;
  const maxSpoolBytes = options.maxSpoolBytes ?? 1024 * 1024 * 1024;
  const relief = createSpoolRelief({
    entries: () => entries.values(),
    maxHeldBytes,
    maxSpoolBytes,
    spoolEnabled: options.spool !== undefined,
    log: options.log,
  });
  const { memoryHeld } = relief;
  let rr = 0;
  const waiters: (() => void)[] = [];
  const settleWaiters: (() => void)[] = [];

  const notifyChange = () => {
    if (memoryHeld() < maxHeldBytes) for (const wake of waiters.splice(0)) wake();
    for (const check of settleWaiters.splice(0)) check();
  };

  const sinkFor = (entry: Entry): RunnerSink => ({
    step(event) {
      const update = toStepUpdate(entry.id, event);
      entry.steps.set(event.ref, update);
      if (event.status !== "running") entry.log.seal();
      entry.outbox.push({ kind: { $case: "stepUpdate", value: update } });
      options.onOutput(event.status !== "running");
    },
    log(stepRef, data, stream) {
      const filled = entry.log.append(stepRef, data, stream);
      relief.afterAppend(entry);
      options.onOutput(filled);
      if (memoryHeld() >= maxHeldBytes) relief.relieve(entry);
      return memoryHeld() < maxHeldBytes;
    },
    drained: () =>
      memoryHeld() < maxHeldBytes ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)),
    paused(paused, reason) {
      entry.pausedMessage = {
        kind: { $case: "paused", value: { executionId: entry.id, paused, atMs: clock.now(), reason } },
      };
      entry.outbox.push(entry.pausedMessage);
      options.onOutput(true);
    },
  });

  const startedMessage = (entry: Entry): AgentMessage => ({
    kind: { $case: "started", value: { executionId: entry.id, startedAtMs: entry.startedAtMs } },
  });

  const finish = (entry: Entry, result: RunResult) => {
    relief.atFinish(entry);
    entry.log.seal();
    entry.run = undefined;
    entry.result = {
      kind: {
        $case: "result",
        value: {
          executionId: entry.id,
          status: RESULT_STATUS[result.status],
          finishedAtMs: clock.now(),
          logBytes: entry.log.produced,
          logTruncated: entry.log.truncated,
          message:
            entry.spoolFull === 0
              ? result.message
              : `${result.message ? `${result.message}; ` : ""}the agent's log spool was full: step output was paused until the control plane caught up`,
          steps: result.steps.map((s) => toStepUpdate(entry.id, s)),
        },
      },
    };
    options.log(
      `execution ${entry.id} finished: ${result.status}${result.message ? ` (${result.message})` : ""}`,
    );
    options.onOutput(true);
    notifyChange();
  };

  const ack = (commandId: string, executionId: string, accepted: boolean, reason = ""): CommandAck => ({
    commandId,
    executionId,
    accepted,
    reason,
  });

  const running = () => [...entries.values()].filter((e) => e.run !== undefined).length;

  const registry: Registry = {
    handleRun(command) {
      const id = command.executionId;
      if (seen.has(id)) {
        // A redelivery (or a late duplicate after a restart): acknowledge again, never run twice.
        if (!entries.has(id)) options.log(`execution ${id}: already ran on this agent; not running it again`);
        return ack(command.commandId, id, true, "already received");
      }
      if (refusal !== undefined) return ack(command.commandId, id, false, refusal);
      // A parent that only waits for its children runs nothing: its place is a child's.
      const busy = [...entries.values()].filter((e) => e.run !== undefined && !e.run.waiting()).length;
      if (busy >= options.maxConcurrency) {
        return ack(command.commandId, id, false, `at capacity (${options.maxConcurrency} running)`);
      }
      seen.add(id);
      const entry: Entry = {
        id,
        log: createExecutionLog(command.committedLogOffset, options.spool?.open(id)),
        run: undefined,
        startedAtMs: clock.now(),
        outbox: [],
        steps: new Map(),
        result: undefined,
        resultSent: false,
        spoolFull: 0,
      };
      entries.set(id, entry);
      entry.outbox.push(startedMessage(entry));
      options.log(`execution ${id} (${command.workflowName || "workflow"}) started`);
      const sink = sinkFor(entry);
      if (command.committedLogOffset > 0) {
        sink.log(
          "",
          Buffer.from("[assay] the agent restarted: the execution runs again from the beginning\n"),
        );
      }
      entry.run = options.start({
        executionId: id,
        ...(command.number > 0 ? { executionNumber: command.number } : {}),
        ...(command.queuedAtMs > 0 ? { scheduledAt: new Date(command.queuedAtMs).toISOString() } : {}),
        ...placeOf(command),
        specYaml: command.workflow?.specYaml ?? "",
        config: command.config,
        sensitive: command.sensitive,
        sink,
      });
      void entry.run.done.then(
        (result) => finish(entry, result),
        (error: Error) =>
          finish(entry, { status: "failed", message: `the runner failed: ${error.message}`, steps: [] }),
      );
      options.onOutput(false);
      return ack(command.commandId, id, true);
    },
    handlePause(command) {
      const entry = entries.get(command.executionId);
      if (entry?.run !== undefined && entry.result === undefined) {
        options.log(`execution ${command.executionId}: ${command.paused ? "pause" : "resume"} requested`);
        entry.run.setPaused(command.paused, command.paused ? "paused by a user" : "resumed by a user");
      }
      return ack(command.commandId, command.executionId, true);
    },
    handleAbort(command) {
      const entry = entries.get(command.executionId);
      if (entry?.run !== undefined) {
        options.log(
          `execution ${command.executionId}: abort requested (${command.reason || "no reason given"})`,
        );
        entry.run.abort(command.reason || "aborted by the control plane");
      }
      return ack(command.commandId, command.executionId, true);
    },
    handleLogAck(logAck) {
      const entry = entries.get(logAck.executionId);
      if (entry === undefined) return;
      entry.log.ack(logAck.committedOffset);
      if (logAck.limitReached && !entry.log.truncated) {
        options.log(
          `execution ${entry.id}: the log reached its size limit (${logAck.limitBytes} bytes); further output is not shipped`,
        );
        entry.log.truncate(logAck.limitBytes);
      }
      notifyChange();
      options.onOutput(false);
    },
    handleResultAck(resultAck) {
      const entry = entries.get(resultAck.executionId);
      if (entry === undefined) return;
      if (resultAck.accepted || resultAck.discard) {
        // A discarded result is not this agent's to report (the execution went elsewhere).
        if (resultAck.discard) options.log(`execution ${entry.id}: result dropped (${resultAck.reason})`);
        entry.log.dispose();
        entries.delete(entry.id);
        notifyChange();
        return;
      }
      options.log(
        `execution ${entry.id}: result refused (${resultAck.reason}); resending from ${resultAck.committedOffset}`,
      );
      entry.log.ack(resultAck.committedOffset);
      entry.log.resendFrom(resultAck.committedOffset);
      entry.resultSent = false;
      options.onOutput(true);
    },
    handleWelcome(welcome) {
      const committed = new Map(welcome.committed.map((c) => [c.executionId, c.committedOffset]));
      for (const ack of welcome.committed) {
        const entry = entries.get(ack.executionId);
        if (entry !== undefined && ack.limitReached && !entry.log.truncated)
          entry.log.truncate(ack.limitBytes);
      }
      for (const entry of entries.values()) {
        entry.log.resendFrom(committed.get(entry.id) ?? entry.log.committed);
        entry.resultSent = false;
        entry.outbox =
          entry.result === undefined
            ? [
                startedMessage(entry),
                ...[...entry.steps.values()].map((value) => ({
                  kind: { $case: "stepUpdate" as const, value },
                })),
                ...(entry.pausedMessage === undefined ? [] : [entry.pausedMessage]),
              ]
            : [];
      }
      notifyChange();
    },
    flush() {
      for (const entry of entries.values()) entry.log.seal();
    },
    next() {
      const list = [...entries.values()];
      for (let i = 0; i < list.length; i++) {
        const entry = list[(rr + i) % list.length] as Entry;
        const message = nextOf(entry);
        if (message !== undefined) {
          rr = (rr + i + 1) % Math.max(1, list.length);
          return message;
        }
      }
      return undefined;
    },
    active: () =>
      [...entries.values()].map((e) => ({
        executionId: e.id,
        logBytes: e.log.produced,
        finished: e.result !== undefined,
      })),
    running,
    held: () => entries.size,
    refuseNewWork(reason) {
      refusal = reason;
    },
    abortAll(reason) {
      for (const entry of entries.values()) entry.run?.abort(reason);
    },
    idle: () => until(() => running() === 0),
    empty: () => until(() => entries.size === 0),
  };

  const until = (condition: () => boolean): Promise<void> =>
    new Promise((resolve) => {
      const check = () => (condition() ? resolve() : settleWaiters.push(check));
      check();
    });

  const nextOf = (entry: Entry): AgentMessage | undefined => {
    const queued = entry.outbox.shift();
    if (queued !== undefined) return queued;
    const chunk = entry.log.nextChunk();
    if (chunk !== undefined) {
      const stream = chunk.stream === "stderr" ? LogStream.LOG_STREAM_STDERR : LogStream.LOG_STREAM_STDOUT;
      return { kind: { $case: "logChunk", value: { executionId: entry.id, ...chunk, stream } } };
    }
    if (entry.result !== undefined && !entry.resultSent && entry.log.allSent()) {
      entry.resultSent = true;
      return entry.result;
    }
    return undefined;
  };

  return registry;
};

/** The run's organization, environment and dashboard, when the control plane sent them. */
const placeOf = (command: RunCommand): { place?: RunPlace } =>
  command.organizationId === "" && command.environmentId === "" && command.dashboardUrl === ""
    ? {}
    : {
        place: {
          organizationId: command.organizationId,
          environmentId: command.environmentId,
          dashboardUrl: command.dashboardUrl,
        },
      };
