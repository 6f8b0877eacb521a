/**
 * Sign-in through OpenID Connect: an organization's own provider (found by its slug or by an
 * email domain it claimed) or a platform-wide provider the operator configured.
 *
 * - `start` remembers state, nonce and PKCE verifier under the state's hash for ten minutes,
 *   bound to the browser by a random cookie (a sign-in started in one browser cannot be
 *   finished in another: no login CSRF), and returns the provider's authorization URL.
 * - `callback` consumes that record (a replayed or tampered state finds nothing), has the
 *   relying party exchange the code and verify the ID token, then applies the policy: verified
 *   email, allowed domain, role from groups. Every refusal happens before anything is written.
 * - An identity (issuer + subject) signs in to the account it is linked to. An unknown identity
 *   whose email already has an account is never linked by email alone: `callback` answers with
 *   a link token, and `link` binds the identity only after that account's password is given.
 *   An unknown identity with a new email gets a new account (no password) at once.
 * - Organization sign-ins add the user just in time with the mapped role, and later sign-ins
 *   keep a non-owner's role in step with the groups when a mapping is configured.
 */
import { AppError, type Membership, type SsoProviderView, type SsoStartQuery } from "@assay/shared";
import type { AuditLog } from "../audit.ts";
import type { OrgService } from "../orgs.ts";
import { verifyPassword } from "../passwords.ts";
import type { IdTokenClaims, OidcClient, OidcProvider } from "../ports/oidc-client.ts";
import type { PendingLink, SsoStore, StoredSsoConfig } from "../ports/sso-store.ts";
import type { Clock, Logger, MemberStore, UserStore } from "../ports.ts";
import type { RequestMeta } from "../principals.ts";
import type { RateLimits } from "../rate-limit.ts";
import { NO_PASSWORD, type UserRecord } from "../records.ts";
import { hashSecret, newId, newSecret } from "../secrets.ts";
import type { SessionService } from "../sessions.ts";
import { type PlatformProvider, providerViews } from "./platform-providers.ts";
import { domainOf, emailVerified, groupsOf, roleFor } from "./policy.ts";
import type { SsoSettings } from "./settings.ts";

/** An identity provider the operator offers to everyone ("Sign in with Google"). */
export type { PlatformProvider };

const PENDING_TTL_SECONDS = 600;
const SCOPE = "openid email profile";

/** The outcome of a callback: a session, or a link that needs the account's password. */
export type CallbackResult =
  | { kind: "session"; session: { secret: string; expiresAt: string }; orgId?: string }
  | { kind: "link"; token: string };

export function createSsoSignIn(deps: {
  store: SsoStore;
  oidc: OidcClient | undefined;
  settings: SsoSettings;
  users: UserStore;
  members: MemberStore;
  orgs: OrgService;
  sessions: SessionService;
  audit: AuditLog;
  rateLimits: RateLimits;
  clock: Clock;
  logger: Logger;
  providers: () => readonly PlatformProvider[];
  redirectUri: () => string;
}) {
  const { store, users, members, audit, clock } = deps;
  const iso = (offsetSeconds = 0) => new Date(clock.now() + offsetSeconds * 1000).toISOString();
  const oidc = (): OidcClient => {
    if (!deps.oidc)
      throw new AppError("failed_precondition", "single sign-on is not available on this server");
    return deps.oidc;
  };

  const orgConfig = async (orgId: string): Promise<StoredSsoConfig> => {
    const config = await store.getConfig(orgId);
    if (!config?.enabled)
      throw new AppError("not_found", `organization ${orgId} does not offer single sign-on`);
    return config;
  };
  const platform = (id: string): PlatformProvider => {
    const found = deps.providers().find((p) => p.id === id);
    if (!found) throw new AppError("not_found", `no sign-in provider named ${id}`);
    return found;
  };

  /** The provider behind a source (`org:{slug}` or `platform:{id}`) and the org's settings. */
  async function resolve(source: string): Promise<{ provider: OidcProvider; config?: StoredSsoConfig }> {
    if (source.startsWith("platform:")) return { provider: platform(source.slice("platform:".length)) };
    const config = await orgConfig(source.slice("org:".length));
    return { provider: await deps.settings.provider(config), config };
  }

  const refuse = (code: "permission_denied" | "invalid_argument", message: string): never => {
    throw new AppError(code, `${message}; nothing was stored`);
  };

  /** Adds the user just in time, or keeps a non-owner's role in step with the groups. */
  async function joinOrg(config: StoredSsoConfig, user: UserRecord, groups: string[], meta: RequestMeta) {
    const role = roleFor(groups, config.groupRoles, config.defaultRole);
    const current = await members.get(config.orgId, user.id);
    const actor = { kind: "user" as const, id: user.id, label: user.email };
    if (!current) {
      const member: Membership = {
        orgId: config.orgId,
        userId: user.id,
        email: user.email,
        name: user.name,
        role,
        createdAt: iso(),
      };
      if (await members.add(member)) {
        await audit.record({
          orgId: config.orgId,
          action: "member.joined_by_sso",
          actor,
          target: { kind: "user", id: user.id },
          details: { role, email: user.email },
          meta,
        });
      }
      return role;
    }
    if (config.groupRoles.length > 0 && current.role !== "owner" && current.role !== role) {
      await members.setRole(config.orgId, user.id, role);
      await audit.record({
        orgId: config.orgId,
        action: "member.role_changed",
        actor: { kind: "system", id: "sso", label: "groups claim" },
        target: { kind: "user", id: user.id },
        details: { from: current.role, to: role, email: user.email },
        meta,
      });
      return role;
    }
    return current.role;
  }

  /** Signs the user in; an organization sign-in also joins or updates the membership. */
  async function signIn(
    user: UserRecord,
    source: string,
    config: StoredSsoConfig | undefined,
    groups: string[],
    issuer: string,
    meta: RequestMeta,
  ): Promise<CallbackResult> {
    if (config) {
      const role = await joinOrg(config, user, groups, meta);
      const session = await deps.sessions.create(user.id, { method: "sso", ssoOrgId: config.orgId });
      await audit.record({
        orgId: config.orgId,
        action: "sso.login",
        actor: { kind: "user", id: user.id, label: user.email },
        details: { issuer, role },
        meta,
      });
      return { kind: "session", session, orgId: config.orgId };
    }
    const session = await deps.sessions.create(user.id, { method: "sso" });
    for (const m of await members.listByUser(user.id)) {
      await audit.record({
        orgId: m.orgId,
        action: "sso.login",
        actor: { kind: "user", id: user.id, label: user.email },
        details: { issuer, provider: source },
        meta,
      });
    }
    return { kind: "session", session };
  }

  /** Checks the policy on verified claims: everything here refuses before anything is stored. */
  function admit(claims: IdTokenClaims, config: StoredSsoConfig | undefined) {
    const email = typeof claims.email === "string" ? claims.email.trim().toLowerCase() : "";
    if (!email.includes("@")) refuse("permission_denied", "the identity provider sent no email address");
    if (!emailVerified(claims))
      refuse("permission_denied", `the identity provider has not verified the address ${email}`);
    if (config && !config.domains.includes(domainOf(email)))
      refuse(
        "permission_denied",
        `addresses at ${domainOf(email)} may not sign in to organization ${config.orgId}`,
      );
    const groups = config ? groupsOf(claims, config.groupsClaim) : [];
    const name = typeof claims.name === "string" ? claims.name.slice(0, 200) : "";
    return { email, groups, name };
  }

  return {
    /** The platform-wide providers, for the sign-in page. */
    providers: (): SsoProviderView[] => providerViews(deps.providers()),

    /** Begins a sign-in; the browser secret goes in the `assay_sso` cookie. */
    async start(query: SsoStartQuery, meta: RequestMeta): Promise<{ url: string; browserSecret: string }> {
      await deps.rateLimits.check("sso:ip", meta.ip);
      let source: string;
      if (query.provider !== undefined) source = `platform:${platform(query.provider).id}`;
      else if (query.org !== undefined) source = `org:${(await orgConfig(query.org)).orgId}`;
      else {
        const domain = domainOf(query.email ?? "");
        const orgId = await store.orgOfDomain(domain);
        if (!orgId) throw new AppError("not_found", `no organization signs in with SSO for ${domain}`);
        source = `org:${(await orgConfig(orgId)).orgId}`;
      }
      const { provider, config } = await resolve(source);
      const scope = [SCOPE, ...(config?.extraScopes ?? [])].join(" ");
      const started = await oidc().start(provider, deps.redirectUri(), scope);
      const browser = newSecret();
      await store.putPending({
        kind: "login",
        hash: hashSecret(started.state),
        source,
        issuer: provider.issuer,
        clientId: provider.clientId,
        nonce: started.nonce,
        codeVerifier: started.codeVerifier,
        browserHash: browser.hash,
        createdAt: iso(),
        expiresAt: iso(PENDING_TTL_SECONDS),
      });
      return { url: started.url, browserSecret: browser.secret };
    },

    /** Finishes a sign-in at the redirect URI (`callbackUrl` carries the provider's answer). */
    async callback(
      callbackUrl: URL,
      browserSecret: string | undefined,
      meta: RequestMeta,
    ): Promise<CallbackResult> {
      await deps.rateLimits.check("sso:ip", meta.ip);
      const state = callbackUrl.searchParams.get("state");
      if (!state || state.length > 200) refuse("invalid_argument", "state: the answer names no sign-in");
      const pending = await store.consumePending(hashSecret(state ?? ""), "login", iso());
      if (!pending)
        refuse("invalid_argument", "state: this sign-in is unknown, expired or already used (start again)");
      const login = pending as NonNullable<typeof pending>;
      if (!browserSecret || hashSecret(browserSecret) !== login.browserHash)
        refuse("permission_denied", "this sign-in was started in another browser (start again here)");
      const { provider, config } = await resolve(login.source);
      if (provider.issuer !== login.issuer || provider.clientId !== login.clientId)
        refuse("invalid_argument", "the SSO settings changed during the sign-in (start again)");
      const claims = await oidc().finish(provider, callbackUrl, {
        state: state ?? "",
        nonce: login.nonce,
        codeVerifier: login.codeVerifier,
      });
      const { email, groups, name } = admit(claims, config);
      const identity = await store.getIdentity(claims.iss, claims.sub);
      const linked = identity ? await users.get(identity.userId) : undefined;
      if (linked) return signIn(linked, login.source, config, groups, claims.iss, meta);

      const existing = await users.getByEmail(email);
      if (existing) {
        const { secret, hash } = newSecret();
        const link: PendingLink = {
          kind: "link",
          hash,
          source: login.source,
          issuer: claims.iss,
          subject: claims.sub,
          userId: existing.id,
          email: existing.email,
          groups,
          createdAt: iso(),
          expiresAt: iso(PENDING_TTL_SECONDS),
        };
        await store.putPending(link);
        return { kind: "link", token: secret };
      }
      const user: UserRecord = { id: newId("usr"), email, name, passwordHash: NO_PASSWORD, createdAt: iso() };
      await users.create(user);
      await store.putIdentity({
        issuer: claims.iss,
        subject: claims.sub,
        userId: user.id,
        email,
        createdAt: iso(),
      });
      if (!config) {
        const org = await deps.orgs.createPersonal(user, meta);
        await audit.record({
          orgId: org.id,
          action: "auth.signup",
          actor: { kind: "user", id: user.id, label: user.email },
          details: { method: "sso", issuer: claims.iss },
          meta,
        });
      }
      return signIn(user, login.source, config, groups, claims.iss, meta);
    },

    /** What the link page shows (the token stays usable). */
    async linkInfo(token: string): Promise<{ email: string; provider: string; expiresAt: string }> {
      const pending = await store.getPending(hashSecret(token));
      if (pending?.kind !== "link" || pending.expiresAt <= iso())
        throw new AppError("invalid_argument", "token: this link is invalid, expired or already used");
      return { email: pending.email, provider: pending.issuer, expiresAt: pending.expiresAt };
    },

    /** Links the identity to the existing account once its password is proven, and signs in. */
    async link(input: { token: string; password: string }, meta: RequestMeta): Promise<CallbackResult> {
      await deps.rateLimits.check("login:ip", meta.ip);
      const hash = hashSecret(input.token);
      const pending = await store.getPending(hash);
      if (pending?.kind !== "link" || pending.expiresAt <= iso())
        throw new AppError("invalid_argument", "token: this link is invalid, expired or already used");
      await deps.rateLimits.check("login:account-source", `${pending.email}\n${meta.ip ?? ""}`);
      const user = await users.get(pending.userId);
      if (!user || !(await verifyPassword(input.password, user.passwordHash)))
        throw new AppError("unauthenticated", "the password is incorrect");
      const link = await store.consumePending(hash, "link", iso());
      if (!link)
        throw new AppError("invalid_argument", "token: this link is invalid, expired or already used");
      const { config } = await resolve(link.source);
      if (
        !(await store.putIdentity({
          issuer: link.issuer,
          subject: link.subject,
          userId: user.id,
          email: user.email,
          createdAt: iso(),
        }))
      )
        throw new AppError("already_exists", "this identity is already linked to an account");
      for (const orgId of config ? [config.orgId] : (await members.listByUser(user.id)).map((m) => m.orgId)) {
        await audit.record({
          orgId,
          action: "sso.account_linked",
          actor: { kind: "user", id: user.id, label: user.email },
          details: { issuer: link.issuer },
          meta,
        });
      }
      return signIn(user, link.source, config, link.groups, link.issuer, meta);
    },
  };
}

export type SsoSignIn = ReturnType<typeof createSsoSignIn>;
