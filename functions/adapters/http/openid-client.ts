/**
 * OidcClient over `openid-client` (the certified relying-party library): discovery of the
 * provider's metadata, the authorization request with PKCE (S256), state and nonce, and the code
 * exchange, in which the library verifies the ID token's signature against the provider's JWKS,
 * its issuer, audience, expiry and nonce, and the RFC 9207 `iss` of the answer when present.
 *
 * Discovered configurations are kept for `cacheMs` per issuer and client, so a sign-in costs one
 * discovery round trip at most every few minutes. Plain http is allowed only when `allowHttp`
 * is set (local mode, tests) and then only for loopback issuers.
 */
import { AppError, type Clock, createTtlCache, systemClock } from "@assay/shared";
import * as client from "openid-client";
import type {
  AuthorizationStart,
  IdTokenClaims,
  OidcClient,
  OidcProvider,
} from "../../core/ports/oidc-client.ts";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function createOpenIdClient(
  options: {
    allowHttp?: boolean;
    cacheMs?: number;
    timeoutSeconds?: number;
    clock?: Pick<Clock, "now">;
  } = {},
): OidcClient {
  const cache = createTtlCache<string, Promise<client.Configuration>>({
    clock: options.clock ?? systemClock,
    ttlMs: options.cacheMs ?? 5 * 60_000,
  });

  const discover = (provider: OidcProvider): Promise<client.Configuration> => {
    const key = `${provider.issuer}\n${provider.clientId}\n${provider.clientSecret}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const issuer = new URL(provider.issuer);
    const insecure = issuer.protocol === "http:";
    if (insecure && !(options.allowHttp && LOOPBACK.has(issuer.hostname))) {
      throw new AppError("failed_precondition", `the issuer ${provider.issuer} must use https`);
    }
    const config = client
      .discovery(issuer, provider.clientId, undefined, client.ClientSecretBasic(provider.clientSecret), {
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
        timeout: options.timeoutSeconds ?? 10,
      })
      .catch((error: unknown) => {
        cache.delete(key);
        // Unreachable is a passing outage; a document that fails the checks is a wrong setting.
        const unreachable =
          error instanceof TypeError || (error instanceof Error && error.name === "AbortError");
        throw new AppError(
          unreachable ? "unavailable" : "failed_precondition",
          unreachable
            ? `the identity provider ${provider.issuer} could not be reached: ${reason(error)}`
            : `the identity provider at ${provider.issuer} was refused: ${reason(error)}`,
          { cause: error },
        );
      });
    cache.set(key, config);
    return config;
  };

  return {
    async start(provider, redirectUri, scope): Promise<AuthorizationStart> {
      const config = await discover(provider);
      const codeVerifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        response_type: "code",
        scope,
        state,
        nonce,
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: "S256",
      });
      return { url: url.href, state, nonce, codeVerifier };
    },

    async finish(provider, callbackUrl, checks): Promise<IdTokenClaims> {
      const config = await discover(provider);
      try {
        const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        if (!claims) throw new Error("the answer carries no ID token");
        return claims as IdTokenClaims;
      } catch (error) {
        throw new AppError(
          "unauthenticated",
          `the identity provider's answer was refused: ${reason(error)}`,
          {
            cause: error,
          },
        );
      }
    },
  };
}

/** A short, safe description of a library error (its message names the failed check). */
function reason(error: unknown): string {
  if (error instanceof client.AuthorizationResponseError)
    return `${error.error}${error.error_description ? ` (${error.error_description})` : ""}`;
  if (error instanceof client.ResponseBodyError)
    return `${error.error}${error.error_description ? ` (${error.error_description})` : ""}`;
  const message = error instanceof Error ? error.message : String(error);
  // The inner error names the failed check (`unexpected JWT "aud" (audience) claim value`).
  const inner = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${message}${inner}`.slice(0, 400);
}
