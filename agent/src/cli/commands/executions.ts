/** `assay run`, `assay execution list | get | pause | resume`, `assay logs`, `assay abort`. */
import type { Command } from "commander";
import type { ApiError } from "../api-client.ts";
import { followLogs } from "../follow-logs.ts";
import { between, executionSummary, exitCodeFor, formatTime, table } from "../format.ts";
import { CliError, CliExit, type CliIo, colors, describeApiError, unwrap } from "../io.ts";
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

export const registerExecutionCommands = (program: Command, io: CliIo): void => {
  withApi(
    program
      .command("run")
      .description("run a workflow")
      .argument("<workflow>")
      .option("--config <key=value>", "config value (repeatable)", collect, [])
      .option("--tag <key=value>", "tag (repeatable)", collect, [])
      .option("-w, --watch", "follow the logs; exit 0 passed, 1 failed, 2 aborted/timeout/lost/error")
      .option("--timeout <duration>", "with --watch: give up after this long (30s, 5m, 1h), exit 2"),
    io,
    async ({
      client,
      options,
      json,
      args,
    }: ApiCommandContext<{ config: string[]; tag: string[]; watch?: boolean; timeout?: string }>) => {
      const name = args[0] as string;
      if (options.timeout !== undefined && !options.watch) throw new CliError("--timeout needs --watch");
      const timeoutMs =
        options.timeout === undefined ? undefined : parseDuration(options.timeout, "--timeout");
      const body = { config: parsePairs(options.config, "--config"), tags: parsePairs(options.tag, "--tag") };
      const execution = unwrap(await client.runWorkflow(name, body), `workflow "${name}"`);
      const c = colors(io);
      if (json && !options.watch) return void io.stdout.write(`${JSON.stringify(execution, null, 2)}\n`);
      io.stderr.write(`${c.dim("execution")} ${execution.id} ${c.dim(`(${name}) ${execution.status}`)}\n`);
      if (!options.watch) {
        io.stdout.write(`${execution.id}\n`);
        return;
      }
      let outcome: Awaited<ReturnType<typeof watchExecution>>;
      try {
        outcome = await watchExecution(client, execution.id, {
          write: (bytes) => io.stdout.write(bytes),
          notice: (line) => io.stderr.write(`${c.yellow(line)}\n`),
          timeoutMs,
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
      if (json && final.ok) io.stdout.write(`${JSON.stringify(final.value, null, 2)}\n`);
      const paint = status === "passed" ? c.green : status === "failed" ? c.red : c.yellow;
      const message = final.ok && final.value.message ? `: ${final.value.message}` : "";
      io.stderr.write(`${paint(`execution ${execution.id} ${status}`)}${message}\n`);
      throw new CliExit(exitCodeFor(status));
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
      json,
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
      if (json) return void io.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
      const rows = page.items.map((e) => [
        e.id,
        e.workflowName,
        e.status,
        formatTime(e.createdAt),
        between(e.startedAt, e.finishedAt),
      ]);
      io.stdout.write(
        page.items.length === 0
          ? "no executions\n"
          : table(["ID", "WORKFLOW", "STATUS", "CREATED", "DURATION"], rows),
      );
    },
  );
  for (const action of ["pause", "resume"] as const) {
    const what =
      action === "pause"
        ? "pause a running execution: its processes stop and no step starts until it is resumed"
        : "resume a paused execution";
    withApi(
      execution.command(action).description(what).argument("<id>"),
      io,
      async ({ client, json, args }) => {
        const id = args[0] as string;
        const view = unwrap(await client.pauseExecution(id, action), `execution ${id}`);
        io.stdout.write(json ? `${JSON.stringify(view, null, 2)}\n` : `${action} requested for ${id}\n`);
      },
    );
  }
  withApi(
    execution.command("get").description("show an execution and its steps").argument("<id>"),
    io,
    async ({ client, json, args }) => {
      const id = args[0] as string;
      const view = unwrap(await client.getExecution(id), `execution ${id}`);
      io.stdout.write(json ? `${JSON.stringify(view, null, 2)}\n` : executionSummary(view));
    },
  );

  withApi(
    program
      .command("logs")
      .description("print an execution's log")
      .argument("<id>")
      .option("-f, --follow", "follow live until the execution ends")
      .option("--step <ref>", "only this step's output (its ref, e.g. r2.1)")
      .option("--tail <n>", "only the last N lines (then follow, with --follow)"),
    io,
    async ({
      client,
      options,
      args,
    }: ApiCommandContext<{ follow?: boolean; step?: string; tail?: string }>) => {
      const id = args[0] as string;
      const tail = options.tail === undefined ? undefined : Number(options.tail);
      if (tail !== undefined && (!Number.isInteger(tail) || tail < 1)) {
        throw new CliError("--tail must be a positive number of lines");
      }
      let fromOffset: number | undefined;
      if (tail !== undefined) {
        const last = unwrap(await client.tailLogs(id, { tail, step: options.step }), `execution ${id}`);
        io.stdout.write(last.data);
        fromOffset = last.total;
      }
      if (!options.follow) {
        if (tail === undefined)
          io.stdout.write(unwrap(await client.getLogs(id, { step: options.step }), `execution ${id}`));
        return;
      }
      const followed = await followLogs(client, id, {
        write: (bytes) => io.stdout.write(bytes),
        step: options.step,
        fromOffset,
      });
      if (!followed.ok) throw new CliError(describeApiError(followed.error, `execution ${id}`));
    },
  );

  withApi(
    program.command("abort").description("abort an execution").argument("<id>"),
    io,
    async ({ client, json, args }) => {
      const id = args[0] as string;
      const view = unwrap(await client.abortExecution(id), `execution ${id}`);
      io.stdout.write(
        json ? `${JSON.stringify(view, null, 2)}\n` : `abort requested for ${id} (status ${view.status})\n`,
      );
    },
  );
};
