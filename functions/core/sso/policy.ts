/**
 * The rules SSO settings impose, kept apart from the flows that apply them: which domain an
 * address is in, which role a provider's groups map to, whether an email is verified, and
 * which organizations refuse a user's password ("SSO required", owners excepted).
 */
import type { Membership, Role, SsoGroupRole, SsoRole } from "@assay/shared";
import type { SsoStore, StoredSsoConfig } from "../ports/sso-store.ts";
import type { MemberStore } from "../ports.ts";

const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** The lower-cased domain of an address (`a@Example.com` -> `example.com`). */
export const domainOf = (email: string): string => email.slice(email.lastIndexOf("@") + 1).toLowerCase();

/** The groups an ID token names in `claim` (an array of strings, or one string). */
export function groupsOf(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === "string").slice(0, 500) : [];
}

/** The highest role any of the groups maps to, else the default role. */
export function roleFor(
  groups: readonly string[],
  mapping: readonly SsoGroupRole[],
  defaultRole: SsoRole,
): SsoRole {
  const mapped = mapping.filter((m) => groups.includes(m.group)).map((m) => m.role);
  return (
    mapped.reduce<SsoRole | undefined>(
      (best, r) => (best === undefined || RANK[r] > RANK[best] ? r : best),
      undefined,
    ) ?? defaultRole
  );
}

/**
 * Whether the provider vouches for the address: `email_verified` true (OpenID Connect's standard
 * claim), or Entra ID's `xms_edov` (the email domain's owner is verified).
 */
export const emailVerified = (claims: Record<string, unknown>): boolean =>
  claims.email_verified === true || claims.email_verified === "true" || claims.xms_edov === true;

export const isEnforced = (config: StoredSsoConfig | undefined): boolean =>
  config?.enabled === true && config.required;

export function createSsoPolicy(deps: { store: SsoStore; members: MemberStore }) {
  const { store, members } = deps;
  return {
    /** Whether `orgId` requires SSO of its members. */
    required: async (orgId: string): Promise<boolean> => isEnforced(await store.getConfig(orgId)),

    /**
     * Of a user's memberships, those in organizations requiring SSO: `refused` where the user is
     * not an owner (password sign-in is refused), `breakGlass` where they are.
     */
    async passwordCheck(userId: string): Promise<{ refused: Membership[]; breakGlass: Membership[] }> {
      const refused: Membership[] = [];
      const breakGlass: Membership[] = [];
      for (const m of await members.listByUser(userId)) {
        if (!isEnforced(await store.getConfig(m.orgId))) continue;
        (m.role === "owner" ? breakGlass : refused).push(m);
      }
      return { refused, breakGlass };
    },
  };
}

export type SsoPolicy = ReturnType<typeof createSsoPolicy>;
