/** `assay workflow apply | list | get`. */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { formatTime, table } from "../format.ts";
import { CliError, type CliIo, colors, unwrap } from "../io.ts";
import { type ApiCommandContext, withApi } from "./shared.ts";

export const registerWorkflowCommands = (program: Command, io: CliIo): void => {
  const workflow = program.command("workflow").description("manage test workflows");

  withApi(
    workflow
      .command("apply")
      .description("create or update a workflow from a file")
      .requiredOption("-f, --file <file>", "TestWorkflow YAML or JSON"),
    io,
    async ({ client, options }: ApiCommandContext<{ file: string }>) => {
      const file = options.file;
      const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
        throw new CliError(
          `cannot read ${file}: ${error.code === "ENOENT" ? "no such file" : error.message}`,
        );
      });
      // Loaded here: the schema is the CLI's heaviest import and only apply needs it.
      const { parseWorkflowText } = await import("@assay/shared/workflow");
      const parsed = parseWorkflowText(text);
      if (!parsed.ok) {
        const lines = parsed.issues.map(
          (i) => `${file}:${i.line ?? 1}:${i.column ?? 1} ${i.path || "(document)"}: ${i.message}`,
        );
        throw new CliError(lines.join("\n"));
      }
      const name = parsed.workflow.metadata.name;
      const contentType = /\.json$/i.test(file) ? "application/json" : "application/yaml";
      const result = unwrap(await client.applyWorkflow(name, text, contentType), `workflow "${name}"`);
      const c = colors(io);
      for (const warning of [...parsed.warnings, ...result.warnings])
        io.stderr.write(`${c.yellow("warning:")} ${warning}\n`);
      io.stdout.write(`workflow ${name} applied\n`);
    },
  );

  withApi(
    workflow
      .command("list")
      .description("list workflows")
      .option(
        "--label <key=value>",
        "only workflows with this label (repeatable)",
        (v: string, p: string[]) => [...p, v],
        [],
      ),
    io,
    async ({ client, json, options }: ApiCommandContext<{ label: string[] }>) => {
      const { items } = unwrap(await client.listWorkflows(options.label), "the workflow list");
      if (json) return void io.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
      const rows = items.map((w) => [
        w.name,
        Object.entries(w.labels ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(",") || "-",
        formatTime(w.updatedAt),
      ]);
      io.stdout.write(items.length === 0 ? "no workflows\n" : table(["NAME", "LABELS", "UPDATED"], rows));
    },
  );

  withApi(
    workflow.command("get").description("print a workflow's source").argument("<name>"),
    io,
    async ({ client, json, args }) => {
      const name = args[0] as string;
      const view = unwrap(await client.getWorkflow(name), `workflow "${name}"`);
      if (json) return void io.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      const source = view.source ?? (await import("yaml")).stringify(view.spec);
      io.stdout.write(source.endsWith("\n") ? source : `${source}\n`);
    },
  );
};
