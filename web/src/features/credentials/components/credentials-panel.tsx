/**
 * The credentials of one scope: a form that sets (creates or rotates) one, and the list. A
 * secret's value is typed into a password field and never shown again; a variable's value is
 * listed to members. Writing needs the admin role (the API answers 403 otherwise, shown inline).
 */
import type { CredentialKind } from "@assay/shared";
import { type FormEvent, useState } from "react";
import { useCan } from "../../../auth/permissions.ts";
import { EmptyState, ErrorState, FormError, Loading, RoleNote } from "../../../components/states.tsx";
import { RelativeTime } from "../../../components/time.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { actionsColumn, DataTable } from "../../../components/ui/data-table.tsx";
import {
  type CredentialScope,
  useCredentials,
  useDeleteCredential,
  useSetCredential,
} from "../api/credentials.ts";

export function CredentialsPanel({ scope, title }: { scope: CredentialScope; title: string }) {
  const list = useCredentials(scope);
  const set = useSetCredential(scope);
  const remove = useDeleteCredential(scope);
  const [kind, setKind] = useState<CredentialKind>("secret");
  const manage = useCan(scope.org)("manage-credentials");
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    set.mutate(
      { name: String(data.get("name") ?? ""), value: String(data.get("value") ?? ""), kind },
      { onSuccess: () => form.reset() },
    );
  };
  const id = scope.env === undefined ? "org-credentials" : "env-credentials";
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="panel-title">
        {title}
      </h2>
      {manage ? (
        <form className="inline-form" onSubmit={submit} aria-label={`Set a credential (${title})`}>
          <label>
            Name
            <input
              name="name"
              required
              maxLength={253}
              placeholder="db.password"
              pattern="[A-Za-z0-9._\-]+"
            />
          </label>
          <label>
            Value
            <input name="value" type={kind === "secret" ? "password" : "text"} autoComplete="off" required />
          </label>
          <label>
            Kind
            <select
              name="kind"
              value={kind}
              onChange={(e) => setKind(e.currentTarget.value as CredentialKind)}
            >
              <option value="secret">secret (masked, never shown)</option>
              <option value="variable">variable (readable)</option>
            </select>
          </label>
          <Button type="submit" variant="primary" disabled={set.isPending}>
            Save credential
          </Button>
        </form>
      ) : (
        <RoleNote>Admins set and delete credentials.</RoleNote>
      )}
      <FormError error={set.error ?? remove.error} />
      {set.data ? (
        <p className="muted small" role="status">
          {set.data.name} saved (version {set.data.version})
        </p>
      ) : null}
      {list.isPending ? (
        <Loading label="Loading credentials" />
      ) : list.isError ? (
        <ErrorState error={list.error} title="Could not load credentials" />
      ) : list.data.length === 0 ? (
        <EmptyState title="No credentials yet" />
      ) : (
        <DataTable
          label={title}
          rows={list.data}
          rowKey={(c) => c.name}
          columns={[
            { key: "name", header: "Name", cellClassName: "mono", cell: (c) => c.name },
            { key: "kind", header: "Kind", cell: (c) => c.kind },
            {
              key: "value",
              header: "Value",
              cellClassName: "mono",
              cell: (c) => (c.kind === "secret" ? "••••••••" : (c.value ?? "hidden")),
            },
            { key: "version", header: "Version", className: "hide-narrow", cell: (c) => `v${c.version}` },
            {
              key: "updated",
              header: "Updated",
              className: "hide-narrow",
              cell: (c) => (
                <>
                  <RelativeTime iso={c.updatedAt} /> <span className="muted small">by {c.updatedBy}</span>
                </>
              ),
            },
            ...(manage
              ? [
                  actionsColumn((c: (typeof list.data)[number]) => (
                    <Button
                      variant="danger"
                      size="small"
                      onClick={() => remove.mutate(c.name)}
                      aria-label={`Delete ${c.name}`}
                    >
                      Delete
                    </Button>
                  )),
                ]
              : []),
          ]}
        />
      )}
    </section>
  );
}
