/**
 * Token issuing and verification. Secrets are 32 random bytes (base64url) behind a kind prefix
 * (`asy_api_`, `asy_agent_`); only their SHA-256 is stored, which is sound for high-entropy
 * secrets (unlike passwords, they cannot be guessed, so a slow hash adds nothing).
 */
import { createHash, randomBytes } from "node:crypto";
import { AppError, type Role, TOKEN_PREFIX, type TokenKind, type TokenRecord } from "@assay/shared";
import type { Clock, TokenStore } from "./ports.ts";
import type { ReadCache } from "./read-cache.ts";

export const hashToken = (secret: string): string => createHash("sha256").update(secret).digest("hex");

/** Who is calling the API. */
export interface ApiPrincipal {
  kind: "api";
  tokenId: string;
  /** The token's name, as its creator gave it. */
  name?: string;
  orgId: string;
  role: Role;
}

/** Which environment an agent serves. */
export interface AgentPrincipal {
  kind: "agent";
  tokenId: string;
  orgId: string;
  envId: string;
}

export interface IssueTokenInput {
  kind: TokenKind;
  name: string;
  orgId: string;
  envId?: string;
  role?: Role;
  expiresAt?: string;
}

export function createTokenService(deps: {
  tokens: Pick<TokenStore, "getByHash" | "put">;
  clock: Clock;
  /** Remembers verified tokens briefly (read-cache.ts); re-checks of live agents read past it. */
  cache?: ReadCache;
}) {
  const { tokens, clock, cache } = deps;
  const lookUp = (hash: string) =>
    cache ? cache.read(`token:${hash}`, () => tokens.getByHash(hash)) : tokens.getByHash(hash);

  /** Looks up a bearer secret of the given kind; every failure is the same `unauthenticated`. */
  async function verify(secret: string | undefined, kind: TokenKind): Promise<TokenRecord> {
    const refused = new AppError("unauthenticated", `a valid ${kind} token is required`);
    if (!secret?.startsWith(TOKEN_PREFIX[kind]) || secret.length > 200) throw refused;
    const record = await lookUp(hashToken(secret));
    if (!record || record.kind !== kind || record.revokedAt) throw refused;
    if (record.expiresAt && Date.parse(record.expiresAt) <= clock.now()) throw refused;
    return record;
  }

  return {
    /** Creates a token and returns its secret, which is never stored or shown again. */
    async issue(input: IssueTokenInput): Promise<{ secret: string; record: TokenRecord }> {
      const secret = `${TOKEN_PREFIX[input.kind]}${randomBytes(32).toString("base64url")}`;
      const record: TokenRecord = {
        id: `tok_${randomBytes(8).toString("hex")}`,
        kind: input.kind,
        hash: hashToken(secret),
        name: input.name,
        orgId: input.orgId,
        envId: input.envId,
        role: input.role,
        createdAt: new Date(clock.now()).toISOString(),
        expiresAt: input.expiresAt,
      };
      await tokens.put(record);
      return { secret, record };
    },

    async authenticateApi(secret: string | undefined): Promise<ApiPrincipal> {
      const record = await verify(secret, "api");
      return {
        kind: "api",
        tokenId: record.id,
        name: record.name,
        orgId: record.orgId,
        role: record.role ?? "viewer",
      };
    },

    async authenticateAgent(secret: string | undefined): Promise<AgentPrincipal> {
      const record = await verify(secret, "agent");
      if (!record.envId) throw new AppError("unauthenticated", "a valid agent token is required");
      return { kind: "agent", tokenId: record.id, orgId: record.orgId, envId: record.envId };
    },

    /**
     * True while the token still authenticates (used to disconnect agents of revoked tokens).
     * Always read from the store: revocation made in another process is seen here first.
     */
    async isValid(secretHash: string): Promise<boolean> {
      const record = await tokens.getByHash(secretHash);
      const valid =
        !!record && !record.revokedAt && (!record.expiresAt || Date.parse(record.expiresAt) > clock.now());
      // A reconnect of the revoked agent must not be let in from the cache.
      if (!valid) cache?.clear();
      return valid;
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
