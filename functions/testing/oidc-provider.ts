/**
 * A real OpenID Connect provider on loopback for tests and local trials: `oidc-provider` (the
 * certified provider library) with one confidential client, a few accounts, PKCE required,
 * consent pre-granted, and its development login form (any registered account name signs in).
 *
 * `misbehave` makes the provider's token endpoint hand out ID tokens that a relying party must
 * refuse (another audience or issuer, already expired), still signed with the provider's own
 * key, so the refusal is about the claim and not the signature.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeJwt, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";
import Provider from "oidc-provider";

export interface TestAccount {
  email: string;
  email_verified: boolean;
  name?: string;
  groups?: string[];
}

export type Misbehaviour = "wrong-audience" | "wrong-issuer" | "expired";

export interface LoopbackOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by login name (add more while it runs). */
  accounts: Map<string, TestAccount>;
  /** The next ID tokens are tampered this way (undefined: honest again). */
  misbehave(mode: Misbehaviour | undefined): void;
  /**
   * Plays the browser at the provider: follows the authorization URL, signs in as `login` on
   * the login form, and returns the redirect back to the relying party (code, state, iss).
   */
  signIn(authorizationUrl: string, login: string): Promise<URL>;
  stop(): Promise<void>;
}

export async function startOidcProvider(options: {
  redirectUris: string[];
  accounts?: Record<string, TestAccount>;
  clientId?: string;
  clientSecret?: string;
  /** Port on 127.0.0.1 (default: any free one). */
  port?: number;
}): Promise<LoopbackOidcProvider> {
  const clientId = options.clientId ?? "assay-test";
  const clientSecret = options.clientSecret ?? "a-long-test-client-secret-of-the-loopback-provider";
  const accounts = new Map(Object.entries(options.accounts ?? {}));
  let mode: Misbehaviour | undefined;

  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: "loopback-1", alg: "RS256", use: "sig" };

  let handler: Parameters<typeof createServer>[1] = (_req, res) => res.end();
  const server: Server = createServer((req, res) => {
    // Browsers ask for a favicon; an empty answer keeps their consoles free of 404s.
    if (req.url === "/favicon.ico") return void res.writeHead(204).end();
    handler?.(req, res);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ["loopback-provider-cookie-key"] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
    // Scope-requested claims go in the ID token, as Okta, Entra ID and Google put them there.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ttl: {
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      AccessToken: 600,
      IdToken: 600,
    },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
    // A first-party client: consent is pre-granted, so signing in is the only interaction.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.session?.grantIdFor(ctx.oidc.client?.clientId ?? "");
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client?.clientId ?? "",
        accountId: ctx.oidc.session?.accountId ?? "",
      });
      grant.addOIDCScope("openid email profile groups");
      await grant.save();
      return grant;
    },
  });

  const key = await importJWK(jwk, "RS256");
  provider.use(async (ctx, next) => {
    await next();
    // The development login form imports a web font: keep a browser on loopback only.
    if (typeof ctx.body === "string" && ctx.type === "text/html")
      ctx.body = ctx.body.replace(/@import url\(https:[^)]*\);/g, "");
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path !== "/token" || mode === undefined || typeof body?.id_token !== "string") return;
    const claims = decodeJwt(body.id_token);
    const now = Math.floor(Date.now() / 1000);
    if (mode === "wrong-audience") claims.aud = "some-other-client";
    if (mode === "wrong-issuer") claims.iss = "http://127.0.0.1:9/not-the-issuer";
    if (mode === "expired") Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
    const id_token = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: jwk.kid }).sign(key);
    ctx.body = { ...body, id_token };
  });
  handler = provider.callback();

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    misbehave(next) {
      mode = next;
    },
    async signIn(authorizationUrl, login) {
      const jar = new Map<string, string>();
      const send = async (url: string, init: RequestInit = {}) => {
        const headers = new Headers(init.headers);
        headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
        const res = await fetch(url, { ...init, headers, redirect: "manual" });
        for (const cookie of res.headers.getSetCookie()) {
          const [pair] = cookie.split(";");
          const at = pair?.indexOf("=") ?? -1;
          if (pair && at > 0) jar.set(pair.slice(0, at), pair.slice(at + 1));
        }
        return res;
      };
      const location = (res: Response, base: string) => {
        const to = res.headers.get("location");
        if (!to) throw new Error(`the provider answered ${res.status} without a redirect`);
        return new URL(to, base).href;
      };
      let url = location(await send(authorizationUrl), authorizationUrl);
      const form = await send(url);
      await form.text();
      url = location(
        await send(url, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ prompt: "login", login, password: "any" }),
        }),
        url,
      );
      // Resume the authorization (and follow any further hop) until it leaves the provider.
      for (let hops = 0; hops < 5 && url.startsWith(issuer); hops++) url = location(await send(url), url);
      return new URL(url);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
