/** Abort, re-run and delete for one execution, each reporting the API's answer. */
import type { ExecutionView } from "@assay/shared";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useAbortExecution, useDeleteExecution } from "../../../api/executions.ts";
import { useRunWorkflow } from "../../../api/workflows.ts";
import { FormError } from "../../../components/states.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { Dialog } from "../../../components/ui/dialog.tsx";
import { isFinished } from "../../../lib/status.ts";

export function ExecutionActions({
  org,
  env,
  execution,
}: {
  org: string;
  env: string;
  execution: ExecutionView;
}) {
  const navigate = useNavigate();
  const abort = useAbortExecution(org, env);
  const rerun = useRunWorkflow(org, env);
  const remove = useDeleteExecution(org, env);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const finished = isFinished(execution.status);

  const runAgain = () => {
    // Masked values cannot be replayed: sensitive parameters fall back to their defaults.
    const config = Object.fromEntries(
      Object.entries(execution.config).filter(([k]) => !execution.sensitive.includes(k)),
    );
    rerun.mutate(
      { name: execution.workflowName, input: { config, tags: execution.tags } },
      {
        onSuccess: (next) =>
          void navigate({ to: "/orgs/$org/envs/$env/executions/$id", params: { org, env, id: next.id } }),
      },
    );
  };

  return (
    <div className="actions">
      {!finished ? (
        <Button
          variant="danger"
          onClick={() => abort.mutate(execution.id)}
          disabled={abort.isPending || Boolean(execution.abortRequestedAt)}
        >
          {execution.abortRequestedAt ? "Aborting…" : "Abort"}
        </Button>
      ) : null}
      <Button onClick={runAgain} disabled={rerun.isPending}>
        {rerun.isPending ? "Starting…" : "Re-run"}
      </Button>
      {finished ? (
        <Button variant="ghost" onClick={() => setConfirmDelete(true)}>
          Delete
        </Button>
      ) : null}
      <FormError error={abort.error ?? rerun.error} />
      <Dialog open={confirmDelete} title="Delete this execution?" onClose={() => setConfirmDelete(false)}>
        <p>Its logs and artifacts are removed too. This cannot be undone.</p>
        <FormError error={remove.error} />
        <div className="form-actions">
          <Button onClick={() => setConfirmDelete(false)}>Keep it</Button>
          <Button
            variant="danger"
            disabled={remove.isPending}
            onClick={() =>
              remove.mutate(execution.id, {
                onSuccess: () =>
                  void navigate({ to: "/orgs/$org/envs/$env/executions", params: { org, env } }),
              })
            }
          >
            Delete execution
          </Button>
        </div>
      </Dialog>
    </div>
  );
}
