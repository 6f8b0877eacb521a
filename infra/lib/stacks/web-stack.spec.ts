import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Match } from "aws-cdk-lib/assertions";
import { resourcesOf, type Stages } from "../../test/fixture.ts";
import { createApp } from "../app.ts";
import { buildAssay } from "../assay.ts";
import { stages } from "../config/stages.ts";
import { placeholderContextKey } from "../constructs/assay-function.ts";
import { streamedPaths, viewerAuthorizationHeader } from "./web-stack.ts";

/** Template assertions for WebStack, run by test/stacks.test.ts on the shared synthesized stages. */
export function webStackSuite(synthesized: Stages): void {
  const { prod, dev } = synthesized;
  const template = prod.template("web");

  type Behavior = Record<string, unknown>;
  const distributionConfig = (): Record<string, unknown> => {
    const [, distribution] = resourcesOf(template, "AWS::CloudFront::Distribution")[0] ?? [];
    assert.ok(distribution);
    return distribution.DistributionConfig as Record<string, unknown>;
  };
  describe("WebStack", () => {
    it("serves the dashboard from a private bucket through origin access control", () => {
      template.hasResourceProperties("AWS::CloudFront::OriginAccessControl", {
        OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: "s3" }),
      });
      template.hasResourceProperties("AWS::S3::Bucket", {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
      const config = distributionConfig();
      assert.deepEqual(config.Aliases, ["app.assay.example.com"]);
      assert.equal(config.DefaultRootObject, "index.html");
      assert.equal(config.HttpVersion, "http2and3");
      assert.deepEqual(config.ViewerCertificate, {
        AcmCertificateArn: stages.prod.web.certificateArn,
        MinimumProtocolVersion: "TLSv1.2_2021",
        SslSupportMethod: "sni-only",
      });
    });

    it("rewrites client-side routes to index.html on the SPA behaviour only, leaving API errors alone", () => {
      const config = distributionConfig();
      assert.equal(config.CustomErrorResponses, undefined, "no distribution-wide error rewriting");
      const defaultBehavior = config.DefaultCacheBehavior as Behavior;
      assert.equal((defaultBehavior.FunctionAssociations as unknown[]).length, 1);
      template.hasResourceProperties("AWS::CloudFront::Function", {
        FunctionCode: Match.stringLikeRegexp("/index.html"),
        FunctionConfig: Match.objectLike({ Runtime: "cloudfront-js-2.0" }),
      });
    });

    it("routes /v1/* to the HTTP API uncached with every method and the viewer's cookies", () => {
      const config = distributionConfig();
      const api = (config.CacheBehaviors as Behavior[]).find((b) => b.PathPattern === "/v1/*");
      assert.deepEqual(api?.AllowedMethods, ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]);
      // Managed policies: CachingDisabled, AllViewerExceptHostHeader.
      assert.equal(api?.CachePolicyId, "4135ea2d-6df8-44a3-9df3-4b5a84be39ad");
      assert.equal(api?.OriginRequestPolicyId, "b689b0a8-53d0-40ab-baf2-68738e2966ac");
      assert.equal(api?.FunctionAssociations, undefined);
      const origins = config.Origins as Array<{
        DomainName: unknown;
        CustomOriginConfig?: { OriginProtocolPolicy: string };
      }>;
      assert.ok(origins.some((o) => o.CustomOriginConfig?.OriginProtocolPolicy === "https-only"));
    });

    it("routes live log follows and the archive, before /v1/*, to the streaming Function URL", () => {
      const config = distributionConfig();
      const behaviors = config.CacheBehaviors as Behavior[];
      assert.deepEqual(
        behaviors.map((b) => b.PathPattern),
        [...streamedPaths, "/v1/*"],
      );
      const origins = config.Origins as Array<{
        Id: string;
        DomainName: unknown;
        OriginAccessControlId?: unknown;
      }>;
      for (const behavior of behaviors.slice(0, streamedPaths.length)) {
        assert.deepEqual(behavior.AllowedMethods, ["GET", "HEAD"]);
        assert.equal(behavior.CachePolicyId, "4135ea2d-6df8-44a3-9df3-4b5a84be39ad");
        assert.equal(behavior.OriginRequestPolicyId, "b689b0a8-53d0-40ab-baf2-68738e2966ac");
        assert.equal(behavior.ViewerProtocolPolicy, "https-only");
        assert.equal(
          (behavior.FunctionAssociations as Array<{ EventType: string }>)[0]?.EventType,
          "viewer-request",
        );
        const origin = origins.find((o) => o.Id === behavior.TargetOriginId);
        assert.ok(origin?.OriginAccessControlId, "signed by origin access control");
        // The domain is taken from the API stack's Function URL.
        assert.match(JSON.stringify(origin?.DomainName), /StreamFunction.*FunctionUrl/);
      }
      const stream = origins.find((o) => o.Id === behaviors[0]?.TargetOriginId) as Record<string, unknown>;
      assert.equal((stream.CustomOriginConfig as { OriginReadTimeout: number }).OriginReadTimeout, 60);
      template.hasResourceProperties("AWS::CloudFront::OriginAccessControl", {
        OriginAccessControlConfig: Match.objectLike({
          OriginAccessControlOriginType: "lambda",
          SigningBehavior: "always",
          SigningProtocol: "sigv4",
        }),
      });
    });

    it("lets only this distribution invoke the Function URL (both actions Lambda requires)", () => {
      const permissions = resourcesOf(template, "AWS::Lambda::Permission").map(([, p]) => p);
      for (const action of ["lambda:InvokeFunctionUrl", "lambda:InvokeFunction"]) {
        const permission = permissions.find((p) => p.Action === action);
        assert.ok(permission, action);
        assert.equal(permission.Principal, "cloudfront.amazonaws.com");
        assert.match(JSON.stringify(permission.SourceArn), /:distribution\//);
      }
    });

    it("copies the viewer's Authorization aside before origin access control signs the request", () => {
      const [, fn] =
        resourcesOf(template, "AWS::CloudFront::Function").find(([id]) =>
          id.startsWith("KeepViewerAuthorization"),
        ) ?? [];
      const code = String(fn?.FunctionCode);
      const handler = new Function(`${code}; return handler;`)() as (event: unknown) => {
        headers: Record<string, { value: string }>;
      };
      const run = (headers: Record<string, { value: string }>) => handler({ request: { headers } }).headers;
      assert.deepEqual(run({ authorization: { value: "Bearer asy_api_x" } })[viewerAuthorizationHeader], {
        value: "Bearer asy_api_x",
      });
      // A viewer cannot smuggle a value in under the copy's name.
      assert.equal(
        run({ [viewerAuthorizationHeader]: { value: "Bearer forged" } })[viewerAuthorizationHeader],
        undefined,
      );
    });

    it("adds security headers to every response", () => {
      template.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", {
        ResponseHeadersPolicyConfig: {
          SecurityHeadersConfig: Match.objectLike({
            ContentSecurityPolicy: Match.objectLike({ ContentSecurityPolicy: Match.anyValue() }),
            StrictTransportSecurity: Match.objectLike({
              AccessControlMaxAgeSec: 31536000,
              IncludeSubdomains: true,
            }),
            ContentTypeOptions: { Override: true },
            FrameOptions: { FrameOption: "DENY", Override: true },
            ReferrerPolicy: Match.objectLike({ ReferrerPolicy: "strict-origin-when-cross-origin" }),
          }),
        },
      });
      // Artifact previews (<img>, <iframe>) load presigned URLs from the artifacts bucket.
      const [, policy] = resourcesOf(template, "AWS::CloudFront::ResponseHeadersPolicy")[0] ?? [];
      const csp = JSON.stringify(policy);
      assert.match(csp, /img-src 'self' data: blob: https:\/\/.*Artifacts/);
      assert.match(csp, /frame-src 'self' https:\/\/.*Artifacts/);
      assert.match(csp, /connect-src 'self';/);
    });

    it("issues its own certificate in us-east-1 and refuses a stage elsewhere without one", () => {
      dev.template("web").hasResourceProperties("AWS::CertificateManager::Certificate", {
        DomainName: "app.dev.assay.example.com",
      });
      const app = createApp({ context: { [placeholderContextKey]: "*" } });
      assert.throws(
        () => buildAssay(app, { ...stages.prod, web: {} }),
        /CloudFront needs a us-east-1 certificate/,
      );
    });

    it("uploads nothing when web/dist is missing (test/synth.test.ts covers the upload)", () => {
      template.resourceCountIs("Custom::CDKBucketDeployment", 0);
    });
  });
}
