/**
 * What each role may do in an organization. Core enforces it on every call (functions/core
 * access.ts); the dashboard reads the same table to show only the controls a caller may use.
 *
 * Roles: viewer reads; member also runs and edits workflows; admin also manages environments,
 * tokens, credentials, webhooks and members (up to admin); owner also manages owners, the plan
 * and deletion.
 */
import type { Role } from "./tenancy.ts";

/** Roles from least to most powerful. */
export const ROLE_RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** What each action needs. */
export const ACTION_ROLES = {
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
} as const satisfies Record<string, Role>;

/** Something a caller may or may not do in an organization. */
export type Action = keyof typeof ACTION_ROLES;

/** Whether `role` may perform `action`. */
export const roleAllows = (role: Role, action: Action): boolean =>
  ROLE_RANK[role] >= ROLE_RANK[ACTION_ROLES[action]];

/** Whether `role` may hand out `granted` (to a member, an invitation or an API token). */
export const canGrant = (role: Role, granted: Role): boolean =>
  role === "owner" || (ROLE_RANK[role] >= ROLE_RANK.admin && ROLE_RANK[granted] <= ROLE_RANK[role]);
