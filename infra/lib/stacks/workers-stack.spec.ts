import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resourcesOf, type Stages } from "../../test/fixture.ts";
import { actionsGrantedTo } from "../../test/iam.ts";
import { stages } from "../config/stages.ts";
import { jobKinds } from "../config/table-schema.ts";

/** Template assertions for WorkersStack, run by test/stacks.test.ts on the shared synthesized stages. */
export function workersStackSuite(synthesized: Stages): void {
  const { prod } = synthesized;
  const template = prod.template("workers");
  describe("WorkersStack", () => {
    it("runs a function per job kind plus the three scheduled ones, on Node 24, arm64", () => {
      const functions = resourcesOf(template, "AWS::Lambda::Function");
      assert.equal(functions.length, jobKinds.length + 3);
      for (const [, fn] of functions) {
        assert.equal(fn.Runtime, "nodejs24.x");
        assert.deepEqual(fn.Architectures, ["arm64"]);
      }
    });

    it("consumes each job queue with partial batch responses", () => {
      const mappings = resourcesOf(template, "AWS::Lambda::EventSourceMapping");
      assert.equal(mappings.length, jobKinds.length);
      for (const [, mapping] of mappings) {
        assert.deepEqual(mapping.FunctionResponseTypes, ["ReportBatchItemFailures"]);
        assert.equal(mapping.BatchSize, 10);
        assert.equal(mapping.MaximumBatchingWindowInSeconds, 5);
      }
    });

    it("keeps queue visibility at 6x the function timeout and reserves concurrency in prod", () => {
      const timeout = stages.prod.workers.timeoutSeconds;
      template.resourcePropertiesCountIs(
        "AWS::Lambda::Function",
        { Timeout: timeout, ReservedConcurrentExecutions: stages.prod.workers.reservedConcurrency },
        jobKinds.length,
      );
      const data = prod.template("data");
      data.resourcePropertiesCountIs("AWS::SQS::Queue", { VisibilityTimeout: timeout * 6 }, jobKinds.length);
    });

    it("ticks the reaper and the cron dispatcher every minute (events dropped after 60 s), the sweep hourly, without retries", () => {
      const rules = resourcesOf(template, "AWS::Events::Rule");
      assert.equal(rules.length, 3);
      const rateOf = (name: RegExp) =>
        rules.find(([, rule]) => name.test(JSON.stringify(rule.Targets)))?.[1].ScheduleExpression;
      assert.equal(rateOf(/reaper/), "rate(1 minute)");
      assert.equal(rateOf(/schedules/), "rate(1 minute)");
      assert.equal(rateOf(/retentionsweep/), "rate(1 hour)");
      for (const [, rule] of rules) {
        const retry = (rule.Targets as Array<{ RetryPolicy: { MaximumRetryAttempts: number } }>)[0]
          ?.RetryPolicy;
        assert.equal(retry?.MaximumRetryAttempts, 0);
      }
      const minuteTicks = rules.filter(([, rule]) => /reaper|schedules/.test(JSON.stringify(rule.Targets)));
      for (const [, rule] of minuteTicks) {
        assert.deepEqual((rule.Targets as Array<{ RetryPolicy: unknown }>)[0]?.RetryPolicy, {
          MaximumRetryAttempts: 0,
          MaximumEventAgeInSeconds: 60,
        });
      }
      template.resourcePropertiesCountIs("AWS::Lambda::EventInvokeConfig", { MaximumRetryAttempts: 0 }, 3);
      template.resourcePropertiesCountIs(
        "AWS::Lambda::EventInvokeConfig",
        { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        2,
      );
      const sweep = actionsGrantedTo(template, "retentionsweepRole");
      assert.ok(sweep.has("sqs:SendMessage") && sweep.has("dynamodb:Query"));
      assert.ok(!sweep.has("dynamodb:PutItem") && !sweep.has("dynamodb:Scan"));
    });

    it("lets cleanup delete and compaction rewrite logs, and nothing else touch objects", () => {
      const cleanup = actionsGrantedTo(template, "cleanupHandlerRole");
      assert.ok(cleanup.has("s3:DeleteObject") && cleanup.has("s3:ListBucket"));
      assert.ok(!cleanup.has("s3:PutObject") && !cleanup.has("s3:GetObject"));
      const compact = actionsGrantedTo(template, "compactlogsHandlerRole");
      assert.ok(compact.has("s3:GetObject") && compact.has("s3:PutObject") && compact.has("s3:DeleteObject"));
      for (const role of ["reaperRole", "schedulesRole"]) {
        assert.ok(
          ![...actionsGrantedTo(template, role)].some((a) => a.startsWith("s3:")),
          `${role} has S3 access`,
        );
      }
      // The event source mapping needs receive/delete on its own queue.
      assert.ok(cleanup.has("sqs:ReceiveMessage") && cleanup.has("sqs:DeleteMessage"));
    });

    it("lets unpacking rewrite artifacts only, and retention only enqueue cleanups", () => {
      const unpack = actionsGrantedTo(template, "unpackartifactsHandlerRole");
      for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]) {
        assert.ok(unpack.has(action), `unpack needs ${action} (large files go up as multipart uploads)`);
      }
      const retention = actionsGrantedTo(template, "retentionHandlerRole");
      assert.ok(![...retention].some((a) => a.startsWith("s3:")));
      assert.ok(retention.has("sqs:SendMessage"));
      assert.ok(!actionsGrantedTo(template, "cleanupHandlerRole").has("sqs:SendMessage"));
      // Nothing in AWS produces retention jobs yet; the dispatcher sends no jobs at all.
      assert.ok(!actionsGrantedTo(template, "schedulesRole").has("sqs:SendMessage"));
    });

    it("gives queue workers only the table access their jobs use", () => {
      const writes = [
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
      ];
      for (const role of ["cleanupHandlerRole", "compactlogsHandlerRole"]) {
        const actions = [...actionsGrantedTo(template, role)];
        assert.ok(!actions.some((a) => a.startsWith("dynamodb:")), `${role} touches only objects`);
      }
      for (const role of ["unpackartifactsHandlerRole", "retentionHandlerRole"]) {
        const actions = actionsGrantedTo(template, role);
        assert.ok(actions.has("dynamodb:Query") && actions.has("dynamodb:GetItem"), `${role} reads`);
        for (const write of writes) assert.ok(!actions.has(write), `${role} must not ${write}`);
      }
      for (const role of ["reaperRole", "schedulesRole"]) {
        assert.ok(actionsGrantedTo(template, role).has("dynamodb:UpdateItem"), `${role} writes transitions`);
      }
    });

    it("puts only the NATS publishers in the VPC, and gives only them the NATS URL", () => {
      const functions = resourcesOf(template, "AWS::Lambda::Function");
      const inVpc = functions.filter(([, fn]) => fn.VpcConfig);
      assert.equal(inVpc.length, 2);
      for (const [id, fn] of functions) {
        const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
        // The runtime waits for its first NATS connection: outside the VPC that is a hung cold start.
        assert.equal("ASSAY_NATS_URL" in variables, fn.VpcConfig !== undefined, id);
      }
    });
  });
}
