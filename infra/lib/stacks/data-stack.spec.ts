import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Match } from "aws-cdk-lib/assertions";
import { resourcesOf, type Stages } from "../../test/fixture.ts";
import { stages } from "../config/stages.ts";
import { jobKinds, tableDefinition } from "../config/table-schema.ts";

/** Template assertions for DataStack, run by test/stacks.test.ts on the shared synthesized stages. */
export function dataStackSuite(synthesized: Stages): void {
  const { prod, dev } = synthesized;
  const template = prod.template("data");
  describe("DataStack", () => {
    it("is termination-protected where data is protected", () => {
      assert.equal(prod.stacks.data.terminationProtection, true);
      assert.equal(dev.stacks.data.terminationProtection, false);
    });

    it("creates the single table as the adapter defines it: on-demand, PITR, TTL, deletion protection", () => {
      template.hasResource("AWS::DynamoDB::Table", {
        DeletionPolicy: "Retain",
        Properties: {
          TableName: "assay-prod",
          BillingMode: "PAY_PER_REQUEST",
          KeySchema: [
            { AttributeName: tableDefinition.partitionKey, KeyType: "HASH" },
            { AttributeName: tableDefinition.sortKey, KeyType: "RANGE" },
          ],
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
          SSESpecification: { SSEEnabled: true },
          StreamSpecification: Match.absent(),
          GlobalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: "HASH" },
              { AttributeName: index.sortKey, KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: index.projection },
          })),
        },
      });
      dev.template("data").hasResourceProperties("AWS::DynamoDB::Table", {
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: false,
      });
    });

    it("keeps every bucket private, encrypted and TLS-only", () => {
      const buckets = resourcesOf(template, "AWS::S3::Bucket");
      assert.equal(buckets.length, 3);
      for (const [, bucket] of buckets) {
        assert.deepEqual(bucket.PublicAccessBlockConfiguration, {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
        assert.deepEqual(bucket.BucketEncryption, {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
        });
      }
      const policies = resourcesOf(template, "AWS::S3::BucketPolicy");
      assert.equal(policies.length, 3);
      for (const [, policy] of policies) {
        const statements = (policy.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
        assert.ok(
          statements.some(
            (s) =>
              s.Effect === "Deny" && JSON.stringify(s.Condition).includes('"aws:SecureTransport":"false"'),
          ),
          "each bucket denies non-TLS requests",
        );
      }
    });

    it("expires logs and artifacts per retention class and aborts stale multipart uploads", () => {
      const { logsDays, artifactsDays } = stages.prod.retention;
      for (const [prefix, days] of [
        ["logs/", logsDays],
        ["artifacts/", artifactsDays],
      ] as const) {
        template.hasResourceProperties("AWS::S3::Bucket", {
          LifecycleConfiguration: {
            Rules: Match.arrayWith([
              Match.objectLike({ Id: "default", Prefix: prefix, ExpirationInDays: days, Status: "Enabled" }),
              Match.objectLike({
                Id: "short",
                Prefix: prefix,
                ExpirationInDays: 7,
                TagFilters: [{ Key: "assay-retention", Value: "short" }],
              }),
              Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
            ]),
          },
        });
      }
    });

    it("configures no CORS: agents are not browsers and the dashboard's artifact loads are not CORS requests", () => {
      const withCors = resourcesOf(template, "AWS::S3::Bucket").filter(([, b]) => b.CorsConfiguration);
      assert.deepEqual(withCors, []);
    });

    it("gives each job kind an encrypted queue with a DLQ after 5 receives and visibility 6x the worker timeout", () => {
      const queues = resourcesOf(template, "AWS::SQS::Queue");
      assert.equal(queues.length, jobKinds.length * 2);
      const main = queues.filter(([, q]) => q.RedrivePolicy);
      assert.equal(main.length, jobKinds.length);
      for (const [, queue] of main) {
        assert.equal((queue.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount, 5);
        assert.equal(queue.VisibilityTimeout, stages.prod.workers.timeoutSeconds * 6);
      }
      for (const [, queue] of queues) assert.equal(queue.SqsManagedSseEnabled, true);
    });

    it("generates the config-sealing key as 64 hex characters and keeps it in every stage", () => {
      for (const stage of [prod, dev]) {
        stage.template("data").hasResource("AWS::SecretsManager::Secret", {
          DeletionPolicy: "Retain",
          Properties: {
            GenerateSecretString: Match.objectLike({
              PasswordLength: 64,
              ExcludeUppercase: true,
              ExcludePunctuation: true,
              ExcludeCharacters: "ghijklmnopqrstuvwxyz",
            }),
          },
        });
      }
    });
  });
}
