/**
 * `assay run --watch`: follows the log to the end, says while the execution is queued why it
 * waits ("waiting for an agent: none online in staging", from the API), and with `--timeout`
 * gives up after that long (exit 2) instead of waiting forever for an agent that never comes.
 */
import { type Clock, every } from "@assay/shared/time";
import type { ApiClient } from "./api-client.ts";
import { type FollowOptions, followLogs } from "./follow-logs.ts";
import { CliError } from "./io.ts";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `90`, `90s`, `5m`, `1h`, `1500ms` into milliseconds; a CliError names a bad value. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = m ? Number(m[1]) * (UNITS[m[2] ?? "s"] ?? 1000) : Number.NaN;
  if (!Number.isFinite(ms) || ms <= 0)
    throw new CliError(`${flag} expects a duration such as 30s, 5m or 1h (got "${text}")`);
  return ms;
}

export type WatchOutcome = { kind: "finished"; status: string } | { kind: "timed-out"; status: string };

export async function watchExecution(
  client: ApiClient,
  id: string,
  options: {
    write: FollowOptions["write"];
    notice: (line: string) => void;
    timeoutMs?: number | undefined;
    /** How often to re-read a queued execution's waiting reason, default 5 s. */
    pollMs?: number;
    /** Drives the polling, the timeout and the log's reconnects. */
    clock: Clock;
  },
): Promise<WatchOutcome> {
  const stop = new AbortController();
  let status = "queued";
  let lastNotice: string | undefined;
  const poll = async () => {
    const e = await client.getExecution(id);
    if (!e.ok) return;
    status = e.value.status;
    const waiting = e.value.status === "queued" ? e.value.waiting : undefined;
    if (waiting && waiting !== lastNotice) options.notice(waiting);
    lastNotice = waiting;
  };
  const { clock } = options;
  await poll();
  const stopPolling = every(clock, options.pollMs ?? 5000, () => void poll());
  const cancelTimeout =
    options.timeoutMs === undefined ? undefined : clock.after(options.timeoutMs, () => stop.abort());
  try {
    const followed = await followLogs(client, id, {
      clock,
      write: options.write,
      onStatus: (s) => {
        status = s;
      },
      signal: stop.signal,
    });
    if (stop.signal.aborted) return { kind: "timed-out", status };
    if (!followed.ok) throw followed.error;
    return { kind: "finished", status: followed.value.status };
  } finally {
    stopPolling();
    cancelTimeout?.();
  }
}
