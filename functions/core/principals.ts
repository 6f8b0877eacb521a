/**
 * Who is calling, before and after an organization is named. An `Actor` is what authentication
 * yields (a signed-in user, or an API token bound to one org); `resolve` turns it into an
 * `OrgPrincipal` with a role in the org the request names, or `not_found` when the actor has no
 * business there (never `permission_denied`: that would confirm the org exists).
 */
import { AppError } from "@assay/shared";
import type { OrgPrincipal } from "./access.ts";
import type { MemberStore, OrgStore } from "./ports.ts";
import type { ApiPrincipal } from "./tokens.ts";

/** A user signed in with a session cookie. */
export interface UserActor {
  kind: "user";
  userId: string;
  email: string;
  name: string;
  /** The organization whose own SSO this session came from (satisfies its "SSO required"). */
  ssoOrgId?: string;
}

export type Actor = UserActor | ApiPrincipal;

/** What requests carry into audited use-cases. */
export interface RequestMeta {
  ip?: string;
}

export function createPrincipals(deps: {
  orgStore: Pick<OrgStore, "getOrg">;
  members: Pick<MemberStore, "get">;
  /** Whether the organization requires its members to sign in through its SSO. */
  ssoRequired?: (orgId: string) => Promise<boolean>;
}) {
  return {
    async resolve(actor: Actor, orgId: string): Promise<OrgPrincipal> {
      const missing = new AppError("not_found", `organization ${orgId} not found`);
      if (actor.kind === "api") {
        if (actor.orgId !== orgId) throw missing;
        return actor;
      }
      const [org, membership] = await Promise.all([
        deps.orgStore.getOrg(orgId),
        deps.members.get(orgId, actor.userId),
      ]);
      if (!org || org.deletedAt || !membership) throw missing;
      // Owners keep the password as a break-glass path; everyone else needs the org's own SSO.
      if (membership.role !== "owner" && actor.ssoOrgId !== orgId && (await deps.ssoRequired?.(orgId))) {
        throw new AppError(
          "permission_denied",
          `organization ${orgId} requires single sign-on: sign in through its identity provider`,
        );
      }
      return { kind: "user", userId: actor.userId, email: actor.email, orgId, role: membership.role };
    },
  };
}

export type Principals = ReturnType<typeof createPrincipals>;

/** Throws `permission_denied` unless the actor is a signed-in user. */
export function requireUser(actor: Actor, what: string): UserActor {
  if (actor.kind !== "user")
    throw new AppError("permission_denied", `${what} needs a signed-in user, not an API token`);
  return actor;
}
