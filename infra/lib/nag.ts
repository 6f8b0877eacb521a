/**
 * Acknowledging a policy finding at the construct it concerns, with a written reason. Two packs
 * run at synth (checks.ts): cdk-nag's AwsSolutions (`acknowledge`) and cfn-guard's Control Tower
 * controls (`acknowledgeGuard`). An acknowledgement covers the construct and everything under
 * it, and must match at least one finding there: a stale one fails the synth.
 */
import { Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

/** Namespaces the acknowledgements are recorded under (the plugin names, spaces as dashes). */
export const nagNamespace = "assay-cdk-nag";
export const guardNamespace = "assay-cfn-guard";

/**
 * Acknowledges one cdk-nag rule on a construct and everything under it. `finding` narrows it to
 * one finding (`AwsSolutions-IAM5[Resource::...]`): other findings of the rule still fail.
 */
export function acknowledge(
  scope: IConstruct,
  rule: string,
  options: { readonly reason: string; readonly finding?: string },
): void {
  const id = options.finding ? `${rule}[${options.finding}]` : rule;
  Validations.of(scope).acknowledge({ id: `${nagNamespace}::${id}`, reason: options.reason });
}

/**
 * Acknowledges one Control Tower control (its guard rule name, as the synth report prints it
 * after `cdk-validator-cfnguard::`, e.g. `s3_bucket_versioning_enabled_check`) on a construct.
 */
export function acknowledgeGuard(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${guardNamespace}::${rule}`, reason });
}
