/** Workflow queries and mutations (the API's `/workflows` routes of one environment). */
import type { CreateExecution, ExecutionView, WorkflowView } from "@assay/shared";
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { call, enc, envPath } from "../../../api/client.ts";

export const workflowKeys = {
  all: (org: string, env: string) => ["envs", org, env, "workflows"] as const,
  one: (org: string, env: string, name: string) => ["envs", org, env, "workflows", name] as const,
};

export const workflowsQuery = (org: string, env: string) =>
  queryOptions({
    queryKey: workflowKeys.all(org, env),
    queryFn: ({ signal }) => call<{ items: WorkflowView[] }>(`${envPath(org, env)}/workflows`, { signal }),
    select: (page) => page.items,
  });

export const workflowQuery = (org: string, env: string, name: string) =>
  queryOptions({
    queryKey: workflowKeys.one(org, env, name),
    queryFn: ({ signal }) => call<WorkflowView>(`${envPath(org, env)}/workflows/${enc(name)}`, { signal }),
  });

export const useWorkflows = (org: string, env: string) => useQuery(workflowsQuery(org, env));
export const useWorkflow = (org: string, env: string, name: string) =>
  useQuery(workflowQuery(org, env, name));

export interface ApplyResult {
  workflow: WorkflowView;
  warnings: string[];
}

export function useApplyWorkflow(org: string, env: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ name, source }: { name: string; source: string }) =>
      call<ApplyResult>(`${envPath(org, env)}/workflows/${enc(name)}`, { method: "PUT", text: source }),
    onSuccess: (result) => {
      void client.invalidateQueries({ queryKey: workflowKeys.all(org, env) });
      client.removeQueries({ queryKey: workflowKeys.one(org, env, result.workflow.name) });
    },
  });
}

export function useRunWorkflow(org: string, env: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ name, input }: { name: string; input: Partial<CreateExecution> }) =>
      call<ExecutionView>(`${envPath(org, env)}/workflows/${enc(name)}/executions`, {
        method: "POST",
        json: { config: input.config ?? {}, tags: input.tags ?? {} },
      }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["envs", org, env, "executions"] }),
  });
}
