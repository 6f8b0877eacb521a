/**
 * Rules that a first `cdk deploy` depends on and that neither cdk-nag nor cfn-guard checks,
 * asserted over synthesized templates: each was a real blocker once (docs/deploy.md, "Checks").
 * Run by test/synth.test.ts on the apps it synthesizes anyway.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import { featureFlags } from "../lib/app.ts";
import { singleMetricFields } from "../lib/constructs/ingress-scaling.ts";
import type { Synthesized } from "./fixture.ts";

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Templates = Array<{ stack: string; resources: Record<string, Resource> }>;

function templatesOf(app: Synthesized): Templates {
  return Object.entries(app.stacks).map(([name, stack]) => ({
    stack: stack.stackName,
    resources: (app.template(name as keyof Synthesized["stacks"]).toJSON().Resources ?? {}) as Record<
      string,
      Resource
    >,
  }));
}

const ofType = (templates: Templates, type: string) =>
  templates.flatMap(({ stack, resources }) =>
    Object.entries(resources)
      .filter(([, r]) => r.Type === type)
      .map(([id, r]) => ({ stack, id, props: r.Properties ?? {}, resources })),
  );

const statementsOf = (document: unknown) =>
  ((document as { Statement?: unknown[] } | undefined)?.Statement ?? []) as Array<{
    Effect: string;
    Principal?: { Service?: string | string[] };
    Action: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
  }>;

const listOf = (value: string | string[] | undefined) => (value === undefined ? [] : [value].flat());
const refId = (value: unknown) =>
  (value as { Ref?: string }).Ref ?? (value as { "Fn::GetAtt"?: [string] })["Fn::GetAtt"]?.[0];

/** Every statement allowing CloudWatch an action also names the source account and alarm ARNs. */
function cloudWatchMay(document: unknown, action: string): boolean {
  return statementsOf(document).some(
    (s) =>
      s.Effect === "Allow" &&
      listOf(s.Principal?.Service).includes("cloudwatch.amazonaws.com") &&
      listOf(s.Action).some((a) => a === action || (a.endsWith("*") && action.startsWith(a.slice(0, -1)))) &&
      s.Condition?.StringEquals?.["aws:SourceAccount"] !== undefined &&
      s.Condition?.ArnLike?.["aws:SourceArn"] !== undefined,
  );
}

export function deployRulesSuite(apps: Record<string, Synthesized>): void {
  for (const [stage, app] of Object.entries(apps)) {
    const templates = templatesOf(app);
    describe(`deploy rules (${stage})`, () => {
      it("gives every function with a VpcConfig a role that may manage ENIs", () => {
        const vpcFunctions = ofType(templates, "AWS::Lambda::Function").filter((f) => f.props.VpcConfig);
        if (stage === "prod") assert.ok(vpcFunctions.length >= 4, "api, api-stream, reaper, schedules");
        for (const fn of vpcFunctions) {
          const role = fn.resources[refId(fn.props.Role) ?? ""];
          assert.ok(role, `${fn.stack}/${fn.id}: role in the same stack`);
          const managed = JSON.stringify(role.Properties?.ManagedPolicyArns ?? []);
          assert.match(managed, /service-role\/AWSLambdaVPCAccessExecutionRole/, `${fn.stack}/${fn.id}`);
          const vpc = fn.props.VpcConfig as { SubnetIds?: unknown[]; SecurityGroupIds?: unknown[] };
          assert.ok((vpc.SubnetIds ?? []).length > 0 && (vpc.SecurityGroupIds ?? []).length > 0);
        }
      });

      it("lets CloudWatch publish to, and encrypt for, every topic an alarm notifies", () => {
        const alarms = ofType(templates, "AWS::CloudWatch::Alarm");
        assert.ok(alarms.length > 0);
        for (const alarm of alarms) {
          const actions = [
            ...((alarm.props.AlarmActions as unknown[]) ?? []),
            ...((alarm.props.OKActions as unknown[]) ?? []),
          ];
          assert.ok(actions.length > 0, `${alarm.id} notifies someone`);
          for (const action of actions) {
            const topicId = refId(action) ?? "";
            const topic = alarm.resources[topicId];
            assert.equal(topic?.Type, "AWS::SNS::Topic", `${alarm.id}: topic in the same stack`);
            const policies = ofType(templates, "AWS::SNS::TopicPolicy").filter((p) =>
              JSON.stringify(p.props.Topics).includes(`"${topicId}"`),
            );
            assert.ok(
              policies.some((p) => cloudWatchMay(p.props.PolicyDocument, "sns:Publish")),
              `${alarm.id}: the topic policy lets CloudWatch publish (with source conditions)`,
            );
            const keyId = refId(topic?.Properties?.KmsMasterKeyId);
            if (keyId) {
              const key = alarm.resources[keyId];
              for (const action of ["kms:Decrypt", "kms:GenerateDataKey"]) {
                assert.ok(
                  cloudWatchMay(key?.Properties?.KeyPolicy, action),
                  `${alarm.id}: key allows ${action}`,
                );
              }
            }
          }
        }
      });

      it("never mixes a single metric and metric math in one scaling policy", () => {
        const policies = ofType(templates, "AWS::ApplicationAutoScaling::ScalingPolicy");
        assert.ok(policies.length > 0);
        for (const policy of policies) {
          const config = policy.props.TargetTrackingScalingPolicyConfiguration as
            | { CustomizedMetricSpecification?: Record<string, unknown> }
            | undefined;
          const spec = config?.CustomizedMetricSpecification;
          if (!spec) continue;
          const single = singleMetricFields.filter((field) => field in spec);
          assert.ok(!(spec.Metrics && single.length > 0), `${policy.id}: Metrics with ${single.join(", ")}`);
          assert.ok(spec.Metrics || spec.MetricName, `${policy.id}: one form or the other`);
        }
      });

      it("ties every service-principal Lambda permission to a source (SourceArn or SourceAccount)", () => {
        for (const permission of ofType(templates, "AWS::Lambda::Permission")) {
          const principal = String(permission.props.Principal ?? "");
          if (!principal.endsWith(".amazonaws.com")) continue;
          assert.ok(
            permission.props.SourceArn !== undefined || permission.props.SourceAccount !== undefined,
            `${permission.stack}/${permission.id} (${principal})`,
          );
        }
      });
    });
  }

  describe("feature flags", () => {
    it("decides every flag `cdk init` recommends for the installed aws-cdk-lib", () => {
      const require = createRequire(import.meta.url);
      const file = require.resolve("aws-cdk-lib/recommended-feature-flags.json");
      const recommended = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      const undecided = Object.keys(recommended).filter((flag) => !(flag in featureFlags));
      assert.deepEqual(
        undecided,
        [],
        "copy the new recommendations into infra/lib/recommended-feature-flags.json",
      );
    });
  });
}
