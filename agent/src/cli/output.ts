/**
 * Machine-readable output (`-o json`, `-o yaml`), the same shapes in both formats:
 * - a command about one thing prints that thing as the API returns it (an execution, a workflow);
 *   `execution get` adds `children`, the executions its `execute` steps started, as its text does;
 * - a list prints `{ items: [...] }` (with `nextCursor` when there are more pages);
 * - an action that leaves nothing to show prints `{ kind, id, action }`, e.g.
 *   `{ "kind": "execution", "id": "01J...", "action": "deleted" }`.
 * JSON is indented by two spaces; YAML is one document.
 */
import { stringify } from "yaml";
import { CliError, type CliIo } from "./io.ts";

export const OUTPUT_FORMATS = ["text", "json", "yaml"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Checks `-o`; a CliError names the formats on anything else. */
export const parseOutputFormat = (value: string): OutputFormat => {
  const format = OUTPUT_FORMATS.find((f) => f === value);
  if (format === undefined)
    throw new CliError(`-o must be one of ${OUTPUT_FORMATS.join(", ")} (got "${value}")`);
  return format;
};

/** Writes `value` to stdout in a machine-readable format. */
export const writeData = (io: CliIo, format: Exclude<OutputFormat, "text">, value: unknown): void => {
  io.stdout.write(format === "yaml" ? stringify(value) : `${JSON.stringify(value, null, 2)}\n`);
};

/** The shape of every list. */
export const listOf = <T>(items: readonly T[], nextCursor?: string) => ({
  items,
  ...(nextCursor === undefined ? {} : { nextCursor }),
});

/** The shape of an action with nothing else to show (`deleted`, `logged-out`...). */
export const actionOf = (kind: string, id: string, action: string) => ({ kind, id, action });
