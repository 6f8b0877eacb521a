/**
 * Organizations: list and create (users), read, rename, change plan, delete. A new account gets
 * its own organization (`createPersonal`). Deleting an org deletes its environments (with their
 * cascade), revokes its API tokens and invitations, removes its members, and keeps a tombstone
 * so the slug is never reused: a later org with the same id cannot inherit stray data.
 */
import { randomBytes } from "node:crypto";
import {
  AppError,
  type Membership,
  type Organization,
  type OrgView,
  type PlanName,
  type Role,
} from "@assay/shared";
import { authorize, type OrgPrincipal } from "./access.ts";
import { type AuditLog, auditActor } from "./audit.ts";
import type { EnvironmentService } from "./environments.ts";
import { DEFAULT_PLAN, limitsOf, PLANS } from "./plans.ts";
import type { Clock, InvitationStore, MemberStore, OrgStore, TokenStore } from "./ports.ts";
import type { Actor, RequestMeta } from "./principals.ts";
import { requireUser } from "./principals.ts";
import type { UserRecord } from "./records.ts";

/** A user may belong to at most this many organizations (a bound on abuse, not a plan limit). */
export const MAX_ORGS_PER_USER = 20;

export const toOrgView = (org: Organization, role: Role): OrgView => ({
  id: org.id,
  name: org.name,
  plan: org.plan,
  createdAt: org.createdAt,
  role,
  limits: limitsOf(org.plan),
});

/** A slug from a name plus a random suffix: readable, and unlikely to collide. */
export const slugFrom = (text: string): string => {
  const base = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return `${base || "org"}-${randomBytes(3).toString("hex")}`;
};

export function createOrgService(deps: {
  orgStore: OrgStore;
  members: Pick<MemberStore, "listByUser" | "purge">;
  tokens: Pick<TokenStore, "listByOrg" | "revoke">;
  invitations: Pick<InvitationStore, "listByOrg" | "revoke">;
  environments: EnvironmentService;
  audit: AuditLog;
  clock: Clock;
}) {
  const { orgStore, members, audit, clock } = deps;
  const iso = () => new Date(clock.now()).toISOString();

  async function load(orgId: string): Promise<Organization> {
    const org = await orgStore.getOrg(orgId);
    if (!org || org.deletedAt) throw new AppError("not_found", `organization ${orgId} not found`);
    return org;
  }

  async function create(
    user: { userId: string; email: string; name: string },
    input: { id?: string; name: string },
    meta: RequestMeta,
  ): Promise<OrgView> {
    const org: Organization = {
      id: input.id ?? slugFrom(input.name),
      name: input.name,
      plan: DEFAULT_PLAN,
      createdAt: iso(),
    };
    const owner: Membership = {
      orgId: org.id,
      userId: user.userId,
      email: user.email,
      name: user.name,
      role: "owner",
      createdAt: org.createdAt,
    };
    await orgStore.createWithOwner(org, owner);
    await audit.record({
      orgId: org.id,
      action: "org.created",
      actor: { kind: "user", id: user.userId, label: user.email },
      meta,
    });
    return toOrgView(org, "owner");
  }

  return {
    async list(actor: Actor): Promise<OrgView[]> {
      if (actor.kind === "api") {
        const org = await orgStore.getOrg(actor.orgId);
        return org && !org.deletedAt ? [toOrgView(org, actor.role)] : [];
      }
      const views: OrgView[] = [];
      for (const m of await members.listByUser(actor.userId)) {
        const org = await orgStore.getOrg(m.orgId);
        if (org && !org.deletedAt) views.push(toOrgView(org, m.role));
      }
      return views.sort((a, b) => a.id.localeCompare(b.id));
    },

    async create(actor: Actor, input: { id?: string; name: string }, meta: RequestMeta): Promise<OrgView> {
      const user = requireUser(actor, "creating an organization");
      if ((await members.listByUser(user.userId)).length >= MAX_ORGS_PER_USER) {
        throw new AppError(
          "resource_exhausted",
          `a user can belong to at most ${MAX_ORGS_PER_USER} organizations`,
        );
      }
      return create(user, input, meta);
    },

    /** The organization of a new account, named after its owner. */
    createPersonal(user: UserRecord, meta: RequestMeta): Promise<OrgView> {
      const handle = user.email.split("@")[0] ?? "org";
      return create(
        { userId: user.id, email: user.email, name: user.name },
        { id: slugFrom(handle), name: `${user.name || handle}'s organization` },
        meta,
      );
    },

    async get(principal: OrgPrincipal): Promise<OrgView> {
      authorize(principal, "read");
      return toOrgView(await load(principal.orgId), principal.role);
    },

    async update(
      principal: OrgPrincipal,
      patch: { name?: string; plan?: PlanName },
      meta: RequestMeta,
    ): Promise<OrgView> {
      authorize(principal, patch.plan === undefined ? "manage-members" : "manage-plan");
      const before = await load(principal.orgId);
      const limits = PLANS[patch.plan ?? DEFAULT_PLAN];
      const org = await orgStore.update(principal.orgId, patch, limits);
      if (!org) throw new AppError("not_found", `organization ${principal.orgId} not found`);
      if (patch.plan !== undefined && patch.plan !== before.plan) {
        await audit.record({
          orgId: org.id,
          action: "org.plan_changed",
          actor: auditActor(principal),
          details: { from: before.plan, to: patch.plan },
          meta,
        });
      }
      return toOrgView(org, principal.role);
    },

    async delete(principal: OrgPrincipal, meta: RequestMeta): Promise<void> {
      authorize(principal, "delete-org");
      const orgId = principal.orgId;
      await load(orgId);
      for (const env of await orgStore.listEnvs(orgId))
        await deps.environments.purge(principal, env.id, meta);
      const now = iso();
      for (const token of await deps.tokens.listByOrg(orgId)) {
        if (!token.revokedAt) await deps.tokens.revoke(orgId, token.id, now);
      }
      for (const invitation of await deps.invitations.listByOrg(orgId)) {
        await deps.invitations.revoke(orgId, invitation.id);
      }
      await orgStore.markDeleted(orgId, now);
      await members.purge(orgId);
      await audit.record({ orgId, action: "org.deleted", actor: auditActor(principal), meta });
    },
  };
}

export type OrgService = ReturnType<typeof createOrgService>;
