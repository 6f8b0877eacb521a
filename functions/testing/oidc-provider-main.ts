/**
 * A loopback OpenID Connect provider for trying SSO with `npm start` (no real identity provider
 * needed): `npx node functions/testing/oidc-provider-main.ts [port] [redirect URI]`. It prints
 * the issuer, client id and secret to enter in the organization's SSO settings; sign in on its
 * form as `ada` (ada@example.com, group engineering) or `grace` (grace@example.com, group
 * platform-admins). For trials only: accounts and sessions live in memory.
 */
import { startOidcProvider } from "./oidc-provider.ts";

const port = Number(process.argv[2] ?? 9090);
const redirectUri = process.argv[3] ?? "http://127.0.0.1:8080/v1/auth/sso/callback";
const idp = await startOidcProvider({
  port,
  redirectUris: [redirectUri],
  accounts: {
    ada: { email: "ada@example.com", email_verified: true, name: "Ada", groups: ["engineering"] },
    grace: { email: "grace@example.com", email_verified: true, name: "Grace", groups: ["platform-admins"] },
  },
});
console.log(`Loopback OpenID Connect provider
  issuer         ${idp.issuer}
  client id      ${idp.clientId}
  client secret  ${idp.clientSecret}
  redirect URI   ${redirectUri}
Sign in as "ada" or "grace" (any password). Ctrl-C stops it.`);
process.on("SIGINT", () => void idp.stop().then(() => process.exit(0)));
