/**
 * The template editor (lazy route): the same YAML editor and shared parser as workflows, with
 * the text required to hold exactly one TestWorkflowTemplate; saved with PUT /templates/{name}.
 */
import { parseWorkflowDocuments } from "@assay/shared/workflow";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { DocumentEditor, type Validation } from "../../../components/editor/document-editor.tsx";
import { ErrorState, Loading } from "../../../components/states.tsx";
import { ButtonLink } from "../../../components/ui/button.tsx";
import { templateQuery, useApplyTemplate } from "../api/templates.ts";
import { STARTER_TEMPLATE } from "./starter.ts";

export const validateTemplateText = (text: string): Validation => {
  const documents = parseWorkflowDocuments(text);
  if (documents.length === 0)
    return { ok: false, issues: [{ path: "kind", message: "the text holds no document", line: 1 }] };
  const broken = documents.find(
    (d) => !d.ok && d.kind !== "TestWorkflowTemplate" && d.kind !== "TestWorkflow",
  );
  if (broken && !broken.ok) return { ok: false, issues: broken.issues };
  const templates = documents.filter((d) => d.kind === "TestWorkflowTemplate");
  const first = templates[0];
  if (first === undefined) {
    const line = documents[0]?.line ?? 1;
    return {
      ok: false,
      issues: [{ path: "kind", message: "expected a TestWorkflowTemplate document", line }],
    };
  }
  if (templates.length > 1 || documents.length > 1) {
    const extra = documents.find((d) => d !== first);
    const message = `expected exactly one TestWorkflowTemplate document, found ${documents.length} documents`;
    return { ok: false, issues: [{ path: "kind", message, line: extra?.line ?? 1, column: 1 }] };
  }
  if (!first.ok) return { ok: false, issues: first.issues };
  return { ok: true, name: first.document.metadata.name, warnings: first.warnings };
};

export function TemplateEditorPage() {
  const { org, env, name } = useParams({ strict: false }) as { org: string; env: string; name?: string };
  const existing = useQuery({ ...templateQuery(org, env, name ?? ""), enabled: name !== undefined });
  const apply = useApplyTemplate(org, env);
  const navigate = useNavigate();
  if (name && existing.isPending) return <Loading label="Loading the template" />;
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
      kind="TestWorkflowTemplate"
      name={name}
      initial={name ? (existing.data?.source ?? "") : STARTER_TEMPLATE}
      validate={validateTemplateText}
      saving={apply.isPending}
      saveError={apply.error}
      save={async (target, source) => {
        const result = await apply.mutateAsync({ name: target, source });
        if (name === undefined)
          void navigate({ to: "/orgs/$org/envs/$env/templates/$name", params: { org, env, name: target } });
        return { version: result.template.version, warnings: result.warnings };
      }}
      back={
        <ButtonLink
          to={name ? "/orgs/$org/envs/$env/templates/$name" : "/orgs/$org/envs/$env/templates"}
          params={{ org, env, name: name ?? "" }}
        >
          {name ? `Back to ${name}` : "Back to templates"}
        </ButtonLink>
      }
      savedLink={(target) => (
        <Link to="/orgs/$org/envs/$env/templates/$name" params={{ org, env, name: target }}>
          Open the template
        </Link>
      )}
    />
  );
}
