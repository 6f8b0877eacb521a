/**
 * Role checks live in core, not only in routes. A caller from another organization gets
 * `not_found` (so ids leak nothing); a caller whose role is too low gets `permission_denied`.
 */
import { AppError, type Role } from "@assay/shared";
import type { ApiPrincipal } from "./tokens.ts";

const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** What each action needs. */
export type Action = "read" | "run" | "edit-workflows" | "manage-envs";

const NEEDS: Record<Action, Role> = {
  read: "viewer",
  run: "member",
  "edit-workflows": "member",
  "manage-envs": "admin",
};

export function authorize(principal: ApiPrincipal, orgId: string, action: Action): void {
  if (principal.orgId !== orgId) throw new AppError("not_found", `organization ${orgId} not found`);
  if (RANK[principal.role] < RANK[NEEDS[action]]) {
    throw new AppError("permission_denied", `the ${principal.role} role cannot ${action.replace("-", " ")}`);
  }
}
