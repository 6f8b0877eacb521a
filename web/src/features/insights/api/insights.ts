/**
 * Insights queries: an environment's and a workflow's aggregates over a window of days. The API
 * keeps them up to date as runs finish, so a read is cheap; the page refreshes them every 30 s.
 */
import type { EnvInsights, WorkflowInsights } from "@assay/shared";
import { queryOptions } from "@tanstack/react-query";
import { call, enc, envPath } from "../../../api/client.ts";

/** The windows the day selector offers (the API accepts 1..90). */
export const INSIGHT_WINDOWS = [7, 14, 30, 90] as const;
export const DEFAULT_DAYS = 14;

/** `?days=` from the address bar: one of the offered windows, else the default. */
export const parseDays = (value: unknown): number => {
  const days = Number(value);
  return (INSIGHT_WINDOWS as readonly number[]).includes(days) ? days : DEFAULT_DAYS;
};

const REFRESH_MS = 30_000;

export const envInsightsQuery = (org: string, env: string, days: number) =>
  queryOptions({
    queryKey: ["envs", org, env, "insights", days] as const,
    queryFn: ({ signal }) => call<EnvInsights>(`${envPath(org, env)}/insights?days=${days}`, { signal }),
    refetchInterval: REFRESH_MS,
  });

export const workflowInsightsQuery = (org: string, env: string, name: string, days: number) =>
  queryOptions({
    queryKey: ["envs", org, env, "insights", "workflow", name, days] as const,
    queryFn: ({ signal }) =>
      call<WorkflowInsights>(`${envPath(org, env)}/workflows/${enc(name)}/insights?days=${days}`, { signal }),
    refetchInterval: REFRESH_MS,
  });
