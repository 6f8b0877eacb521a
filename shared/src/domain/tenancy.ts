import { z } from "zod";
import { Slug } from "./ids.ts";

export const Role = z.enum(["owner", "admin", "member", "viewer"]);
export type Role = z.infer<typeof Role>;

export const Organization = z.object({
  id: Slug,
  name: z.string().min(1).max(200),
  plan: z.string().default("free"),
  createdAt: z.string(),
});
export type Organization = z.infer<typeof Organization>;

export const Environment = z.object({
  orgId: Slug,
  id: Slug,
  name: z.string().min(1).max(200),
  createdAt: z.string(),
});
export type Environment = z.infer<typeof Environment>;

export const TokenKind = z.enum(["api", "agent"]);
export type TokenKind = z.infer<typeof TokenKind>;

/** Token secrets are shown once; the store keeps only their SHA-256. */
export const TOKEN_PREFIX: Record<TokenKind, string> = { api: "asy_api_", agent: "asy_agent_" };

export const TokenRecord = z.object({
  /** Public id of the token (for listing and revoking). */
  id: z.string(),
  kind: TokenKind,
  /** Hex SHA-256 of the secret. */
  hash: z.string(),
  name: z.string(),
  orgId: Slug,
  /** Agent tokens belong to one environment. */
  envId: Slug.optional(),
  /** API tokens act with a role in their organization. */
  role: Role.optional(),
  createdAt: z.string(),
  expiresAt: z.string().optional(),
  revokedAt: z.string().optional(),
  lastUsedAt: z.string().optional(),
});
export type TokenRecord = z.infer<typeof TokenRecord>;
