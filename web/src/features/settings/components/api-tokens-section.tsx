/** API tokens for the CLI, CI and scripts: a role, an optional expiry; the secret shown once. */
import type { Role } from "@assay/shared";
import type { FormEvent } from "react";
import { useGrantableRoles } from "../../../auth/permissions.ts";
import { CopyButton } from "../../../components/copy-button.tsx";
import { EmptyState, ErrorState, FormError, Loading } from "../../../components/states.tsx";
import { RelativeTime } from "../../../components/time.tsx";
import { revokeColumn, tokenLastUsedColumn, tokenNameColumn } from "../../../components/token-columns.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { DataTable } from "../../../components/ui/data-table.tsx";
import { useApiTokens, useCreateApiToken, useRevokeApiToken } from "../api/org.ts";

export function ApiTokensSection({ org }: { org: string }) {
  const tokens = useApiTokens(org);
  const grantable = useGrantableRoles(org);
  const create = useCreateApiToken(org);
  const revoke = useRevokeApiToken(org);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const days = Number(form.get("days") ?? 0);
    create.mutate({
      name: String(form.get("name") ?? ""),
      role: String(form.get("role") ?? "member") as Role,
      ...(days > 0 ? { expiresAt: new Date(Date.now() + days * 86_400_000).toISOString() } : {}),
    });
  };
  return (
    <section className="panel" aria-labelledby="api-tokens-title">
      <h2 id="api-tokens-title" className="panel-title">
        API tokens
      </h2>
      <form className="inline-form" onSubmit={submit} aria-label="Create an API token">
        <label>
          Token name
          <input name="name" required maxLength={100} placeholder="ci" />
        </label>
        <label>
          Role
          <select name="role" defaultValue="member">
            {grantable.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Expires
          <select name="days" defaultValue="90">
            <option value="30">in 30 days</option>
            <option value="90">in 90 days</option>
            <option value="365">in a year</option>
            <option value="0">never</option>
          </select>
        </label>
        <Button type="submit" variant="primary" disabled={create.isPending}>
          Create API token
        </Button>
      </form>
      <FormError error={create.error ?? revoke.error} />
      {create.data ? (
        <div className="secret" role="status">
          <p className="strong">Copy the token now: it is shown only once.</p>
          <div className="command">
            <input
              className="secret-value"
              readOnly
              value={create.data.secret}
              aria-label="API token secret"
              onFocus={(e) => e.currentTarget.select()}
            />
            <CopyButton value={create.data.secret} label="Copy the API token" />
          </div>
        </div>
      ) : null}
      {tokens.isPending ? (
        <Loading label="Loading tokens" />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} title="Could not load API tokens" />
      ) : tokens.data.length === 0 ? (
        <EmptyState title="No API tokens" />
      ) : (
        <DataTable
          label="API tokens"
          rows={tokens.data}
          rowKey={(t) => t.id}
          columns={[
            tokenNameColumn(),
            { key: "role", header: "Role", cell: (t) => t.role },
            tokenLastUsedColumn(),
            {
              key: "expires",
              header: "Expires",
              className: "hide-narrow",
              cell: (t) => (t.expiresAt ? <RelativeTime iso={t.expiresAt} /> : "never"),
            },
            revokeColumn((id) => revoke.mutate(id)),
          ]}
        />
      )}
    </section>
  );
}
