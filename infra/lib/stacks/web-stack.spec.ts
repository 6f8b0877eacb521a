import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Match } from "aws-cdk-lib/assertions";
import { resourcesOf, type Stages, synthesize } from "../../test/fixture.ts";
import { createApp } from "../app.ts";
import { buildAssay } from "../assay.ts";
import { stages } from "../config/stages.ts";
import { placeholderContextKey } from "../constructs/assay-function.ts";

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
      template.resourceCountIs("AWS::CloudFront::OriginAccessControl", 1);
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
      const [api] = config.CacheBehaviors as Behavior[];
      assert.equal(api?.PathPattern, "/v1/*");
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

    it("uploads the built dashboard and invalidates the cache when web/dist exists", () => {
      const dist = mkdtempSync(join(tmpdir(), "assay-web-"));
      writeFileSync(join(dist, "index.html"), "<!doctype html><title>Assay</title>");
      const withAssets = synthesize("prod", { webAssetsDir: dist });
      withAssets.template("web").hasResourceProperties("Custom::CDKBucketDeployment", {
        DistributionPaths: ["/*"],
      });
      template.resourceCountIs("Custom::CDKBucketDeployment", 0);
    });
  });
}
