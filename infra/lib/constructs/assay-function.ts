/**
 * AssayFunction: every control-plane Lambda is built the same way. Node 24 on arm64 (cheaper per
 * GB-second than x86), one esbuild bundle per entry (ESM, AWS SDK included so the deployed code
 * runs the SDK version the tests ran), a log group with a retention, and a role that may write
 * only to that log group until a stack grants it more.
 *
 * Context `assay:placeholderEntries` swaps bundles for a one-line stub: template tests use it to
 * skip bundling; a real synth always bundles.
 */
import { type Duration, RemovalPolicy } from "aws-cdk-lib";
import type { ISecurityGroup, IVpc } from "aws-cdk-lib/aws-ec2";
import { SubnetType } from "aws-cdk-lib/aws-ec2";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
} from "aws-cdk-lib/aws-lambda";
import { LogLevel, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { fromRoot, type LambdaEntry, lambdaEntries, repoRoot } from "../config/paths.ts";
import { acknowledge } from "../nag.ts";

/**
 * Context naming entries to replace with a stub (`["reaper"]`, or `"*"` for all). Tests use it
 * to check templates without bundling, or while an entry file has not landed yet.
 */
export const placeholderContextKey = "assay:placeholderEntries";

/** ESM bundles still meet CommonJS dependencies that call `require`; give them one. */
const requireBanner =
  "import { createRequire as __assayCreateRequire } from 'node:module'; const require = __assayCreateRequire(import.meta.url);";

export interface AssayFunctionProps {
  /** Which entry file (functions/...) to bundle. */
  readonly entry: LambdaEntry;
  readonly memoryMiB: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly logRetention: RetentionDays;
  readonly reservedConcurrency?: number;
  /** Async invocations (schedules) retry this many times; the next tick is the real retry. */
  readonly retryAttempts?: number;
  /** Attach to the VPC (only functions that talk to NATS need it). */
  readonly vpc?: { readonly vpc: IVpc; readonly securityGroup: ISecurityGroup };
}

export class AssayFunction extends Construct {
  readonly entry: LambdaEntry;
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: AssayFunctionProps) {
    super(scope, id);
    this.entry = props.entry;
    this.logGroup = new LogGroup(this, "Logs", {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `Assay ${props.entry} function`,
    });
    this.logGroup.grantWrite(this.role);

    const common = {
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMiB,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      reservedConcurrentExecutions: props.reservedConcurrency,
      retryAttempts: props.retryAttempts,
      environment: { NODE_OPTIONS: "--enable-source-maps", ...props.environment },
      ...(props.vpc
        ? {
            vpc: props.vpc.vpc,
            vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
            securityGroups: [props.vpc.securityGroup],
          }
        : {}),
    };

    const stubbed: unknown = this.node.tryGetContext(placeholderContextKey);
    // An array from code, or a comma-separated string from the CLI (`-c assay:placeholderEntries=a,b`).
    const stubs = Array.isArray(stubbed) ? stubbed : typeof stubbed === "string" ? stubbed.split(",") : [];
    const placeholder = stubs.includes("*") || stubs.includes(props.entry);
    this.function = placeholder
      ? new LambdaFunction(this, "Function", {
          ...common,
          handler: "index.handler",
          code: Code.fromInline("exports.handler = async () => ({});"),
        })
      : new NodejsFunction(this, "Function", {
          ...common,
          entry: fromRoot(lambdaEntries[props.entry]),
          handler: "handler",
          projectRoot: repoRoot,
          depsLockFilePath: fromRoot("package-lock.json"),
          bundling: {
            format: OutputFormat.ESM,
            target: "node24",
            mainFields: ["module", "main"],
            banner: requireBanner,
            externalModules: [],
            minify: true,
            sourceMap: true,
            sourcesContent: false,
            logLevel: LogLevel.ERROR,
          },
        });

    if (props.vpc) {
      acknowledge(this.role, "AwsSolutions-IAM4", {
        finding: "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
        reason:
          "A VPC-attached Lambda must manage its ENIs; ec2:*NetworkInterface cannot be scoped to resources, and the AWS-managed VPC access policy is the documented minimum.",
      });
    }
  }
}
