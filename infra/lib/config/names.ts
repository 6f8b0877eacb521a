/**
 * Physical names of the stateful resources, derived from the stage (plus account and region for
 * globally unique bucket names). Named resources give operators stable names, make CloudFormation
 * refuse to silently replace them, and let the stateless stacks write IAM policies against
 * ARNs they can compute themselves, without importing another stack's outputs.
 *
 * ARN patterns are written with `<AWS::...>` placeholders: `.value` substitutes the pseudo
 * parameters for the template; `.nag` is the same ARN as cdk-nag prints it in a finding.
 */
import { Aws } from "aws-cdk-lib";
import type { StageConfig } from "./stages.ts";

export interface Arn {
  /** For the template (pseudo parameters as tokens). */
  readonly value: string;
  /** As cdk-nag renders it in a finding id. */
  readonly nag: string;
}

const pseudoParameters: ReadonlyArray<readonly [string, string]> = [
  ["<AWS::Partition>", Aws.PARTITION],
  ["<AWS::Region>", Aws.REGION],
  ["<AWS::AccountId>", Aws.ACCOUNT_ID],
];

export function arn(pattern: string): Arn {
  let value = pattern;
  for (const [placeholder, token] of pseudoParameters) value = value.replaceAll(placeholder, token);
  return { value, nag: pattern };
}

export interface ResourceNames {
  readonly table: string;
  readonly logsBucket: string;
  readonly artifactsBucket: string;
  readonly tableArn: Arn;
  /** Every GSI of the table. */
  readonly tableIndexesArn: Arn;
  /** Objects under a key prefix of a bucket. */
  readonly objectsArn: (bucket: "logs" | "artifacts", prefix: string) => Arn;
  readonly bucketArn: (bucket: "logs" | "artifacts") => Arn;
}

export function resourceNames(config: StageConfig): ResourceNames {
  const table = `assay-${config.stage}`;
  const bucketPattern = (kind: string) => `assay-${config.stage}-${kind}-<AWS::AccountId>-<AWS::Region>`;
  const buckets = { logs: bucketPattern("logs"), artifacts: bucketPattern("artifacts") };
  const tablePattern = `arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/${table}`;
  return {
    table,
    logsBucket: arn(buckets.logs).value,
    artifactsBucket: arn(buckets.artifacts).value,
    tableArn: arn(tablePattern),
    tableIndexesArn: arn(`${tablePattern}/index/*`),
    objectsArn: (bucket, prefix) => arn(`arn:<AWS::Partition>:s3:::${buckets[bucket]}/${prefix}*`),
    bucketArn: (bucket) => arn(`arn:<AWS::Partition>:s3:::${buckets[bucket]}`),
  };
}
