import type { TokenRecord } from "@assay/shared";

export interface TokenStore {
  /** Stores a new token record; `hash` is unique. */
  put(token: TokenRecord): Promise<void>;
  /** Looks a token up by the SHA-256 (hex) of its secret. */
  getByHash(hash: string): Promise<TokenRecord | undefined>;
  listByOrg(orgId: string): Promise<TokenRecord[]>;
  /** Marks a token revoked; returns false when no such token exists in that org. */
  revoke(orgId: string, tokenId: string, revokedAt: string): Promise<boolean>;
}
