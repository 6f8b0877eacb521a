/** Abort, re-run and delete for one execution, each reporting the API's answer. */
import type { ExecutionView } from "@assay/shared";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useCan } from "../../../auth/permissions.ts";
import { Dialog } from "../../../components/dialog.tsx";
import { FormError } from "../../../components/states.tsx";
import { isFinished } from "../../../lib/status.ts";
import { userTags } from "../../../lib/tags.ts";
import { useRunWorkflow } from "../../workflows/api/workflows.ts";
import { useAbortExecution, useDeleteExecution } from "../api/executions.ts";

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
  const can = useCan(org);
  if (!can("run")) return null;

  const runAgain = () => {
    // Masked values cannot be replayed: sensitive parameters fall back to their defaults.
    const config = Object.fromEntries(
      Object.entries(execution.config).filter(([k]) => !execution.sensitive.includes(k)),
    );
    rerun.mutate(
      { name: execution.workflowName, input: { config, tags: userTags(execution.tags) } },
      {
        onSuccess: (next) =>
          void navigate({ to: "/orgs/$org/envs/$env/executions/$id", params: { org, env, id: next.id } }),
      },
    );
  };

  return (
    <div className="actions">
      {!finished ? (
        <button
          type="button"
          className="button button-danger"
          onClick={() => abort.mutate(execution.id)}
          disabled={abort.isPending || Boolean(execution.abortRequestedAt)}
        >
          {execution.abortRequestedAt ? "Aborting…" : "Abort"}
        </button>
      ) : null}
      <button type="button" className="button" onClick={runAgain} disabled={rerun.isPending}>
        {rerun.isPending ? "Starting…" : "Re-run"}
      </button>
      {finished ? (
        <button type="button" className="button button-ghost" onClick={() => setConfirmDelete(true)}>
          Delete
        </button>
      ) : null}
      <FormError error={abort.error ?? rerun.error} />
      <Dialog open={confirmDelete} title="Delete this execution?" onClose={() => setConfirmDelete(false)}>
        <p>Its logs and artifacts are removed too. This cannot be undone.</p>
        <FormError error={remove.error} />
        <div className="form-actions">
          <button type="button" className="button" onClick={() => setConfirmDelete(false)}>
            Keep it
          </button>
          <button
            type="button"
            className="button button-danger"
            disabled={remove.isPending}
            onClick={() =>
              remove.mutate(execution.id, {
                onSuccess: () =>
                  void navigate({ to: "/orgs/$org/envs/$env/executions", params: { org, env } }),
              })
            }
          >
            Delete execution
          </button>
        </div>
      </Dialog>
    </div>
  );
}
