/**
 * The whole app as `npx cdk synth` builds it: cdk-nag AwsSolutions and cfn-guard's Control Tower
 * controls over every stack of both stages (synth throws on an unacknowledged finding or a stale
 * acknowledgement), real esbuild bundles of the Lambda entries, the ingress image's build
 * context, and the deploy rules (deploy-rules.ts) on the same templates. Small apps with a known
 * violation show that the checks fail a synth at all. Entries that have not landed yet are
 * stubbed, and the test says so.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { Bucket, BucketEncryption } from "aws-cdk-lib/aws-s3";
import { addPolicyChecks } from "../lib/checks.ts";
import { lambdaEntries, missingEntries } from "../lib/config/paths.ts";
import { acknowledge, acknowledgeGuard } from "../lib/nag.ts";
import { deployRulesSuite } from "./deploy-rules.ts";
import { synthesize } from "./fixture.ts";
import { actionsOf, statementsOf } from "./iam.ts";

const missing = missingEntries();
if (missing.length > 0) console.log(`# entries not landed yet, stubbed: ${missing.join(", ")}`);

// A stand-in for web/dist, so the dashboard upload (BucketDeployment) is checked too.
const webDist = mkdtempSync(join(tmpdir(), "assay-web-"));
writeFileSync(join(webDist, "index.html"), "<!doctype html><title>Assay</title>");

/** Validation failures throw with the whole report, as in a test or an in-process synth. */
const inMemory = { "@aws-cdk/core:appMode": "inmemory" };

// prod bundles for real; dev reuses the checks with stubs (same code, different configuration).
// And for agent/dist-package, so the agent tarball's upload under /agent/ is checked.
const agentPackage = mkdtempSync(join(tmpdir(), "assay-agent-package-"));
writeFileSync(join(agentPackage, "assay-agent-0.0.0.tgz"), "not really a tarball");
const prod = synthesize("prod", {
  placeholders: missing,
  webAssetsDir: webDist,
  agentPackageDir: agentPackage,
  context: inMemory,
});
const dev = synthesize("dev", { context: inMemory });
addPolicyChecks(prod.app);
addPolicyChecks(dev.app);
const prodAssembly = prod.app.synth();
const devAssembly = dev.app.synth();

const allStacks = (s: typeof prod): Stack[] => Object.values(s.stacks);

/** A one-stack app with the policy checks, synthesized in memory: returns the error it throws. */
function synthError(build: (stack: Stack) => void): string {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), "assay-cdk-check-")), context: inMemory });
  build(new Stack(app, "Check"));
  addPolicyChecks(app);
  try {
    app.synth();
    return "";
  } catch (error) {
    return String(error);
  }
}

deployRulesSuite({ prod, dev });

describe("the policy checks", () => {
  it("pass both stages: every finding fixed or acknowledged, no acknowledgement stale", () => {
    for (const assembly of [prodAssembly, devAssembly]) {
      const report = join(assembly.directory, "validation-report.json");
      if (!existsSync(report)) continue;
      const parsed = JSON.parse(readFileSync(report, "utf8")) as {
        pluginReports: Array<{ pluginName: string; conclusion: string }>;
      };
      for (const plugin of parsed.pluginReports)
        assert.equal(plugin.conclusion, "success", plugin.pluginName);
    }
  });

  it("fail a synth on a finding of either pack (a bucket without TLS-only policy, logs or versioning)", () => {
    const error = synthError(
      (stack) => new Bucket(stack, "Plain", { encryption: BucketEncryption.S3_MANAGED }),
    );
    assert.match(error, /ValidationFailed/);
    assert.match(error, /AwsSolutions-S10/, "cdk-nag");
    assert.match(error, /s3_bucket_versioning_enabled_check/, "cfn-guard");
  });

  it("fail a synth on an acknowledgement that matches no finding, in either pack", () => {
    const error = synthError((stack) => {
      const bucket = new Bucket(stack, "Acked", {
        encryption: BucketEncryption.S3_MANAGED,
        enforceSSL: true,
      });
      acknowledge(bucket, "AwsSolutions-S1", { reason: "access logs are not needed for this test bucket" });
      acknowledge(bucket, "AwsSolutions-SQS3", { reason: "no queue here: this acknowledgement is stale" });
      acknowledgeGuard(bucket, "sqs_dlq_check", "no queue here: this acknowledgement is stale too");
    });
    assert.match(error, /stale-acknowledgement\[AwsSolutions-SQS3\]/);
    assert.match(error, /stale-acknowledgement\[sqs_dlq_check\]/);
    assert.doesNotMatch(
      error,
      /stale-acknowledgement\[AwsSolutions-S1\]/,
      "a used acknowledgement is not stale",
    );
  });
});

describe("the synthesized app", () => {
  it("gives every acknowledged finding a written reason", () => {
    let count = 0;
    for (const stack of [...allStacks(prod), ...allStacks(dev)]) {
      const template = Template.fromStack(stack).toJSON() as {
        Resources: Record<
          string,
          { Metadata?: { cdk_nag?: { rules_to_suppress: Array<{ id: string; reason: string }> } } }
        >;
      };
      for (const resource of Object.values(template.Resources)) {
        for (const rule of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
          count += 1;
          assert.ok(rule.reason.length >= 30, `${stack.stackName}: ${rule.id} needs a real reason`);
        }
      }
    }
    assert.ok(count > 0, "suppressions are written into the templates");
  });

  it("grants no wildcard actions (CDK's own site-upload handler aside)", () => {
    for (const stack of [...allStacks(prod), ...allStacks(dev)]) {
      for (const statement of statementsOf(Template.fromStack(stack))) {
        for (const action of actionsOf(statement)) {
          assert.ok(!action.includes("*"), `${stack.stackName} grants ${action}`);
        }
      }
    }
  });

  it("bundles each Lambda entry as an ESM entry file (plus lazily loaded chunks) exporting its handler", () => {
    const { api, workers } = prod.stacks;
    const functions = [
      api.handler,
      api.stream,
      ...Object.values(workers.queueWorkers).map((w) => w.handler),
      ...Object.values(workers.scheduled),
      workers.retentionSweep,
    ];
    assert.equal(functions.length, Object.keys(lambdaEntries).length);
    const bundled = functions.filter((fn) => !missing.includes(fn.entry));
    assert.ok(bundled.length >= 3, "the API and the queue workers are bundled");
    for (const fn of bundled) {
      const resource = fn.function.node.defaultChild as CfnFunction;
      const code = Stack.of(fn).resolve(resource.code) as { s3Key: string };
      const bundle = join(prodAssembly.directory, `asset.${code.s3Key.replace(/\.zip$/, "")}`, "index.mjs");
      const source = readFileSync(bundle, "utf8");
      const wasm = join(bundle, "..", "node_modules/re2-wasm/build/wasm/re2.wasm");
      assert.ok(existsSync(wasm), `${fn.entry}: the linear-time pattern engine ships beside the bundle`);
      assert.match(source, /createRequire/, `${fn.entry}: require shim for CommonJS dependencies`);
      assert.match(
        source,
        /export\s*\{[^}]*\bas handler\b|export\s*\{[^}]*\bhandler\b/,
        `${fn.entry}: exports handler`,
      );
    }
  });

  it("uploads the built dashboard: hashed assets immutable, the rest no-cache, then invalidates", () => {
    const web = prod.template("web");
    web.hasResourceProperties("Custom::CDKBucketDeployment", {
      DistributionPaths: ["/*"],
      SystemMetadata: { "cache-control": "no-cache" },
      Exclude: ["assets/*"],
      Prune: false,
    });
    web.hasResourceProperties("Custom::CDKBucketDeployment", {
      SystemMetadata: { "cache-control": "public, max-age=31536000, immutable" },
      Include: ["assets/*"],
      Prune: false,
    });
  });

  it("publishes the agent tarball under /agent/ beside the dashboard, neither upload pruning the other", () => {
    const web = prod.template("web");
    web.hasResourceProperties("Custom::CDKBucketDeployment", {
      DestinationBucketKeyPrefix: "agent/",
      Prune: false,
      DistributionPaths: ["/agent/*"],
    });
    web.hasResourceProperties("Custom::CDKBucketDeployment", { DistributionPaths: ["/*"], Prune: false });
  });

  it("stages the ingress image context from the workspace without node_modules", () => {
    const assets = readdirSync(prodAssembly.directory).filter((name) => name.startsWith("asset."));
    const context = assets
      .map((name) => join(prodAssembly.directory, name))
      .find((dir) => existsSync(join(dir, "functions/ingress/Dockerfile")));
    assert.ok(context, "a Docker asset with the ingress Dockerfile");
    assert.ok(existsSync(join(context, "package-lock.json")));
    assert.ok(existsSync(join(context, "functions/ingress/main.ts")));
    assert.ok(existsSync(join(context, "shared/package.json")));
    assert.ok(!existsSync(join(context, "node_modules")));
    assert.ok(!existsSync(join(context, "infra/lib")), "only manifests of other workspaces");
  });
});
