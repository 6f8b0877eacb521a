import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Match } from "aws-cdk-lib/assertions";
import { prodNatsUrl, type Stages } from "../../test/fixture.ts";
import { actionsGrantedTo, actionsOf, statementsOf } from "../../test/iam.ts";
import { stages } from "../config/stages.ts";

/** Template assertions for ApiStack, run by test/stacks.test.ts on the shared synthesized stages. */
export function apiStackSuite(synthesized: Stages): void {
  const { prod, dev } = synthesized;
  const template = prod.template("api");
  describe("ApiStack", () => {
    it("runs the Hono handler on Node 24, arm64, with the runtime configuration", () => {
      template.hasResourceProperties("AWS::Lambda::Function", {
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        MemorySize: stages.prod.api.memoryMiB,
        Timeout: stages.prod.api.timeoutSeconds,
        LoggingConfig: { LogFormat: "JSON", LogGroup: Match.anyValue() },
        VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
        Environment: {
          Variables: Match.objectLike({
            ASSAY_TABLE_NAME: Match.anyValue(),
            ASSAY_LOGS_BUCKET: Match.anyValue(),
            ASSAY_ARTIFACTS_BUCKET: Match.anyValue(),
            ASSAY_QUEUE_URL_CLEANUP: Match.anyValue(),
            ASSAY_QUEUE_URL_COMPACT_LOGS: Match.anyValue(),
            ASSAY_QUEUE_URL_UNPACK_ARTIFACTS: Match.anyValue(),
            ASSAY_QUEUE_URL_RETENTION: Match.anyValue(),
            ASSAY_NATS_URL: prodNatsUrl,
            ASSAY_PUBLIC_WEB_URL: "https://app.assay.example.com",
            ASSAY_PUBLIC_INGRESS_URL: "https://agents.assay.example.com",
            ASSAY_MAIL_FROM: "Assay <no-reply@assay.example.com>",
          }),
        },
      });
    });

    it("fronts it with an HTTP API: one $default route, payload v2, throttled, access-logged", () => {
      template.resourceCountIs("AWS::ApiGatewayV2::Api", 1);
      template.hasResourceProperties("AWS::ApiGatewayV2::Route", { RouteKey: "$default" });
      template.hasResourceProperties("AWS::ApiGatewayV2::Integration", {
        IntegrationType: "AWS_PROXY",
        PayloadFormatVersion: "2.0",
      });
      template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
        StageName: "$default",
        AutoDeploy: true,
        DefaultRouteSettings: {
          ThrottlingRateLimit: stages.prod.api.throttle.rateLimit,
          ThrottlingBurstLimit: stages.prod.api.throttle.burstLimit,
        },
        AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      });
      // Same-origin through CloudFront: no CORS on the API.
      template.hasResourceProperties("AWS::ApiGatewayV2::Api", { CorsConfiguration: Match.absent() });
    });

    it("maps the optional direct custom domain with its own certificate", () => {
      template.hasResourceProperties("AWS::ApiGatewayV2::DomainName", {
        DomainName: "api.assay.example.com",
      });
      template.hasResourceProperties("AWS::CertificateManager::Certificate", {
        DomainName: "api.assay.example.com",
        ValidationMethod: "DNS",
      });
      template.resourceCountIs("AWS::ApiGatewayV2::ApiMapping", 1);
      dev.template("api").resourceCountIs("AWS::ApiGatewayV2::DomainName", 0);
    });

    it("verifies the mail domain in SES and lets the handler send only as it", () => {
      template.hasResourceProperties("AWS::SES::EmailIdentity", { EmailIdentity: "assay.example.com" });
      template.hasResourceProperties("AWS::IAM::Policy", {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: "ses:SendEmail",
              Resource: { "Fn::Join": ["", Match.arrayWith([":identity/assay.example.com"])] },
            }),
          ]),
        },
      });
    });

    it("grants the handler item access, reads of logs and artifacts and sending of jobs, no more", () => {
      const actions = actionsGrantedTo(template, "HandlerRole");
      for (const expected of [
        "dynamodb:Query",
        "dynamodb:PutItem",
        "s3:GetObject",
        "s3:ListBucket",
        "sqs:SendMessage",
      ]) {
        assert.ok(actions.has(expected), `missing ${expected}`);
      }
      // Uploads are presigned by the ingress only; deletion is the cleanup worker's.
      for (const forbidden of [
        "s3:PutObject",
        "s3:AbortMultipartUpload",
        "s3:DeleteObject",
        "dynamodb:Scan",
        "dynamodb:DeleteTable",
        "sqs:DeleteMessage",
      ]) {
        assert.ok(!actions.has(forbidden), `unexpected ${forbidden}`);
      }
    });

    it("adds the streaming twin behind an IAM-authenticated Function URL with response streaming", () => {
      template.hasResourceProperties("AWS::Lambda::Url", {
        AuthType: "AWS_IAM",
        InvokeMode: "RESPONSE_STREAM",
        Cors: Match.absent(),
      });
      template.hasResourceProperties("AWS::Lambda::Function", {
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        MemorySize: stages.prod.api.stream.memoryMiB,
        // Lambda's ceiling; the entry closes a follow after 14 minutes.
        Timeout: 900,
        VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
        Environment: {
          Variables: Match.objectLike({
            ASSAY_TABLE_NAME: Match.anyValue(),
            ASSAY_NATS_URL: prodNatsUrl,
            ASSAY_CONFIG_KEY: Match.absent(),
            ASSAY_CONFIG_KEY_SECRET_ARN: Match.absent(),
            ASSAY_MAIL_FROM: Match.absent(),
          }),
        },
      });
    });

    it("lets the streaming function read items, logs and artifacts, and send nothing", () => {
      const actions = actionsGrantedTo(template, "StreamRole");
      for (const expected of ["dynamodb:Query", "dynamodb:UpdateItem", "s3:GetObject", "s3:ListBucket"]) {
        assert.ok(actions.has(expected), `missing ${expected}`);
      }
      for (const forbidden of ["s3:PutObject", "s3:DeleteObject", "sqs:SendMessage", "ses:SendEmail"]) {
        assert.ok(!actions.has(forbidden), `unexpected ${forbidden}`);
      }
      const objectArns = JSON.stringify(
        statementsOf(template).filter((s) => actionsOf(s).includes("s3:GetObject")),
      );
      assert.match(objectArns, /-logs-.*\/logs\/\*/);
      assert.match(objectArns, /-artifacts-.*\/artifacts\/\*/);
    });

    it("passes the config key's secret ARN, never its value, and lets the handler read exactly that secret", () => {
      template.hasResourceProperties("AWS::Lambda::Function", {
        Environment: {
          Variables: Match.objectLike({
            ASSAY_CONFIG_KEY: Match.absent(),
            ASSAY_CONFIG_KEY_SECRET_ARN: { "Fn::ImportValue": Match.stringLikeRegexp("ConfigKey") },
          }),
        },
      });
      assert.doesNotMatch(JSON.stringify(template.toJSON()), /resolve:secretsmanager/);
      const reads = statementsOf(template).filter((s) =>
        actionsOf(s).includes("secretsmanager:GetSecretValue"),
      );
      assert.equal(reads.length, 1, "only the handler reads it");
      assert.match(JSON.stringify(reads[0]?.Resource), /ConfigKey/);
      assert.doesNotMatch(JSON.stringify(reads[0]?.Resource), /\*/);
    });
  });
}
