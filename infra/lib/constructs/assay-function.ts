/**
 * AssayFunction: every control-plane Lambda is built the same way. Node 24 on arm64 (cheaper per
 * GB-second than x86), one esbuild bundle per entry (ESM, AWS SDK included so the deployed code
 * runs the SDK version the tests ran), a log group with a retention, and a role that may write
 * only to that log group until a stack grants it more.
 *
 * The bundle is split: `index.mjs` holds what the entry imports statically, and every module
 * reached only through `await import()` (archive writing, the NATS client, the SES client, the
 * SDK's unused credential providers) lands in `chunks/`, loaded on first use. A cold start
 * parses and evaluates only the first part. NodejsFunction always bundles to one file, so the
 * code asset is built here with esbuild directly, with the options NodejsFunction was given.
 *
 * Context `assay:placeholderEntries` swaps bundles for a one-line stub: template tests use it to
 * skip bundling; a real synth always bundles.
 */
import { cpSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { AssetHashType, type Duration, type ILocalBundling, RemovalPolicy } from "aws-cdk-lib";
import type { ISecurityGroup, IVpc } from "aws-cdk-lib/aws-ec2";
import { SubnetType } from "aws-cdk-lib/aws-ec2";
import { ManagedPolicy, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
} from "aws-cdk-lib/aws-lambda";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { type BuildOptions, buildSync } from "esbuild";
import { fromRoot, type LambdaEntry, lambdaEntries, repoRoot } from "../config/paths.ts";
import { acknowledge, acknowledgeGuard } from "../nag.ts";
import { acknowledgeLogGroup } from "./log-groups.ts";

/**
 * Context naming entries to replace with a stub (`["reaper"]`, or `"*"` for all). Tests use it
 * to check templates without bundling, or while an entry file has not landed yet.
 */
export const placeholderContextKey = "assay:placeholderEntries";

/**
 * Packages loaded at run time with `createRequire` rather than bundled, copied beside the bundle
 * as `node_modules/<name>`: `re2-wasm` reads its WebAssembly file from its own folder.
 */
export const runtimePackages = ["re2-wasm"] as const;

/** Copies {@link runtimePackages} into `outdir/node_modules`, where the bundle resolves them. */
export function copyRuntimePackages(outdir: string): void {
  const require = createRequire(import.meta.url);
  for (const name of runtimePackages) {
    const from = dirname(require.resolve(`${name}/package.json`));
    cpSync(from, join(outdir, "node_modules", name), { recursive: true });
  }
}

/** ESM bundles still meet CommonJS dependencies that call `require`; give them one. */
const requireBanner =
  "import { createRequire as __assayCreateRequire } from 'node:module'; const require = __assayCreateRequire(import.meta.url);";

/**
 * How a Lambda entry is bundled: ESM for Node 24, module-first main fields, the `require` banner
 * (on every chunk), AWS SDK included, minified, linked source maps without sources. Code split:
 * the handler file is `index.mjs` (Lambda's `index.handler`), lazily imported modules go to
 * `chunks/`; {@link runtimePackages} stay external (copy them with {@link copyRuntimePackages}). The benchmark of the API bundle builds with these same options.
 */
export function lambdaBundleOptions(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: [entry],
    outdir,
    external: [...runtimePackages],
    entryNames: "index",
    chunkNames: "chunks/[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node24",
    mainFields: ["module", "main"],
    banner: { js: requireBanner },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: "error",
  };
}

/**
 * Bundles one entry in this process. The entry is a field so that it is part of the bundling
 * options CDK keys its per-app staging cache with: entries never share a staged bundle.
 */
class LocalEsbuild implements ILocalBundling {
  readonly entry: string;

  constructor(entry: string) {
    this.entry = entry;
  }

  tryBundle(outputDir: string): boolean {
    buildSync(lambdaBundleOptions(fromRoot(this.entry), outputDir));
    copyRuntimePackages(outputDir);
    return true;
  }
}

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
  /** Async invocations older than this are dropped instead of run late. */
  readonly maxEventAge?: Duration;
  /** Attach to the VPC (only functions that talk to NATS need it). */
  readonly vpc?: { readonly vpc: IVpc; readonly securityGroup: ISecurityGroup };
}

/** ENI management for VPC-attached functions (ec2:*NetworkInterface cannot be resource-scoped). */
export const vpcAccessPolicyName = "service-role/AWSLambdaVPCAccessExecutionRole";
const vpcAccessPolicy = ManagedPolicy.fromAwsManagedPolicyName(vpcAccessPolicyName);

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
    acknowledgeLogGroup(this.logGroup);
    // CDK adds the ENI policy only to roles it creates; this role is ours, so it is attached here.
    // Without it, CreateFunction with a VpcConfig fails.
    if (props.vpc) this.role.addManagedPolicy(vpcAccessPolicy);

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
      maxEventAge: props.maxEventAge,
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
      : new LambdaFunction(this, "Function", {
          ...common,
          handler: "index.handler",
          code: Code.fromAsset(repoRoot, {
            // The hash of the bundle itself: a change anywhere in the sources that the entry
            // does not import leaves the asset (and the deployed function) as it is.
            assetHashType: AssetHashType.OUTPUT,
            bundling: {
              // Bundling runs here with the repository's esbuild; the image is required by the
              // API and would only be used if local bundling declined, which it never does.
              image: Runtime.NODEJS_24_X.bundlingImage,
              local: new LocalEsbuild(lambdaEntries[props.entry]),
            },
          }),
        });

    if (props.vpc) {
      acknowledge(this.role, "AwsSolutions-IAM4", {
        finding: `Policy::arn:<AWS::Partition>:iam::aws:policy/${vpcAccessPolicyName}`,
        reason:
          "A VPC-attached Lambda must manage its ENIs; ec2:*NetworkInterface cannot be scoped to resources, and the AWS-managed VPC access policy is the documented minimum.",
      });
    }
    acknowledgeGuard(
      this.function,
      "lambda_inside_vpc_check",
      props.vpc
        ? "In the VPC: its subnets and security group are imported from the Network stack (Fn::ImportValue), which the control cannot resolve; the deploy-rules suite checks the VpcConfig."
        : "Outside the VPC on purpose: it reaches only AWS APIs (no NATS), and a VPC would add NAT or interface-endpoint cost and cold-start ENIs for nothing.",
    );
  }
}
