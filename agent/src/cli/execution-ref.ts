/**
 * What the CLI accepts wherever it takes an execution: the full id (a ULID, any case), the
 * dashboard's short id (the id's last 8 characters, with or without a leading `#`), or a
 * workflow's run number (`smoke#12`). Short ids and run numbers are looked up among the
 * environment's newest executions; an ambiguous or unknown one is an error naming what to use.
 */
import type { ExecutionView } from "@assay/shared";
import type { ApiClient } from "./api-client.ts";
import { CliError, describeApiError } from "./io.ts";

const FULL_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const SHORT_ID = /^#?([0-9A-HJKMNP-TV-Z]{8})$/;
const RUN_NUMBER = /^([a-z0-9][a-z0-9.-]*)#([1-9][0-9]*)$/;
const PAGE = 200;
/** How far back a short id is looked for (pages of 200). */
const MAX_PAGES = 10;

/** The dashboard's short form of an execution id. */
export const shortIdOf = (id: string): string => id.slice(-8).toLowerCase();

/** Walks the environment's executions newest first until `match` has decided. */
const search = async (
  client: ApiClient,
  workflow: string | undefined,
  match: (e: ExecutionView) => boolean,
  stopAtFirst: boolean,
): Promise<{ found: ExecutionView[]; complete: boolean }> => {
  const found: ExecutionView[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await client.listExecutions({ workflow, limit: PAGE, cursor });
    if (!result.ok) throw new CliError(describeApiError(result.error, "the execution list"));
    found.push(...result.value.items.filter(match));
    if (stopAtFirst && found.length > 0) return { found, complete: true };
    cursor = result.value.nextCursor;
    if (cursor === undefined) return { found, complete: true };
  }
  return { found, complete: false };
};

/** Turns what the user typed into a full execution id (or a CliError saying why not). */
export async function resolveExecutionId(client: ApiClient, given: string): Promise<string> {
  const text = given.trim();
  if (FULL_ID.test(text.toUpperCase())) return text.toUpperCase();
  const numbered = RUN_NUMBER.exec(text);
  if (numbered) {
    const [, workflow, n] = numbered as unknown as [string, string, string];
    const { found, complete } = await search(client, workflow, (e) => e.number === Number(n), true);
    const hit = found[0];
    if (hit) return hit.id;
    throw new CliError(
      `workflow ${workflow} has no run #${n}${complete ? "" : ` among its newest ${PAGE * MAX_PAGES} executions`}`,
    );
  }
  const short = SHORT_ID.exec(text.toUpperCase());
  if (short) {
    const suffix = short[1] as string;
    const { found, complete } = await search(client, undefined, (e) => e.id.endsWith(suffix), false);
    if (found.length === 1) return (found[0] as ExecutionView).id;
    if (found.length > 1) {
      throw new CliError(
        `short id ${given} matches ${found.length} executions (${found.map((e) => e.id).join(", ")}): use the full id`,
      );
    }
    throw new CliError(
      `no execution with short id ${shortIdOf(suffix)}${complete ? "" : ` among the newest ${PAGE * MAX_PAGES}`}: use the full id`,
    );
  }
  throw new CliError(
    `"${given}" is not an execution id: give the full id (26 characters), the dashboard's short id (8 characters) or WORKFLOW#NUMBER`,
  );
}
