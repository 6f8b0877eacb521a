/**
 * Runs a throwaway `nats-server` (the Debian package; no npm package ships the server) on a free
 * loopback port, for tests and for local runs that want a real NATS. The child is supervised like
 * every server we spawn (see ../local/child-process.ts): it dies with us.
 */

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { startListeningChild } from "../local/child-process.ts";

export interface NatsServerOptions {
  /** The executable (default `/usr/sbin/nats-server` when present, else `nats-server` on PATH). */
  binary?: string;
  /** Port; a free one when omitted. */
  port?: number;
  /** Safety net for a hung start, in milliseconds (default 10 s). */
  startTimeoutMs?: number;
}

export interface NatsServer {
  /** `nats://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** SIGTERMs the server and resolves once it has exited (idempotent). */
  stop(): Promise<void>;
}

const defaultBinary = (): string =>
  existsSync("/usr/sbin/nats-server") ? "/usr/sbin/nats-server" : "nats-server";

/** Starts nats-server on 127.0.0.1 and resolves once it accepts connections. */
export const startNatsServer = async (options: NatsServerOptions = {}): Promise<NatsServer> => {
  const binary = options.binary ?? defaultBinary();
  const { port, supervised } = await startListeningChild({
    what: "nats-server",
    port: options.port,
    startTimeoutMs: options.startTimeoutMs ?? 10_000,
    spawnOn: (port) =>
      spawn(binary, ["-a", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "pipe", "pipe"] }),
  });
  return { url: `nats://127.0.0.1:${port}`, port, pid: supervised.pid, stop: () => supervised.stop() };
};
