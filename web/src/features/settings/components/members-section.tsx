/**
 * Members with their roles and, for those who manage members, role changes, removal and
 * invitations (invite by email, revoke).
 */
import type { Role } from "@assay/shared";
import type { FormEvent } from "react";
import { useGrantableRoles } from "../../../auth/permissions.ts";
import { EmptyState, ErrorState, FormError, Loading, RoleNote } from "../../../components/states.tsx";
import { RelativeTime } from "../../../components/time.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { actionsColumn, DataTable } from "../../../components/ui/data-table.tsx";
import {
  useInvitations,
  useInvite,
  useMembers,
  useRemoveMember,
  useRevokeInvitation,
  useSetRole,
} from "../api/org.ts";

export function MembersSection({ org, manage }: { org: string; manage: boolean }) {
  const members = useMembers(org);
  const grantable = useGrantableRoles(org);
  const setRole = useSetRole(org);
  const remove = useRemoveMember(org);
  return (
    <section className="panel" aria-labelledby="members-title">
      <h2 id="members-title" className="panel-title">
        Members
      </h2>
      <FormError error={setRole.error ?? remove.error} />
      {members.isPending ? (
        <Loading label="Loading members" />
      ) : members.isError ? (
        <ErrorState error={members.error} title="Could not load members" />
      ) : members.data.length === 0 ? (
        <p className="muted">
          No members yet: only API tokens act for this organization. Invite someone below.
        </p>
      ) : (
        <DataTable
          label="Members"
          rows={members.data}
          rowKey={(m) => m.userId}
          columns={[
            {
              key: "member",
              header: "Member",
              cell: (m) => (
                <>
                  <span className="strong">{m.name || m.email}</span>
                  {m.name ? <div className="muted small">{m.email}</div> : null}
                </>
              ),
            },
            {
              key: "role",
              header: "Role",
              cell: (m) =>
                manage ? (
                  <select
                    aria-label={`Role of ${m.email}`}
                    value={m.role}
                    onChange={(e) => setRole.mutate({ user: m.userId, role: e.target.value as Role })}
                  >
                    {(grantable.includes(m.role) ? grantable : [m.role, ...grantable]).map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                ) : (
                  m.role
                ),
            },
            ...(manage
              ? [
                  actionsColumn((m: (typeof members.data)[number]) => (
                    <Button
                      variant="danger"
                      size="small"
                      onClick={() => remove.mutate(m.userId)}
                      aria-label={`Remove ${m.email}`}
                    >
                      Remove
                    </Button>
                  )),
                ]
              : []),
          ]}
        />
      )}
      {manage ? (
        <Invitations org={org} />
      ) : (
        <RoleNote>Admins invite members and change their roles.</RoleNote>
      )}
    </section>
  );
}

function Invitations({ org }: { org: string }) {
  const invitations = useInvitations(org);
  const grantable = useGrantableRoles(org);
  const invite = useInvite(org);
  const revoke = useRevokeInvitation(org);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formEl = event.currentTarget;
    const form = new FormData(formEl);
    invite.mutate(
      { email: String(form.get("email") ?? ""), role: String(form.get("role") ?? "member") as Role },
      { onSuccess: () => formEl.reset() },
    );
  };
  return (
    <>
      <h3 className="subtitle">Invite a member</h3>
      <form className="inline-form" onSubmit={submit} aria-label="Invite a member">
        <label>
          Email
          <input name="email" type="email" required autoComplete="off" />
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
        <Button type="submit" variant="primary" disabled={invite.isPending}>
          Send invitation
        </Button>
      </form>
      <FormError error={invite.error ?? revoke.error} />
      {invite.isSuccess ? (
        <p className="muted small" role="status">
          Invitation sent to {invite.data.email}.
        </p>
      ) : null}
      {invitations.isSuccess && invitations.data.length > 0 ? (
        <ul className="plain-list" aria-label="Pending invitations">
          {invitations.data.map((i) => (
            <li key={i.id}>
              <span>
                {i.email} as {i.role} · expires <RelativeTime iso={i.expiresAt} />
              </span>
              <Button
                size="small"
                onClick={() => revoke.mutate(i.id)}
                aria-label={`Revoke the invitation of ${i.email}`}
              >
                Revoke
              </Button>
            </li>
          ))}
        </ul>
      ) : invitations.isSuccess ? (
        <EmptyState title="No pending invitations" />
      ) : null}
    </>
  );
}
