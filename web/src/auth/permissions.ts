/**
 * The caller's role in an organization, from `GET /v1/me` (each organization it lists carries
 * the caller's role there), and what that role allows: the same table core enforces. Pages
 * show a control only when `useCan(org)(action)` is true, so a viewer never meets a button that
 * can only answer 403. While the identity loads nothing is allowed (controls appear, never
 * vanish).
 */
import { type Action, canGrant, type Role, roleAllows } from "@assay/shared";
import { useMe } from "./session.ts";

/** The caller's role in `org`, or undefined while unknown. */
export function useRole(org: string): Role | undefined {
  const me = useMe();
  return me.data?.orgs.find((o) => o.id === org)?.role;
}

/** A predicate: may the caller do `action` in `org`? */
export function useCan(org: string): (action: Action) => boolean {
  const role = useRole(org);
  return (action) => role !== undefined && roleAllows(role, action);
}

/** The roles the caller may hand out in `org` (to a member, an invitation or an API token). */
export function useGrantableRoles(org: string): Role[] {
  const role = useRole(org);
  return role === undefined ? [] : ROLES_BY_RANK.filter((granted) => canGrant(role, granted));
}

const ROLES_BY_RANK: Role[] = ["owner", "admin", "member", "viewer"];
