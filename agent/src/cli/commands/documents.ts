/**
 * What `assay workflow` and `assay template` share: reading a document file, reporting its
 * problems as `file:line:column path: message`, the `--label` filter, the list table and
 * printing a stored document's source.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { formatTime, table } from "../format.ts";
import { CliError, type CliIo } from "../io.ts";
import { listOf } from "../output.ts";

/** The file's text, or a CLI error that names the file and what went wrong. */
export const readDocumentFile = (file: string): Promise<string> =>
  readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${file}: ${error.code === "ENOENT" ? "no such file" : error.message}`);
  });

/** One line per problem, pointing into the file. */
export const documentIssues = (
  file: string,
  issues: Array<{ path: string; message: string; line?: number; column?: number }>,
): CliError =>
  new CliError(
    issues
      .map((i) => `${file}:${i.line ?? 1}:${i.column ?? 1} ${i.path || "(document)"}: ${i.message}`)
      .join("\n"),
  );

/** How the API is told what the file holds. */
export const documentContentType = (file: string): string =>
  /\.json$/i.test(file) ? "application/json" : "application/yaml";

/** Adds the repeatable `--label key=value` filter. */
export const withLabelFilter = (command: Command, what: string): Command =>
  command.option(
    "--label <key=value>",
    `only ${what} with this label (repeatable)`,
    (v: string, p: string[]) => [...p, v],
    [],
  );

/** Prints stored documents as a table (name, labels, last update), or `{ items }` with `-o json|yaml`. */
export function writeDocumentList(
  io: CliIo,
  items: Array<{ name: string; labels?: Record<string, string>; updatedAt: string }>,
  options: { emit?: ((value: unknown) => void) | undefined; none: string },
): void {
  if (options.emit) {
    options.emit(listOf(items));
    return;
  }
  const rows = items.map((d) => [
    d.name,
    Object.entries(d.labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(",") || "-",
    formatTime(d.updatedAt),
  ]);
  io.stdout.write(items.length === 0 ? `${options.none}\n` : table(["NAME", "LABELS", "UPDATED"], rows));
}

/** Prints a stored document's source as applied (or its spec as YAML), or the record with `-o`. */
export async function writeDocumentSource(
  io: CliIo,
  view: { source?: string; spec?: unknown },
  emit: ((value: unknown) => void) | undefined,
): Promise<void> {
  if (emit) return emit(view);
  const source = view.source ?? (await import("@assay/shared/workflow")).writeYamlDocument(view.spec);
  io.stdout.write(source.endsWith("\n") ? source : `${source}\n`);
}
