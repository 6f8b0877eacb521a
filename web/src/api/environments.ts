/** Environments, their agents (live), agent tokens and install commands. */
import type { AgentView, Environment, TokenView } from "@assay/shared";
import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { call, enc, envPath, orgPath } from "./client.ts";

/**
 * `GET .../install`. The schema lives in functions/api (InstallCommandsView), not yet in
 * @assay/shared, so its shape is restated here.
 */
export interface InstallCommands {
  ingressUrl: string;
  /** The agent's npm tarball served by the control plane (npx, npm install -g). */
  agentTarballUrl: string;
  tokenIncluded: boolean;
  npx: string;
  docker: string;
  kubernetes: string;
}

export interface IssuedAgentToken {
  token: TokenView;
  secret: string;
  install: InstallCommands;
}

const keys = {
  envs: (org: string) => ["orgs", org, "envs"] as const,
  agents: (org: string, env: string) => ["envs", org, env, "agents"] as const,
  tokens: (org: string, env: string) => ["envs", org, env, "agent-tokens"] as const,
  install: (org: string, env: string) => ["envs", org, env, "install"] as const,
};

export const envsQuery = (org: string) =>
  queryOptions({
    queryKey: keys.envs(org),
    queryFn: ({ signal }) => call<{ items: Environment[] }>(`${orgPath(org)}/envs`, { signal }),
    select: (page) => page.items,
  });

export const useEnvs = (org: string) => useQuery(envsQuery(org));

/** Agents poll every 3 s: the page shows an agent coming online within seconds. */
export const useAgents = (org: string, env: string) =>
  useQuery({
    queryKey: keys.agents(org, env),
    queryFn: ({ signal }) => call<{ items: AgentView[] }>(`${envPath(org, env)}/agents`, { signal }),
    select: (page) => page.items,
    refetchInterval: 3000,
  });

export const useAgentTokens = (org: string, env: string) =>
  useQuery({
    queryKey: keys.tokens(org, env),
    queryFn: ({ signal }) => call<{ items: TokenView[] }>(`${envPath(org, env)}/agent-tokens`, { signal }),
    select: (page) => page.items,
  });

export const useInstall = (org: string, env: string) =>
  useQuery({
    queryKey: keys.install(org, env),
    queryFn: ({ signal }) => call<InstallCommands>(`${envPath(org, env)}/install`, { signal }),
  });

export function useCreateEnv(org: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { id: string; name?: string }) =>
      call<Environment>(`${orgPath(org)}/envs`, { method: "POST", json: body }),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.envs(org) }),
  });
}

export function useDeleteEnv(org: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (env: string) => call<void>(envPath(org, env), { method: "DELETE" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.envs(org) }),
  });
}

export function useCreateAgentToken(org: string, env: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      call<IssuedAgentToken>(`${envPath(org, env)}/agent-tokens`, { method: "POST", json: { name } }),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.tokens(org, env) }),
  });
}

export function useRevokeAgentToken(org: string, env: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      call<void>(`${envPath(org, env)}/agent-tokens/${enc(id)}`, { method: "DELETE" }),
    onSuccess: () => void client.invalidateQueries({ queryKey: keys.tokens(org, env) }),
  });
}
