/** Webhook queries and mutations (the API's `/webhooks` routes of one environment; admin). */
import type { CreateWebhook, DeliveryView, UpdateWebhook, WebhookView } from "@assay/shared";
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { call, enc, envPath } from "../../../api/client.ts";

export const webhookKeys = {
  all: (org: string, env: string) => ["envs", org, env, "webhooks"] as const,
  one: (org: string, env: string, name: string) => ["envs", org, env, "webhooks", name] as const,
  deliveries: (org: string, env: string, name: string) =>
    ["envs", org, env, "webhooks", name, "deliveries"] as const,
};

const base = (org: string, env: string) => `${envPath(org, env)}/webhooks`;

export const useWebhooks = (org: string, env: string) =>
  useQuery(
    queryOptions({
      queryKey: webhookKeys.all(org, env),
      queryFn: ({ signal }) => call<{ items: WebhookView[] }>(base(org, env), { signal }),
      select: (page) => page.items,
    }),
  );

export const useWebhook = (org: string, env: string, name: string) =>
  useQuery({
    queryKey: webhookKeys.one(org, env, name),
    queryFn: ({ signal }) => call<WebhookView>(`${base(org, env)}/${enc(name)}`, { signal }),
  });

/** The delivery log, refreshed while the page is open (retries land on their own). */
export const useDeliveries = (org: string, env: string, name: string) =>
  useQuery({
    queryKey: webhookKeys.deliveries(org, env, name),
    queryFn: ({ signal }) =>
      call<{ items: DeliveryView[] }>(`${base(org, env)}/${enc(name)}/deliveries?limit=100`, { signal }),
    select: (page) => page.items,
    refetchInterval: 5000,
  });

export function useCreateWebhook(org: string, env: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Partial<CreateWebhook>) =>
      call<WebhookView>(base(org, env), { method: "POST", json: body }),
    onSuccess: () => void client.invalidateQueries({ queryKey: webhookKeys.all(org, env) }),
  });
}

export function useUpdateWebhook(org: string, env: string, name: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: UpdateWebhook) =>
      call<WebhookView>(`${base(org, env)}/${enc(name)}`, { method: "PATCH", json: patch }),
    onSuccess: (view) => {
      client.setQueryData(webhookKeys.one(org, env, name), view);
      void client.invalidateQueries({ queryKey: webhookKeys.all(org, env) });
    },
  });
}

export function useDeleteWebhook(org: string, env: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => call<void>(`${base(org, env)}/${enc(name)}`, { method: "DELETE" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: webhookKeys.all(org, env) }),
  });
}

export function useRedeliver(org: string, env: string, name: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      call<{ deliveryId: string }>(`${base(org, env)}/${enc(name)}/deliveries/${enc(id)}/redeliver`, {
        method: "POST",
      }),
    onSuccess: () => void client.invalidateQueries({ queryKey: webhookKeys.deliveries(org, env, name) }),
  });
}
