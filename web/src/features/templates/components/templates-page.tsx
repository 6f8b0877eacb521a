/**
 * TestWorkflowTemplates of the environment: reusable steps, config and containers that
 * workflows pull in with `use:` or a step's `template:`. List, open, write a new one.
 */
import { Link, useParams } from "@tanstack/react-router";
import { useCan } from "../../../auth/permissions.ts";
import { Labels } from "../../../components/labels.tsx";
import { PageHeader } from "../../../components/page-header.tsx";
import { EmptyState, ErrorState, Loading } from "../../../components/states.tsx";
import { RelativeTime } from "../../../components/time.tsx";
import { ButtonLink } from "../../../components/ui/button.tsx";
import { DataTable } from "../../../components/ui/data-table.tsx";
import { useTemplates } from "../api/templates.ts";

export function TemplatesPage() {
  const { org, env } = useParams({ from: "/orgs/$org/envs/$env/templates" });
  const templates = useTemplates(org, env);
  const can = useCan(org);
  const newLink = can("edit-workflows") ? (
    <ButtonLink variant="primary" to="/orgs/$org/envs/$env/new-template" params={{ org, env }}>
      New template
    </ButtonLink>
  ) : null;
  return (
    <>
      <PageHeader title="Templates" actions={newLink}>
        <span className="muted small">
          Reusable parts of workflows: a workflow pulls one in with <code>use:</code> or a step's{" "}
          <code>template:</code>.
        </span>
      </PageHeader>
      {templates.isPending ? (
        <Loading label="Loading templates" />
      ) : templates.isError ? (
        <ErrorState
          error={templates.error}
          title="Could not load templates"
          onRetry={() => templates.refetch()}
        />
      ) : templates.data.length === 0 ? (
        <EmptyState title="No templates yet" action={newLink}>
          Write a TestWorkflowTemplate in YAML, or apply one with{" "}
          <code>assay template apply -f file.yaml</code>.
        </EmptyState>
      ) : (
        <DataTable
          label="Templates"
          rows={templates.data}
          rowKey={(t) => t.name}
          columns={[
            {
              key: "name",
              header: "Name",
              cell: (t) => (
                <>
                  <Link
                    to="/orgs/$org/envs/$env/templates/$name"
                    params={{ org, env, name: t.name }}
                    className="strong"
                  >
                    {t.name}
                  </Link>
                  {t.description ? <div className="muted small">{t.description}</div> : null}
                  <Labels labels={t.labels} />
                </>
              ),
            },
            { key: "version", header: "Version", cell: (t) => t.version },
            { key: "updated", header: "Updated", cell: (t) => <RelativeTime iso={t.updatedAt} /> },
          ]}
        />
      )}
    </>
  );
}
