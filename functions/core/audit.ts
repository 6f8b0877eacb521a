/**
 * The audit log of security-relevant actions (logins, member and role changes, token creation
 * and revocation, environment and org deletion). Recording never fails the action it records:
 * the action has already happened, so a failed write is logged as an error instead.
 */
import type { AuditActor, AuditEvent, Page } from "@assay/shared";
import { monotonicFactory } from "ulid";
import { authorize, type OrgPrincipal, type Principal } from "./access.ts";
import type { AuditStore, Clock, Logger } from "./ports.ts";
import type { Actor, RequestMeta } from "./principals.ts";

export interface AuditInput {
  orgId: string;
  action: string;
  actor: AuditActor;
  target?: { kind: string; id: string };
  details?: Record<string, string>;
  meta?: RequestMeta;
}

/** The audit actor of a principal or actor. */
export function auditActor(who: Actor | Principal): AuditActor {
  switch (who.kind) {
    case "user":
      return { kind: "user", id: who.userId, label: who.email };
    case "api":
      return { kind: "api", id: who.tokenId, label: "" };
    case "agent":
      return { kind: "system", id: `agent:${who.agentId}`, label: who.envId };
    case "schedule":
      return { kind: "system", id: "schedule", label: `${who.envId}/${who.workflowName}` };
    case "internal":
      return { kind: "system", id: "internal", label: who.reason };
  }
}

export function createAuditLog(deps: { audit: AuditStore; clock: Clock; logger: Logger }) {
  const nextId = monotonicFactory();
  return {
    async record(input: AuditInput): Promise<void> {
      const now = deps.clock.now();
      const event: AuditEvent = {
        id: nextId(now),
        orgId: input.orgId,
        at: new Date(now).toISOString(),
        action: input.action,
        actor: input.actor,
        target: input.target,
        ip: input.meta?.ip,
        details: input.details ?? {},
      };
      await deps.audit.append(event).catch((error: unknown) => {
        deps.logger.error(
          {
            action: input.action,
            orgId: input.orgId,
            err: error instanceof Error ? error.message : String(error),
          },
          "audit write failed",
        );
      });
    },

    async list(principal: OrgPrincipal, page: { limit: number; cursor?: string }): Promise<Page<AuditEvent>> {
      authorize(principal, "read-audit");
      return deps.audit.list(principal.orgId, page);
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
