/**
 * Role checks live in core, not only in routes. A caller from another organization gets
 * `not_found` (so ids leak nothing); a caller whose role is too low gets `permission_denied`.
 *
 * Roles: viewer reads; member also runs and edits workflows; admin also manages environments,
 * tokens, credentials and members (up to admin); owner also manages owners, the plan and deletion.
 */
import { AppError, type Role } from "@assay/shared";
import type { ApiPrincipal } from "./tokens.ts";

const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** What each action needs. */
export type Action =
  | "read"
  | "run"
  | "edit-workflows"
  | "manage-envs"
  | "manage-tokens"
  | "manage-members"
  | "read-audit"
  | "manage-credentials"
  | "manage-webhooks"
  | "manage-sso"
  | "manage-owners"
  | "manage-plan"
  | "delete-org";

const NEEDS: Record<Action, Role> = {
  read: "viewer",
  run: "member",
  "edit-workflows": "member",
  "manage-envs": "admin",
  "manage-tokens": "admin",
  "manage-members": "admin",
  "read-audit": "admin",
  "manage-credentials": "admin",
  "manage-webhooks": "admin",
  "manage-sso": "admin",
  "manage-owners": "owner",
  "manage-plan": "owner",
  "delete-org": "owner",
};

/** A signed-in user acting in one organization, with their role there. */
export interface MemberPrincipal {
  kind: "user";
  userId: string;
  email: string;
  orgId: string;
  role: Role;
}

/** Whoever acts in an organization: an API token or a member. */
export type OrgPrincipal = ApiPrincipal | MemberPrincipal;

export function authorize(
  principal: Pick<OrgPrincipal, "orgId" | "role">,
  orgId: string,
  action: Action,
): void {
  if (principal.orgId !== orgId) throw new AppError("not_found", `organization ${orgId} not found`);
  if (RANK[principal.role] < RANK[NEEDS[action]]) {
    throw new AppError(
      "permission_denied",
      `the ${principal.role} role cannot ${action.replaceAll("-", " ")}`,
    );
  }
}

/** Whether `role` may hand out `granted` (to a member, an invitation or an API token). */
export const canGrant = (role: Role, granted: Role): boolean =>
  role === "owner" || (RANK[role] >= RANK.admin && RANK[granted] <= RANK[role]);

/** Throws `permission_denied` unless the principal may hand out that role. */
export function authorizeGrant(principal: Pick<OrgPrincipal, "role">, granted: Role): void {
  if (!canGrant(principal.role, granted)) {
    throw new AppError("permission_denied", `the ${principal.role} role cannot grant the ${granted} role`);
  }
}
