/** Schedules of one environment: list with paused state, add to a workflow, pause and resume. */
import type { ScheduleView } from "@assay/shared";
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { call, enc, envPath } from "./client.ts";
import { workflowKeys } from "./workflows.ts";

const schedulesKey = (org: string, env: string) => ["envs", org, env, "schedules"] as const;

export const schedulesQuery = (org: string, env: string) =>
  queryOptions({
    queryKey: schedulesKey(org, env),
    queryFn: ({ signal }) => call<{ items: ScheduleView[] }>(`${envPath(org, env)}/schedules`, { signal }),
    select: (page) => page.items,
  });

export const useSchedules = (org: string, env: string) => useQuery(schedulesQuery(org, env));

function useRefresh(org: string, env: string) {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: schedulesKey(org, env) });
    void client.invalidateQueries({ queryKey: workflowKeys.all(org, env) });
  };
}

/** Adds a cron job to a workflow's document (a new version of the workflow). */
export function useAddSchedule(org: string, env: string) {
  const refresh = useRefresh(org, env);
  return useMutation({
    mutationFn: ({ workflow, cron, timezone }: { workflow: string; cron: string; timezone?: string }) =>
      call<{ items: ScheduleView[] }>(`${envPath(org, env)}/workflows/${enc(workflow)}/schedules`, {
        json: { cron, ...(timezone ? { timezone } : {}) },
      }),
    onSuccess: refresh,
  });
}

/** Pauses or resumes one cron job. */
export function useSetSchedulePaused(org: string, env: string) {
  const refresh = useRefresh(org, env);
  return useMutation({
    mutationFn: ({ workflow, index, paused }: { workflow: string; index: number; paused: boolean }) =>
      call<{ items: ScheduleView[] }>(`${envPath(org, env)}/workflows/${enc(workflow)}/schedules/${index}`, {
        method: "PATCH",
        json: { paused },
      }),
    onSuccess: refresh,
  });
}
