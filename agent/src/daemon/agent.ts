/**
 * The agent daemon: a reconnect loop whose goal is "there should be a live stream"
 * (reconnect-loop.ts; how it answers each way a stream ends is end-policy.ts), with small
 * collaborators: the session (link.ts: handshake, heartbeat, rotation), registration
 * (registration.ts), the registry (execution-registry.ts: commands applied once, logs and results held
 * until acknowledged) and the runner. While a session lives the registry's messages are pumped
 * into it; stop() finishes or aborts the running executions and says Goodbye.
 */
import { rm } from "node:fs/promises";
import { hostname as osHostname, tmpdir } from "node:os";
import { join } from "node:path";
import { AgentGatewayClient, type ControlMessage, type Hello, PROTOCOL_VERSION } from "@assay/shared/proto";
import type { ArtifactRequest } from "../artifacts/collect.ts";
import { createUploader } from "../artifacts/uploader.ts";
import { type PlanSpec, startExecution } from "../runner/run-execution.ts";
import { type SelectedRuntime, selectRuntime } from "../runner/runtimes/select.ts";
import { AGENT_VERSION } from "../version.ts";
import { createBackoff } from "./backoff.ts";
import { createChildClient } from "./child-client.ts";
import { type Clock, type Random, sleep, systemClock, systemRandom } from "./clock.ts";
import { createCredentialClient } from "./credential-client.ts";
import { resolveTarget } from "./credentials.ts";
import { createEndPolicy } from "./end-policy.ts";
import { loadExecutedIds } from "./executed-ids.ts";
import { createRegistry } from "./execution-registry.ts";
import {
  type AgentIdentity,
  defaultStateDir,
  forgetIdentity,
  hostFingerprint,
  loadIdentity,
  newInstanceId,
} from "./identity.ts";
import { type LinkState, openSession, type Session } from "./link.ts";
import { createSpoolDir } from "./log-spool.ts";
import type { AgentLogger, AgentOptions } from "./options.ts";
import { grpcProxyOptions } from "./proxy.ts";
import { startReconnectLoop } from "./reconnect-loop.ts";
import { register } from "./registration.ts";

/** A running agent. */
export interface AgentHandle {
  /** The id the control plane issued ("" until the first registration answered). */
  readonly agentId: string;
  /** The state of the current stream. */
  state(): LinkState;
  /** Executions running now. */
  running(): number;
  /**
   * Stops: refuses new work, aborts or finishes running executions (`onStop`), waits (bounded)
   * for their logs and results to be acknowledged, sends Goodbye and closes. Idempotent.
   */
  stop(reason?: string): Promise<void>;
  /** Resolves when the agent has stopped, with the error that stopped it, if any. */
  readonly stopped: Promise<{ error?: Error }>;
}

/** Capabilities every agent has; the runtime adds `runner.<name>` and its features. */
export const CAPABILITIES = ["logs.offsets"];

/** The runtime the options ask for; a `StepRuntime` passed in is used as it is. */
const chooseRuntime = async (options: AgentOptions, agentId: string): Promise<SelectedRuntime> => {
  const choice = options.runtime ?? "process";
  if (typeof choice === "object")
    return { runtime: choice, capabilities: [`runner.${choice.name}`], swept: 0 };
  return selectRuntime(choice, agentId, options.docker);
};

/** Starts the agent daemon. Rejects only for invalid options (bad URL, unreadable CA file). */
export const startAgent = async (options: AgentOptions): Promise<AgentHandle> => {
  const clock: Clock = options.clock ?? systemClock;
  const random: Random = options.random ?? systemRandom;
  const logger: AgentLogger = options.logger ?? consoleLogger(clock);
  const target = resolveTarget(options);
  if (target.warning !== undefined) logger.warn(target.warning);
  const stateDir = options.stateDir ?? defaultStateDir();
  const host = options.hostFingerprint ?? hostFingerprint();
  const loaded = await loadIdentity(stateDir, host);
  if (loaded.note !== undefined) logger.warn(loaded.note);
  let identity: AgentIdentity | undefined = loaded.identity;
  const instanceId = newInstanceId();
  const hostName = options.hostname ?? osHostname();
  // Spool files of a previous life belong to executions this process no longer holds.
  const spoolDir = join(stateDir, "spool");
  await rm(spoolDir, { recursive: true, force: true });
  const workDir = options.workDir ?? join(tmpdir(), "assay-agent-work");
  const maxConcurrency = options.concurrency ?? 4;
  const flushIntervalMs = options.flushIntervalMs ?? 25;
  // A copy: the proxy settings for grpc-js below must not leak into the steps' environment.
  const baseEnv = options.env ?? { ...(process.env as Record<string, string>) };
  const proxy = grpcProxyOptions(target.address, options.proxyEnv ?? baseEnv);
  if (proxy.proxy !== undefined) logger.info(`connecting through the proxy ${redactProxy(proxy.proxy)}`);
  // The parser and planner (zod, yaml, the whole schema) load on the first run, not at startup:
  // an idle agent stays small.
  let selected: SelectedRuntime | undefined;
  const prepareRuntime = async (agentId: string) => {
    selected = await chooseRuntime(options, agentId);
    if (selected.note !== undefined) logger.warn(selected.note);
    if (selected.swept > 0)
      logger.info(`removed ${selected.swept} container(s)/network(s) a previous run of this agent left`);
    logger.info(`runtime: ${selected.runtime.name}`);
    return selected;
  };
  // With an identity the runtime is checked now (a missing Docker engine fails the start).
  if (identity !== undefined) await prepareRuntime(identity.agentId);
  /** Work arrives only after a Welcome, which needs the identity and so the runtime. */
  const runtimeOf = () => {
    if (selected === undefined) throw new Error("internal: no runtime before the Welcome");
    return selected.runtime;
  };
  // Credentials the workflow references are fetched over the stream for that execution only.
  const planSpecFor = (executionId: string): PlanSpec =>
    options.planSpec ??
    (async (spec, config, execution) =>
      (await import("../runner/plan-spec.ts")).planSpecWithCredentials(
        spec,
        config,
        (names, prefixes) => credentials.fetch(executionId, names, prefixes),
        runtimeOf(),
        identity === undefined || execution === undefined
          ? execution
          : { ...execution, namespace: identity.envId },
      ));
  const backoff = createBackoff({ random, baseMs: options.backoff?.baseMs, maxMs: options.backoff?.maxMs });

  let session: Session | undefined;
  let flushScheduled = false;

  const pump = () => {
    const current = session;
    if (current === undefined || current.state !== "ready") return;
    for (let message = registry.next(); message !== undefined; message = registry.next()) {
      if (!current.send(message)) return; // resumes on the transport's drain
    }
    for (let message = uploader.next(); message !== undefined; message = uploader.next()) {
      if (!current.send(message)) return;
    }
    for (let message = credentials.next(); message !== undefined; message = credentials.next()) {
      if (!current.send(message)) return;
    }
    for (let message = children.next(); message !== undefined; message = children.next()) {
      if (!current.send(message)) return;
    }
  };
  const credentials = createCredentialClient({ clock, onOutput: () => pump() });
  // `execute` steps start and watch their child executions over the stream.
  const children = createChildClient({ clock, onOutput: () => pump() });
  // Artifact bundles go straight to storage; only URL requests and completions use the stream.
  const uploader = createUploader({ clock, random, onOutput: () => pump() });
  // Loaded with the first artifacts (it pulls in node-tar and the workflow module): idle stays small.
  let collector: Promise<(request: ArtifactRequest) => Promise<void>> | undefined;
  const collectArtifacts = async (request: ArtifactRequest): Promise<void> => {
    collector ??= import("../artifacts/collect.ts").then(({ createArtifactCollector }) =>
      createArtifactCollector({ uploader, spoolDir: join(workDir, ".artifacts"), clock }),
    );
    return (await collector)(request);
  };

  const registry = createRegistry({
    clock,
    maxConcurrency,
    maxHeldBytes: options.maxUnackedBytes,
    executed: loadExecutedIds(stateDir),
    maxSpoolBytes: options.maxSpoolBytes,
    spool: createSpoolDir(spoolDir),
    log: (message) => logger.info(message),
    start: (request) =>
      startExecution({
        ...request,
        workRoot: workDir,
        baseEnv,
        planSpec: planSpecFor(request.executionId),
        killGraceMs: options.killGraceMs,
        clock,
        runtime: runtimeOf(),
        collectArtifacts: (step) => collectArtifacts({ ...step, executionId: request.executionId }),
        children: (stepRef, body) => children.request(request.executionId, stepRef, body),
      }),
    onOutput(urgent) {
      if (urgent) return pump();
      if (flushScheduled) return;
      flushScheduled = true;
      clock.after(flushIntervalMs, () => {
        flushScheduled = false;
        registry.flush();
        pump();
      });
    },
  });

  const onMessage = (message: ControlMessage) => {
    const kind = message.kind;
    if (kind === undefined) return;
    switch (kind.$case) {
      case "run":
        session?.send({ kind: { $case: "commandAck", value: registry.handleRun(kind.value) } });
        break;
      case "abort":
        session?.send({ kind: { $case: "commandAck", value: registry.handleAbort(kind.value) } });
        break;
      case "pause":
        session?.send({ kind: { $case: "commandAck", value: registry.handlePause(kind.value) } });
        break;
      case "logAck":
        registry.handleLogAck(kind.value);
        break;
      case "resultAck":
        registry.handleResultAck(kind.value);
        break;
      case "artifactGrant":
        uploader.handleGrant(kind.value);
        break;
      case "artifactAck":
        uploader.handleAck(kind.value);
        break;
      case "credentialResponse":
        credentials.handleResponse(kind.value);
        break;
      case "childRunResponse":
        children.handleResponse(kind.value);
        break;
      default:
        // Heartbeats only prove liveness (the session counted them); Welcome/Reconnect are
        // handled by the session.
        break;
    }
    pump();
  };

  const hello = (issued: AgentIdentity, runtime: SelectedRuntime): Hello => ({
    protocolVersion: PROTOCOL_VERSION,
    agentId: issued.agentId,
    agentSecret: issued.agentSecret,
    instanceId,
    agentVersion: options.agentVersion ?? AGENT_VERSION,
    hostname: hostName,
    platform: `${process.platform}-${process.arch}`,
    capabilities: [
      ...runtime.capabilities,
      ...CAPABILITIES,
      // `label:k=v`, as the shared targets.ts reads them (not imported: an idle agent stays small).
      ...Object.entries(options.labels ?? {}).map(([k, v]) => `label:${k}=${v}`),
    ],
    maxConcurrency,
    active: registry.active(),
  });

  const loop = startReconnectLoop({
    clock,
    logger,
    connect: () =>
      new AgentGatewayClient(target.address, target.credentials, {
        "grpc.keepalive_time_ms": 30_000,
        "grpc.keepalive_timeout_ms": 10_000,
        ...proxy.options,
      }),
    identity: () => identity,
    register: async (client) => {
      const registered = await register(client, {
        token: options.token,
        hostname: hostName,
        agentVersion: options.agentVersion ?? AGENT_VERSION,
        host,
        stateDir,
        handshakeTimeoutMs: options.handshakeTimeoutMs,
        logger,
      });
      if (!("kind" in registered)) identity = registered;
      return registered;
    },
    runtime: () => selected,
    prepareRuntime,
    open: (client, issued, runtime) =>
      openSession({
        client,
        token: options.token,
        hello: hello(issued, runtime),
        clock,
        running: () => registry.running(),
        onWelcome(welcome) {
          backoff.reset();
          logger.info(
            `connected to ${target.address} (session ${welcome.sessionId || "?"}, ${welcome.orgId}/${welcome.envId})`,
          );
          registry.handleWelcome(welcome);
          uploader.handleWelcome();
          credentials.handleWelcome();
          children.handleWelcome();
          pump();
        },
        onMessage,
        onWritable: pump,
        handshakeTimeoutMs: options.handshakeTimeoutMs,
      }),
    onSession: (current) => {
      session = current;
    },
    afterEnd: createEndPolicy({
      logger,
      random,
      backoff,
      stateDir,
      refusedRetryMs: options.refusedRetryMs,
      agentVersion: options.agentVersion ?? AGENT_VERSION,
      forgetIdentity: () => {
        identity = undefined;
        void forgetIdentity(stateDir);
      },
    }),
  });
  const stopped = loop.stopped;
  let stopping: Promise<void> | undefined;

  const stop = (reason = "the agent is stopping"): Promise<void> => {
    stopping ??= (async () => {
      registry.refuseNewWork(reason);
      const stopTimeoutMs = options.stopTimeoutMs ?? 30_000;
      if ((options.onStop ?? "finish") === "abort") registry.abortAll(reason);
      else if (registry.running() > 0) {
        logger.info(
          `waiting up to ${Math.round(stopTimeoutMs / 1000)} s for ${registry.running()} execution(s) to finish`,
        );
        await Promise.race([registry.idle(), sleep(clock, stopTimeoutMs)]);
        registry.abortAll(`${reason}: did not finish in time`);
      }
      await registry.idle();
      // Give the logs and results a bounded chance to be acknowledged.
      registry.flush();
      pump();
      await Promise.race([registry.empty(), sleep(clock, options.flushTimeoutMs ?? 10_000)]);
      if (registry.held() > 0)
        logger.warn(`${registry.held()} execution result(s) not acknowledged before stopping`);
      session?.send({ kind: { $case: "goodbye", value: { reason, reconnecting: false } } });
      await loop.close();
    })();
    return stopping;
  };

  return {
    get agentId() {
      return identity?.agentId ?? "";
    },
    state: () => session?.state ?? (loop.closing() ? "closed" : "connecting"),
    running: () => registry.running(),
    stop,
    stopped,
  };
};

/** A proxy URL without its password, for the log. */
const redactProxy = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");

/** Default logger: one line per event on stderr, stamped with `clock`'s time. */
export const consoleLogger = (clock: Clock): AgentLogger => {
  const stamp = () => new Date(clock.now()).toISOString();
  return {
    info: (message) => console.error(`${stamp()} ${message}`),
    warn: (message) => console.error(`${stamp()} warning: ${message}`),
    error: (message) => console.error(`${stamp()} error: ${message}`),
  };
};
