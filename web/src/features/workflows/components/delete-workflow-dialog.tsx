/** Confirms deleting a workflow: its schedules go with it, its executions stay. */
import { useNavigate } from "@tanstack/react-router";
import { useDeleteWorkflow } from "../../../api/workflows.ts";
import { FormError } from "../../../components/states.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { Dialog } from "../../../components/ui/dialog.tsx";

export function DeleteWorkflowDialog({
  org,
  env,
  name,
  open,
  onClose,
}: {
  org: string;
  env: string;
  name: string;
  open: boolean;
  onClose: () => void;
}) {
  const remove = useDeleteWorkflow(org, env);
  const navigate = useNavigate();
  return (
    <Dialog open={open} title={`Delete ${name}?`} onClose={onClose}>
      <p>
        Its schedules stop with it. Its executions stay readable, with their logs and artifacts, until
        retention removes them.
      </p>
      <FormError error={remove.error} />
      <div className="form-actions">
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="danger"
          disabled={remove.isPending}
          onClick={() =>
            remove.mutate(name, {
              onSuccess: () => void navigate({ to: "/orgs/$org/envs/$env/workflows", params: { org, env } }),
            })
          }
        >
          Delete workflow
        </Button>
      </div>
    </Dialog>
  );
}
