/**
 * cdk-nag wiring. cdk-nag 3.x runs as a CDK policy-validation plugin: any unacknowledged
 * AwsSolutions finding fails `cdk synth`. Every acknowledgement goes through `acknowledge` so it
 * carries a written reason at the construct it concerns.
 */
import { type App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";

/** Runs the AwsSolutions pack over the whole app at synth. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
}

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
  Validations.of(scope).acknowledge({ id, reason: options.reason });
}
