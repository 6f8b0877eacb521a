/** Runs a workflow from a dialog and opens the new execution. */
import type { WorkflowView } from "@assay/shared";
import { useNavigate } from "@tanstack/react-router";
import { Dialog } from "../../../components/dialog.tsx";
import { useRunWorkflow } from "../api/workflows.ts";
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
  return (
    <Dialog open title={`Run ${workflow.name}`} onClose={onClose}>
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
