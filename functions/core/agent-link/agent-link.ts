/**
 * The agent protocol's rules, for one connected agent (a "link"): what a (re)connect settles,
 * which work it is given and which aborts it is told, whether its log chunks, step updates and
 * results may change an execution, and when leases are renewed. Inputs and outputs are domain
 * values; the ingress (functions/ingress) only carries them over the stream.
 *
 * Leases are renewed by heartbeats, by reconnect settlement and by log traffic (at most every
 * `leaseRenewMs` per execution), so an agent that keeps streaming is never reaped. A renewal
 * that finds the execution ended lets it go: its next log chunks are refused (the log is closed). A run the
 * agent refused is not offered back to it for `refusalCooldownMs`. Which queued runs it claims
 * follows their target (its labels) and their runtime need (its runtime: runtime-placement.ts).
 */
import { AppError, type Execution, type StepState } from "@assay/shared";
import { matchesTarget, type RuntimeCapabilities, runtimeFromCapabilities } from "@assay/shared/workflow";
import type { ContainerAgentsOnline } from "../agent-runtimes.ts";
import type { AgentWork, FinishInput } from "../agent-work.ts";
import type { LogService } from "../logs.ts";
import type { Clock } from "../ports.ts";
import { placementFor } from "../runtime-placement.ts";
import { type Ownership, ownershipOf, refusalOf } from "./ownership.ts";

export interface AgentRef {
  orgId: string;
  envId: string;
  agentId: string;
}

/** What the agent reports holding at hello. */
export interface ReportedExecution {
  executionId: string;
  finished: boolean;
}

/** A command for the agent, typed by kind. */
export type AgentCommand =
  | { kind: "run"; execution: Execution; committedOffset: number }
  | { kind: "abort"; executionId: string; reason: string }
  | { kind: "pause"; executionId: string; paused: boolean };

/** An execution's committed log offset, with the log limit it is measured against. */
export interface LogOffset {
  executionId: string;
  committedOffset: number;
  limitReached: boolean;
  limitBytes: number;
}

export interface ResultInput {
  executionId: string;
  /** Undefined when the agent sent a status that is not final. */
  status: FinishInput["status"] | undefined;
  message: string;
  logBytes: number;
  logTruncated: boolean;
  /** The agent's step states, merged into the known ones. */
  steps: (known: StepState[]) => StepState[];
}

export interface ResultVerdict {
  accepted: boolean;
  committedOffset: number;
  reason: string;
  /** The result will never be accepted (not this agent's execution): the agent drops it. */
  discard: boolean;
}

export interface AgentLinkConfig {
  /** Log traffic renews an execution's lease at most this often (default 15 s). */
  leaseRenewMs: number;
  /** A refused run is not offered back to the same agent for this long (default 1 s). */
  refusalCooldownMs: number;
}

/**
 * How long a parent counts as waiting for its children after the agent last said so; the
 * agent asks about its children every second or so while it waits.
 */
export const WAITING_TTL_MS = 10_000;

/** What every link of a process shares: the use cases it calls and its settings. */
interface LinkDeps {
  work: AgentWork;
  logs: Pick<LogService, "limitFor" | "committedOffset">;
  clock: Clock;
  containerAgentOnline?: ContainerAgentsOnline;
  leaseRenewMs: number;
  refusalCooldownMs: number;
}

/** What an agent's hello settles for its link. */
interface LinkSettings {
  capacity: number;
  /** The agent's labels (`assay agent --label`), matched against executions' targets. */
  labels: Record<string, string>;
  /** The agent's runtime, from its hello (a run that names images prefers a container one). */
  runtime: RuntimeCapabilities;
  maxLogBytes: number;
}

/**
 * The link of one connected agent. It lives as long as its stream, mostly idle: what only
 * work needs (aborts and pauses told, refusals, renewals, waits) is made when work first needs
 * it, and the hello's report is not kept.
 */
export class AgentLink {
  readonly agent: AgentRef;
  readonly #deps: LinkDeps;
  readonly #settings: LinkSettings;
  /** Executions this agent holds, as far as this link knows. */
  readonly #held = new Set<string>();
  /** Aborts already told on this link (an agent that reconnects is told again). */
  #abortsSent: Set<string> | undefined;
  /** The pause state last told on this link (an agent that reconnects is told again). */
  #pausesSent: Map<string, boolean> | undefined;
  #refusedAtMs: Map<string, number> | undefined;
  #renewedAtMs: Map<string, number> | undefined;
  /** Held executions waiting for their children (`execute`), until when (epoch ms). */
  #waitingUntil: Map<string, number> | undefined;

  constructor(agent: AgentRef, deps: LinkDeps, settings: LinkSettings) {
    this.agent = agent;
    this.#deps = deps;
    this.#settings = settings;
  }

  get maxLogBytes(): number {
    return this.#settings.maxLogBytes;
  }

  get heldCount(): number {
    return this.#held.size;
  }

  /** Runs the agent may still take. A parent waiting for its children runs nothing: its place is free for a child. */
  freeCapacity(): number {
    return Math.max(0, this.#settings.capacity - this.#held.size + this.#waitingCount());
  }

  holds(id: string): boolean {
    return this.#held.has(id);
  }

  /**
   * The agent says a held execution waits for its children (or no longer does). It asks
   * about them every few seconds while it waits; silence for `WAITING_TTL_MS` ends it.
   */
  waiting(id: string, waiting: boolean) {
    if (waiting && this.#held.has(id)) {
      this.#waitingUntil ??= new Map();
      this.#waitingUntil.set(id, this.#deps.clock.now() + WAITING_TTL_MS);
    } else this.#waitingUntil?.delete(id);
  }

  /** Whether this agent holds the execution (see ownership.ts), with the refusal when not. */
  async ownership(id: string): Promise<{ ownership: Ownership; refusal?: string }> {
    const { ownership: owner, execution } = await this.#ownership(id);
    return owner === "held"
      ? { ownership: owner }
      : { ownership: owner, refusal: refusalOf(owner, id, execution) };
  }

  /** Lines up the agent's view with the store's after a (re)connect (docs/protocol.md, Reconnects). */
  async settle(reported: ReportedExecution[]): Promise<AgentCommand[]> {
    const { work } = this.#deps;
    const { orgId, envId, agentId } = this.agent;
    const held = this.#held;
    const commands: AgentCommand[] = [];
    const byId = new Map(reported.map((r) => [r.executionId, r]));
    for (const execution of await work.active({ orgId, envId }, agentId)) {
      if (byId.has(execution.id)) {
        held.add(execution.id);
      } else if (execution.status === "assigned") {
        held.add(execution.id);
        commands.push({ kind: "run", execution, committedOffset: await this.committed(execution.id) });
      } else {
        await work.markLost(execution, "the agent reconnected without this execution (it restarted)");
      }
    }
    // What the agent still holds lives on: settlement renews its leases.
    await this.#renew(held);
    for (const [id, r] of byId) {
      if (held.has(id)) continue;
      const { execution } = await this.#ownership(id);
      if (!execution || work.isTerminal(execution.status)) {
        // Let the agent flush a held result (a no-op now), but stop anything still running.
        if (!r.finished) commands.push(...this.#abort(id, `execution is ${execution?.status ?? "unknown"}`));
      }
    }
    return commands;
  }

  /** Claims work up to the agent's capacity and forwards abort requests. */
  async reconcile(): Promise<AgentCommand[]> {
    const { work, containerAgentOnline } = this.#deps;
    const { orgId, envId, agentId } = this.agent;
    const { labels, runtime } = this.#settings;
    const commands: AgentCommand[] = [];
    const containersOnline = () => containerAgentOnline?.({ orgId, envId }) ?? Promise.resolve(false);
    const accepts = async (execution: Execution) =>
      matchesTarget(execution.target, labels) &&
      ((await placementFor(execution, runtime, containersOnline)) ?? false);
    for (const execution of await work.claim(
      { orgId, envId },
      agentId,
      this.freeCapacity(),
      this.#coolingDown(),
      accepts,
    )) {
      this.#held.add(execution.id);
      commands.push({ kind: "run", execution, committedOffset: 0 });
    }
    if (this.#held.size > 0) commands.push(...(await this.#forwardAborts()));
    return commands;
  }

  /** Claims one execution a doorbell offered; undefined when it is no longer queued or cooling down. */
  async offer(id: string): Promise<AgentCommand | undefined> {
    if (this.freeCapacity() === 0 || this.#coolingDown().has(id)) return undefined;
    // Offered by id: a run that names no images, which any runtime takes.
    const placement = await placementFor({}, this.#settings.runtime, async () => false);
    const { orgId, envId, agentId } = this.agent;
    const execution = await this.#deps.work.claimOffered({ orgId, envId, id }, agentId, placement);
    if (!execution) return undefined;
    this.#held.add(execution.id);
    return { kind: "run", execution, committedOffset: 0 };
  }

  heartbeat(): Promise<void> {
    return this.#renew(this.#held);
  }

  /** The agent refused a run (at capacity): it goes back to the queue, and not to this agent at once. */
  async refused(id: string) {
    this.#held.delete(id);
    this.#refusedAtMs ??= new Map();
    this.#refusedAtMs.set(id, this.#deps.clock.now());
    await this.#deps.work.release(this.#ref(id), this.agent.agentId);
  }

  started(id: string, startedAtMs: number): Promise<void> {
    return this.#deps.work.started(this.#ref(id), this.agent.agentId, startedAtMs);
  }

  /** The agent paused or resumed `id`; what it now is counts as told. */
  async paused(id: string, paused: boolean, atMs: number) {
    if (!this.#held.has(id)) return;
    this.#pausesSent ??= new Map();
    this.#pausesSent.set(id, paused);
    await this.#deps.work.paused(this.#ref(id), this.agent.agentId, paused, atMs);
  }

  async stepUpdate(
    id: string,
    stepRef: string,
    toStep: (known: StepState | undefined) => StepState | undefined,
  ) {
    const { ownership: owner, execution } = await this.#ownership(id);
    if (owner !== "held" || !execution) return;
    const step = toStep(execution.steps.find((s) => s.ref === stepRef));
    if (step) await this.#deps.work.stepUpdate(this.#ref(id), step);
  }

  /**
   * Whether a run of log chunks may be stored: "store", or "closed" for an execution that
   * finished (its log is closed at the committed offset). Another agent's execution is a
   * `permission_denied`. Log traffic of a held execution renews its lease.
   */
  async admitLog(id: string): Promise<"store" | "closed"> {
    const last = this.#renewedAtMs?.get(id);
    const now = this.#deps.clock.now();
    if (this.#held.has(id) && (last === undefined || now - last >= this.#deps.leaseRenewMs))
      await this.#renew([id]);
    if (this.#held.has(id)) return "store";
    // Not (or no longer) held here: the store says whose it is.
    const { ownership: owner } = await this.#ownership(id);
    if (owner === "foreign") throw new AppError("permission_denied", refusalOf(owner, id));
    return owner === "ended" ? "closed" : "store";
  }

  /** A log offset as acknowledged to the agent; a closed log reads as a reached limit at its end. */
  logOffset(id: string, committedOffset: number, closed = false): LogOffset {
    if (closed) return { executionId: id, committedOffset, limitReached: true, limitBytes: committedOffset };
    const limitBytes = this.#settings.maxLogBytes;
    return { executionId: id, committedOffset, limitReached: committedOffset >= limitBytes, limitBytes };
  }

  committed(id: string): Promise<number> {
    return this.#deps.logs.committedOffset(this.#ref(id));
  }

  /** Records a result once the log is complete; refuses one for an execution this agent does not hold. */
  async result(input: ResultInput): Promise<ResultVerdict> {
    const { executionId } = input;
    const { maxLogBytes } = this.#settings;
    const committedOffset = await this.committed(executionId);
    const verdict = (accepted: boolean, reason = "", discard = false) => ({
      accepted,
      committedOffset,
      reason,
      discard,
    });
    const { ownership: owner, execution } = await this.#ownership(executionId);
    // A result for an execution that ended (a resend whose ack was lost, or one marked lost) is a no-op.
    if (owner === "ended") {
      this.#held.delete(executionId);
      return verdict(true);
    }
    if (owner === "foreign") return verdict(false, refusalOf(owner, executionId), true);
    // A truncated log is complete once storage holds everything up to the limit.
    const complete = input.logTruncated && committedOffset >= maxLogBytes;
    if (committedOffset < input.logBytes && !complete)
      return verdict(false, "log bytes missing: resend from committed_offset");
    if (!input.status) throw new AppError("invalid_argument", "result.status is not a final status");
    await this.#deps.work.finish(this.#ref(executionId), this.agent.agentId, {
      status: input.status,
      message: input.message,
      logBytes: committedOffset,
      steps: input.steps(execution?.steps ?? []),
      truncated: input.logTruncated || committedOffset >= maxLogBytes,
    });
    this.#held.delete(executionId);
    return verdict(true);
  }

  /** Re-reads the organization's log limit (its plan may have changed). */
  async refreshLimit() {
    this.#settings.maxLogBytes = await this.#deps.logs.limitFor(this.agent.orgId);
  }

  #ref(id: string) {
    return { orgId: this.agent.orgId, envId: this.agent.envId, id };
  }

  async #ownership(id: string): Promise<{ ownership: Ownership; execution?: Execution }> {
    const execution = await this.#deps.work.get(this.#ref(id));
    return { ownership: ownershipOf(execution, this.agent.agentId), execution };
  }

  #abort(executionId: string, reason: string): AgentCommand[] {
    if (this.#abortsSent?.has(executionId)) return [];
    this.#abortsSent ??= new Set();
    this.#abortsSent.add(executionId);
    return [{ kind: "abort", executionId, reason }];
  }

  /** Renews leases; an execution whose renewal found it no longer this agent's is let go. */
  async #renew(ids: Iterable<string>) {
    const list = [...ids];
    if (list.length === 0) return;
    const { orgId, envId, agentId } = this.agent;
    this.#renewedAtMs ??= new Map();
    for (const id of list) this.#renewedAtMs.set(id, this.#deps.clock.now());
    for (const id of await this.#deps.work.renewLeases({ orgId, envId }, agentId, list)) {
      this.#held.delete(id);
      this.#renewedAtMs.delete(id);
    }
  }

  #waitingCount(): number {
    if (!this.#waitingUntil) return 0;
    const now = this.#deps.clock.now();
    let n = 0;
    for (const [id, until] of this.#waitingUntil) {
      if (until > now && this.#held.has(id)) n++;
      else this.#waitingUntil.delete(id);
    }
    return n;
  }

  #coolingDown(): Set<string> {
    const refusedAtMs = this.#refusedAtMs;
    if (!refusedAtMs) return new Set<string>();
    const now = this.#deps.clock.now();
    for (const [id, at] of refusedAtMs) if (now - at >= this.#deps.refusalCooldownMs) refusedAtMs.delete(id);
    return new Set(refusedAtMs.keys());
  }

  /** Aborts asked for executions this agent holds; forgets executions that ended meanwhile. */
  async #forwardAborts(): Promise<AgentCommand[]> {
    const { work } = this.#deps;
    const { orgId, envId, agentId } = this.agent;
    const commands: AgentCommand[] = [];
    const active = await work.active({ orgId, envId }, agentId);
    const stillActive = new Set(active.map((e) => e.id));
    for (const execution of active) {
      if (execution.abortRequestedAt)
        commands.push(...this.#abort(execution.id, execution.message ?? "aborted by a user"));
      else if (
        execution.pauseRequested !== undefined &&
        this.#pausesSent?.get(execution.id) !== execution.pauseRequested
      ) {
        this.#pausesSent ??= new Map();
        this.#pausesSent.set(execution.id, execution.pauseRequested);
        commands.push({ kind: "pause", executionId: execution.id, paused: execution.pauseRequested });
      }
    }
    for (const id of this.#held) {
      if (stillActive.has(id)) continue;
      const execution = await work.get(this.#ref(id));
      if (!execution || work.isTerminal(execution.status)) {
        this.#held.delete(id);
        this.#pausesSent?.delete(id);
        if (execution?.status !== "passed" && execution?.status !== "failed") {
          commands.push(...this.#abort(id, `execution is ${execution?.status ?? "deleted"}`));
        }
      }
    }
    return commands;
  }
}

export function createAgentLinks(deps: {
  work: AgentWork;
  logs: Pick<LogService, "limitFor" | "committedOffset">;
  clock: Clock;
  config?: Partial<AgentLinkConfig>;
  /** Whether a container-runtime agent is online (runtime-placement.ts); without it, none is. */
  containerAgentOnline?: ContainerAgentsOnline;
}) {
  const shared: LinkDeps = {
    work: deps.work,
    logs: deps.logs,
    clock: deps.clock,
    containerAgentOnline: deps.containerAgentOnline,
    leaseRenewMs: deps.config?.leaseRenewMs ?? 15_000,
    refusalCooldownMs: deps.config?.refusalCooldownMs ?? 1_000,
  };

  /**
   * Opens the link of an agent that said hello; resolves with the welcome's offsets and the
   * commands to send.
   */
  async function open(
    agent: AgentRef,
    reported: ReportedExecution[],
    maxConcurrency: number,
    /** The agent's labels (`assay agent --label`), matched against executions' targets. */
    labels: Record<string, string> = {},
    /** The agent's runtime, from its hello (a run that names images prefers a container one). */
    runtime: RuntimeCapabilities = runtimeFromCapabilities([]),
  ) {
    const maxLogBytes = await deps.logs.limitFor(agent.orgId);
    const link = new AgentLink(agent, shared, {
      capacity: Math.max(1, maxConcurrency),
      labels,
      runtime,
      maxLogBytes,
    });
    const welcome = await Promise.all(
      reported.map(async (r) => link.logOffset(r.executionId, await link.committed(r.executionId))),
    );
    const commands = await link.settle(reported);
    return { link, commands, welcome };
  }

  return { open };
}

export type AgentLinks = ReturnType<typeof createAgentLinks>;
