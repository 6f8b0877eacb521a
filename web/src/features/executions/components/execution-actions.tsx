/**
 * Pause or resume, abort, re-run and delete for one execution, each reporting the API's answer.
 * Only a member (the `run` action) sees them, and each only in a state the API accepts.
 */
import type { ExecutionView } from "@assay/shared";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import {
  useAbortExecution,
  useDeleteExecution,
  usePauseExecution,
  useRerunExecution,
} from "../../../api/executions.ts";
import { useCan } from "../../../auth/permissions.ts";
import { FormError } from "../../../components/states.tsx";
import { RelativeTime } from "../../../components/time.tsx";
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
  const rerun = useRerunExecution(org, env);
  const remove = useDeleteExecution(org, env);
  const pause = usePauseExecution(org, env);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const finished = isFinished(execution.status);
  const can = useCan(org);
  if (!can("run")) return null;

  // The control plane replays the config (sensitive values included) and the user's tags, and
  // records the new run as a re-run of this one.
  const runAgain = () =>
    rerun.mutate(execution.id, {
      onSuccess: (next) =>
        void navigate({ to: "/orgs/$org/envs/$env/executions/$id", params: { org, env, id: next.id } }),
    });

  return (
    <div className="actions">
      <PauseButton
        execution={execution}
        pending={pause.isPending}
        onAction={(action) => pause.mutate({ id: execution.id, action })}
      />
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
      <FormError error={pause.error ?? abort.error ?? rerun.error} />
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

/**
 * Pause while the execution runs, Resume while the agent holds it paused; between the ask and
 * the agent's answer the button says what is under way. Nothing for an execution that is not
 * running (the API refuses) or that is being aborted.
 */
function PauseButton({
  execution,
  pending,
  onAction,
}: {
  execution: ExecutionView;
  pending: boolean;
  onAction: (action: "pause" | "resume") => void;
}) {
  if (execution.status !== "running" || execution.abortRequestedAt) return null;
  const paused = execution.pausedAt !== undefined;
  // The ask is on its way while the agent's state differs from what was asked.
  const settling = execution.pauseRequested !== undefined && execution.pauseRequested !== paused;
  const label = paused ? (settling ? "Resuming…" : "Resume") : settling ? "Pausing…" : "Pause";
  return (
    <Button onClick={() => onAction(paused ? "resume" : "pause")} disabled={pending || settling}>
      {label}
    </Button>
  );
}

/** "Paused 2 minutes ago" while the agent holds the execution paused; nothing otherwise. */
export function PausedBadge({ execution }: { execution: ExecutionView }) {
  if (execution.pausedAt === undefined || isFinished(execution.status)) return null;
  return (
    <span className="badge badge-warning" data-testid="paused">
      Paused <RelativeTime iso={execution.pausedAt} />
    </span>
  );
}
