/** Workflow queries and mutations (the API's `/workflows` routes of one environment). */
import type { ApplyWorkflowResponse, CreateExecution, ExecutionView, WorkflowView } from "@assay/shared";
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { call, enc, envPath } from "./client.ts";

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

export function useApplyWorkflow(org: string, env: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ name, source }: { name: string; source: string }) =>
      call<ApplyWorkflowResponse>(`${envPath(org, env)}/workflows/${enc(name)}`, {
        method: "PUT",
        text: source,
      }),
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

/** Deletes a workflow and its schedules; its executions stay listed. */
export function useDeleteWorkflow(org: string, env: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      call<void>(`${envPath(org, env)}/workflows/${enc(name)}`, { method: "DELETE" }),
    onSuccess: (_result, name) => {
      void client.invalidateQueries({ queryKey: workflowKeys.all(org, env) });
      client.removeQueries({ queryKey: workflowKeys.one(org, env, name) });
    },
  });
}

/** One line per refusal of the apply check: what will not run on which runtime. */
export const refusalLines = (result: ApplyWorkflowResponse): string[] =>
  result.check.runtimes.flatMap((r) =>
    r.refusals.map(
      (u) => `${r.runtime} runtime${r.agents === 0 ? " (no agent yet)" : ""}: ${u.path}: ${u.message}`,
    ),
  );

/** The check's warnings, each naming its runtime. */
export const checkWarningLines = (result: ApplyWorkflowResponse): string[] =>
  result.check.runtimes.flatMap((r) => r.warnings.map((w) => `${r.runtime} runtime: ${w}`));
