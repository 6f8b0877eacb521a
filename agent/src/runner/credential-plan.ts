/**
 * Planning a run whose workflow uses credentials. A first plan with placeholder values collects
 * every `credential()` / `secret()` use (Kubernetes secret references are rewritten into those
 * first, see bindSecretRefs); the values are fetched once from the control plane; a credential
 * that is not set fails the run here, naming it, before any step runs; the second plan binds the
 * values. Secret values are returned for the log masker. A workflow without credentials is
 * planned once, with no request.
 */
import {
  bindSecretRefs,
  type CredentialUse,
  credentialFunctions,
  type ExpressionFunction,
  type TestWorkflow,
} from "@assay/shared/workflow";
import type { PlanOutcome } from "./run-execution.ts";

/** Values found for a request (names not set are absent). */
export type FetchCredentials = (
  names: string[],
  prefixes: string[],
) => Promise<
  { ok: true; values: Array<{ name: string; value: string; secret: boolean }> } | { ok: false; error: string }
>;

/** Plans a parsed workflow with extra expression functions (plan-spec.ts binds the runner). */
export type PlanParsed = (
  workflow: TestWorkflow,
  functions: Record<string, ExpressionFunction>,
) => PlanOutcome;

export async function planWithCredentials(
  workflow: TestWorkflow,
  plan: PlanParsed,
  fetch: FetchCredentials,
): Promise<PlanOutcome> {
  const first = bindSecretRefs(workflow);
  const uses: CredentialUse[] = [];
  const collected = plan(
    first.workflow,
    credentialFunctions({ lookup: () => undefined, onUse: (use) => uses.push(use), placeholder: "" }),
  );
  if (uses.length === 0 && first.wholeSecrets.length === 0) return collected;
  const names = [...new Set(uses.flatMap((use) => use.candidates))];
  const prefixes = [...new Set(first.wholeSecrets.map((s) => s.name))];
  const fetched = await fetch(names, prefixes);
  if (!fetched.ok)
    return {
      ok: false,
      message: `the run's credentials could not be fetched: ${fetched.error}`,
      details: [],
    };
  const values = new Map(fetched.values.map((v) => [v.name, v]));
  const missing = uses.filter((use) => !use.optional && !use.candidates.some((name) => values.has(name)));
  const keysOf = (secret: string) =>
    [...values.keys()]
      .filter((name) => name.startsWith(`${secret}.`))
      .map((name) => name.slice(secret.length + 1));
  const missingWhole = first.wholeSecrets.filter((s) => !s.optional && keysOf(s.name).length === 0);
  const labels = [
    ...new Set([
      ...missing.map((use) => use.label),
      ...missingWhole.map(
        (s) =>
          `${JSON.stringify(`${s.name}.*`)} (${s.kind === "secret" ? "secret" : "config map"} ${s.name}, every key)`,
      ),
    ]),
  ];
  if (labels.length > 0) {
    return {
      ok: false,
      message: `credentials not set in this environment or its organization: ${labels.join(", ")}`,
      details: ["set them with `assay credential set NAME` or on the dashboard's Credentials page"],
    };
  }
  const bound = bindSecretRefs(workflow, keysOf);
  const outcome = plan(bound.workflow, credentialFunctions({ lookup: (name) => values.get(name)?.value }));
  if (!outcome.ok) return outcome;
  const secrets = fetched.values.filter((v) => v.secret).map((v) => v.value);
  return { ...outcome, secrets: [...(outcome.secrets ?? []), ...secrets] };
}
