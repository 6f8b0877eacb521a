/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy --all -c stage=prod`). Stage from context,
 * default `dev`. Synth needs no credentials: nothing is looked up in an account.
 */
import { createApp } from "../lib/app.ts";
import { buildAssay } from "../lib/assay.ts";
import { addPolicyChecks } from "../lib/checks.ts";
import { agentPackage, fromRoot, webDist } from "../lib/config/paths.ts";
import { stageConfig } from "../lib/config/stages.ts";

const app = createApp();
const stage = String(app.node.tryGetContext("stage") ?? "dev");
buildAssay(app, stageConfig(stage), {
  webAssetsDir: fromRoot(webDist),
  agentPackageDir: fromRoot(agentPackage),
});
addPolicyChecks(app);
