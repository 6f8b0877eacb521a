/**
 * Bus over core NATS (@nats-io/transport-node). At most once, no persistence: every consumer
 * has a storage-backed fallback, so a message lost while NATS is away costs latency only.
 *
 * - Connecting fails fast when no server answers at start (a wrong URL should be loud); once
 *   connected the client reconnects forever, buffering publishes meanwhile.
 * - `subscribe` resolves after a flush, i.e. once the server has registered the interest, so a
 *   publish made after it returns is delivered; while the server is away it resolves after at
 *   most `subscribeFlushMs` (the client re-sends the interest when it reconnects), so a caller
 *   never hangs on NATS.
 * - `createBackgroundNatsBus` starts without waiting for a server (serverless cold starts must
 *   not depend on NATS): publishes before the first connection are dropped, subscriptions are
 *   attached once it exists.
 * - `publish` does not wait for the server (no round trip per message); ordering from one bus to
 *   one subscriber is preserved by NATS.
 * - `close` drains: pending deliveries are handled and buffered publishes flushed first.
 */
import { AppError } from "@assay/shared";
import type { NatsConnection, NodeConnectionOptions } from "@nats-io/transport-node";
import type { Bus, Clock, Logger } from "../../core/ports.ts";
import { parsePublishSubject, parseSubscribePattern } from "../shared/bus-subjects.ts";

export interface NatsBusOptions {
  /** One or more `nats://host:port` URLs. */
  servers: string | string[];
  /** Connection name shown by the server (monitoring). */
  name?: string;
  logger?: Logger;
  /** Times the bound on `subscribe` (the client's own reconnect timers are its own). */
  clock: Clock;
  /** Extra client options (credentials, TLS); they override the defaults above. */
  connectOptions?: Partial<NodeConnectionOptions>;
  /** Longest `subscribe` waits for the server to confirm the interest, in ms (default 2000). */
  subscribeFlushMs?: number;
}

const watchStatus = async (nc: NatsConnection, logger: Logger | undefined): Promise<void> => {
  if (logger === undefined) return;
  for await (const status of nc.status()) {
    if (status.type === "disconnect" || status.type === "reconnecting") {
      logger.warn({ nats: status.type }, "nats connection lost; reconnecting");
    } else if (status.type === "reconnect") {
      logger.info({ nats: status.type }, "nats reconnected");
    } else if (status.type === "error" || status.type === "slowConsumer") {
      logger.warn({ nats: status.type }, "nats reported a problem");
    }
  }
};

const unavailable = (error: unknown): AppError =>
  new AppError("unavailable", "the message bus is unavailable", { cause: error });

/** Connects to NATS and returns a Bus over that one connection. */
export const createNatsBus = async (options: NatsBusOptions): Promise<Bus> => {
  const { logger } = options;
  // The client is loaded on the first connection: a process configured without NATS (or still
  // starting) never parses or evaluates it. The package is CommonJS: its `module.exports` is the
  // default export both in Node and in the bundle (where it is the only one).
  const { connect } = (await import("@nats-io/transport-node")).default;
  const nc = await connect({
    servers: options.servers,
    name: options.name ?? "assay",
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    ...options.connectOptions,
  });
  void watchStatus(nc, logger).catch(() => {});

  return {
    async publish(subject, data) {
      parsePublishSubject(subject);
      try {
        nc.publish(subject, data);
      } catch (error) {
        throw unavailable(error);
      }
    },

    async subscribe(pattern, handler) {
      parseSubscribePattern(pattern);
      let subscription: ReturnType<NatsConnection["subscribe"]>;
      try {
        subscription = nc.subscribe(pattern, {
          callback: (error, msg) => {
            if (error !== null) {
              logger?.warn({ subject: pattern, err: String(error) }, "nats subscription error");
              return;
            }
            try {
              handler({ subject: msg.subject, data: msg.data });
            } catch (handlerError) {
              logger?.error({ subject: msg.subject, err: String(handlerError) }, "bus handler threw");
            }
          },
        });
        // Bounded: while disconnected a flush waits for the reconnect, and callers (a live log
        // follow, a doorbell subscription) must not hang on NATS.
        let cancel = () => {};
        await Promise.race([
          nc.flush(),
          new Promise<void>((resolve) => {
            cancel = options.clock.after(options.subscribeFlushMs ?? 2_000, resolve);
          }),
        ]).finally(() => cancel());
      } catch (error) {
        throw unavailable(error);
      }
      return () => {
        if (!subscription.isClosed()) subscription.unsubscribe();
      };
    },

    async close() {
      if (nc.isClosed()) return;
      try {
        await nc.drain();
      } catch {
        // Already closing or closed: either way it is gone.
        await nc.close().catch(() => {});
      }
    },
  };
};

/**
 * A Bus that connects in the background and keeps trying until a server answers. Until then
 * publishes are dropped (consumers fall back to storage sweeps) and subscriptions wait to be
 * attached, so a process starts whether or not NATS is up.
 */
export const createBackgroundNatsBus = (options: NatsBusOptions): Bus => {
  let bus: Bus | undefined;
  let closed = false;
  const ready = createNatsBus({
    ...options,
    connectOptions: { waitOnFirstConnect: true, ...options.connectOptions },
  }).then((connected) => {
    if (closed) void connected.close();
    else bus = connected;
    return connected;
  });
  ready.catch((error: unknown) => options.logger?.error({ err: String(error) }, "nats connection failed"));

  return {
    async publish(subject, data) {
      parsePublishSubject(subject);
      if (bus) await bus.publish(subject, data);
    },
    async subscribe(pattern, handler) {
      parseSubscribePattern(pattern);
      if (bus) return bus.subscribe(pattern, handler);
      let off: (() => void) | undefined;
      let cancelled = false;
      void ready
        .then((connected) => connected.subscribe(pattern, handler))
        .then((unsubscribe) => {
          if (cancelled) unsubscribe();
          else off = unsubscribe;
        })
        .catch(() => {});
      return () => {
        cancelled = true;
        off?.();
      };
    },
    async close() {
      closed = true;
      await bus?.close();
    },
  };
};
