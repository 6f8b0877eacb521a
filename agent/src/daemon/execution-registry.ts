/**
 * The executions this agent holds: running ones, and finished ones whose result the control
 * plane has not acknowledged yet (each a `HeldExecution`, held-execution.ts). Applies commands
 * once (by execution id, for the life of the installation), feeds runner output into each
 * execution's log, and yields the next message to send, round-robin across executions so one
 * chatty run cannot starve the others.
 *
 * Memory for unacknowledged log bytes is bounded (`maxHeldBytes`, default 64 MiB across all
 * executions). At the bound the biggest logs spill their sealed segments to the disk spool
 * (`maxSpoolBytes`, default 1 GiB, in the state directory), so steps keep running through a
 * long network cut. When the spool is full too, the runner is told to pause (its children
 * block on a full pipe) until acknowledgements free room; that is reported in the agent's log,
 * in the execution's log and in its result message, never silent. Output is delayed, never
 * dropped: the ingress cannot accept a gap, so refusing bytes would lose the rest of the log.
 */
import type {
  AbortCommand,
  ActiveExecution,
  AgentMessage,
  CommandAck,
  LogAck,
  PauseCommand,
  ResultAck,
  RunCommand,
  Welcome,
} from "@assay/shared/proto";
import type { ExecutionRequest, ExecutionRun } from "../runner/run-execution.ts";
import type { RunnerSink, RunResult } from "../runner/types.ts";
import type { Clock } from "./clock.ts";
import { type ExecutedIds, memoryExecutedIds } from "./executed-ids.ts";
import { createExecutionLog } from "./execution-log.ts";
import {
  type HeldExecution,
  nextMessage,
  placeOf,
  replayOnNewStream,
  resultMessage,
  runOf,
  startedMessage,
  toStepUpdate,
} from "./held-execution.ts";
import type { SpoolFile } from "./log-spool.ts";
import { createSpoolRelief } from "./spool-relief.ts";

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

/** What the registry's parts share: the options, the executions held and the memory bound. */
interface Held {
  options: RegistryOptions;
  entries: Map<string, HeldExecution>;
  maxHeldBytes: number;
  memoryHeld(): number;
  relief: ReturnType<typeof createSpoolRelief>;
  /** Sinks waiting for memory to drop below the bound. */
  waiters: (() => void)[];
  /** Checks of `idle()` and `empty()` waiting for a change. */
  settleWaiters: (() => void)[];
}

const ack = (commandId: string, executionId: string, accepted: boolean, reason = ""): CommandAck => ({
  commandId,
  executionId,
  accepted,
  reason,
});

const notifyChange = (held: Held) => {
  if (held.memoryHeld() < held.maxHeldBytes) for (const wake of held.waiters.splice(0)) wake();
  for (const check of held.settleWaiters.splice(0)) check();
};

/** The runner's sink of `execution`: step updates, log bytes (with back-pressure), pauses. */
const sinkFor = (held: Held, execution: HeldExecution): RunnerSink => {
  const { options, relief, maxHeldBytes, memoryHeld } = held;
  return {
    step(event) {
      const update = toStepUpdate(execution.id, event);
      execution.steps.set(event.ref, update);
      if (event.status !== "running") execution.log.seal();
      execution.outbox.push({ kind: { $case: "stepUpdate", value: update } });
      options.onOutput(event.status !== "running");
    },
    log(stepRef, data, stream) {
      const filled = execution.log.append(stepRef, data, stream);
      relief.afterAppend(execution);
      options.onOutput(filled);
      if (memoryHeld() >= maxHeldBytes) relief.relieve(execution);
      return memoryHeld() < maxHeldBytes;
    },
    drained: () =>
      memoryHeld() < maxHeldBytes
        ? Promise.resolve()
        : new Promise<void>((resolve) => held.waiters.push(resolve)),
    paused(paused, reason) {
      execution.pausedMessage = {
        kind: {
          $case: "paused",
          value: { executionId: execution.id, paused, atMs: options.clock.now(), reason },
        },
      };
      execution.outbox.push(execution.pausedMessage);
      options.onOutput(true);
    },
  };
};

const finish = (held: Held, execution: HeldExecution, result: RunResult) => {
  const { options } = held;
  held.relief.atFinish(execution);
  execution.log.seal();
  execution.phase = {
    kind: "finished",
    result: resultMessage(execution, result, options.clock.now()),
    resultSent: false,
  };
  options.log(
    `execution ${execution.id} finished: ${result.status}${result.message ? ` (${result.message})` : ""}`,
  );
  options.onOutput(true);
  notifyChange(held);
};

/** Starts the execution of an admitted run command. */
function start(held: Held, command: RunCommand): void {
  const { options } = held;
  const id = command.executionId;
  const execution: HeldExecution = {
    id,
    log: createExecutionLog(command.committedLogOffset, options.spool?.open(id)),
    phase: { kind: "starting" },
    startedAtMs: options.clock.now(),
    outbox: [],
    steps: new Map(),
    spoolFull: 0,
  };
  held.entries.set(id, execution);
  execution.outbox.push(startedMessage(execution));
  options.log(`execution ${id} (${command.workflowName || "workflow"}) started`);
  const sink = sinkFor(held, execution);
  if (command.committedLogOffset > 0) {
    sink.log("", Buffer.from("[assay] the agent restarted: the execution runs again from the beginning\n"));
  }
  const run = options.start({
    executionId: id,
    ...(command.number > 0 ? { executionNumber: command.number } : {}),
    ...(command.queuedAtMs > 0 ? { scheduledAt: new Date(command.queuedAtMs).toISOString() } : {}),
    ...placeOf(command),
    specYaml: command.workflow?.specYaml ?? "",
    config: command.config,
    sensitive: command.sensitive,
    sink,
  });
  execution.phase = { kind: "running", run };
  void run.done.then(
    (result) => finish(held, execution, result),
    (error: Error) =>
      finish(held, execution, {
        status: "failed",
        message: `the runner failed: ${error.message}`,
        steps: [],
      }),
  );
  options.onOutput(false);
}

function handleResultAck(held: Held, resultAck: ResultAck): void {
  const { options } = held;
  const execution = held.entries.get(resultAck.executionId);
  if (execution === undefined) return;
  if (resultAck.accepted || resultAck.discard) {
    // A discarded result is not this agent's to report (the execution went elsewhere).
    if (resultAck.discard) options.log(`execution ${execution.id}: result dropped (${resultAck.reason})`);
    execution.log.dispose();
    held.entries.delete(execution.id);
    notifyChange(held);
    return;
  }
  options.log(
    `execution ${execution.id}: result refused (${resultAck.reason}); resending from ${resultAck.committedOffset}`,
  );
  execution.log.ack(resultAck.committedOffset);
  execution.log.resendFrom(resultAck.committedOffset);
  if (execution.phase.kind === "finished") execution.phase.resultSent = false;
  options.onOutput(true);
}

function handleLogAck(held: Held, logAck: LogAck): void {
  const execution = held.entries.get(logAck.executionId);
  if (execution === undefined) return;
  execution.log.ack(logAck.committedOffset);
  if (logAck.limitReached && !execution.log.truncated) {
    held.options.log(
      `execution ${execution.id}: the log reached its size limit (${logAck.limitBytes} bytes); further output is not shipped`,
    );
    execution.log.truncate(logAck.limitBytes);
  }
  notifyChange(held);
  held.options.onOutput(false);
}

function handleWelcome(held: Held, welcome: Welcome): void {
  const committed = new Map(welcome.committed.map((c) => [c.executionId, c.committedOffset]));
  for (const offset of welcome.committed) {
    const execution = held.entries.get(offset.executionId);
    if (execution !== undefined && offset.limitReached && !execution.log.truncated)
      execution.log.truncate(offset.limitBytes);
  }
  for (const execution of held.entries.values()) {
    replayOnNewStream(execution, committed.get(execution.id) ?? execution.log.committed);
  }
  notifyChange(held);
}

/** Who may start: ids already started never run again, and a refusal stops new work. */
interface Admission {
  /** Every execution id this installation started (persisted): commands apply once. */
  seen: ExecutedIds;
  refusal: string | undefined;
}

const runsOf = (held: Held): ExecutionRun[] => [...held.entries.values()].flatMap((e) => runOf(e) ?? []);

function handleRun(held: Held, admission: Admission, command: RunCommand): CommandAck {
  const { options } = held;
  const id = command.executionId;
  if (admission.seen.has(id)) {
    // A redelivery (or a late duplicate after a restart): acknowledge again, never run twice.
    if (!held.entries.has(id))
      options.log(`execution ${id}: already ran on this agent; not running it again`);
    return ack(command.commandId, id, true, "already received");
  }
  if (admission.refusal !== undefined) return ack(command.commandId, id, false, admission.refusal);
  // A parent that only waits for its children runs nothing: its place is a child's.
  if (runsOf(held).filter((run) => !run.waiting()).length >= options.maxConcurrency) {
    return ack(command.commandId, id, false, `at capacity (${options.maxConcurrency} running)`);
  }
  admission.seen.add(id);
  start(held, command);
  return ack(command.commandId, id, true);
}

export const createRegistry = (options: RegistryOptions): Registry => {
  const entries = new Map<string, HeldExecution>();
  const maxHeldBytes = options.maxHeldBytes ?? 64 * 1024 * 1024;
  const relief = createSpoolRelief({
    entries: () => entries.values(),
    maxHeldBytes,
    maxSpoolBytes: options.maxSpoolBytes ?? 1024 * 1024 * 1024,
    spoolEnabled: options.spool !== undefined,
    log: options.log,
  });
  const held: Held = {
    options,
    entries,
    maxHeldBytes,
    memoryHeld: relief.memoryHeld,
    relief,
    waiters: [],
    settleWaiters: [],
  };
  const admission: Admission = { seen: options.executed ?? memoryExecutedIds(), refusal: undefined };
  let rr = 0;
  const runs = () => runsOf(held);
  const until = (condition: () => boolean): Promise<void> =>
    new Promise((resolve) => {
      const check = () => (condition() ? resolve() : held.settleWaiters.push(check));
      check();
    });

  return {
    handleRun: (command) => handleRun(held, admission, command),
    handlePause(command) {
      const run = runOf(entries.get(command.executionId));
      if (run !== undefined) {
        options.log(`execution ${command.executionId}: ${command.paused ? "pause" : "resume"} requested`);
        run.setPaused(command.paused, command.paused ? "paused by a user" : "resumed by a user");
      }
      return ack(command.commandId, command.executionId, true);
    },
    handleAbort(command) {
      const run = runOf(entries.get(command.executionId));
      if (run !== undefined) {
        options.log(
          `execution ${command.executionId}: abort requested (${command.reason || "no reason given"})`,
        );
        run.abort(command.reason || "aborted by the control plane");
      }
      return ack(command.commandId, command.executionId, true);
    },
    handleLogAck: (logAck) => handleLogAck(held, logAck),
    handleResultAck: (resultAck) => handleResultAck(held, resultAck),
    handleWelcome: (welcome) => handleWelcome(held, welcome),
    flush() {
      for (const execution of entries.values()) execution.log.seal();
    },
    next() {
      const list = [...entries.values()];
      for (let i = 0; i < list.length; i++) {
        const message = nextMessage(list[(rr + i) % list.length] as HeldExecution);
        if (message === undefined) continue;
        rr = (rr + i + 1) % Math.max(1, list.length);
        return message;
      }
      return undefined;
    },
    active: () =>
      [...entries.values()].map((e) => ({
        executionId: e.id,
        logBytes: e.log.produced,
        finished: e.phase.kind === "finished",
      })),
    running: () => runs().length,
    held: () => entries.size,
    refuseNewWork(reason) {
      admission.refusal = reason;
    },
    abortAll(reason) {
      for (const run of runs()) run.abort(reason);
    },
    idle: () => until(() => runs().length === 0),
    empty: () => until(() => entries.size === 0),
  };
};
