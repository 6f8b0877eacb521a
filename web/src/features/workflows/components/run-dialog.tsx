/** Runs a workflow from a dialog and opens the new execution. */
import type { WorkflowView } from "@assay/shared";
import { Link, useNavigate } from "@tanstack/react-router";
import { useAgents } from "../../../api/environments.ts";
import { useRunWorkflow } from "../../../api/workflows.ts";
import { Dialog } from "../../../components/ui/dialog.tsx";
import { RunForm } from "./run-form.tsx";

export function RunDialog({
  org,
  env,
  workflow,
  onClose,
}: {
  org: string;
  env: string;
  workflow: WorkflowView;
  onClose: () => void;
}) {
  const run = useRunWorkflow(org, env);
  const navigate = useNavigate();
  const agents = useAgents(org, env);
  const noneOnline = agents.isSuccess && !agents.data.some((a) => a.status === "online");
  return (
    <Dialog open title={`Run ${workflow.name}`} onClose={onClose}>
      {noneOnline ? (
        <p className="banner banner-warning" role="alert">
          No agent is online in {env}: the run will wait in the queue until one connects.{" "}
          <Link to="/orgs/$org/envs/$env/agents" params={{ org, env }}>
            Start an agent
          </Link>
          .
        </p>
      ) : null}
      <RunForm
        workflow={workflow}
        busy={run.isPending}
        error={run.error}
        onCancel={onClose}
        onSubmit={(input) =>
          run.mutate(
            { name: workflow.name, input },
            {
              onSuccess: (execution) => {
                onClose();
                void navigate({
                  to: "/orgs/$org/envs/$env/executions/$id",
                  params: { org, env, id: execution.id },
                });
              },
            },
          )
        }
      />
    </Dialog>
  );
}
