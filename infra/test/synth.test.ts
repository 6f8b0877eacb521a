/**
 * The whole app as `npx cdk synth` builds it: cdk-nag AwsSolutions over every stack of both
 * stages, real esbuild bundles of the Lambda entries, and the ingress image's build context.
 * Entries that have not landed yet are stubbed, and the test says so.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { lambdaEntries, missingEntries } from "../lib/config/paths.ts";
import { addNagChecks } from "../lib/nag.ts";
import { synthesize } from "./fixture.ts";
import { actionsOf, statementsOf } from "./iam.ts";

const missing = missingEntries();
if (missing.length > 0) console.log(`# entries not landed yet, stubbed: ${missing.join(", ")}`);

// A stand-in for web/dist, so the dashboard upload (BucketDeployment) is checked too.
const webDist = mkdtempSync(join(tmpdir(), "assay-web-"));
writeFileSync(join(webDist, "index.html"), "<!doctype html><title>Assay</title>");

// prod bundles for real; dev reuses the checks with stubs (same code, different configuration).
// And for agent/dist-package, so the agent tarball's upload under /agent/ is checked.
const agentPackage = mkdtempSync(join(tmpdir(), "assay-agent-package-"));
writeFileSync(join(agentPackage, "assay-agent-0.0.0.tgz"), "not really a tarball");
const prod = synthesize("prod", {
  placeholders: missing,
  webAssetsDir: webDist,
  agentPackageDir: agentPackage,
});
const dev = synthesize("dev");
addNagChecks(prod.app);
addNagChecks(dev.app);
const prodAssembly = prod.app.synth();
const devAssembly = dev.app.synth();

const allStacks = (s: typeof prod): Stack[] => Object.values(s.stacks);

describe("the synthesized app", () => {
  it("passes cdk-nag AwsSolutions in both stages (synth throws on any unacknowledged finding)", () => {
    for (const assembly of [prodAssembly, devAssembly]) {
      const report = join(assembly.directory, "validation-report.json");
      if (!existsSync(report)) continue;
      const parsed = JSON.parse(readFileSync(report, "utf8")) as {
        pluginReports: Array<{ conclusion: string }>;
      };
      for (const plugin of parsed.pluginReports) assert.equal(plugin.conclusion, "success");
    }
  });

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
      assert.match(source, /createRequire/, `${fn.entry}: require shim for CommonJS dependencies`);
      assert.match(
        source,
        /export\s*\{[^}]*\bas handler\b|export\s*\{[^}]*\bhandler\b/,
        `${fn.entry}: exports handler`,
      );
    }
  });

  it("uploads the built dashboard and invalidates the cache when web/dist exists", () => {
    prod.template("web").hasResourceProperties("Custom::CDKBucketDeployment", { DistributionPaths: ["/*"] });
  });

  it("publishes the agent tarball under /agent/ beside the dashboard, which does not prune it", () => {
    const web = prod.template("web");
    web.hasResourceProperties("Custom::CDKBucketDeployment", {
      DestinationBucketKeyPrefix: "agent/",
      Prune: false,
      DistributionPaths: ["/agent/*"],
    });
    web.hasResourceProperties("Custom::CDKBucketDeployment", {
      DistributionPaths: ["/*"],
      Exclude: ["agent/*"],
    });
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
