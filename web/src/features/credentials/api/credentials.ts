/** Credentials of an organization or of one environment: list, set (create or rotate), delete. */
import type { CredentialKind, CredentialView } from "@assay/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { call, enc, envPath, orgPath } from "../../../api/client.ts";

/** The organization's own credentials (`env` unset) or one environment's. */
export interface CredentialScope {
  org: string;
  env?: string | undefined;
}

const base = ({ org, env }: CredentialScope) =>
  `${env === undefined ? orgPath(org) : envPath(org, env)}/credentials`;
const key = ({ org, env }: CredentialScope) => ["orgs", org, "credentials", env ?? ""] as const;

export const useCredentials = (scope: CredentialScope) =>
  useQuery({
    queryKey: key(scope),
    queryFn: ({ signal }) => call<{ items: CredentialView[] }>(base(scope), { signal }),
    select: (page) => [...page.items].sort((a, b) => a.name.localeCompare(b.name)),
  });

const useRefreshing = <I, O>(scope: CredentialScope, fn: (input: I) => Promise<O>) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => void client.invalidateQueries({ queryKey: key(scope) }),
  });
};

export const useSetCredential = (scope: CredentialScope) =>
  useRefreshing(scope, (input: { name: string; value: string; kind: CredentialKind }) =>
    call<CredentialView>(`${base(scope)}/${enc(input.name)}`, {
      method: "PUT",
      json: { value: input.value, kind: input.kind },
    }),
  );

export const useDeleteCredential = (scope: CredentialScope) =>
  useRefreshing(scope, (name: string) => call<void>(`${base(scope)}/${enc(name)}`, { method: "DELETE" }));
