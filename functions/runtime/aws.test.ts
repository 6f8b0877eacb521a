/**
 * The AWS composition's lazy adapters: they load their library on first use and then behave
 * as the adapter they stand for.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AppError } from "@assay/shared";
import { lazyOpenIdClient } from "./aws.ts";

describe("lazyOpenIdClient", () => {
  test("loads the OpenID client on the first sign-in; identity providers stay https-only", async () => {
    const oidc = lazyOpenIdClient();
    for (const issuer of ["http://idp.example.com", "http://127.0.0.1:9"]) {
      const provider = { issuer, clientId: "assay", clientSecret: "s3cret" };
      await assert.rejects(
        oidc.start(provider, "https://api.example.com/v1/sso/callback", "openid email"),
        (error: unknown) =>
          error instanceof AppError &&
          error.code === "failed_precondition" &&
          /must use https/.test(error.message),
      );
      await assert.rejects(
        oidc.finish(provider, new URL("https://api.example.com/v1/sso/callback?code=c&state=s"), {
          state: "s",
          nonce: "n",
          codeVerifier: "v",
        }),
        /must use https/,
      );
    }
  });
});
