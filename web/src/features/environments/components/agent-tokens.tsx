/**
 * Agent tokens of an environment: create (the secret is shown once, with the install commands
 * that include it), list and revoke (an agent using a revoked token is disconnected).
 */
import type { FormEvent } from "react";
import {
  type IssuedAgentToken,
  useAgentTokens,
  useCreateAgentToken,
  useRevokeAgentToken,
} from "../../../api/environments.ts";
import { CopyButton } from "../../../components/copy-button.tsx";
import { EmptyState, ErrorState, FormError, Loading } from "../../../components/states.tsx";
import { RelativeTime } from "../../../components/time.tsx";
import { revokeColumn, tokenLastUsedColumn, tokenNameColumn } from "../../../components/token-columns.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { DataTable } from "../../../components/ui/data-table.tsx";
import { InstallCommands } from "./install-commands.tsx";

export function NewAgentToken({
  org,
  env,
  onIssued,
}: {
  org: string;
  env: string;
  onIssued?: (issued: IssuedAgentToken) => void;
}) {
  const create = useCreateAgentToken(org, env);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") ?? "").trim() || `${env} agent`;
    create.mutate(name, { onSuccess: onIssued });
  };
  return (
    <div>
      <form className="inline-form" onSubmit={submit} aria-label="Create an agent token">
        <label>
          Token name
          <input name="name" placeholder={`${env} agent`} maxLength={100} />
        </label>
        <Button type="submit" variant="primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create agent token"}
        </Button>
      </form>
      <FormError error={create.error} />
      {create.data ? <IssuedToken issued={create.data} /> : null}
    </div>
  );
}

export function IssuedToken({ issued }: { issued: IssuedAgentToken }) {
  return (
    <div className="secret" role="status">
      <p className="strong">Copy the token now: it is shown only once.</p>
      <div className="command">
        <input
          className="secret-value"
          readOnly
          value={issued.secret}
          aria-label="Agent token secret"
          onFocus={(e) => e.currentTarget.select()}
        />
        <CopyButton value={issued.secret} label="Copy the agent token" />
      </div>
      <p>Start an agent in your network with:</p>
      <InstallCommands commands={issued.install} />
    </div>
  );
}

export function AgentTokenList({ org, env }: { org: string; env: string }) {
  const tokens = useAgentTokens(org, env);
  const revoke = useRevokeAgentToken(org, env);
  if (tokens.isPending) return <Loading label="Loading tokens" />;
  if (tokens.isError) return <ErrorState error={tokens.error} title="Could not load agent tokens" />;
  if (tokens.data.length === 0) return <EmptyState title="No agent tokens" />;
  return (
    <>
      <FormError error={revoke.error} />
      <DataTable
        label="Agent tokens"
        rows={tokens.data}
        rowKey={(t) => t.id}
        columns={[
          tokenNameColumn(),
          { key: "created", header: "Created", cell: (t) => <RelativeTime iso={t.createdAt} /> },
          tokenLastUsedColumn(),
          revokeColumn((id) => revoke.mutate(id)),
        ]}
      />
    </>
  );
}
