/** Reads every IAM policy statement out of a template (standalone policies and inline role policies). */
import type { Template } from "aws-cdk-lib/assertions";

export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: unknown;
}

/**
 * CDK's own BucketDeployment handler (site upload) carries generated `s3:GetObject*`-style grants
 * on the site and asset buckets, not on data; its findings are acknowledged in WebStack.
 */
const cdkManaged = (logicalId: string) => logicalId.startsWith("CustomCDKBucketDeployment");

export function statementsOf(template: Template): Statement[] {
  const statements: Statement[] = [];
  const collect = (document: unknown) => {
    const list = (document as { Statement?: Statement[] } | undefined)?.Statement ?? [];
    statements.push(...list);
  };
  for (const [id, policy] of Object.entries(template.findResources("AWS::IAM::Policy"))) {
    if (!cdkManaged(id)) collect(policy.Properties?.PolicyDocument);
  }
  for (const role of Object.values(template.findResources("AWS::IAM::Role"))) {
    for (const inline of role.Properties?.Policies ?? []) collect(inline.PolicyDocument);
  }
  return statements;
}

export const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** All actions a role's attached policies grant, for roles whose logical id starts with `prefix`. */
export function actionsGrantedTo(template: Template, rolePrefix: string): Set<string> {
  const actions = new Set<string>();
  for (const policy of Object.values(template.findResources("AWS::IAM::Policy"))) {
    const roles = JSON.stringify(policy.Properties?.Roles ?? []);
    if (!roles.includes(`"${rolePrefix}`)) continue;
    for (const statement of (policy.Properties?.PolicyDocument?.Statement ?? []) as Statement[]) {
      for (const action of actionsOf(statement)) actions.add(action);
    }
  }
  return actions;
}
