/** The organization's single sign-on settings (admins and owners). */
import type { PutSsoSettingsBody, SsoSettingsView } from "@assay/shared";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { call, orgPath } from "../../../api/client.ts";

const key = (org: string) => ["orgs", org, "sso"] as const;

export const useSsoSettings = (org: string) =>
  useQuery({
    queryKey: key(org),
    queryFn: ({ signal }) => call<SsoSettingsView>(`${orgPath(org)}/sso`, { signal }),
  });

export const useSaveSso = (org: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Partial<PutSsoSettingsBody>) =>
      call<SsoSettingsView>(`${orgPath(org)}/sso`, { method: "PUT", json: body }),
    onSuccess: (saved) => {
      client.setQueryData(key(org), saved);
      void client.invalidateQueries({ queryKey: ["orgs", org, "audit"] });
    },
  });
};
