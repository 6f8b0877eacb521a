/** A provider to talk to: the organization's own or a platform-wide one. */
export interface OidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** What an authorization request needs remembered until the callback. */
export interface AuthorizationStart {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** The verified claims of an ID token. */
export type IdTokenClaims = Record<string, unknown> & { iss: string; sub: string; aud: string | string[] };

/**
 * The relying party: discovery, the authorization request (code flow, PKCE S256, state, nonce)
 * and the code exchange, whose ID token it verifies (signature against the provider's JWKS,
 * issuer, audience, expiry, nonce) before returning the claims.
 */
export interface OidcClient {
  start(provider: OidcProvider, redirectUri: string, scope: string): Promise<AuthorizationStart>;
  /** Throws `unauthenticated` with the reason when the answer or its ID token fails a check. */
  finish(
    provider: OidcProvider,
    callbackUrl: URL,
    checks: { state: string; nonce: string; codeVerifier: string },
  ): Promise<IdTokenClaims>;
}
