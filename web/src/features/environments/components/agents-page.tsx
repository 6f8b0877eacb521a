/** One environment's agents (live), install commands, agent tokens, and deletion. */
import { useNavigate, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { useDeleteEnv, useInstall } from "../../../api/environments.ts";
import { useCan } from "../../../auth/permissions.ts";
import { PageHeader } from "../../../components/page-header.tsx";
import { ErrorState, FormError, Loading, RoleNote } from "../../../components/states.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { Dialog } from "../../../components/ui/dialog.tsx";
import { AgentList } from "./agent-list.tsx";
import { AgentTokenList, NewAgentToken } from "./agent-tokens.tsx";
import { InstallCommands } from "./install-commands.tsx";

export function AgentsPage() {
  const { org, env } = useParams({ from: "/orgs/$org/envs/$env/agents" });
  const install = useInstall(org, env);
  const remove = useDeleteEnv(org);
  const navigate = useNavigate();
  const [confirm, setConfirm] = useState(false);
  const can = useCan(org);
  return (
    <>
      <PageHeader
        title={`Agents of ${env}`}
        actions={
          can("manage-envs") ? (
            <Button variant="ghost-danger" onClick={() => setConfirm(true)}>
              Delete environment
            </Button>
          ) : null
        }
      />
      <section className="panel" aria-labelledby="agents-title">
        <h2 id="agents-title" className="panel-title">
          Agents
        </h2>
        <AgentList org={org} env={env} />
      </section>
      <section className="panel" aria-labelledby="install-title">
        <h2 id="install-title" className="panel-title">
          Install an agent
        </h2>
        {install.isPending ? (
          <Loading />
        ) : install.isError ? (
          <ErrorState error={install.error} title="Could not load the install commands" />
        ) : (
          <InstallCommands commands={install.data} />
        )}
      </section>
      <section className="panel" aria-labelledby="tokens-title">
        <h2 id="tokens-title" className="panel-title">
          Agent tokens
        </h2>
        {can("manage-tokens") ? (
          <>
            <NewAgentToken org={org} env={env} />
            <AgentTokenList org={org} env={env} />
          </>
        ) : (
          <RoleNote>Admins create, rotate and revoke the agent tokens of this environment.</RoleNote>
        )}
      </section>
      <Dialog open={confirm} title={`Delete ${env}?`} onClose={() => setConfirm(false)}>
        <p>
          Its tokens are revoked, its agents disconnected, and its executions' logs and artifacts deleted.
          This cannot be undone.
        </p>
        <FormError error={remove.error} />
        <div className="form-actions">
          <Button onClick={() => setConfirm(false)}>Keep it</Button>
          <Button
            variant="danger"
            disabled={remove.isPending}
            onClick={() =>
              remove.mutate(env, {
                onSuccess: () => void navigate({ to: "/orgs/$org/envs", params: { org } }),
              })
            }
          >
            Delete {env}
          </Button>
        </div>
      </Dialog>
    </>
  );
}
