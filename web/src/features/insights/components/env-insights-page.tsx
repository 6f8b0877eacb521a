/** Insights of the whole environment over a window, with a line per workflow. */
import type { WorkflowSummary } from "@assay/shared";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useParams, useSearch } from "@tanstack/react-router";
import { PageHeader } from "../../../components/page-header.tsx";
import { ErrorState, Loading } from "../../../components/states.tsx";
import { DataTable } from "../../../components/ui/data-table.tsx";
import { envInsightsQuery, parseDays } from "../api/insights.ts";
import { DaysSelect } from "./days-select.tsx";
import { percent } from "./format.ts";
import { InsightsView } from "./insights-view.tsx";

export function EnvInsightsPage() {
  const { org, env } = useParams({ from: "/orgs/$org/envs/$env/insights" });
  const days = parseDays(useSearch({ from: "/orgs/$org/envs/$env/insights" }).days);
  const navigate = useNavigate();
  const insights = useQuery(envInsightsQuery(org, env, days));
  return (
    <>
      <PageHeader
        title="Insights"
        actions={<DaysSelect days={days} onChange={(n) => void navigate({ to: ".", search: { days: n } })} />}
      >
        How the environment's runs did, per day and per workflow.
      </PageHeader>
      {insights.isPending ? (
        <Loading label="Loading insights" />
      ) : insights.isError ? (
        <ErrorState
          error={insights.error}
          title="Could not load insights"
          onRetry={() => void insights.refetch()}
        />
      ) : (
        <InsightsView
          insights={insights.data}
          org={org}
          env={env}
          showWorkflow
          extra={
            <section className="panel" aria-labelledby="insights-workflows">
              <h2 id="insights-workflows" className="panel-title">
                Workflows
              </h2>
              <DataTable<WorkflowSummary>
                label="Workflows"
                rows={insights.data.workflows}
                rowKey={(w) => w.workflow}
                empty={<p className="muted">No workflow ran in this window.</p>}
                columns={[
                  {
                    key: "workflow",
                    header: "Workflow",
                    cell: (w) => (
                      <Link
                        to="/orgs/$org/envs/$env/workflows/$name/insights"
                        params={{ org, env, name: w.workflow }}
                        search={{ days }}
                      >
                        {w.workflow}
                      </Link>
                    ),
                  },
                  { key: "runs", header: "Runs", cell: (w) => w.runs, numeric: true },
                  { key: "rate", header: "Pass rate", cell: (w) => percent(w.passRate), numeric: true },
                  {
                    key: "failed",
                    header: "Failed",
                    cell: (w) => w.failed + w.timeout + w.lost,
                    numeric: true,
                  },
                  { key: "stopped", header: "Stopped", cell: (w) => w.aborted + w.canceled, numeric: true },
                ]}
              />
            </section>
          }
        />
      )}
    </>
  );
}
