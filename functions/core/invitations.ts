/**
 * Invitations by email with a role. The secret is mailed to the invitee only (never returned to
 * the inviter), stored hashed, expires after a week, and works once. It can be accepted only by
 * a signed-in user whose verified email is the invited address, so a forwarded or leaked link
 * does not let someone else in. Inviting the same address again replaces the pending invitation.
 * Invitations are rate-limited per organization and per inviter (user or API token), and the
 * names they mail are made inert (mail-text.ts): the mail goes to an address the inviter
 * chooses, so it must not become a spam or phishing channel.
 *
 * Signed out, the link previews itself (organization, inviter, role): holding the token is the
 * proof of receipt. Someone without an account signs up from it: the pending sign-up carries
 * the invitation, and verifying the address joins that organization (`join`) instead of
 * creating a personal one.
 */
import {
  AppError,
  type InvitationPreview,
  type InvitationView,
  type Membership,
  type OrgView,
  type Role,
} from "@assay/shared";
import { authorize, authorizeGrant, type OrgPrincipal } from "./access.ts";
import { type AuditLog, auditActor } from "./audit.ts";
import { mailText, quotedMailText } from "./mail-text.ts";
import { toOrgView } from "./orgs.ts";
import type { Clock, InvitationStore, Mailer, MemberStore, OrgStore } from "./ports.ts";
import { type Actor, type RequestMeta, requireUser, type UserActor } from "./principals.ts";
import type { RateLimits } from "./rate-limit.ts";
import type { InvitationRecord } from "./records.ts";
import { hashSecret, newId, newSecret } from "./secrets.ts";

export const INVITATION_TTL_SECONDS = 7 * 86_400;

const toView = ({ hash: _hash, ...view }: InvitationRecord): InvitationView => view;

export function createInvitationService(deps: {
  invitations: InvitationStore;
  members: Pick<MemberStore, "listByOrg">;
  orgStore: Pick<OrgStore, "getOrg">;
  mailer: Mailer;
  rateLimits: RateLimits;
  audit: AuditLog;
  clock: Clock;
  /** Read at each use: local mode learns its URL only once it listens. */
  settings: { publicWebUrl: string };
}) {
  const { invitations, members, audit, clock } = deps;
  const iso = (offsetSeconds = 0) => new Date(clock.now() + offsetSeconds * 1000).toISOString();
  const gone = () => new AppError("not_found", "invitation not found, expired or already used");

  /** The live invitation with this hash and its organization, or undefined. */
  const live = async (hash: string) => {
    const invitation = await invitations.getByHash(hash);
    if (!invitation || invitation.expiresAt <= iso()) return undefined;
    const org = await deps.orgStore.getOrg(invitation.orgId);
    if (!org || org.deletedAt) return undefined;
    return { invitation, org };
  };

  /** Adds the user as the invitation says; undefined when the invitation is gone or for another address. */
  const join = async (
    user: UserActor,
    hash: string,
    meta: RequestMeta,
  ): Promise<{ org: OrgView; membership: Membership } | undefined> => {
    const found = await live(hash);
    if (!found || found.invitation.email !== user.email) return undefined;
    const { invitation, org } = found;
    const membership: Membership = {
      orgId: invitation.orgId,
      userId: user.userId,
      email: user.email,
      name: user.name,
      role: invitation.role,
      createdAt: iso(),
    };
    if (!(await invitations.accept(invitation.hash, membership, iso()))) return undefined;
    await audit.record({
      orgId: invitation.orgId,
      action: "member.joined",
      actor: auditActor(user),
      target: { kind: "invitation", id: invitation.id },
      details: { role: invitation.role },
      meta,
    });
    return { org: toOrgView(org, invitation.role), membership };
  };

  return {
    async create(
      principal: OrgPrincipal,
      input: { email: string; role: Role },
      meta: RequestMeta,
    ): Promise<InvitationView> {
      authorize(principal, "manage-members");
      authorizeGrant(principal, input.role);
      const orgId = principal.orgId;
      // Inviter first: one busy inviter refused does not spend the organization's budget.
      const inviter = principal.kind === "user" ? principal.userId : principal.tokenId;
      await deps.rateLimits.check("invite:inviter", inviter);
      await deps.rateLimits.check("invite:org", orgId);
      const org = await deps.orgStore.getOrg(orgId);
      if (!org || org.deletedAt) throw new AppError("not_found", `organization ${orgId} not found`);
      if ((await members.listByOrg(orgId)).some((m) => m.email === input.email)) {
        throw new AppError("already_exists", `${input.email} is already a member`);
      }
      for (const old of await invitations.listByOrg(orgId)) {
        if (old.email === input.email) await invitations.revoke(orgId, old.id);
      }
      const { secret, hash } = newSecret();
      const record: InvitationRecord = {
        id: newId("inv"),
        hash,
        orgId,
        email: input.email,
        role: input.role,
        invitedBy: principal.kind === "user" ? principal.email : `API token ${principal.tokenId}`,
        createdAt: iso(),
        expiresAt: iso(INVITATION_TTL_SECONDS),
      };
      await invitations.put(record);
      await deps.mailer.send({
        to: input.email,
        subject: `You are invited to ${mailText(org.name)} on Assay`,
        text: `${mailText(record.invitedBy)} invited you to join the organization ${quotedMailText(org.name)} on Assay as ${input.role}.\n\nOpen this link to join (it lets you sign up with this address if you have no account yet):\n\n${deps.settings.publicWebUrl}/invitations#token=${secret}\n\nThe invitation expires in 7 days.\n`,
      });
      await audit.record({
        orgId,
        action: "invitation.created",
        actor: auditActor(principal),
        target: { kind: "invitation", id: record.id },
        details: { email: input.email, role: input.role },
        meta,
      });
      return toView(record);
    },

    async list(principal: OrgPrincipal): Promise<InvitationView[]> {
      authorize(principal, "manage-members");
      const now = iso();
      return (await invitations.listByOrg(principal.orgId)).filter((i) => i.expiresAt > now).map(toView);
    },

    async revoke(principal: OrgPrincipal, invitationId: string, meta: RequestMeta): Promise<void> {
      authorize(principal, "manage-members");
      if (!(await invitations.revoke(principal.orgId, invitationId))) {
        throw new AppError("not_found", `invitation ${invitationId} not found`);
      }
      await audit.record({
        orgId: principal.orgId,
        action: "invitation.revoked",
        actor: auditActor(principal),
        target: { kind: "invitation", id: invitationId },
        meta,
      });
    },

    async accept(
      actor: Actor,
      token: string,
      meta: RequestMeta,
    ): Promise<{ org: OrgView; membership: Membership }> {
      await deps.rateLimits.check("accept:ip", meta.ip);
      const user = requireUser(actor, "accepting an invitation");
      const found = await live(hashSecret(token));
      if (!found) throw gone();
      if (found.invitation.email !== user.email) {
        throw new AppError("permission_denied", "this invitation was sent to another email address");
      }
      const joined = await join(user, found.invitation.hash, meta);
      if (!joined) throw gone();
      return joined;
    },

    /** What a signed-out invitation link says about itself. */
    async preview(token: string, meta: RequestMeta): Promise<InvitationPreview> {
      await deps.rateLimits.check("accept:ip", meta.ip);
      const found = await live(hashSecret(token));
      if (!found) throw gone();
      const { invitation, org } = found;
      return {
        orgId: org.id,
        orgName: org.name,
        invitedBy: invitation.invitedBy,
        role: invitation.role,
        email: invitation.email,
        expiresAt: invitation.expiresAt,
      };
    },

    /**
     * For a sign-up from an invitation link: the hash to keep with the pending sign-up.
     * Refuses (400, naming the field) an invitation that is gone or was sent to another address.
     */
    async pendingFor(token: string, email: string): Promise<string> {
      const found = await live(hashSecret(token));
      if (!found) {
        throw new AppError("invalid_argument", "invitation: invalid, expired or already used", {
          issues: [{ path: "invitation", message: "invalid, expired or already used" }],
        });
      }
      if (found.invitation.email !== email) {
        throw new AppError(
          "invalid_argument",
          "invitation: it was sent to another address: sign up with the invited address",
          { issues: [{ path: "email", message: "must be the invited address" }] },
        );
      }
      return found.invitation.hash;
    },

    join,
  };
}

export type InvitationService = ReturnType<typeof createInvitationService>;
