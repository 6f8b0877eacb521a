/**
 * Helpers for the server processes local mode and tests spawn (DynamoDB Local, nats-server):
 * free ports, readiness waits, and making sure a child never outlives its parent.
 *
 * A child must die with us in three cases:
 * - normal exit (`process.exit`, event loop drained): an `exit` listener SIGTERMs it;
 * - death by signal or SIGKILL, where no JavaScript runs: a tiny `sh` watchdog, spawned beside
 *   the child, polls both pids every second and SIGTERMs the child once our pid is gone;
 * - the watchdog itself killed too (e.g. `kill -9` of the process group is fine, a container
 *   OOM is not): persistent servers also write a pid file, and the next start kills the stale
 *   process after checking its command line (see dynamodb-local.ts).
 * We deliberately add no SIGINT/SIGTERM listeners: a library must not change how the host process
 * reacts to signals, and the watchdog already covers those deaths.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createConnection, createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** Asks the kernel for a free TCP port on 127.0.0.1 (there is a small race until it is bound). */
export const findFreePort = async (): Promise<number> => {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("could not allocate a port");
  return address.port;
};

const canConnect = (port: number, host: string): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/**
 * Waits until `port` accepts TCP connections. Rejects early when the child exits, and after
 * `timeoutMs` (a safety net for a hung start, not a performance assertion).
 */
export const waitForPort = async (
  child: ChildProcess,
  port: number,
  options: { host?: string; timeoutMs?: number; describe?: () => string } = {},
): Promise<void> => {
  const host = options.host ?? "127.0.0.1";
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let delayMs = 25;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`process exited before listening on ${port}: ${options.describe?.() ?? ""}`.trim());
    }
    if (await canConnect(port, host)) return;
    await sleep(delayMs);
    delayMs = Math.min(delayMs * 2, 200);
  }
  throw new Error(`timed out waiting for port ${port}: ${options.describe?.() ?? ""}`.trim());
};

/** True while a process with that pid exists (and we may signal it). */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** SIGTERMs a pid and waits for it to disappear, escalating to SIGKILL after `graceMs`. */
export const terminatePid = async (pid: number, graceMs = 5_000): Promise<void> => {
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        return;
      }
    }
    await sleep(50);
  }
};

// Runs until the parent is gone (then SIGTERMs the child) or the child is gone (then just exits).
const WATCHDOG_SCRIPT =
  'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; ' +
  'if ! kill -0 "$1" 2>/dev/null; then kill -TERM "$2" 2>/dev/null; fi';

/** A supervised child: `stop()` SIGTERMs it (once) and resolves when it has exited. */
export interface Supervised {
  readonly pid: number;
  stop(graceMs?: number): Promise<void>;
}

/**
 * Ties a freshly spawned child's life to ours (exit listener + watchdog, see the header) and
 * returns an idempotent `stop()`.
 */
export const superviseChild = (child: ChildProcess): Supervised => {
  const pid = child.pid;
  if (pid === undefined) throw new Error("child process has no pid (spawn failed)");
  const onExit = (): void => {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  process.on("exit", onExit);
  const watchdog = spawn(
    "/bin/sh",
    ["-c", WATCHDOG_SCRIPT, "assay-watchdog", String(process.pid), String(pid)],
    {
      stdio: "ignore",
    },
  );
  watchdog.unref();
  watchdog.on("error", () => {
    // No /bin/sh: we still have the exit listener and (for persistent servers) the pid file.
  });
  const exited =
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : once(child, "exit").then(() => {});
  void exited.then(() => {
    process.off("exit", onExit);
    watchdog.kill("SIGTERM");
  });
  let stopping: Promise<void> | undefined;
  return {
    pid,
    stop(graceMs = 5_000) {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
          await exited;
          clearTimeout(timer);
        }
      })();
      return stopping;
    },
  };
};

/** Collects the last few KiB of a stream, for error messages when a server fails to start. */
export const tailOf = (stream: NodeJS.ReadableStream | null, maxChars = 4_000): (() => string) => {
  let text = "";
  stream?.on("data", (chunk: Buffer | string) => {
    text = (text + chunk.toString()).slice(-maxChars);
  });
  return () => text;
};

/**
 * Spawns a server on `port` (a free one when omitted) and resolves once it accepts connections,
 * supervised. When a picked port was taken in the meantime the child fails to listen and another
 * port is tried (three in all); a requested port is tried once, and a child that could not be
 * spawned at all (e.g. its binary is missing) is not retried. `what` names the server in the error.
 */
export const startListeningChild = async (options: {
  what: string;
  port?: number;
  startTimeoutMs: number;
  spawnOn: (port: number) => ChildProcess;
}): Promise<{ port: number; supervised: Supervised }> => {
  const attempts = options.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port ?? (await findFreePort());
    const child = options.spawnOn(port);
    const output = tailOf(child.stderr);
    tailOf(child.stdout);
    const spawnError = new Promise<never>((_, reject) => child.once("error", reject));
    if (child.pid === undefined) {
      lastError = await spawnError.catch((error: unknown) => error);
      break;
    }
    const supervised = superviseChild(child);
    try {
      await Promise.race([
        spawnError,
        waitForPort(child, port, { timeoutMs: options.startTimeoutMs, describe: output }),
      ]);
      return { port, supervised };
    } catch (error) {
      lastError = error;
      await supervised.stop();
    }
  }
  throw new Error(`${options.what} failed to start: ${String(lastError)}`, { cause: lastError });
};
