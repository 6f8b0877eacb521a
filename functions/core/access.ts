/**
 * Role checks live in core, not only in routes (the table of what each role may do is shared's
 * ACTION_ROLES, which the dashboard reads too). A caller from another organization gets
 * `not_found` (so ids leak nothing); a caller whose role is too low gets `permission_denied`.
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

/** Whoever acts in an organization: an API token or a member. */
export type OrgPrincipal = ApiPrincipal | MemberPrincipal;

export function authorize(
  principal: Pick<OrgPrincipal, "orgId" | "role">,
  orgId: string,
  action: Action,
): void {
  if (principal.orgId !== orgId) throw new AppError("not_found", `organization ${orgId} not found`);
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
