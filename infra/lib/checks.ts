/**
 * The policy checks `cdk synth` runs over the whole app: cdk-nag's AwsSolutions pack and AWS's
 * cfn-guard with the Control Tower proactive controls (the binary ships inside
 * `@cdklabs/cdk-validator-cfnguard`, so synth stays offline). Any unacknowledged finding fails
 * the synth, and so does an acknowledgement that matches no finding: a stale one would hide the
 * next real problem of that rule at that construct.
 *
 * Both packs run unfiltered; acknowledgements (nag.ts) are applied here, per construct and its
 * descendants, so that which ones were used is known.
 */
import { basename } from "node:path";
import { CfnGuardValidator } from "@cdklabs/cdk-validator-cfnguard";
import {
  type App,
  CfnResource,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
  type PolicyViolatingResource,
  type PolicyViolation,
  Stack,
  Validations,
} from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { guardNamespace, nagNamespace } from "./nag.ts";

/** One acknowledgement as recorded on a construct. */
export interface Acknowledgement {
  readonly path: string;
  readonly namespace: string;
  readonly rule: string;
  readonly reason: string;
}

/** Every acknowledgement in the tree, of one namespace. */
export function acknowledgementsOf(root: IConstruct, namespace: string): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        const separator = id.indexOf("::");
        const ns = separator < 0 ? "" : id.slice(0, separator);
        if (ns.toLowerCase() !== namespace.toLowerCase()) continue;
        found.push({ path: construct.node.path, namespace: ns, rule: id.slice(separator + 2), reason });
      }
    }
  }
  return found;
}

/** Construct path of a violating resource, from its path or its template and logical id. */
type PathOf = (resource: PolicyViolatingResource) => string | undefined;

function resourcePaths(root: IConstruct): PathOf {
  const byLogicalId = new Map<string, string>();
  for (const construct of root.node.findAll()) {
    if (!CfnResource.isCfnResource(construct)) continue;
    const stack = Stack.of(construct);
    byLogicalId.set(`${stack.templateFile}#${stack.resolve(construct.logicalId)}`, construct.node.path);
  }
  return (r) =>
    r.constructPath ??
    (r.templatePath && r.resourceLogicalId
      ? byLogicalId.get(`${basename(r.templatePath)}#${r.resourceLogicalId}`)
      : undefined);
}

const covers = (ack: Acknowledgement, path: string) => path === ack.path || path.startsWith(`${ack.path}/`);

/**
 * Removes acknowledged resources from the violations and reports each acknowledgement that
 * matched nothing as a violation of its own.
 */
export function applyAcknowledgements(
  violations: readonly PolicyViolation[],
  acknowledgements: readonly Acknowledgement[],
  pathOf: PathOf,
): { violations: PolicyViolation[]; stale: Acknowledgement[] } {
  const used = new Set<Acknowledgement>();
  const remaining: PolicyViolation[] = [];
  for (const violation of violations) {
    const left = violation.violatingResources.filter((resource) => {
      const path = pathOf(resource);
      const ack = path
        ? acknowledgements.find((a) => a.rule === violation.ruleName.replaceAll(" ", "-") && covers(a, path))
        : undefined;
      if (ack) used.add(ack);
      return !ack;
    });
    if (left.length > 0) remaining.push({ ...violation, violatingResources: left });
  }
  return { violations: remaining, stale: acknowledgements.filter((a) => !used.has(a)) };
}

function staleViolations(stale: readonly Acknowledgement[]): PolicyViolation[] {
  return stale.map((ack) => ({
    ruleName: `stale-acknowledgement[${ack.rule}]`,
    description: `Acknowledgement of ${ack.rule} at ${ack.path} matches no finding ("${ack.reason}")`,
    fix: "Remove the acknowledgement, or move it to the construct whose resource has the finding.",
    // A resource is what the report prints; without one the finding would not fail the synth.
    violatingResources: [{ constructPath: ack.path, locations: ["Metadata"] }],
  }));
}

/** Runs a pack, applies one namespace's acknowledgements, fails on the rest and on stale ones. */
class AcknowledgingPlugin implements IPolicyValidationPlugin {
  readonly name: string;
  private readonly namespace: string;
  private readonly run: (context: IPolicyValidationContext) => readonly PolicyViolation[];

  constructor(
    name: string,
    namespace: string,
    run: (context: IPolicyValidationContext) => readonly PolicyViolation[],
  ) {
    this.name = name;
    this.namespace = namespace;
    this.run = run;
  }

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const root = context.appConstruct;
    const { violations, stale } = applyAcknowledgements(
      this.run(context),
      acknowledgementsOf(root, this.namespace),
      resourcePaths(root),
    );
    const all = [...violations, ...staleViolations(stale)];
    return { success: all.length === 0, violations: all };
  }
}

/** cdk-nag with its own acknowledgement lookup off: every finding comes back, with its path. */
function unfilteredNag(app: App): AwsSolutionsChecks {
  const pack = new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true });
  Reflect.set(pack, "isAcknowledged", () => false);
  return pack;
}

/** Adds both packs to the app: `cdk synth` fails on any unacknowledged or stale finding. */
export function addPolicyChecks(app: App): void {
  const nag = unfilteredNag(app);
  const guard = new CfnGuardValidator();
  Validations.of(app).addPlugins(
    new AcknowledgingPlugin(
      "assay cdk-nag",
      nagNamespace,
      (context) => nag.validateScope(context.appConstruct).violations,
    ),
    new AcknowledgingPlugin(
      "assay cfn-guard",
      guardNamespace,
      (context) => guard.validate(context).violations,
    ),
  );
}
