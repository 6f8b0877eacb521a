/** The organization's environments: one per cluster or network it tests in. */
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { useEnvs } from "../../../api/environments.ts";
import { useCan } from "../../../auth/permissions.ts";
import { PageHeader } from "../../../components/page-header.tsx";
import { EmptyState, ErrorState, Loading } from "../../../components/states.tsx";
import { RelativeTime } from "../../../components/time.tsx";
import { DataTable } from "../../../components/ui/data-table.tsx";
import { CreateEnvForm } from "./create-env-form.tsx";

export function EnvironmentsPage() {
  const { org } = useParams({ from: "/orgs/$org/envs" });
  const envs = useEnvs(org);
  const navigate = useNavigate();
  const can = useCan(org);
  return (
    <>
      <PageHeader title="Environments" />
      {can("manage-envs") ? (
        <section className="panel" aria-labelledby="new-env">
          <h2 id="new-env" className="panel-title">
            New environment
          </h2>
          <CreateEnvForm
            org={org}
            onCreated={(env) =>
              void navigate({ to: "/orgs/$org/envs/$env/agents", params: { org, env: env.id } })
            }
          />
        </section>
      ) : null}
      {envs.isPending ? (
        <Loading label="Loading environments" />
      ) : envs.isError ? (
        <ErrorState error={envs.error} title="Could not load environments" onRetry={() => envs.refetch()} />
      ) : envs.data.length === 0 ? (
        <EmptyState title="No environments yet">
          Create one for each cluster or network you test in.
        </EmptyState>
      ) : (
        <DataTable
          label="Environments"
          rows={envs.data}
          rowKey={(e) => e.id}
          columns={[
            {
              key: "name",
              header: "Environment",
              cell: (e) => (
                <>
                  <Link to="/orgs/$org/envs/$env/workflows" params={{ org, env: e.id }} className="strong">
                    {e.name}
                  </Link>
                  <div className="muted small mono">{e.id}</div>
                </>
              ),
            },
            { key: "created", header: "Created", cell: (e) => <RelativeTime iso={e.createdAt} /> },
            {
              key: "links",
              header: <span className="visually-hidden">Links</span>,
              cellClassName: "cell-actions",
              cell: (e) => (
                <Link
                  to="/orgs/$org/envs/$env/agents"
                  params={{ org, env: e.id }}
                  aria-label={`Agents and tokens of ${e.name}`}
                >
                  Agents &amp; tokens
                </Link>
              ),
            },
          ]}
        />
      )}
    </>
  );
}
