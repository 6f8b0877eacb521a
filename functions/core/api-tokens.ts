/**
 * API tokens (per org, with a role) and agent tokens (per environment): create (the secret is
 * returned once), list (never a secret or hash), revoke. A token's role can never exceed its
 * creator's. Revoking an agent token disconnects its agents within the ingress's re-check
 * interval (2 s).
 */
import { AppError, type Role, type TokenKind, type TokenRecord, type TokenView } from "@assay/shared";
import { authorize, authorizeGrant, type OrgPrincipal } from "./access.ts";
import { type AuditLog, auditActor } from "./audit.ts";
import { type InstallCommands, type InstallSettings, installCommands } from "./install.ts";
import type { EnvRef } from "./ports/refs.ts";
import type { Clock, OrgStore, TokenStore } from "./ports.ts";
import type { RequestMeta } from "./principals.ts";
import type { TokenService } from "./tokens.ts";

export const toTokenView = ({ hash: _hash, ...view }: TokenRecord): TokenView => view;

export function createTokenAdminService(deps: {
  tokens: Pick<TokenStore, "listByOrg" | "revoke">;
  issuer: TokenService;
  orgStore: Pick<OrgStore, "getEnv">;
  audit: AuditLog;
  clock: Clock;
  install: InstallSettings;
}) {
  const { tokens, issuer, audit, clock } = deps;

  const checkExpiry = (expiresAt: string | undefined) => {
    if (expiresAt !== undefined && Date.parse(expiresAt) <= clock.now()) {
      throw new AppError("invalid_argument", "expiresAt: must be in the future", {
        issues: [{ path: "body.expiresAt", message: "must be in the future" }],
      });
    }
    return expiresAt === undefined ? undefined : new Date(expiresAt).toISOString();
  };

  const requireEnv = async ({ orgId, envId }: EnvRef) => {
    if (!(await deps.orgStore.getEnv({ orgId, envId })))
      throw new AppError("not_found", `environment ${envId} not found`);
  };

  const listOf = async (orgId: string, kind: TokenKind, envId?: string) =>
    (await tokens.listByOrg(orgId))
      .filter((t) => t.kind === kind && (envId === undefined || t.envId === envId))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));

  async function revoke(
    principal: OrgPrincipal,
    kind: TokenKind,
    tokenId: string,
    envId: string | undefined,
    meta: RequestMeta,
  ) {
    const token = (await listOf(principal.orgId, kind, envId)).find((t) => t.id === tokenId);
    if (!token || !(await tokens.revoke(principal.orgId, tokenId, new Date(clock.now()).toISOString()))) {
      throw new AppError("not_found", `token ${tokenId} not found`);
    }
    await audit.record({
      orgId: principal.orgId,
      action: `${kind}_token.revoked`,
      actor: auditActor(principal),
      target: { kind: `${kind}_token`, id: tokenId },
      details: { name: token.name, ...(envId ? { env: envId } : {}) },
      meta,
    });
  }

  return {
    async createApiToken(
      principal: OrgPrincipal,
      input: { name: string; role: Role; expiresAt?: string },
      meta: RequestMeta,
    ): Promise<{ token: TokenView; secret: string }> {
      authorize(principal, "manage-tokens");
      authorizeGrant(principal, input.role);
      const expiresAt = checkExpiry(input.expiresAt);
      const { secret, record } = await issuer.issue({
        kind: "api",
        name: input.name,
        orgId: principal.orgId,
        role: input.role,
        expiresAt,
      });
      await audit.record({
        orgId: principal.orgId,
        action: "api_token.created",
        actor: auditActor(principal),
        target: { kind: "api_token", id: record.id },
        details: { name: input.name, role: input.role },
        meta,
      });
      return { token: toTokenView(record), secret };
    },

    async listApiTokens(principal: OrgPrincipal): Promise<TokenView[]> {
      authorize(principal, "manage-tokens");
      return (await listOf(principal.orgId, "api")).map(toTokenView);
    },

    async revokeApiToken(principal: OrgPrincipal, tokenId: string, meta: RequestMeta): Promise<void> {
      authorize(principal, "manage-tokens");
      await revoke(principal, "api", tokenId, undefined, meta);
    },

    async createAgentToken(
      principal: OrgPrincipal,
      envId: string,
      input: { name: string; expiresAt?: string },
      meta: RequestMeta,
    ): Promise<{ token: TokenView; secret: string; install: InstallCommands }> {
      authorize(principal, "manage-tokens");
      await requireEnv({ orgId: principal.orgId, envId });
      const expiresAt = checkExpiry(input.expiresAt);
      const { secret, record } = await issuer.issue({
        kind: "agent",
        name: input.name,
        orgId: principal.orgId,
        envId,
        expiresAt,
      });
      await audit.record({
        orgId: principal.orgId,
        action: "agent_token.created",
        actor: auditActor(principal),
        target: { kind: "agent_token", id: record.id },
        details: { name: input.name, env: envId },
        meta,
      });
      const install = installCommands(deps.install, { orgId: principal.orgId, envId, token: secret });
      return { token: toTokenView(record), secret, install };
    },

    async listAgentTokens(principal: OrgPrincipal, envId: string): Promise<TokenView[]> {
      authorize(principal, "manage-tokens");
      await requireEnv({ orgId: principal.orgId, envId });
      return (await listOf(principal.orgId, "agent", envId)).map(toTokenView);
    },

    async revokeAgentToken(
      principal: OrgPrincipal,
      envId: string,
      tokenId: string,
      meta: RequestMeta,
    ): Promise<void> {
      authorize(principal, "manage-tokens");
      await requireEnv({ orgId: principal.orgId, envId });
      await revoke(principal, "agent", tokenId, envId, meta);
    },
  };
}

export type TokenAdminService = ReturnType<typeof createTokenAdminService>;
