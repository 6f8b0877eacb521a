/**
 * What the agent does after a session ended, by how it ended: how long to wait before the next
 * one, or the error it gives up with.
 *
 * - UNAUTHENTICATED: the token was refused; say so and retry no more than once a minute.
 * - FAILED_PRECONDITION: the control plane does not speak our protocol version; give up with
 *   the versions and the install command its `Refusal` names (upgrade.ts).
 * - RESOURCE_EXHAUSTED with a `Refusal`: too many registrations; wait its retry-after plus
 *   jitter (never less than the backoff), then try again.
 * - NOT_FOUND before the Welcome: the identity is not known in this environment; register anew.
 * - ALREADY_EXISTS before the Welcome: another process holds this identity (a copied state
 *   directory); say how to fix it and keep retrying with backoff (it clears when that one stops).
 * - PERMISSION_DENIED before the Welcome: the identity's secret was refused; give up.
 * - Reconnect from the server: its after_ms plus jitter. Rotation: at once.
 * - Anything else (UNAVAILABLE while draining, network errors, a dead stream): full-jitter
 *   backoff, reset by every Welcome.
 */
import { PROTOCOL_VERSION, Refusal_Reason } from "@assay/shared/proto";
import { status } from "@grpc/grpc-js";
import { type Backoff, reconnectDelay, refusedDelay, retryAfterDelay } from "./backoff.ts";
import type { Random } from "./clock.ts";
import type { SessionEnd } from "./link.ts";
import type { AgentLogger } from "./options.ts";
import { upgradeMessage } from "./upgrade.ts";

export interface EndPolicyOptions {
  logger: AgentLogger;
  random: Random;
  backoff: Backoff;
  /** Where the identity is kept (named in the message when it is refused). */
  stateDir: string;
  /** Minimum wait after the token was refused (refusedDelay's default when undefined). */
  refusedRetryMs: number | undefined;
  agentVersion: string;
  /** The identity is unknown here: drop it, so the next attempt registers anew. */
  forgetIdentity(): void;
}

/** grpc-js details carry resolver notes ("Last error: null. Resolution note: "): keep the gist. */
const tidy = (details: string): string =>
  details
    .replace(/\s*Resolution note:.*$/s, "")
    .replace(/\s*Last error: null\.?/, "")
    .trim();

/** How long to wait after `end`, or an Error when the agent must give up. */
export const createEndPolicy = (options: EndPolicyOptions): ((end: SessionEnd) => number | Error) => {
  const { logger, random, backoff, stateDir } = options;
  return (end) => {
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
          options.forgetIdentity();
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
            end.refusal?.reason === Refusal_Reason.REASON_PROTOCOL_UNSUPPORTED
              ? upgradeMessage(end.refusal, options.agentVersion)
              : `the control plane refused this agent: ${end.details} (agent protocol version ${PROTOCOL_VERSION})`,
          );
        }
        if (
          end.code === status.RESOURCE_EXHAUSTED &&
          end.refusal?.reason === Refusal_Reason.REASON_RATE_LIMITED
        ) {
          const delay = Math.max(backoff.next(), retryAfterDelay(random, Number(end.refusal.retryAfterMs)));
          logger.warn(`${tidy(end.details)}: retrying in ${Math.round(delay / 1000)} s`);
          return delay;
        }
        logger.warn(
          `stream ended: ${status[end.code] ?? end.code}${end.details ? `: ${tidy(end.details)}` : ""}`,
        );
        return backoff.next();
    }
  };
};
