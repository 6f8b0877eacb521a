/**
 * What a command may touch: its output streams, environment, working directory and clock,
 * injected so tests run the real commands in-process. Also the CLI's error type and exit codes.
 */
import type { Clock } from "@assay/shared/time";
import pc from "picocolors";
import type { ApiError } from "./api-client.ts";

export interface CliIo {
  stdout: { write(chunk: string | Uint8Array): unknown };
  stderr: { write(chunk: string): unknown };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Colours on stderr (a TTY, NO_COLOR unset). */
  color: boolean;
  /** Colours on stdout (a TTY, NO_COLOR unset): logs printed there mark stderr lines in red. */
  stdoutColor?: boolean | undefined;
  /** Times every wait (reconnects, polls, `--timeout`) and stamps the agent's log lines. */
  clock: Clock;
  /** Standard input, for values that must not be on the command line (`credential set`). */
  stdin?: (AsyncIterable<Uint8Array | string> & { isTTY?: boolean }) | undefined;
}

/** Exit codes: 0 ok, 1 the test failed (run --watch), 2 errors and usage. */
export const EXIT = { ok: 0, testFailed: 1, error: 2 } as const;

/** An error to show as one clean message, with the exit code to leave with. */
export class CliError extends Error {
  override name = "CliError";
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.error) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Ends the command with an exit code; whatever needed saying was already printed. */
export class CliExit extends Error {
  override name = "CliExit";
  readonly exitCode: number;
  constructor(exitCode: number) {
    super(`exit ${exitCode}`);
    this.exitCode = exitCode;
  }
}

/** Words an API failure for people: no stack traces, the server's own message when useful. */
export const describeApiError = (error: ApiError, what: string): string => {
  if (error.status === 0) return error.message;
  if (error.status === 401 || error.status === 403) {
    return `the token was refused (HTTP ${error.status}: ${error.message}); check --token / ASSAY_TOKEN`;
  }
  if (error.status === 404) return `${what} was not found (${error.message})`;
  const lines = [`${error.message} (HTTP ${error.status}, ${error.code})`];
  for (const issue of error.issues ?? []) {
    const at =
      issue.line === undefined
        ? ""
        : `line ${issue.line}${issue.column === undefined ? "" : `:${issue.column}`} `;
    lines.push(`  ${at}${issue.path}: ${issue.message}`);
  }
  return lines.join("\n");
};

/** Unwraps an API result or throws a CliError worded for `what`. */
export const unwrap = <T>(
  result: { ok: true; value: T } | { ok: false; error: ApiError },
  what: string,
): T => {
  if (result.ok) return result.value;
  throw new CliError(describeApiError(result.error, what));
};

export const colors = (io: CliIo) => pc.createColors(io.color);
