/**
 * Execution queries and mutations. The list pages with the API's opaque cursor (newest first,
 * keyset pagination on a time-ordered id, so page N costs the same at 100k executions as page
 * one). A running execution refetches itself every second until it is finished.
 */
import { type ExecutionStatus, type ExecutionView, PARENT_TAG, type Page } from "@assay/shared";
import { infiniteQueryOptions, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { isFinished } from "../lib/status.ts";
import { authHeaders, call, enc, envPath } from "./client.ts";
import { toApiError } from "./errors.ts";

export interface ExecutionFilter {
  workflow?: string;
  status?: ExecutionStatus;
  /** `key=value` entries; an execution must carry all of them. */
  tags?: string[];
}

export const executionKeys = {
  all: (org: string, env: string) => ["envs", org, env, "executions"] as const,
  list: (org: string, env: string, filter: ExecutionFilter, limit: number) =>
    ["envs", org, env, "executions", "list", filter, limit] as const,
  one: (org: string, env: string, id: string) => ["envs", org, env, "executions", "one", id] as const,
};

const executionPath = (org: string, env: string, id: string) => `${envPath(org, env)}/executions/${enc(id)}`;

export const executionsQuery = (org: string, env: string, filter: ExecutionFilter, limit = 50) =>
  infiniteQueryOptions({
    queryKey: executionKeys.list(org, env, filter, limit),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams({ limit: String(limit) });
      if (filter.workflow) params.set("workflow", filter.workflow);
      if (filter.status) params.set("status", filter.status);
      for (const tag of filter.tags ?? []) params.append("tag", tag);
      if (pageParam) params.set("cursor", pageParam);
      return call<Page<ExecutionView>>(`${envPath(org, env)}/executions?${params}`, { signal });
    },
    getNextPageParam: (page) => page.nextCursor,
    // Keep a list with unfinished runs fresh; a settled one only on focus.
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) => p.items.some((e) => !isFinished(e.status))) ? 2000 : false,
  });

/** The newest executions of the environment (one page), e.g. for per-workflow health. */
export const recentExecutionsQuery = (org: string, env: string, limit: number) =>
  queryOptions({
    queryKey: [...executionKeys.all(org, env), "recent", limit] as const,
    queryFn: ({ signal }) =>
      call<Page<ExecutionView>>(`${envPath(org, env)}/executions?limit=${limit}`, { signal }),
    select: (page) => page.items,
    refetchInterval: (query) => (query.state.data?.items.some((e) => !isFinished(e.status)) ? 2000 : false),
  });

export const executionQuery = (org: string, env: string, id: string) =>
  queryOptions({
    queryKey: executionKeys.one(org, env, id),
    queryFn: ({ signal }) => call<ExecutionView>(executionPath(org, env, id), { signal }),
    refetchInterval: (query) => (query.state.data && isFinished(query.state.data.status) ? false : 1000),
  });

export function useAbortExecution(org: string, env: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      call<ExecutionView>(`${executionPath(org, env, id)}/abort`, { method: "POST" }),
    onSuccess: (execution) => client.setQueryData(executionKeys.one(org, env, execution.id), execution),
  });
}

/** Asks the agent to pause (`pause`) or resume (`resume`) the running execution. */
export function usePauseExecution(org: string, env: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: "pause" | "resume" }) =>
      call<ExecutionView>(`${executionPath(org, env, id)}/${action}`, { method: "POST" }),
    onSuccess: (execution) => client.setQueryData(executionKeys.one(org, env, execution.id), execution),
  });
}

/**
 * The executions an execution's `execute` steps started (they carry its id in the parent tag),
 * newest first. Refreshed every 2 s while one of them is unfinished, every 10 s while only the
 * parent is (it may start more; a tag filter reads through the environment's executions, so an
 * execution that may have no children at all is not asked about more often).
 */
export const childExecutionsQuery = (org: string, env: string, parentId: string, parentRunning: boolean) =>
  queryOptions({
    queryKey: [...executionKeys.all(org, env), "children", parentId] as const,
    queryFn: ({ signal }) =>
      call<Page<ExecutionView>>(
        `${envPath(org, env)}/executions?limit=200&tag=${enc(`${PARENT_TAG}=${parentId}`)}`,
        { signal },
      ),
    select: (page) => page.items,
    refetchInterval: (query) =>
      query.state.data?.items.some((e) => !isFinished(e.status)) ? 2000 : parentRunning ? 10_000 : false,
  });

/** Starts the execution's workflow again with its config and user tags; the new run links back. */
export function useRerunExecution(org: string, env: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      call<ExecutionView>(`${executionPath(org, env, id)}/rerun`, { method: "POST" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["envs", org, env, "executions"] }),
  });
}

export function useDeleteExecution(org: string, env: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => call<void>(executionPath(org, env, id), { method: "DELETE" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: executionKeys.all(org, env) }),
  });
}

/** Saves an execution's log (or one step's) as a file, authenticated like every request. */
export async function downloadLogs(org: string, env: string, id: string, fileName: string, step?: string) {
  const query = step ? `?step=${enc(step)}` : "";
  const response = await fetch(`${executionPath(org, env, id)}/logs${query}`, {
    headers: authHeaders(),
    credentials: "same-origin",
  });
  if (!response.ok) throw await toApiError(response);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
