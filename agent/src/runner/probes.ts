/**
 * Readiness probes of services, Kubernetes-style, run from the agent host: `tcp` (a connection
 * opens), `http` (a GET answers 200-399) and `exec` (a command exits 0, run in the service's
 * directory and environment). `waitUntilReady` follows Kubernetes' timings: wait
 * `initialDelayMs`, probe every `periodMs` with `timeoutMs` per attempt, and give up after
 * `failureThreshold` failures in a row, or at the service's `timeout` when it has one (then
 * the threshold does not end the wait early: a slow database gets its whole timeout).
 */
import { execFile } from "node:child_process";
import { connect } from "node:net";
import type { Clock } from "@assay/shared/time";
import type { PlannedProbe } from "@assay/shared/workflow";

export type ProbeOutcome = { ok: true } | { ok: false; detail: string };

const tcpProbe = (host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (outcome: ProbeOutcome) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, detail: `tcp ${host}:${port}: timed out` }));
    socket.once("connect", () => done({ ok: true }));
    socket.once("error", (error) => done({ ok: false, detail: `tcp ${host}:${port}: ${error.message}` }));
  });

// node:http(s) load with the first http probe: their module namespaces pull in Node's fetch
// (undici) and perf_hooks, several MB an agent without such services never needs.
const httpProbe = async (
  probe: NonNullable<PlannedProbe["http"]>,
  timeoutMs: number,
): Promise<ProbeOutcome> => {
  const make =
    probe.scheme === "https" ? (await import("node:https")).request : (await import("node:http")).request;
  return new Promise((resolve) => {
    const url = `${probe.scheme}://${probe.host}:${probe.port}${probe.path.startsWith("/") ? "" : "/"}${probe.path}`;
    // Kubernetes does not verify the certificate of an https probe either.
    const req = make(url, {
      method: "GET",
      headers: probe.headers,
      timeout: timeoutMs,
      rejectUnauthorized: false,
    });
    req.once("response", (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? { ok: true } : { ok: false, detail: `GET ${url}: HTTP ${code}` });
    });
    req.once("timeout", () => req.destroy(new Error("timed out")));
    req.once("error", (error) => resolve({ ok: false, detail: `GET ${url}: ${error.message}` }));
    req.end();
  });
};

const execProbe = (
  command: string[],
  timeoutMs: number,
  cwd: string,
  env: Record<string, string>,
): Promise<ProbeOutcome> =>
  new Promise((resolve) => {
    const [file, ...args] = command;
    execFile(file ?? "", args, { cwd, env, timeout: timeoutMs, killSignal: "SIGKILL" }, (error) => {
      if (error === null) return resolve({ ok: true });
      const code = (error as { code?: unknown }).code;
      resolve({
        ok: false,
        detail: `${command.join(" ")}: ${typeof code === "number" ? `exit code ${code}` : error.message}`,
      });
    });
  });

/** Runs one probe attempt. */
export const probeOnce = (
  probe: PlannedProbe,
  cwd: string,
  env: Record<string, string>,
): Promise<ProbeOutcome> => {
  if (probe.tcp !== undefined) return tcpProbe(probe.tcp.host, probe.tcp.port, probe.timeoutMs);
  if (probe.http !== undefined) return httpProbe(probe.http, probe.timeoutMs);
  if (probe.exec !== undefined) return execProbe(probe.exec.command, probe.timeoutMs, cwd, env);
  return Promise.resolve({ ok: true });
};

export interface WaitOptions {
  probe: PlannedProbe;
  /** One attempt against the service (the runtime knows where it runs). */
  attempt(probe: PlannedProbe): Promise<ProbeOutcome>;
  /** The service's own `timeout`, if any. */
  readyTimeoutMs?: number | undefined;
  /** Resolves when the service's process ended: waiting is pointless then. */
  exited: Promise<unknown>;
  /** Aborts the wait (the scope ended). */
  signal: AbortSignal;
  /** Times the delays between attempts and the service's `timeout`. */
  clock: Clock;
}

/** Waits for readiness; the reason says which attempt failed how. */
export const waitUntilReady = async (options: WaitOptions): Promise<ProbeOutcome> => {
  const { probe, clock } = options;
  const started = clock.now();
  let exited = false;
  void options.exited.then(() => {
    exited = true;
  });
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const cancel = clock.after(ms, resolve);
      options.signal.addEventListener(
        "abort",
        () => {
          cancel();
          resolve();
        },
        { once: true },
      );
      void options.exited.then(() => {
        cancel();
        resolve();
      });
    });
  if (probe.initialDelayMs > 0) await pause(probe.initialDelayMs);
  let failures = 0;
  let last = "no attempt";
  for (;;) {
    if (options.signal.aborted) return { ok: false, detail: "stopped while waiting" };
    if (exited) return { ok: false, detail: `the process exited before it was ready (last probe: ${last})` };
    const outcome = await options.attempt(probe);
    if (outcome.ok) return outcome;
    failures++;
    last = outcome.detail;
    const elapsed = clock.now() - started;
    if (options.readyTimeoutMs !== undefined) {
      if (elapsed + probe.periodMs > options.readyTimeoutMs) {
        return {
          ok: false,
          detail: `not ready within ${options.readyTimeoutMs} ms (${failures} probes, last: ${last})`,
        };
      }
    } else if (failures >= probe.failureThreshold) {
      return { ok: false, detail: `${failures} probes failed in a row (last: ${last})` };
    }
    await pause(probe.periodMs);
  }
};
