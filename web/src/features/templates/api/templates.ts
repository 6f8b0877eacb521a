/** Template queries and mutations (the API's `/templates` routes of one environment). */
import type { WorkflowView } from "@assay/shared";
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { call, enc, envPath } from "../../../api/client.ts";

/** A TestWorkflowTemplate as the API shows it (same record shape as a workflow). */
export type TemplateView = WorkflowView;

export const templateKeys = {
  all: (org: string, env: string) => ["envs", org, env, "templates"] as const,
  one: (org: string, env: string, name: string) => ["envs", org, env, "templates", name] as const,
};

export const templatesQuery = (org: string, env: string) =>
  queryOptions({
    queryKey: templateKeys.all(org, env),
    queryFn: ({ signal }) => call<{ items: TemplateView[] }>(`${envPath(org, env)}/templates`, { signal }),
    select: (page) => page.items,
  });

export const templateQuery = (org: string, env: string, name: string) =>
  queryOptions({
    queryKey: templateKeys.one(org, env, name),
    queryFn: ({ signal }) => call<TemplateView>(`${envPath(org, env)}/templates/${enc(name)}`, { signal }),
  });

export const useTemplates = (org: string, env: string) => useQuery(templatesQuery(org, env));
export const useTemplate = (org: string, env: string, name: string) =>
  useQuery(templateQuery(org, env, name));

export function useApplyTemplate(org: string, env: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ name, source }: { name: string; source: string }) =>
      call<{ template: TemplateView; warnings: string[] }>(`${envPath(org, env)}/templates/${enc(name)}`, {
        method: "PUT",
        text: source,
      }),
    onSuccess: (result) => {
      void client.invalidateQueries({ queryKey: templateKeys.all(org, env) });
      client.removeQueries({ queryKey: templateKeys.one(org, env, result.template.name) });
    },
  });
}

export function useDeleteTemplate(org: string, env: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      call<void>(`${envPath(org, env)}/templates/${enc(name)}`, { method: "DELETE" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: templateKeys.all(org, env) }),
  });
}
