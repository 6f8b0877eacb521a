/**
 * Uploads the built dashboard (web/dist) to the site bucket, in two parts with their own caching:
 * hashed build output under `assets/` is immutable (a new build gets new names), everything
 * else (`index.html`, unhashed public files) is `no-cache`, so a deploy is visible at the next
 * page load. Neither upload prunes: a browser still running the previous `index.html` keeps
 * finding its chunks, and other uploads into the bucket (such as the agent tarball) are kept.
 */
import { Duration, type Stack, Token } from "aws-cdk-lib";
import type { IDistribution } from "aws-cdk-lib/aws-cloudfront";
import type { Bucket, CfnBucket } from "aws-cdk-lib/aws-s3";
import { BucketDeployment, CacheControl, Source } from "aws-cdk-lib/aws-s3-deployment";
import { acknowledge, acknowledgeGuard } from "../nag.ts";

/** Where Vite puts content-hashed build output. */
export const hashedAssetsPattern = "assets/*";

export const immutableCacheControl = [
  CacheControl.setPublic(),
  CacheControl.maxAge(Duration.days(365)),
  CacheControl.immutable(),
];

export function deploySite(
  stack: Stack,
  options: { readonly assetsDir: string; readonly bucket: Bucket; readonly distribution: IDistribution },
): void {
  const source = Source.asset(options.assetsDir);
  const hashed = new BucketDeployment(stack, "HashedAssets", {
    sources: [source],
    destinationBucket: options.bucket,
    exclude: ["*"],
    include: [hashedAssetsPattern],
    cacheControl: immutableCacheControl,
    prune: false,
    memoryLimit: 512,
  });
  const shell = new BucketDeployment(stack, "Assets", {
    sources: [source],
    destinationBucket: options.bucket,
    exclude: [hashedAssetsPattern],
    cacheControl: [CacheControl.noCache()],
    prune: false,
    distribution: options.distribution,
    distributionPaths: ["/*"],
    memoryLimit: 512,
  });
  // The new index.html goes up (and the cache is invalidated) only once its chunks are there.
  shell.node.addDependency(hashed);
  acknowledgeBucketDeployment(stack, options.bucket);
}

/**
 * Uploads the agent's npm tarball (agent/dist-package) under /agent/, where the install
 * commands' `npx <url>` fetch it. No prune: older versions stay for agents that pin them.
 */
export function deployAgentPackage(
  stack: Stack,
  options: { readonly dir: string; readonly bucket: Bucket; readonly distribution: IDistribution },
): void {
  new BucketDeployment(stack, "AgentPackage", {
    sources: [Source.asset(options.dir, { exclude: [".stage-*"] })],
    destinationBucket: options.bucket,
    destinationKeyPrefix: "agent/",
    cacheControl: [CacheControl.noCache()],
    prune: false,
    distribution: options.distribution,
    distributionPaths: ["/agent/*"],
    memoryLimit: 512,
  });
  acknowledgeBucketDeployment(stack, options.bucket);
}

/**
 * BucketDeployment's handler is a CDK-maintained singleton Lambda whose grants CDK generates.
 * cdk-nag 3 takes acknowledgements per finding, so each expected finding is listed with why.
 */
const acknowledged = new WeakSet<Stack>();

function acknowledgeBucketDeployment(stack: Stack, site: Bucket): void {
  // One handler per stack however many uploads use it: acknowledged once.
  if (acknowledged.has(stack)) return;
  acknowledged.add(stack);
  const siteArn = `<${stack.getLogicalId(site.node.defaultChild as CfnBucket)}.Arn>`;
  const qualifier = String(stack.node.tryGetContext("@aws-cdk/core:bootstrapQualifier") ?? "hnb659fds");
  // A literal partition once the region is known (feature flag enablePartitionLiterals).
  const partition = Token.isUnresolved(stack.partition) ? "<AWS::Partition>" : stack.partition;
  const assets = `arn:${partition}:s3:::cdk-${qualifier}-assets-<AWS::AccountId>-${stack.region}`;
  const generated =
    "CDK's BucketDeployment handler: generated grants to copy the dashboard asset into the site bucket";
  const findings: Array<[string, string, string]> = [
    [
      "AwsSolutions-IAM4",
      "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
      "CDK's BucketDeployment handler uses the AWS-managed basic execution role, which only writes its logs.",
    ],
    ...["s3:Abort*", "s3:DeleteObject*", "s3:GetBucket*", "s3:GetObject*", "s3:List*"].map(
      (action): [string, string, string] => [
        "AwsSolutions-IAM5",
        `Action::${action}`,
        `${generated} (read the asset, replace and prune the site).`,
      ],
    ),
    [
      "AwsSolutions-IAM5",
      `Resource::${siteArn}/*`,
      `${generated}: every object of the site bucket, which holds only the dashboard.`,
    ],
    [
      "AwsSolutions-IAM5",
      `Resource::${assets}/*`,
      `${generated}: the CDK bootstrap asset bucket it reads the zip from.`,
    ],
    [
      "AwsSolutions-IAM5",
      "Resource::*",
      `${generated}: cloudfront:CreateInvalidation has no resource-level scoping in CDK's policy.`,
    ],
  ];
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith("Custom::CDKBucketDeployment")) continue;
    for (const [rule, finding, reason] of findings) acknowledge(child, rule, { finding, reason });
    acknowledge(child, "AwsSolutions-L1", {
      reason: "The BucketDeployment handler's runtime is chosen and updated by aws-cdk-lib, not by this app.",
    });
    acknowledgeGuard(
      child,
      "lambda_inside_vpc_check",
      "CDK's BucketDeployment handler copies from the asset bucket to the site bucket during deploys; it needs no VPC.",
    );
    // Its log group keeps logs as CDK decides (long enough for the retention control).
    const logGroup = child.node.tryFindChild("LogGroup");
    if (logGroup) {
      acknowledgeGuard(
        logGroup,
        "cloudwatch_log_group_encrypted_check",
        "CDK's BucketDeployment handler logs only copy progress; CloudWatch Logs encrypts them with service-owned keys.",
      );
    }
  }
}
