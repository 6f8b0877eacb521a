/**
 * Who may do what, decided here for every use case (routes only pass the principal on). The
 * table of what each role may do is shared's ACTION_ROLES, which the dashboard reads too.
 *
 * A principal is whoever a use case acts for: a member (session), an API token, an agent (the
 * children of the execution it runs), a schedule (a cron tick) or the control plane itself
 * (`internal`: bootstrap, cleanup). Members and API tokens go by their role; the others by
 * SYSTEM_ACTIONS, and agents and schedules only in their own environment. A caller from another
 * organization (or environment) gets `not_found`, so ids leak nothing; a caller whose role is
 * too low gets `permission_denied`.
 */
import { type Action, AppError, canGrant, type Role, roleAllows } from "@assay/shared";
import type { ApiPrincipal } from "./tokens.ts";

export type { Action };
export { canGrant };

/** A signed-in user acting in one organization, with their role there. */
export interface MemberPrincipal {
  kind: "user";
  userId: string;
  email: string;
  orgId: string;
  role: Role;
}

/** Whoever acts in an organization with a role: an API token or a member. */
export type OrgPrincipal = ApiPrincipal | MemberPrincipal;

/** A connected agent acting for the execution it runs (an `execute` step's children). */
export interface EnvAgentPrincipal {
  kind: "agent";
  orgId: string;
  envId: string;
  agentId: string;
}

/** A cron job of a workflow starting its run. */
export interface SchedulePrincipal {
  kind: "schedule";
  orgId: string;
  envId: string;
  workflowName: string;
}

/** The control plane acting on its own (the local bootstrap, cleanup, tests' setup). */
export interface InternalPrincipal {
  kind: "internal";
  orgId: string;
  /** What it is doing, for the audit log. */
  reason: string;
}

/** Whoever a core use case acts for. */
export type Principal = OrgPrincipal | EnvAgentPrincipal | SchedulePrincipal | InternalPrincipal;

/**
 * Input a use case reads only once the caller is allowed, so a caller below the role learns
 * `permission_denied` whatever it sent (a route parsing first would answer 400 instead).
 */
export type Deferred<T> = () => T | Promise<T>;

/** What principals without a role may do. */
const SYSTEM_ACTIONS: Record<"agent" | "schedule", readonly Action[]> = {
  agent: ["read", "run"],
  schedule: ["read", "run"],
};

/** The control plane acting on its own in `orgId`. */
export const internalPrincipal = (orgId: string, reason: string): InternalPrincipal => ({
  kind: "internal",
  orgId,
  reason,
});

/**
 * Where an action happens: an organization, or one of its environments. Any `EnvRef` or
 * `ExecutionRef` is one, so a use case passes the address it was given.
 */
export interface AccessScope {
  orgId: string;
  envId?: string;
}

/**
 * Throws unless `principal` may perform `action` in `scope` (by default the principal's own
 * organization): the one place a use case's permission is decided.
 */
export function authorize(
  principal: Principal,
  action: Action,
  { orgId, envId }: AccessScope = { orgId: principal.orgId },
): void {
  const bound = principal.kind === "agent" || principal.kind === "schedule";
  if (principal.orgId !== orgId) throw new AppError("not_found", `organization ${orgId} not found`);
  if (bound && envId !== undefined && principal.envId !== envId) {
    throw new AppError("not_found", `environment ${envId} not found`);
  }
  if (principal.kind === "internal") return;
  if (bound) {
    if (SYSTEM_ACTIONS[principal.kind].includes(action)) return;
    throw new AppError("permission_denied", `an ${principal.kind} cannot ${action.replaceAll("-", " ")}`);
  }
  if (!roleAllows(principal.role, action)) {
    throw new AppError(
      "permission_denied",
      `the ${principal.role} role cannot ${action.replaceAll("-", " ")}`,
    );
  }
}

/** Throws `permission_denied` unless the principal may hand out that role. */
export function authorizeGrant(principal: Pick<OrgPrincipal, "role">, granted: Role): void {
  if (!canGrant(principal.role, granted)) {
    throw new AppError("permission_denied", `the ${principal.role} role cannot grant the ${granted} role`);
  }
}
