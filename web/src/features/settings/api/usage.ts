/**
 * Plan usage, counted by the dashboard: the API exposes the plan's limits (GET /orgs/{org}) but
 * no usage counts. Environments used is the length of the environment list. Concurrent
 * executions (the plan counts queued, assigned and running ones, see run slots in the control
 * plane) are counted from each environment's executions list filtered by those statuses, one
 * page each (capped: "N+" past a page). A usage route reading the run-slot counter would be one
 * request and exact; until then this is a close reading, not the counter itself.
 */
import type { ExecutionStatus, ExecutionView, Page } from "@assay/shared";
import { useQuery } from "@tanstack/react-query";
import { call, envPath } from "../../../api/client.ts";
import { useEnvs } from "../../../api/environments.ts";

const ACTIVE: ExecutionStatus[] = ["queued", "assigned", "running"];
const PAGE = 200;

export interface Usage {
  environments: number;
  activeExecutions: number;
  /** True when a page was full, so the count is a lower bound. */
  atLeast: boolean;
}

export function useUsage(org: string) {
  const envs = useEnvs(org);
  const ids = (envs.data ?? []).map((e) => e.id);
  return useQuery({
    queryKey: ["orgs", org, "usage", ids],
    enabled: envs.isSuccess,
    staleTime: 15_000,
    queryFn: async ({ signal }): Promise<Usage> => {
      const pages = await Promise.all(
        ids.flatMap((env) =>
          ACTIVE.map((status) =>
            call<Page<ExecutionView>>(`${envPath(org, env)}/executions?status=${status}&limit=${PAGE}`, {
              signal,
            }),
          ),
        ),
      );
      return {
        environments: ids.length,
        activeExecutions: pages.reduce((n, p) => n + p.items.length, 0),
        atLeast: pages.some((p) => p.nextCursor !== undefined),
      };
    },
  });
}
