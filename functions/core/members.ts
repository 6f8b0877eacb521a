/**
 * Members of an organization: list, change a role, remove (or leave). Admins manage members up
 * to admin; only owners touch owners. The store keeps the last owner from being demoted or
 * removed, whoever asks (even concurrently).
 */
import { AppError, type Membership, type Role } from "@assay/shared";
import { authorize, authorizeGrant, type OrgPrincipal } from "./access.ts";
import { type AuditLog, auditActor } from "./audit.ts";
import type { MemberStore } from "./ports.ts";
import type { RequestMeta } from "./principals.ts";

export function createMemberService(deps: { members: MemberStore; audit: AuditLog }) {
  const { members, audit } = deps;

  async function load(orgId: string, userId: string): Promise<Membership> {
    const member = await members.get(orgId, userId);
    if (!member) throw new AppError("not_found", `member ${userId} not found`);
    return member;
  }

  return {
    async list(principal: OrgPrincipal): Promise<Membership[]> {
      authorize(principal, "read");
      return (await members.listByOrg(principal.orgId)).sort((a, b) => a.email.localeCompare(b.email));
    },

    async setRole(
      principal: OrgPrincipal,
      userId: string,
      role: Role,
      meta: RequestMeta,
    ): Promise<Membership> {
      authorize(principal, "manage-members");
      const target = await load(principal.orgId, userId);
      if (target.role === "owner") authorize(principal, "manage-owners");
      authorizeGrant(principal, role);
      const updated = await members.setRole(principal.orgId, userId, role);
      if (!updated) throw new AppError("not_found", `member ${userId} not found`);
      if (target.role !== role) {
        await audit.record({
          orgId: principal.orgId,
          action: "member.role_changed",
          actor: auditActor(principal),
          target: { kind: "user", id: userId },
          details: { from: target.role, to: role, email: target.email },
          meta,
        });
      }
      return updated;
    },

    /** Removes a member; members may always remove themselves (leave), except the last owner. */
    async remove(principal: OrgPrincipal, userId: string, meta: RequestMeta): Promise<void> {
      const leaving = principal.kind === "user" && principal.userId === userId;
      if (!leaving) authorize(principal, "manage-members");
      const target = await load(principal.orgId, userId);
      if (!leaving && target.role === "owner") authorize(principal, "manage-owners");
      if (!(await members.remove(principal.orgId, userId))) {
        throw new AppError("not_found", `member ${userId} not found`);
      }
      await audit.record({
        orgId: principal.orgId,
        action: leaving ? "member.left" : "member.removed",
        actor: auditActor(principal),
        target: { kind: "user", id: userId },
        details: { role: target.role, email: target.email },
        meta,
      });
    },
  };
}

export type MemberService = ReturnType<typeof createMemberService>;
