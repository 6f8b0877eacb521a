/**
 * Least-privilege grants on the control plane's data, written against ARNs computed from the
 * stage's resource names (config/names.ts), not imported from DataStack.
 *
 * Explicit action lists only (never `s3:*`, `s3:GetObject*` or `dynamodb:*`); object access
 * scoped to one key prefix; listing scoped to that prefix by condition. Each grant acknowledges
 * the one cdk-nag finding it must cause (the `prefix/*` or `index/*` resource) with its reason,
 * so any other wildcard still fails the synth.
 */
import { type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { IConstruct } from "constructs";
import type { ResourceNames } from "../config/names.ts";
import { acknowledge } from "../nag.ts";

/**
 * Object-level S3 actions a component may be given. Creating, uploading parts of and completing a
 * multipart upload are all authorized as s3:PutObject; aborting one is its own action.
 */
export type ObjectAction = "s3:GetObject" | "s3:PutObject" | "s3:DeleteObject" | "s3:AbortMultipartUpload";

/** Item-level DynamoDB actions the control plane uses (no Scan, no table management). */
export const tableDataActions = [
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:ConditionCheckItem",
  "dynamodb:DescribeTable",
] as const;

export interface PrefixGrant {
  readonly bucket: "logs" | "artifacts";
  /** Key prefix ending in `/`, e.g. `logs/`. */
  readonly prefix: string;
  readonly actions: readonly ObjectAction[];
  /** Also allow listing keys under the prefix (cleanup and compaction enumerate objects). */
  readonly list?: boolean;
}

/**
 * Grants object actions under one prefix of one bucket. `policyOwner` is the construct that owns
 * the grantee's policy (a role or its parent): the acknowledgement is recorded there.
 */
export function grantPrefix(
  grantee: IGrantable,
  policyOwner: IConstruct,
  names: ResourceNames,
  grant: PrefixGrant,
): void {
  const objects = names.objectsArn(grant.bucket, grant.prefix);
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: [...grant.actions], resources: [objects.value] }),
  );
  acknowledge(policyOwner, "AwsSolutions-IAM5", {
    finding: `Resource::${objects.nag}`,
    reason: `Object keys are per organization/environment/execution; access is scoped to the ${grant.prefix} prefix of this one bucket.`,
  });
  if (grant.list) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["s3:ListBucket"],
        resources: [names.bucketArn(grant.bucket).value],
        conditions: { StringLike: { "s3:prefix": [`${grant.prefix}*`] } },
      }),
    );
  }
}

/** Item reads only: for workers that look records up but never change them. */
export const tableReadActions = [
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:ConditionCheckItem",
  "dynamodb:DescribeTable",
] as const;

/** Item read/write on the table and its GSIs (IAM names them `<table arn>/index/*`). */
export function grantTableData(grantee: IGrantable, policyOwner: IConstruct, names: ResourceNames): void {
  grantTable(grantee, policyOwner, names, tableDataActions);
}

/** Item reads on the table and its GSIs. */
export function grantTableRead(grantee: IGrantable, policyOwner: IConstruct, names: ResourceNames): void {
  grantTable(grantee, policyOwner, names, tableReadActions);
}

function grantTable(
  grantee: IGrantable,
  policyOwner: IConstruct,
  names: ResourceNames,
  actions: readonly string[],
): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [...actions],
      resources: [names.tableArn.value, names.tableIndexesArn.value],
    }),
  );
  acknowledge(policyOwner, "AwsSolutions-IAM5", {
    finding: `Resource::${names.tableIndexesArn.nag}`,
    reason: "Queries use the table's GSIs; IAM names them as <table arn>/index/*, scoped to this one table.",
  });
}
