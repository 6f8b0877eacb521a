/**
 * An organization's SSO settings: read and write (admins and owners), audited without the
 * secret. The client secret is sealed like a credential (the organization's data key, wrapped by
 * KMS in AWS or the local key file) and is never shown again after it is set.
 */
import { AppError, type PutSsoSettingsBody, type SsoSettingsView } from "@assay/shared";
import { authorize, type OrgPrincipal } from "../access.ts";
import { type AuditLog, auditActor } from "../audit.ts";
import type { CredentialSealer } from "../credential-crypto.ts";
import type { SsoStore, StoredSsoConfig } from "../ports/sso-store.ts";
import type { Clock } from "../ports.ts";
import type { RequestMeta } from "../principals.ts";

/** The sealing slot of an organization's client secret (never a credential's name). */
export const ssoSecretSlot = (orgId: string): string => `${orgId}\u0000sso\u0000client-secret`;

/** What an organization that never saved SSO settings shows (version 0: not stored). */
const unconfigured = (orgId: string): StoredSsoConfig => ({
  orgId,
  enabled: false,
  issuer: "",
  clientId: "",
  sealedSecret: "",
  domains: [],
  defaultRole: "member",
  extraScopes: [],
  groupsClaim: "groups",
  groupRoles: [],
  required: false,
  version: 0,
  updatedAt: "",
  updatedBy: "",
});

export function createSsoSettings(deps: {
  store: Pick<SsoStore, "getConfig" | "putConfig">;
  sealer: CredentialSealer | undefined;
  audit: AuditLog;
  clock: Clock;
  redirectUri: () => string;
}) {
  const { store, sealer, audit } = deps;

  const view = (c: StoredSsoConfig): SsoSettingsView => ({
    orgId: c.orgId,
    configured: c.version > 0,
    enabled: c.enabled,
    issuer: c.issuer,
    clientId: c.clientId,
    hasClientSecret: c.sealedSecret !== "",
    domains: c.domains,
    defaultRole: c.defaultRole,
    extraScopes: c.extraScopes,
    groupsClaim: c.groupsClaim,
    groupRoles: c.groupRoles,
    required: c.required,
    redirectUri: deps.redirectUri(),
    updatedAt: c.updatedAt,
    updatedBy: c.updatedBy,
  });

  return {
    async get(principal: OrgPrincipal): Promise<SsoSettingsView> {
      authorize(principal, "manage-sso");
      const config = await store.getConfig(principal.orgId);
      return view(config ?? unconfigured(principal.orgId));
    },

    async put(
      principal: OrgPrincipal,
      body: PutSsoSettingsBody,
      meta?: RequestMeta,
    ): Promise<SsoSettingsView> {
      authorize(principal, "manage-sso");
      const { orgId } = principal;
      const current = await store.getConfig(orgId);
      if (body.clientSecret === undefined && current === undefined) {
        throw new AppError("invalid_argument", "clientSecret: required when SSO is first configured", {
          issues: [{ path: "clientSecret", message: "required when SSO is first configured" }],
        });
      }
      if (body.enabled && body.domains.length === 0) {
        throw new AppError("invalid_argument", "domains: name at least one email domain to enable SSO", {
          issues: [{ path: "domains", message: "name at least one email domain to enable SSO" }],
        });
      }
      if (body.required && !body.enabled) {
        throw new AppError("invalid_argument", "required: SSO can only be required while it is enabled", {
          issues: [{ path: "required", message: "SSO can only be required while it is enabled" }],
        });
      }
      if (body.clientSecret !== undefined && sealer === undefined) {
        throw new AppError(
          "failed_precondition",
          "storing an SSO client secret needs the credential key, and none is configured",
        );
      }
      const sealedSecret =
        body.clientSecret !== undefined && sealer !== undefined
          ? await sealer.seal(orgId, ssoSecretSlot(orgId), body.clientSecret)
          : (current?.sealedSecret ?? "");
      const actor = auditActor(principal);
      const next: StoredSsoConfig = {
        orgId,
        enabled: body.enabled,
        issuer: body.issuer,
        clientId: body.clientId,
        sealedSecret,
        domains: [...new Set(body.domains)].sort(),
        defaultRole: body.defaultRole,
        extraScopes: body.extraScopes,
        groupsClaim: body.groupsClaim,
        groupRoles: body.groupRoles,
        required: body.required,
        version: (current?.version ?? 0) + 1,
        updatedAt: new Date(deps.clock.now()).toISOString(),
        updatedBy: actor.label || actor.id,
      };
      if (!(await store.putConfig(next, current?.domains ?? [])))
        throw new AppError("aborted", "the SSO settings were changed at the same time; try again");
      await audit.record({
        orgId,
        action: current === undefined ? "sso.configured" : "sso.updated",
        actor,
        target: { kind: "sso", id: next.issuer },
        details: {
          enabled: String(next.enabled),
          required: String(next.required),
          clientId: next.clientId,
          domains: next.domains.join(","),
          defaultRole: next.defaultRole,
          groupRoles: String(next.groupRoles.length),
          secretChanged: String(body.clientSecret !== undefined),
        },
        meta,
      });
      return view(next);
    },

    /** The organization's provider with its secret opened, for the sign-in flow. */
    async provider(config: StoredSsoConfig) {
      if (sealer === undefined || config.sealedSecret === "")
        throw new AppError(
          "failed_precondition",
          `organization ${config.orgId} has no usable SSO client secret`,
        );
      return {
        issuer: config.issuer,
        clientId: config.clientId,
        clientSecret: await sealer.open(config.orgId, ssoSecretSlot(config.orgId), config.sealedSecret),
      };
    },
  };
}

export type SsoSettings = ReturnType<typeof createSsoSettings>;
