/**
 * Executions of the environment, newest first, filtered by workflow, status, tags and time
 * (kept in the URL so a filtered view can be shared), paged with the API's cursor ("Load
 * more"): keyset pagination, so a page costs the same at 100k executions as the first one.
 *
 * The time filter is applied here, not by the API (it has no time parameter): pages come newest
 * first, so the executions inside the window are a prefix of the list. Each loaded page is cut
 * at the window's start and paging stops at the first execution older than it, so a narrow
 * window never pages through the whole history.
 */
import type { ExecutionStatus } from "@assay/shared";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useNavigate, useParams, useSearch } from "@tanstack/react-router";
import { type FormEvent, useMemo, useState } from "react";
import { executionsQuery } from "../../../api/executions.ts";
import { useWorkflows } from "../../../api/workflows.ts";
import { ExecutionTable } from "../../../components/execution-table.tsx";
import { PageHeader } from "../../../components/page-header.tsx";
import { EmptyState, ErrorState, Loading } from "../../../components/states.tsx";
import { useNow } from "../../../components/time.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { EXECUTION_STATUSES, executionStatus } from "../../../lib/status.ts";
import {
  parseTagFilter,
  SINCE_LABELS,
  SINCE_WINDOWS,
  type SinceWindow,
  sinceBoundary,
} from "../../../lib/time-window.ts";
import type { ExecutionsSearch } from "../../../router.tsx";

export function ExecutionsPage() {
  const { org, env } = useParams({ from: "/orgs/$org/envs/$env/executions" });
  const search = useSearch({ from: "/orgs/$org/envs/$env/executions" });
  const navigate = useNavigate({ from: "/orgs/$org/envs/$env/executions" });
  const workflows = useWorkflows(org, env);
  const [tagText, setTagText] = useState(search.tag ?? "");
  const [tagError, setTagError] = useState<string>();
  const tags = useMemo(() => {
    try {
      return parseTagFilter(search.tag);
    } catch {
      return [];
    }
  }, [search.tag]);
  const list = useInfiniteQuery(
    executionsQuery(org, env, { workflow: search.workflow, status: search.status, tags }),
  );
  const now = useNow(Boolean(search.since), 30_000);
  const boundary = search.since ? sinceBoundary(search.since, now) : undefined;
  const loaded = list.data?.pages.flatMap((p) => p.items) ?? [];
  const items = boundary === undefined ? loaded : loaded.filter((e) => Date.parse(e.createdAt) >= boundary);
  // Newest first: once an execution older than the window is loaded, later pages are older still.
  const reachedBoundary = boundary !== undefined && items.length < loaded.length;
  const hasMore = list.hasNextPage && !reachedBoundary;
  const filtered = Boolean(search.workflow || search.status || search.tag || search.since);

  const setFilter = (patch: Partial<ExecutionsSearch>) =>
    void navigate({ search: (prev) => ({ ...prev, ...patch }), replace: true });

  const applyTags = (event?: FormEvent) => {
    event?.preventDefault();
    try {
      const parsed = parseTagFilter(tagText);
      if (parsed.length > 10) throw new Error("At most 10 tag filters");
      setTagError(undefined);
      setFilter({ tag: parsed.join(",") || undefined });
    } catch (error) {
      setTagError(error instanceof Error ? error.message : String(error));
    }
  };

  return (
    <>
      <PageHeader title="Executions" />
      <form className="filters" aria-label="Filter executions" onSubmit={applyTags}>
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
        <label>
          Tags
          <input
            value={tagText}
            placeholder="key=value, …"
            onChange={(e) => setTagText(e.target.value)}
            onBlur={() => {
              if (tagText.trim() !== (search.tag ?? "")) applyTags();
            }}
            aria-invalid={tagError ? true : undefined}
            aria-describedby={tagError ? "tag-filter-error" : undefined}
            spellCheck={false}
          />
        </label>
        <label>
          Created
          <select
            value={search.since ?? ""}
            onChange={(e) => setFilter({ since: (e.target.value || undefined) as SinceWindow | undefined })}
          >
            <option value="">Any time</option>
            {SINCE_WINDOWS.map((w) => (
              <option key={w} value={w}>
                {SINCE_LABELS[w]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="visually-hidden" tabIndex={-1}>
          Apply filters
        </button>
        {filtered ? (
          <Button
            variant="ghost"
            onClick={() => {
              setTagText("");
              setTagError(undefined);
              void navigate({ search: {}, replace: true });
            }}
          >
            Clear filters
          </Button>
        ) : null}
        {tagError ? (
          <p id="tag-filter-error" className="field-error" role="alert">
            {tagError}
          </p>
        ) : null}
      </form>
      {list.isPending ? (
        <Loading label="Loading executions" />
      ) : list.isError ? (
        <ErrorState error={list.error} title="Could not load executions" onRetry={() => list.refetch()} />
      ) : items.length === 0 && !hasMore ? (
        <EmptyState title={filtered ? "No executions match these filters" : "No executions yet"}>
          {filtered
            ? "Try another workflow, status, tag or time."
            : "Run a workflow and its executions appear here."}
        </EmptyState>
      ) : (
        <>
          {items.length > 0 ? (
            <ExecutionTable org={org} env={env} items={items} caption="Executions, newest first" />
          ) : (
            <p className="muted">None on the loaded pages; load more to look further back.</p>
          )}
          <div className="list-footer">
            <span className="muted small" aria-live="polite">
              {items.length} shown
              {reachedBoundary ? ` · all from the ${SINCE_LABELS[search.since ?? "24h"].toLowerCase()}` : ""}
            </span>
            {hasMore ? (
              <Button onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                {list.isFetchingNextPage ? "Loading…" : "Load more"}
              </Button>
            ) : null}
          </div>
        </>
      )}
    </>
  );
}
