/**
 * `assay run`, `assay rerun`, `assay execution list | get | delete | pause | resume`, `assay logs`,
 * `assay abort`.
 * Every command that takes an execution accepts the full id, the dashboard's short id or
 * `WORKFLOW#NUMBER` (execution-ref.ts).
 */
import { type ExecutionView, PARENT_TAG } from "@assay/shared";
import type { Command } from "commander";
import type { ApiClient, ApiError } from "../api-client.ts";
import { resolveExecutionId } from "../execution-ref.ts";
import { createStreamPainter, followLogs } from "../follow-logs.ts";
import {
  between,
  type ChildSummary,
  executionSummary,
  exitCodeFor,
  formatTime,
  startedByText,
  table,
} from "../format.ts";
import { CliError, CliExit, type CliIo, colors, describeApiError, unwrap } from "../io.ts";
import { actionOf } from "../output.ts";
import { createStepHeaders, formatTestTotals, runLabel, runSummary, testTotals } from "../run-summary.ts";
import { resolveStepRef } from "../step-ref.ts";
import { parseDuration, watchExecution } from "../watch-execution.ts";
import { type ApiCommandContext, withApi } from "./shared.ts";

const collect = (value: string, previous: string[]) => [...previous, value];

/** Parses repeated `k=v` flags into a record; `flag` names the option in errors. */
export const parsePairs = (pairs: string[], flag: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CliError(`${flag} expects key=value (got "${pair}")`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
};

const EXECUTION_ARG = "execution id, the dashboard's short id, or WORKFLOW#NUMBER";

interface WatchOptions {
  watch?: boolean;
  timeout?: string;
}

const watchOptions = (command: Command): Command =>
  command
    .option("-w, --watch", "follow the logs; exit 0 passed, 1 failed, 2 aborted/timeout/lost/error")
    .option("--timeout <duration>", "with --watch: give up after this long (30s, 5m, 1h), exit 2");

/**
 * After a run was started (`run`, `rerun`): prints its id, or with `--watch` follows its log
 * with step headers, then a summary, and leaves with the exit code of its result.
 */
async function reportStarted(
  io: CliIo,
  context: ApiCommandContext<WatchOptions>,
  execution: ExecutionView,
  timeoutMs: number | undefined,
): Promise<void> {
  const { client, options, structured, emit } = context;
  const c = colors(io);
  if (structured && !options.watch) return emit(execution);
  io.stderr.write(
    `${c.dim("execution")} ${execution.id} ${c.dim(`(${runLabel(execution)}) ${execution.status}`)}\n`,
  );
  if (!options.watch) return void io.stdout.write(`${execution.id}\n`);
  // With -o json/yaml stdout carries only the final execution: the log goes to stderr.
  const logOut = (chunk: string | Uint8Array) =>
    structured ? io.stderr.write(Buffer.from(chunk).toString()) : io.stdout.write(chunk);
  const logColor = structured ? io.color : io.stdoutColor === true;
  let outcome: Awaited<ReturnType<typeof watchExecution>>;
  try {
    outcome = await watchExecution(client, execution.id, {
      write: createStepHeaders(execution.steps, logOut, logColor),
      notice: (line) => io.stderr.write(`${c.yellow(line)}\n`),
      timeoutMs,
      clock: io.clock,
    });
  } catch (error) {
    throw new CliError(describeApiError(error as ApiError, `execution ${execution.id}`));
  }
  if (outcome.kind === "timed-out") {
    io.stderr.write(
      `${c.yellow(`gave up after ${options.timeout}: execution ${execution.id} is still ${outcome.status}`)} (it keeps its place; stop it with: assay abort ${execution.id})\n`,
    );
    throw new CliExit(2);
  }
  const final = await client.getExecution(execution.id);
  const status = final.ok ? final.value.status : outcome.status;
  const paint = status === "passed" ? c.green : status === "failed" ? c.red : c.yellow;
  const message = final.ok && final.value.message ? `: ${final.value.message}` : "";
  io.stderr.write(`${paint(`execution ${execution.id} ${status}`)}${message}\n`);
  if (final.ok) {
    for (const line of await runSummary(client, final.value, io.clock)) io.stderr.write(`${line}\n`);
    if (structured) emit(final.value);
  }
  throw new CliExit(exitCodeFor(status));
}

const timeoutOf = (options: WatchOptions): number | undefined => {
  if (options.timeout !== undefined && !options.watch) throw new CliError("--timeout needs --watch");
  return options.timeout === undefined ? undefined : parseDuration(options.timeout, "--timeout");
};

/** Resolves the command's execution argument (full id, short id or WORKFLOW#NUMBER). */
const executionArg = (client: ApiClient, args: string[]) => resolveExecutionId(client, args[0] as string);

/**
 * The executions `id`'s `execute` steps started (they carry its id in the parent tag), newest
 * first, as `execution get` shows them in every output format.
 */
const childrenOf = async (client: ApiClient, id: string): Promise<ChildSummary[]> => {
  const page = unwrap(
    await client.listExecutions({ tag: [`${PARENT_TAG}=${id}`], limit: 200 }),
    `the child executions of ${id}`,
  );
  return page.items.map((c) => ({
    id: c.id,
    workflowName: c.workflowName,
    ...(c.number === undefined ? {} : { number: c.number }),
    status: c.status,
    ...(c.parent === undefined ? {} : { step: c.parent.stepRef }),
  }));
};

export const registerExecutionCommands = (program: Command, io: CliIo): void => {
  withApi(
    watchOptions(
      program
        .command("run")
        .description("run a workflow")
        .argument("<workflow>")
        .option("--config <key=value>", "config value (repeatable)", collect, [])
        .option("--tag <key=value>", "tag (repeatable)", collect, []),
    ),
    io,
    async (context: ApiCommandContext<{ config: string[]; tag: string[] } & WatchOptions>) => {
      const { client, options, args } = context;
      const name = args[0] as string;
      const timeoutMs = timeoutOf(options);
      const body = { config: parsePairs(options.config, "--config"), tags: parsePairs(options.tag, "--tag") };
      const execution = unwrap(await client.runWorkflow(name, body), `workflow "${name}"`);
      await reportStarted(io, context, execution, timeoutMs);
    },
  );

  withApi(
    watchOptions(
      program
        .command("rerun")
        .description("run an execution's workflow again with the same config and tags")
        .argument("<id>", EXECUTION_ARG),
    ),
    io,
    async (context: ApiCommandContext<WatchOptions>) => {
      const { client, options, args } = context;
      const timeoutMs = timeoutOf(options);
      const id = await executionArg(client, args);
      const execution = unwrap(await client.rerunExecution(id), `execution ${id}`);
      await reportStarted(io, context, execution, timeoutMs);
    },
  );

  const execution = program.command("execution").alias("executions").description("inspect executions");
  withApi(
    execution
      .command("list")
      .description("list executions, newest first")
      .option("--workflow <name>", "only this workflow")
      .option("--status <status>", "only this status")
      .option("--tag <key=value>", "only executions with this tag (repeatable)", collect, [])
      .option("--limit <n>", "how many (1-200)", "20"),
    io,
    async ({
      client,
      options,
      structured,
      emit,
    }: ApiCommandContext<{ workflow?: string; status?: string; tag: string[]; limit: string }>) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200)
        throw new CliError("--limit must be a number from 1 to 200");
      const page = unwrap(
        await client.listExecutions({
          workflow: options.workflow,
          status: options.status,
          tag: options.tag.length > 0 ? options.tag : undefined,
          limit,
        }),
        "the execution list",
      );
      if (structured) return emit(page);
      const rows = page.items.map((e) => [
        e.id,
        runLabel(e),
        e.status,
        formatTime(e.createdAt),
        between(e.startedAt, e.finishedAt),
        startedByText(e),
      ]);
      io.stdout.write(
        page.items.length === 0
          ? "no executions\n"
          : table(["ID", "RUN", "STATUS", "CREATED", "DURATION", "STARTED BY"], rows),
      );
    },
  );
  for (const action of ["pause", "resume"] as const) {
    const what =
      action === "pause"
        ? "pause a running execution: its processes stop and no step starts until it is resumed"
        : "resume a paused execution";
    withApi(
      execution.command(action).description(what).argument("<id>", EXECUTION_ARG),
      io,
      async ({ client, structured, emit, args }) => {
        const id = await executionArg(client, args);
        const view = unwrap(await client.pauseExecution(id, action), `execution ${id}`);
        if (structured) return emit(view);
        io.stdout.write(`${action} requested for ${id}\n`);
      },
    );
  }

  withApi(
    execution
      .command("get")
      .description(
        "show an execution, its steps (with refs), its JUnit totals, its parent and the child executions its execute steps started",
      )
      .argument("<id>", EXECUTION_ARG),
    io,
    async ({ client, structured, emit, args }) => {
      const id = await executionArg(client, args);
      const view = unwrap(await client.getExecution(id), `execution ${id}`);
      const children = await childrenOf(client, id);
      if (structured) return emit({ ...view, children });
      // Totals of a finished run; artifacts still being unpacked are not waited for here.
      const tests =
        view.finishedAt === undefined
          ? undefined
          : await testTotals(client, id, { clock: io.clock, waitMs: 0 });
      io.stdout.write(executionSummary(view, formatTestTotals(tests), children));
    },
  );

  withApi(
    execution
      .command("delete")
      .description("delete a finished execution with its logs and artifacts")
      .argument("<id>", EXECUTION_ARG),
    io,
    async ({ client, structured, emit, args }) => {
      const id = await executionArg(client, args);
      unwrap(await client.deleteExecution(id), `execution ${id}`);
      if (structured) return emit(actionOf("execution", id, "deleted"));
      io.stdout.write(`execution ${id} deleted\n`);
    },
  );

  withApi(
    program
      .command("logs")
      .description("print an execution's log")
      .argument("<id>", EXECUTION_ARG)
      .option("-f, --follow", "follow live until the execution ends")
      .option("--step <step>", "only this step's output: its ref (r2.1) or its name")
      .option("--tail <n>", "only the last N lines (then follow, with --follow)"),
    io,
    async ({
      client,
      options,
      structured,
      emit,
      args,
    }: ApiCommandContext<{ follow?: boolean; step?: string; tail?: string }>) => {
      if (structured && options.follow)
        throw new CliError("--follow writes the log as it comes: it has no -o json or -o yaml form");
      const tail = options.tail === undefined ? undefined : Number(options.tail);
      if (tail !== undefined && (!Number.isInteger(tail) || tail < 1)) {
        throw new CliError("--tail must be a positive number of lines");
      }
      const id = await executionArg(client, args);
      let step: string | undefined;
      if (options.step !== undefined) {
        const view = unwrap(await client.getExecution(id), `execution ${id}`);
        step = resolveStepRef(view.steps, options.step, id);
      }
      const color = io.stdoutColor === true;
      const painter = createStreamPainter(color);
      let fromOffset: number | undefined;
      // Structured output and a terminal need each segment's stream; a pipe gets the raw bytes.
      if ((structured || color) && (tail !== undefined || !options.follow)) {
        const read = unwrap(await client.getLogSegments(id, { step, tail }), `execution ${id}`);
        const segments = read.segments.map((s) => ({ ...s, bytes: Buffer.from(s.data, "base64") }));
        if (structured) {
          const log = Buffer.concat(segments.map((s) => s.bytes)).toString();
          return emit({
            executionId: id,
            ...(step ? { step } : {}),
            log,
            segments: segments.map((s) => ({
              offset: s.offset,
              step: s.step,
              stream: s.stream,
              text: s.bytes.toString(),
            })),
          });
        }
        for (const s of segments) io.stdout.write(painter.paint(s.bytes, s.stream));
        fromOffset = read.total;
      } else if (tail !== undefined) {
        const last = unwrap(await client.tailLogs(id, { tail, step }), `execution ${id}`);
        io.stdout.write(last.data);
        fromOffset = last.total;
      } else if (!options.follow) {
        io.stdout.write(unwrap(await client.getLogs(id, { step }), `execution ${id}`));
      }
      if (!options.follow) return void io.stdout.write(painter.reset());
      const followed = await followLogs(client, id, {
        clock: io.clock,
        write: (bytes, _step, stream) => io.stdout.write(painter.paint(bytes, stream)),
        step,
        fromOffset,
      });
      io.stdout.write(painter.reset());
      if (!followed.ok) throw new CliError(describeApiError(followed.error, `execution ${id}`));
    },
  );

  withApi(
    program.command("abort").description("abort an execution").argument("<id>", EXECUTION_ARG),
    io,
    async ({ client, structured, emit, args }) => {
      const id = await executionArg(client, args);
      const view = unwrap(await client.abortExecution(id), `execution ${id}`);
      if (structured) return emit(view);
      io.stdout.write(`abort requested for ${id} (status ${view.status})\n`);
    },
  );
};
