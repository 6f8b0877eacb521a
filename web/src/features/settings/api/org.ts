/** Organization settings: the organization, members, invitations, API tokens and audit log. */
import type { AuditEvent, InvitationView, Membership, OrgView, Page, Role, TokenView } from "@assay/shared";
import { infiniteQueryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { call, enc, orgPath } from "../../../api/client.ts";

const keys = {
  org: (org: string) => ["orgs", org] as const,
  members: (org: string) => ["orgs", org, "members"] as const,
  invitations: (org: string) => ["orgs", org, "invitations"] as const,
  tokens: (org: string) => ["orgs", org, "api-tokens"] as const,
  audit: (org: string) => ["orgs", org, "audit"] as const,
};

const items = <T>(page: { items: T[] }) => page.items;

export const useOrg = (org: string) =>
  useQuery({ queryKey: keys.org(org), queryFn: ({ signal }) => call<OrgView>(orgPath(org), { signal }) });

export const useMembers = (org: string) =>
  useQuery({
    queryKey: keys.members(org),
    queryFn: ({ signal }) => call<{ items: Membership[] }>(`${orgPath(org)}/members`, { signal }),
    select: items,
  });

export const useInvitations = (org: string) =>
  useQuery({
    queryKey: keys.invitations(org),
    queryFn: ({ signal }) => call<{ items: InvitationView[] }>(`${orgPath(org)}/invitations`, { signal }),
    select: items,
  });

export const useApiTokens = (org: string) =>
  useQuery({
    queryKey: keys.tokens(org),
    queryFn: ({ signal }) => call<{ items: TokenView[] }>(`${orgPath(org)}/api-tokens`, { signal }),
    select: items,
  });

export const auditQuery = (org: string) =>
  infiniteQueryOptions({
    queryKey: keys.audit(org),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      call<Page<AuditEvent>>(
        `${orgPath(org)}/audit?limit=50${pageParam ? `&cursor=${enc(pageParam)}` : ""}`,
        {
          signal,
        },
      ),
    getNextPageParam: (page) => page.nextCursor,
  });

/** A mutation that refreshes the given queries (and `me`, whose org list may change). */
function useOrgMutation<I, O>(fn: (input: I) => Promise<O>, refresh: readonly (readonly string[])[]) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      for (const queryKey of refresh) void client.invalidateQueries({ queryKey });
    },
  });
}

export const useUpdateOrg = (org: string) =>
  useOrgMutation(
    (body: { name?: string }) => call<OrgView>(orgPath(org), { method: "PATCH", json: body }),
    [keys.org(org), ["me"]],
  );

export const useSetRole = (org: string) =>
  useOrgMutation(
    ({ user, role }: { user: string; role: Role }) =>
      call<Membership>(`${orgPath(org)}/members/${enc(user)}`, { method: "PATCH", json: { role } }),
    [keys.members(org), keys.audit(org)],
  );

export const useRemoveMember = (org: string) =>
  useOrgMutation(
    (user: string) => call<void>(`${orgPath(org)}/members/${enc(user)}`, { method: "DELETE" }),
    [keys.members(org), keys.audit(org)],
  );

export const useInvite = (org: string) =>
  useOrgMutation(
    (body: { email: string; role: Role }) =>
      call<InvitationView>(`${orgPath(org)}/invitations`, { method: "POST", json: body }),
    [keys.invitations(org), keys.audit(org)],
  );

export const useRevokeInvitation = (org: string) =>
  useOrgMutation(
    (id: string) => call<void>(`${orgPath(org)}/invitations/${enc(id)}`, { method: "DELETE" }),
    [keys.invitations(org)],
  );

export const useCreateApiToken = (org: string) =>
  useOrgMutation(
    (body: { name: string; role: Role; expiresAt?: string }) =>
      call<{ token: TokenView; secret: string }>(`${orgPath(org)}/api-tokens`, {
        method: "POST",
        json: body,
      }),
    [keys.tokens(org), keys.audit(org)],
  );

export const useRevokeApiToken = (org: string) =>
  useOrgMutation(
    (id: string) => call<void>(`${orgPath(org)}/api-tokens/${enc(id)}`, { method: "DELETE" }),
    [keys.tokens(org), keys.audit(org)],
  );
