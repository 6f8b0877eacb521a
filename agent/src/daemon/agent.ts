/**
 * The agent daemon: one reconcile loop whose goal is "there should be a live stream", with
 * small collaborators: the session (link.ts: handshake, heartbeat, rotation), the registry
 * (executions.ts: commands applied once, logs and results held until acknowledged) and the
 * runner. The loop opens a session, pumps the registry's messages into it while it lives, and
 * when it ends decides how long to wait before the next one:
 *
 * - UNAUTHENTICATED: the token was refused; say so and retry no more than once a minute.
 * - FAILED_PRECONDITION: the control plane does not speak our protocol version; give up.
 * - NOT_FOUND before the Welcome: the identity is not known in this environment; register anew.
 * - ALREADY_EXISTS before the Welcome: another process holds this identity (a copied state
 *   directory); say how to fix it and keep retrying with backoff (it clears when that one stops).
 * - PERMISSION_DENIED before the Welcome: the identity's secret was refused; give up.
 * - Reconnect from the server: its after_ms plus jitter. Rotation: at once.
 * - Anything else (UNAVAILABLE while draining, network errors, a dead stream): full-jitter
 *   backoff, reset by every Welcome.
 */
import { rm } from "node:fs/promises";
import { hostname as osHostname, tmpdir } from "node:os";
import { join } from "node:path";
import { AgentGatewayClient, type ControlMessage, type Hello, PROTOCOL_VERSION } from "@assay/shared/proto";
import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import type { ArtifactRequest } from "../artifacts/collect.ts";
import { createUploader } from "../artifacts/uploader.ts";
import { type PlanSpec, startExecution } from "../runner/run-execution.ts";
import { type SelectedRuntime, selectRuntime } from "../runner/runtimes/select.ts";
import { AGENT_VERSION } from "../version.ts";
import { createBackoff, reconnectDelay, refusedDelay } from "./backoff.ts";
import { createChildClient } from "./child-client.ts";
import { type Clock, type Random, sleep, systemClock, systemRandom } from "./clock.ts";
import { createCredentialClient } from "./credential-client.ts";
import { resolveTarget } from "./credentials.ts";
import { loadExecutedIds } from "./executed-ids.ts";
import { createRegistry } from "./executions.ts";
import {
  type AgentIdentity,
  defaultStateDir,
  forgetIdentity,
  hostFingerprint,
  loadIdentity,
  newInstanceId,
  saveIdentity,
} from "./identity.ts";
import { type LinkState, openSession, type Session, type SessionEnd } from "./link.ts";
import { createSpoolDir } from "./log-spool.ts";
import type { AgentLogger, AgentOptions } from "./options.ts";
import { grpcProxyOptions } from "./proxy.ts";

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
  const logger: AgentLogger = options.logger ?? consoleLogger;
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
  const stopSignal = new AbortController();
  let closing = false;

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
  const uploader = createUploader({ onOutput: () => pump() });
  // Loaded with the first artifacts (it pulls in node-tar and the workflow module): idle stays small.
  let collector: Promise<(request: ArtifactRequest) => Promise<void>> | undefined;
  const collectArtifacts = async (request: ArtifactRequest): Promise<void> => {
    collector ??= import("../artifacts/collect.ts").then(({ createArtifactCollector }) =>
      createArtifactCollector({ uploader, spoolDir: join(workDir, ".artifacts") }),
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

  /** Asks the control plane for an identity and keeps it; a SessionEnd when it was refused. */
  const register = async (client: AgentGatewayClient): Promise<AgentIdentity | SessionEnd> => {
    const metadata = new Metadata();
    metadata.set("authorization", `Bearer ${options.token}`);
    const answer = await new Promise<{ error?: ServiceError; response?: AgentIdentity }>((resolve) =>
      client.register(
        {
          hostname: hostName,
          agentVersion: options.agentVersion ?? AGENT_VERSION,
          platform: process.platform,
        },
        metadata,
        { deadline: Date.now() + (options.handshakeTimeoutMs ?? 35_000) },
        (error, response) =>
          resolve(error || !response ? { error: error ?? undefined } : { response: { ...response, host } }),
      ),
    );
    if (answer.response === undefined) {
      const error = answer.error;
      return {
        kind: "status",
        code: error?.code ?? status.UNKNOWN,
        details: error?.details ?? "",
        welcomed: false,
      };
    }
    await saveIdentity(stateDir, answer.response);
    logger.info(
      `registered as agent ${answer.response.agentId} in ${answer.response.orgId}/${answer.response.envId} (kept in ${stateDir})`,
    );
    return answer.response;
  };

  /** How long to wait after `end`, or an Error when the agent must give up. */
  const delayAfter = (end: SessionEnd): number | Error => {
    switch (end.kind) {
      case "rotate":
        return 0;
      case "reconnect":
        logger.info(`the control plane asked to reconnect${end.reason ? ` (${end.reason})` : ""}`);
        return reconnectDelay(random, end.afterMs);
      case "closed":
        return 0;
      case "dead":
        logger.warn(
          end.welcomed
            ? "no traffic from the control plane: reconnecting"
            : "no Welcome from the control plane",
        );
        return backoff.next();
      case "status":
        if (!end.welcomed && end.code === status.NOT_FOUND) {
          logger.warn(`${tidy(end.details)}: registering as a new agent`);
          identity = undefined;
          void forgetIdentity(stateDir);
          return backoff.next();
        }
        if (!end.welcomed && end.code === status.ALREADY_EXISTS) {
          logger.error(tidy(end.details));
          return backoff.next();
        }
        if (!end.welcomed && end.code === status.PERMISSION_DENIED) {
          return new Error(
            `the control plane refused this agent's identity: ${tidy(end.details)}. Delete ${stateDir}/identity.json to register it as a new agent`,
          );
        }
        if (end.code === status.UNAUTHENTICATED) {
          const delay = refusedDelay(random, options.refusedRetryMs);
          logger.error(
            `the control plane refused the agent token (${end.details}); retrying in ${Math.round(delay / 1000)} s`,
          );
          return delay;
        }
        if (end.code === status.FAILED_PRECONDITION) {
          return new Error(
            `the control plane refused this agent: ${end.details} (agent protocol version ${PROTOCOL_VERSION})`,
          );
        }
        logger.warn(
          `stream ended: ${status[end.code] ?? end.code}${end.details ? `: ${tidy(end.details)}` : ""}`,
        );
        return backoff.next();
    }
  };

  const loop = async (): Promise<{ error?: Error }> => {
    while (!closing) {
      const client = new AgentGatewayClient(target.address, target.credentials, {
        "grpc.keepalive_time_ms": 30_000,
        "grpc.keepalive_timeout_ms": 10_000,
        ...proxy.options,
      });
      let issued = identity;
      if (issued === undefined) {
        const registered = await register(client);
        if ("kind" in registered) {
          client.close();
          const delay = delayAfter(registered);
          if (delay instanceof Error) {
            logger.error(delay.message);
            closing = true;
            return { error: delay };
          }
          await sleep(clock, delay, stopSignal.signal);
          continue;
        }
        identity = issued = registered;
      }
      let runtime = selected;
      if (runtime === undefined) {
        try {
          runtime = await prepareRuntime(issued.agentId);
        } catch (error) {
          client.close();
          closing = true;
          logger.error((error as Error).message);
          return { error: error as Error };
        }
      }
      const current = openSession({
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
      });
      session = current;
      const end = await Promise.race([current.ended, stopSignalPromise(closing ? undefined : current)]);
      session = undefined;
      if (closing) {
        await current.closed;
        client.close();
        break;
      }
      // Leave the client to finish draining the old call; close it shortly after.
      clock.after(3000, () => client.close());
      const delay = delayAfter(end);
      if (delay instanceof Error) {
        logger.error(delay.message);
        closing = true;
        return { error: delay };
      }
      if (delay > 0) await sleep(clock, delay, stopSignal.signal);
    }
    return {};
  };

  /** Resolves when stop() decides to close the current session (after Goodbye). */
  let closeCurrent: (() => Promise<void>) | undefined;
  const stopSignalPromise = (current: Session | undefined) =>
    new Promise<SessionEnd>((resolve) => {
      closeCurrent = async () => {
        current?.close();
        resolve({ kind: "closed" });
        await current?.closed;
      };
    });

  const stopped = loop();
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
      closing = true;
      stopSignal.abort();
      await closeCurrent?.();
      await stopped;
    })();
    return stopping;
  };

  return {
    get agentId() {
      return identity?.agentId ?? "";
    },
    state: () => session?.state ?? (closing ? "closed" : "connecting"),
    running: () => registry.running(),
    stop,
    stopped,
  };
};

/** grpc-js details carry resolver notes ("Last error: null. Resolution note: "): keep the gist. */
const tidy = (details: string): string =>
  details
    .replace(/\s*Resolution note:.*$/s, "")
    .replace(/\s*Last error: null\.?/, "")
    .trim();

/** A proxy URL without its password, for the log. */
const redactProxy = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");

const stamp = () => new Date().toISOString();
/** Default logger: one line per event on stderr. */
export const consoleLogger: AgentLogger = {
  info: (message) => console.error(`${stamp()} ${message}`),
  warn: (message) => console.error(`${stamp()} warning: ${message}`),
  error: (message) => console.error(`${stamp()} error: ${message}`),
};
