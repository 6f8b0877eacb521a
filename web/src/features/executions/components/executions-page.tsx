/**
 * Executions of the environment, newest first, filtered by workflow and status (kept in the
 * URL so a filtered view can be shared), paged with the API's cursor ("Load more").
 */
import type { ExecutionStatus } from "@assay/shared";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useNavigate, useParams, useSearch } from "@tanstack/react-router";
import { PageHeader } from "../../../components/page-header.tsx";
import { EmptyState, ErrorState, Loading } from "../../../components/states.tsx";
import { EXECUTION_STATUSES, executionStatus } from "../../../lib/status.ts";
import { useWorkflows } from "../../workflows/api/workflows.ts";
import { executionsQuery } from "../api/executions.ts";
import { ExecutionTable } from "./execution-table.tsx";

export function ExecutionsPage() {
  const { org, env } = useParams({ from: "/orgs/$org/envs/$env/executions" });
  const search = useSearch({ from: "/orgs/$org/envs/$env/executions" });
  const navigate = useNavigate({ from: "/orgs/$org/envs/$env/executions" });
  const workflows = useWorkflows(org, env);
  const list = useInfiniteQuery(executionsQuery(org, env, search));
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Boolean(search.workflow || search.status);

  const setFilter = (patch: { workflow?: string; status?: ExecutionStatus }) =>
    void navigate({ search: (prev) => ({ ...prev, ...patch }), replace: true });

  return (
    <>
      <PageHeader title="Executions" />
      <form className="filters" aria-label="Filter executions" onSubmit={(e) => e.preventDefault()}>
        <label>
          Workflow
          <select
            value={search.workflow ?? ""}
            onChange={(e) => setFilter({ workflow: e.target.value || undefined })}
          >
            <option value="">All workflows</option>
            {(workflows.data ?? []).map((w) => (
              <option key={w.name} value={w.name}>
                {w.name}
              </option>
            ))}
            {search.workflow && !workflows.data?.some((w) => w.name === search.workflow) ? (
              <option value={search.workflow}>{search.workflow}</option>
            ) : null}
          </select>
        </label>
        <label>
          Status
          <select
            value={search.status ?? ""}
            onChange={(e) =>
              setFilter({ status: (e.target.value || undefined) as ExecutionStatus | undefined })
            }
          >
            <option value="">Any status</option>
            {EXECUTION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {executionStatus(s).label}
              </option>
            ))}
          </select>
        </label>
        {filtered ? (
          <button
            type="button"
            className="button button-ghost"
            onClick={() => void navigate({ search: {}, replace: true })}
          >
            Clear filters
          </button>
        ) : null}
      </form>
      {list.isPending ? (
        <Loading label="Loading executions" />
      ) : list.isError ? (
        <ErrorState error={list.error} title="Could not load executions" onRetry={() => list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={filtered ? "No executions match these filters" : "No executions yet"}>
          {filtered ? "Try another workflow or status." : "Run a workflow and its executions appear here."}
        </EmptyState>
      ) : (
        <>
          <ExecutionTable org={org} env={env} items={items} caption="Executions, newest first" />
          <div className="list-footer">
            <span className="muted small" aria-live="polite">
              {items.length} shown
            </span>
            {list.hasNextPage ? (
              <button
                type="button"
                className="button"
                onClick={() => void list.fetchNextPage()}
                disabled={list.isFetchingNextPage}
              >
                {list.isFetchingNextPage ? "Loading…" : "Load more"}
              </button>
            ) : null}
          </div>
        </>
      )}
    </>
  );
}
