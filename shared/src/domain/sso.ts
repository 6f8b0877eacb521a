/**
 * Single sign-on with OpenID Connect: the public shapes of an organization's SSO settings and of
 * the sign-in endpoints, shared by the control plane and the dashboard.
 */
import * as z from "zod";
import { lazySchema } from "../lazy-schema.ts";
import { Slug } from "./ids.ts";
import { Email, Role } from "./tenancy.ts";

/** A DNS name an organization's members' email addresses end in (`example.com`). */
export const EmailDomain = lazySchema(() =>
  z
    .string()
    .trim()
    .toLowerCase()
    .min(3)
    .max(253)
    .regex(
      /^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
      "must be a domain such as example.com",
    ),
);
export type EmailDomain = z.infer<typeof EmailDomain>;

/** Roles SSO hands out on its own: never owner (owners are made by owners). */
export const SsoRole = lazySchema(() => Role.exclude(["owner"]));
export type SsoRole = z.infer<typeof SsoRole>;

/** One entry of the groups-claim mapping: members of `group` get `role`. */
export const SsoGroupRole = lazySchema(() =>
  z.object({ group: z.string().trim().min(1).max(256), role: SsoRole }).strict(),
);
export type SsoGroupRole = z.infer<typeof SsoGroupRole>;

/** An issuer identifier: an https URL (http only on loopback), no query or fragment. */
export const IssuerUrl = lazySchema(() =>
  z
    .string()
    .trim()
    .max(500)
    .pipe(z.url({ protocol: /^https?$/ }))
    .refine((value) => {
      const url = new URL(value);
      const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
      return (url.protocol === "https:" || loopback) && url.search === "" && url.hash === "";
    }, "must be an https URL without query or fragment (http only for localhost)"),
);

/** `PUT /v1/orgs/{org}/sso`: the organization's OpenID Connect provider and policy. */
export const PutSsoSettingsBody = lazySchema(() =>
  z
    .object({
      /** Off: nobody signs in through the provider (the settings are kept). */
      enabled: z.boolean(),
      issuer: IssuerUrl,
      clientId: z.string().trim().min(1).max(500),
      /** Write-only. Omit to keep the stored secret; required the first time. */
      clientSecret: z.string().min(1).max(2000).optional(),
      /** Addresses in these domains may sign in and join (just in time). Each domain names one org. */
      domains: z.array(EmailDomain).max(50).default([]),
      /** The role of a member who joins by signing in, when no group maps to a role. */
      defaultRole: SsoRole.default("member"),
      /** Scopes asked for besides `openid email profile` (e.g. `groups` for Okta and Dex). */
      extraScopes: z
        .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, "must be a scope token"))
        .max(10)
        .default([]),
      /** The ID token claim holding the user's groups. */
      groupsClaim: z.string().trim().min(1).max(100).default("groups"),
      /** The highest role of the user's mapped groups wins over the default role. */
      groupRoles: z.array(SsoGroupRole).max(100).default([]),
      /** Members must sign in through SSO; owners keep password sign-in as a break-glass path. */
      required: z.boolean().default(false),
    })
    .strict(),
);
export type PutSsoSettingsBody = z.infer<typeof PutSsoSettingsBody>;

/** An organization's SSO settings as the API shows them (never the client secret). */
export const SsoSettingsView = lazySchema(() =>
  z.object({
    orgId: Slug,
    /** False until SSO is first saved (the other fields are then the defaults). */
    configured: z.boolean(),
    enabled: z.boolean(),
    issuer: z.string(),
    clientId: z.string(),
    /** Whether a client secret is stored (its value is never shown). */
    hasClientSecret: z.boolean(),
    domains: z.array(z.string()),
    defaultRole: SsoRole,
    extraScopes: z.array(z.string()),
    groupsClaim: z.string(),
    groupRoles: z.array(SsoGroupRole),
    required: z.boolean(),
    /** Where the provider must send users back (register it at the provider). */
    redirectUri: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  }),
);
export type SsoSettingsView = z.infer<typeof SsoSettingsView>;

/** `GET /v1/auth/sso/start`: which SSO to start (exactly one of them). */
export const SsoStartQuery = lazySchema(() =>
  z
    .object({
      org: Slug.optional(),
      email: Email.optional(),
      /** A platform-wide provider's id (e.g. `google`). */
      provider: z
        .string()
        .regex(/^[a-z0-9-]{1,40}$/)
        .optional(),
    })
    .strict()
    .refine((q) => [q.org, q.email, q.provider].filter((v) => v !== undefined).length === 1, {
      message: "give exactly one of org, email or provider",
    }),
);
export type SsoStartQuery = z.infer<typeof SsoStartQuery>;

/** A platform-wide provider as the sign-in page lists it. */
export const SsoProviderView = lazySchema(() => z.object({ id: z.string(), name: z.string() }));
export type SsoProviderView = z.infer<typeof SsoProviderView>;

/** `POST /v1/auth/sso/link`: proves ownership of the existing account before it is linked. */
export const SsoLinkBody = lazySchema(() =>
  z.object({ token: z.string().min(1).max(200), password: z.string().min(1).max(256) }).strict(),
);
export type SsoLinkBody = z.infer<typeof SsoLinkBody>;

/** `POST /v1/auth/sso/link`'s answer: signed in, and where to go. */
export const SsoLinkedResponse = lazySchema(() =>
  z.object({ orgId: Slug.nullable(), expiresAt: z.string() }),
);
export type SsoLinkedResponse = z.infer<typeof SsoLinkedResponse>;

/** `POST /v1/auth/sso/link/info`: what the link page shows before asking for the password. */
export const SsoLinkView = lazySchema(() =>
  z.object({ email: z.string(), provider: z.string(), expiresAt: z.string() }),
);
export type SsoLinkView = z.infer<typeof SsoLinkView>;
