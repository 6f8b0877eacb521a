/**
 * The operator's platform-wide identity providers, given as JSON (ASSAY_SSO_PROVIDERS in local
 * mode and in AWS): `[{"id":"google","name":"Google","issuer":"https://accounts.google.com",
 * "clientId":"...","clientSecret":"..."}]`. Parsed once at start; a bad value stops the start
 * with a message naming the field.
 */
import { IssuerUrl, type SsoProviderView } from "@assay/shared";
import * as z from "zod";
import type { OidcProvider } from "../ports/oidc-client.ts";

/** An identity provider the operator offers to everyone ("Sign in with Google"). */
export interface PlatformProvider extends OidcProvider {
  /** Lower-case id used in URLs (`google`). */
  id: string;
  /** What the sign-in button says. */
  name: string;
}

export const PlatformProviderConfig = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{1,40}$/, "must be lower-case letters, digits and dashes"),
    name: z.string().min(1).max(60),
    issuer: IssuerUrl,
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
  })
  .strict();

/** A JSON array of providers (empty or unset: none). */
export const PlatformProvidersJson = z
  .string()
  .default("[]")
  .transform((text, ctx): PlatformProvider[] => {
    let value: unknown;
    try {
      value = JSON.parse(text || "[]");
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a JSON array of providers" });
      return z.NEVER;
    }
    const parsed = z.array(PlatformProviderConfig).max(20).safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        ctx.addIssue({ code: "custom", message: `${issue.path.join(".")}: ${issue.message}` });
      return z.NEVER;
    }
    const ids = parsed.data.map((p) => p.id);
    if (new Set(ids).size !== ids.length) {
      ctx.addIssue({ code: "custom", message: "provider ids must be unique" });
      return z.NEVER;
    }
    return parsed.data;
  });

/** The platform-wide providers as the sign-in page lists them (no issuer or secrets). */
export const providerViews = (providers: readonly PlatformProvider[]): SsoProviderView[] =>
  providers.map((p) => ({ id: p.id, name: p.name }));
