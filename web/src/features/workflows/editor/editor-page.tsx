/**
 * The workflow editor (lazy route): the shared YAML document editor, validating with the shared
 * workflow parser, saved with PUT /workflows/{metadata.name}. A new workflow opens its page once
 * saved.
 */
import { parseWorkflowText } from "@assay/shared/workflow";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { checkWarningLines, refusalLines, useApplyWorkflow, workflowQuery } from "../../../api/workflows.ts";
import { DocumentEditor, type Validation } from "../../../components/editor/document-editor.tsx";
import { ErrorState, Loading } from "../../../components/states.tsx";
import { ButtonLink } from "../../../components/ui/button.tsx";
import { STARTER_WORKFLOW } from "./starter.ts";

const validateWorkflowText = (text: string): Validation => {
  const parsed = parseWorkflowText(text);
  return parsed.ok
    ? { ok: true, name: parsed.workflow.metadata.name, warnings: parsed.warnings }
    : { ok: false, issues: parsed.issues };
};

export function EditorPage() {
  const params = useParams({ strict: false }) as { org: string; env: string; name?: string };
  const { org, env, name } = params;
  const existing = useQuery({ ...workflowQuery(org, env, name ?? ""), enabled: name !== undefined });
  const apply = useApplyWorkflow(org, env);
  const navigate = useNavigate();
  if (name && existing.isPending) return <Loading label="Loading the workflow" />;
  if (name && existing.isError)
    return (
      <ErrorState
        error={existing.error}
        title={`Could not load ${name}`}
        onRetry={() => existing.refetch()}
      />
    );
  return (
    <DocumentEditor
      kind="TestWorkflow"
      name={name}
      initial={name ? (existing.data?.source ?? "") : STARTER_WORKFLOW}
      validate={validateWorkflowText}
      saving={apply.isPending}
      saveError={apply.error}
      save={async (target, source) => {
        const result = await apply.mutateAsync({ name: target, source });
        const refusals = refusalLines(result);
        // With refusals the editor stays, so that they are read before the workflow's page.
        if (name === undefined && refusals.length === 0)
          void navigate({ to: "/orgs/$org/envs/$env/workflows/$name", params: { org, env, name: target } });
        return {
          version: result.workflow.version,
          warnings: [...result.warnings, ...checkWarningLines(result)],
          refusals,
        };
      }}
      back={
        name ? (
          <ButtonLink to="/orgs/$org/envs/$env/workflows/$name" params={{ org, env, name }}>
            Back to {name}
          </ButtonLink>
        ) : null
      }
      savedLink={(target) => (
        <Link to="/orgs/$org/envs/$env/workflows/$name" params={{ org, env, name: target }}>
          Open the workflow
        </Link>
      )}
    />
  );
}
