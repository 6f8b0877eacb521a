import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { restoreViewerAuthorization, VIEWER_AUTHORIZATION_HEADER } from "./viewer-authorization.ts";

const signature = "AWS4-HMAC-SHA256 Credential=ASIA.../cloudfront/aws4_request, Signature=abc";
const url = "https://stream.lambda-url.eu-west-1.on.aws/v1/orgs/o/envs/e/executions/x/logs?follow=1";

describe("restoreViewerAuthorization", () => {
  test("puts the viewer's bearer token back in place of CloudFront's signature", () => {
    const request = restoreViewerAuthorization(
      new Request(url, {
        headers: { authorization: signature, [VIEWER_AUTHORIZATION_HEADER]: "Bearer asy_api_secret" },
      }),
    );
    assert.equal(request.headers.get("authorization"), "Bearer asy_api_secret");
    assert.equal(request.headers.get(VIEWER_AUTHORIZATION_HEADER), null);
    assert.equal(request.url, url);
  });

  test("drops the signature when the viewer sent none, so the session cookie decides", () => {
    const request = restoreViewerAuthorization(
      new Request(url, { headers: { authorization: signature, cookie: "assay_session=s" } }),
    );
    assert.equal(request.headers.get("authorization"), null);
    assert.equal(request.headers.get("cookie"), "assay_session=s");
  });

  test("keeps method, body and other headers", async () => {
    const request = restoreViewerAuthorization(
      new Request(url, {
        method: "POST",
        body: "{}",
        headers: { "last-event-id": "42", [VIEWER_AUTHORIZATION_HEADER]: "Bearer t" },
      }),
    );
    assert.equal(request.method, "POST");
    assert.equal(await request.text(), "{}");
    assert.equal(request.headers.get("last-event-id"), "42");
  });
});
