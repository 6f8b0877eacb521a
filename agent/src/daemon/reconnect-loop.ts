/**
 * The daemon's reconcile loop, whose goal is "there should be a live stream": it makes a
 * client, registers when the agent has no identity yet, prepares the runtime once, opens a
 * session and, when that ends, waits as the end policy says (end-policy.ts) before the next
 * one, or gives up with its error. `close()` ends the loop: the current session is closed
 * (after the caller said Goodbye) and any wait is cut short.
 */
import type { AgentGatewayClient } from "@assay/shared/proto";
import type { SelectedRuntime } from "../runner/runtimes/select.ts";
import { type Clock, sleep } from "./clock.ts";
import type { AgentIdentity } from "./identity.ts";
import type { Session, SessionEnd } from "./link.ts";
import type { AgentLogger } from "./options.ts";

export interface ReconnectLoopOptions {
  clock: Clock;
  logger: AgentLogger;
  /** A new client for the control plane (one per attempt). */
  connect(): AgentGatewayClient;
  /** The identity in use, undefined until registered. */
  identity(): AgentIdentity | undefined;
  /** Registers (and keeps the identity); a SessionEnd when refused. */
  register(client: AgentGatewayClient): Promise<AgentIdentity | SessionEnd>;
  /** The runtime when it was prepared already. */
  runtime(): SelectedRuntime | undefined;
  /** Prepares the runtime for `agentId`; rejects when it cannot be used (the agent stops). */
  prepareRuntime(agentId: string): Promise<SelectedRuntime>;
  /** Opens a session on `client` as `issued` with `runtime`. */
  open(client: AgentGatewayClient, issued: AgentIdentity, runtime: SelectedRuntime): Session;
  /** Told of the live session, and of undefined once it ended. */
  onSession(session: Session | undefined): void;
  /** How long to wait after an end, or the Error to give up with. */
  afterEnd(end: SessionEnd): number | Error;
}

export interface ReconnectLoop {
  /** Resolves when the loop ended, with the error it gave up with, if any. */
  readonly stopped: Promise<{ error?: Error }>;
  /** True once the loop is ending (closed, or given up). */
  closing(): boolean;
  /** Ends the loop: closes the current session, cuts any wait short, resolves once it ended. */
  close(): Promise<void>;
}

export const startReconnectLoop = (options: ReconnectLoopOptions): ReconnectLoop => {
  const { clock, logger } = options;
  const stopSignal = new AbortController();
  let closing = false;

  /** Resolves when close() decides to close the current session. */
  let closeCurrent: (() => Promise<void>) | undefined;
  const stopSignalPromise = (current: Session | undefined) =>
    new Promise<SessionEnd>((resolve) => {
      closeCurrent = async () => {
        current?.close();
        resolve({ kind: "closed" });
        await current?.closed;
      };
    });

  const loop = async (): Promise<{ error?: Error }> => {
    while (!closing) {
      const client = options.connect();
      let issued = options.identity();
      if (issued === undefined) {
        const registered = await options.register(client);
        if ("kind" in registered) {
          client.close();
          const delay = options.afterEnd(registered);
          if (delay instanceof Error) {
            logger.error(delay.message);
            closing = true;
            return { error: delay };
          }
          await sleep(clock, delay, stopSignal.signal);
          continue;
        }
        issued = registered;
      }
      let runtime = options.runtime();
      if (runtime === undefined) {
        try {
          runtime = await options.prepareRuntime(issued.agentId);
        } catch (error) {
          client.close();
          closing = true;
          logger.error((error as Error).message);
          return { error: error as Error };
        }
      }
      const current = options.open(client, issued, runtime);
      options.onSession(current);
      const end = await Promise.race([current.ended, stopSignalPromise(closing ? undefined : current)]);
      options.onSession(undefined);
      if (closing) {
        await current.closed;
        client.close();
        break;
      }
      // Leave the client to finish draining the old call; close it shortly after.
      clock.after(3000, () => client.close());
      const delay = options.afterEnd(end);
      if (delay instanceof Error) {
        logger.error(delay.message);
        closing = true;
        return { error: delay };
      }
      if (delay > 0) await sleep(clock, delay, stopSignal.signal);
    }
    return {};
  };

  const stopped = loop();
  return {
    stopped,
    closing: () => closing,
    close: async () => {
      closing = true;
      stopSignal.abort();
      await closeCurrent?.();
      await stopped;
    },
  };
};
