/**
 * Accounts: signup with email verification, login, password reset.
 *
 * - A signup is held as a one-time token (with the password's hash) until its link is used, so
 *   only a verified address becomes an account, and nobody can pre-register someone else's
 *   email. Verifying creates the user, their own organization, and a session; a sign-up from
 *   an invitation link joins the inviting organization instead (no personal one), or, when the
 *   invitation went away meanwhile, falls back to a personal organization.
 * - No user enumeration: signup, login and reset answer the same for known and unknown emails
 *   and do comparable work (a password hash on every signup and login, one email on every
 *   signup and reset request: unknown addresses get a "no account here" notice instead).
 * - Rate limits per client IP and per email (hashed) on every entry point; login counts per
 *   account and source together, so nobody can lock an owner out from another address.
 * - Only the newest link of a kind works: a second signup for an email retires the first
 *   pending one (which may be someone else's password), a new reset link retires older ones,
 *   and using a reset link retires them all and ends every session of the account.
 */
import { AppError, type UserView } from "@assay/shared";
import type { AuditLog } from "./audit.ts";
import type { InvitationService } from "./invitations.ts";
import type { OrgService } from "./orgs.ts";
import { checkPasswordStrength, dummyPasswordHash, hashPassword, verifyPassword } from "./passwords.ts";
import type { Clock, Logger, Mailer, MemberStore, OneTimeTokenStore, UserStore } from "./ports.ts";
import type { RequestMeta } from "./principals.ts";
import type { RateLimits } from "./rate-limit.ts";
import type { UserRecord } from "./records.ts";
import { hashSecret, newId, newSecret } from "./secrets.ts";
import type { SessionService } from "./sessions.ts";
import type { SsoPolicy } from "./sso/policy.ts";

export interface AccountSettings {
  /** Base URL of the dashboard, for links in emails. */
  publicWebUrl: string;
  verifyTtlSeconds: number;
  resetTtlSeconds: number;
}

export const defaultAccountSettings: AccountSettings = {
  publicWebUrl: "http://localhost:8080",
  verifyTtlSeconds: 24 * 3600,
  resetTtlSeconds: 3600,
};

/** What every signup and reset request answers. */
export const CHECK_YOUR_EMAIL = "if the address can be used, we sent it an email with a link";

export const toUserView = (user: UserRecord): UserView => ({
  id: user.id,
  email: user.email,
  name: user.name,
  createdAt: user.createdAt,
});

export function createAccountService(deps: {
  users: UserStore;
  oneTimeTokens: OneTimeTokenStore;
  members: MemberStore;
  sessions: SessionService;
  orgs: OrgService;
  invitations: Pick<InvitationService, "pendingFor" | "join">;
  mailer: Mailer;
  rateLimits: RateLimits;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  settings: AccountSettings;
  /** "SSO required" organizations refuse their members' passwords (owners excepted). */
  ssoPolicy?: SsoPolicy;
}) {
  const { users, oneTimeTokens, mailer, rateLimits, audit, clock, settings } = deps;
  const iso = (offsetSeconds = 0) => new Date(clock.now() + offsetSeconds * 1000).toISOString();
  const invalidLink = () =>
    new AppError("invalid_argument", "token: this link is invalid, expired or already used", {
      issues: [{ path: "token", message: "invalid, expired or already used" }],
    });

  /** Records an account event in every org the user belongs to. */
  const auditUser = async (user: UserRecord, action: string, meta: RequestMeta) => {
    for (const m of await deps.members.listByUser(user.id)) {
      await audit.record({
        orgId: m.orgId,
        action,
        actor: { kind: "user", id: user.id, label: user.email },
        meta,
      });
    }
  };

  return {
    async signup(
      input: { email: string; password: string; name?: string; invitation?: string },
      meta: RequestMeta,
    ): Promise<string> {
      await rateLimits.check("signup:ip", meta.ip);
      await rateLimits.check("signup:email", input.email);
      checkPasswordStrength(input.password, input.email);
      // Checked up front so a bad link is named now, not after the email round trip. It says
      // nothing about accounts: the invitation's address was chosen by the inviter.
      const invitationHash =
        input.invitation === undefined
          ? undefined
          : await deps.invitations.pendingFor(input.invitation, input.email);
      const passwordHash = await hashPassword(input.password);
      if (await users.getByEmail(input.email)) {
        await mailer.send({
          to: input.email,
          subject: "Your Assay account",
          text: `Someone (maybe you) tried to sign up for Assay with this address, which already has an account.\n\nSign in at ${settings.publicWebUrl}/login, or reset your password at ${settings.publicWebUrl}/reset-password if you forgot it.\n`,
        });
        return CHECK_YOUR_EMAIL;
      }
      const { secret, hash } = newSecret();
      await oneTimeTokens.put({
        hash,
        purpose: "verify-email",
        email: input.email,
        name: input.name ?? "",
        passwordHash,
        ...(invitationHash ? { invitationHash } : {}),
        createdAt: iso(),
        expiresAt: iso(settings.verifyTtlSeconds),
      });
      await mailer.send({
        to: input.email,
        subject: "Verify your email for Assay",
        text: `Welcome to Assay. Open this link to verify your address and finish signing up:\n\n${settings.publicWebUrl}/verify-email#token=${secret}\n\nThe link works once and expires in ${Math.round(settings.verifyTtlSeconds / 3600)} hours. If you did not sign up, ignore this email.\n`,
      });
      return CHECK_YOUR_EMAIL;
    },

    /**
     * Uses a verification link: creates the account and a session, and either joins the
     * organization it was invited to (`joined`) or creates its own.
     */
    async verifyEmail(token: string, meta: RequestMeta) {
      await rateLimits.check("verify:ip", meta.ip);
      const pending = await oneTimeTokens.consume(hashSecret(token), "verify-email", iso());
      if (!pending?.passwordHash) throw invalidLink();
      const user: UserRecord = {
        id: newId("usr"),
        email: pending.email,
        name: pending.name ?? "",
        passwordHash: pending.passwordHash,
        createdAt: iso(),
      };
      try {
        await users.create(user);
      } catch (error) {
        if (error instanceof AppError && error.code === "already_exists") {
          throw new AppError("failed_precondition", "this email already has an account: sign in instead");
        }
        throw error;
      }
      const joined = pending.invitationHash
        ? await deps.invitations.join(
            { kind: "user", userId: user.id, email: user.email, name: user.name },
            pending.invitationHash,
            meta,
          )
        : undefined;
      const org = joined?.org ?? (await deps.orgs.createPersonal(user, meta));
      await audit.record({
        orgId: org.id,
        action: "auth.signup",
        actor: { kind: "user", id: user.id, label: user.email },
        meta,
      });
      const session = await deps.sessions.create(user.id);
      return { user: toUserView(user), org, joined: joined !== undefined, session };
    },

    async login(input: { email: string; password: string }, meta: RequestMeta) {
      await rateLimits.check("login:ip", meta.ip);
      // Per account and source: guesses from elsewhere cannot lock the owner out of their own.
      await rateLimits.check("login:account-source", `${input.email.toLowerCase()}\n${meta.ip ?? ""}`);
      const user = await users.getByEmail(input.email);
      const ok = await verifyPassword(input.password, user?.passwordHash ?? (await dummyPasswordHash()));
      if (!user || !ok) {
        if (user) await auditUser(user, "auth.login_failed", meta);
        throw new AppError("unauthenticated", "the email or password is incorrect");
      }
      const sso = deps.ssoPolicy
        ? await deps.ssoPolicy.passwordCheck(user.id)
        : { refused: [], breakGlass: [] };
      if (sso.refused.length > 0) {
        const orgs = sso.refused.map((m) => m.orgId).join(", ");
        throw new AppError(
          "permission_denied",
          `single sign-on is required by ${orgs}: use "Sign in with SSO" instead of the password`,
        );
      }
      const session = await deps.sessions.create(user.id);
      await auditUser(user, "auth.login", meta);
      for (const m of sso.breakGlass) {
        await audit.record({
          orgId: m.orgId,
          action: "sso.break_glass_login",
          actor: { kind: "user", id: user.id, label: user.email },
          details: { role: m.role },
          meta,
        });
      }
      return { user: toUserView(user), session };
    },

    async requestPasswordReset(email: string, meta: RequestMeta): Promise<string> {
      await rateLimits.check("reset:ip", meta.ip);
      await rateLimits.check("reset:email", email);
      const user = await users.getByEmail(email);
      if (!user) {
        await mailer.send({
          to: email,
          subject: "Assay password reset",
          text: `Someone (maybe you) asked to reset the Assay password of this address, but it has no account. You can sign up at ${settings.publicWebUrl}/signup. If it was not you, ignore this email.\n`,
        });
        return CHECK_YOUR_EMAIL;
      }
      const { secret, hash } = newSecret();
      await oneTimeTokens.put({
        hash,
        purpose: "reset-password",
        email: user.email,
        userId: user.id,
        createdAt: iso(),
        expiresAt: iso(settings.resetTtlSeconds),
      });
      await mailer.send({
        to: user.email,
        subject: "Reset your Assay password",
        text: `Open this link to choose a new password:\n\n${settings.publicWebUrl}/reset-password#token=${secret}\n\nThe link works once and expires in ${Math.round(settings.resetTtlSeconds / 60)} minutes. If you did not ask for it, ignore this email: your password stays as it is.\n`,
      });
      return CHECK_YOUR_EMAIL;
    },

    /** Sets a new password from a reset link and ends every session of the account. */
    async resetPassword(input: { token: string; password: string }, meta: RequestMeta): Promise<void> {
      await rateLimits.check("reset-confirm:ip", meta.ip);
      const hash = hashSecret(input.token);
      const pending = await oneTimeTokens.get(hash);
      if (pending?.purpose !== "reset-password" || !pending.userId) throw invalidLink();
      const user = await users.get(pending.userId);
      if (!user) throw invalidLink();
      // Check strength before using the link up, so a weak choice can be corrected.
      checkPasswordStrength(input.password, user.email);
      if (!(await oneTimeTokens.consume(hash, "reset-password", iso()))) throw invalidLink();
      await users.setPassword(user.id, await hashPassword(input.password), iso());
      await deps.sessions.destroyAllForUser(user.id);
      await auditUser(user, "auth.password_reset", meta);
      await mailer.send({
        to: user.email,
        subject: "Your Assay password was changed",
        text: "The password of your Assay account was just changed and every session was signed out. If it was not you, reset it again at once and contact support.\n",
      });
    },

    async getUser(userId: string): Promise<UserView> {
      const user = await users.get(userId);
      if (!user) throw new AppError("unauthenticated", "the account no longer exists");
      return toUserView(user);
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
