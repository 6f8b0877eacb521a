/**
 * Options of `startAgent`. Everything has a default suited to `assay agent`; tests shorten the
 * timings and inject the clock and randomness.
 */
import type { PlanSpec } from "../runner/run-execution.ts";
import type { StepRuntime } from "../runner/runtimes/runtime.ts";
import type { DockerSettings, RuntimeChoice } from "../runner/runtimes/select.ts";
import type { Clock, Random } from "./clock.ts";

/** Where the agent reports what it does (one line per event). */
export interface AgentLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface AgentOptions {
  /** The ingress, e.g. `https://agents.assay.example:443` (`http://` = plaintext, local only). */
  url: string;
  /** Agent token (`asy_agent_...`), sent as `authorization: Bearer <token>`. */
  token: string;
  /** PEM file of a CA to trust (a self-signed local control plane). */
  caFile?: string | undefined;
  /** Skip certificate verification (local use only; a warning is logged). */
  insecure?: boolean | undefined;
  /** Keeps the agent's issued identity and executed ids; default `~/.assay/agent`. */
  stateDir?: string | undefined;
  /** Parent of the per-execution workspaces; default `<tmpdir>/assay-agent-work`. */
  workDir?: string | undefined;
  /** Executions run at once, default 4. */
  concurrency?: number | undefined;
  /** Labels workflows target (`spec.execution.target`), announced as `label:k=v` capabilities. */
  labels?: Record<string, string> | undefined;
  /** On stop: abort running executions, or let them finish for up to `stopTimeoutMs` (default). */
  onStop?: "abort" | "finish" | undefined;
  /** Bound on waiting for running executions when stopping, default 30000 ms. */
  stopTimeoutMs?: number | undefined;
  /** Bound on waiting for logs and results to be acknowledged when stopping, default 10000 ms. */
  flushTimeoutMs?: number | undefined;
  /** Unacknowledged log bytes held in memory before they spill to disk, default 64 MiB. */
  maxUnackedBytes?: number | undefined;
  /** Unacknowledged log bytes spilled to `<stateDir>/spool` before output pauses, default 1 GiB. */
  maxSpoolBytes?: number | undefined;
  /** Log batching interval, default 25 ms. */
  flushIntervalMs?: number | undefined;
  /** Reconnect backoff window, default 1000 ms doubling to 60000 ms. */
  backoff?: { baseMs?: number | undefined; maxMs?: number | undefined } | undefined;
  /** Minimum wait after the token was refused, default 60000 ms. */
  refusedRetryMs?: number | undefined;
  /** Wait for the Welcome, default 35000 ms. */
  handshakeTimeoutMs?: number | undefined;
  /** SIGTERM-to-SIGKILL grace for step processes, default 2000 ms. */
  killGraceMs?: number | undefined;
  /** Environment steps start from; default the agent's own. */
  env?: Record<string, string> | undefined;
  /** Where HTTPS_PROXY / NO_PROXY are read; default `env`, then the agent's environment. */
  proxyEnv?: Record<string, string | undefined> | undefined;
  agentVersion?: string | undefined;
  hostname?: string | undefined;
  /** This host's fingerprint (identity.ts `hostFingerprint()` by default; tests set another host). */
  hostFingerprint?: string | undefined;
  /** Where steps run: `docker`, `process` (default) or `auto` (Docker when its engine answers). */
  runtime?: RuntimeChoice | StepRuntime | undefined;
  /** Settings of the Docker runtime (default image, busybox, privileged, pull secrets). */
  docker?: DockerSettings | undefined;
  /** How spec text becomes a plan; default the shared parser and planner. */
  planSpec?: PlanSpec | undefined;
  clock?: Clock | undefined;
  random?: Random | undefined;
  logger?: AgentLogger | undefined;
}
