/** Insights of one workflow over a window: its runs, durations, failures and tests. */
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useParams, useSearch } from "@tanstack/react-router";
import { PageHeader } from "../../../components/page-header.tsx";
import { ErrorState, Loading } from "../../../components/states.tsx";
import { ButtonLink } from "../../../components/ui/button.tsx";
import { parseDays, workflowInsightsQuery } from "../api/insights.ts";
import { DaysSelect } from "./days-select.tsx";
import { InsightsView } from "./insights-view.tsx";

const ROUTE = "/orgs/$org/envs/$env/workflows/$name/insights";

export function WorkflowInsightsPage() {
  const { org, env, name } = useParams({ from: ROUTE });
  const days = parseDays(useSearch({ from: ROUTE }).days);
  const navigate = useNavigate();
  const insights = useQuery(workflowInsightsQuery(org, env, name, days));
  return (
    <>
      <PageHeader
        title={`Insights: ${name}`}
        actions={
          <>
            <DaysSelect days={days} onChange={(n) => void navigate({ to: ".", search: { days: n } })} />
            <ButtonLink to="/orgs/$org/envs/$env/workflows/$name" params={{ org, env, name }}>
              Workflow
            </ButtonLink>
          </>
        }
      >
        <Link to="/orgs/$org/envs/$env/insights" params={{ org, env }} search={{ days }}>
          All workflows
        </Link>
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
        <InsightsView insights={insights.data} org={org} env={env} showWorkflow={false} />
      )}
    </>
  );
}
