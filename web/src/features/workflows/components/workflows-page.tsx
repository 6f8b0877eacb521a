/** Workflows of the environment with their recent health, and a way to run each. */
import type { WorkflowView } from "@assay/shared";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { recentExecutionsQuery } from "../../../api/executions.ts";
import { useWorkflows } from "../../../api/workflows.ts";
import { useCan } from "../../../auth/permissions.ts";
import { Labels } from "../../../components/labels.tsx";
import { PageHeader } from "../../../components/page-header.tsx";
import { Sparkline } from "../../../components/sparkline.tsx";
import { EmptyState, ErrorState, Loading } from "../../../components/states.tsx";
import { StatusBadge } from "../../../components/status-badge.tsx";
import { RelativeTime } from "../../../components/time.tsx";
import { Button, ButtonLink } from "../../../components/ui/button.tsx";
import { actionsColumn, DataTable } from "../../../components/ui/data-table.tsx";
import { RunDialog } from "./run-dialog.tsx";
import { computeStats } from "./workflow-stats.ts";

const RECENT = 200;

export function WorkflowsPage() {
  const { org, env } = useParams({ from: "/orgs/$org/envs/$env/workflows" });
  const workflows = useWorkflows(org, env);
  const recent = useQuery(recentExecutionsQuery(org, env, RECENT));
  const stats = useMemo(() => computeStats(recent.data ?? []), [recent.data]);
  const [running, setRunning] = useState<WorkflowView>();
  const can = useCan(org);

  const newLink = can("edit-workflows") ? (
    <ButtonLink variant="primary" to="/orgs/$org/envs/$env/new-workflow" params={{ org, env }}>
      New workflow
    </ButtonLink>
  ) : null;

  return (
    <>
      <PageHeader title="Workflows" actions={newLink} />
      {workflows.isPending ? (
        <Loading label="Loading workflows" />
      ) : workflows.isError ? (
        <ErrorState
          error={workflows.error}
          title="Could not load workflows"
          onRetry={() => workflows.refetch()}
        />
      ) : workflows.data.length === 0 ? (
        <EmptyState title="No workflows yet" action={newLink}>
          Write a TestWorkflow in YAML, or apply one with <code>assay workflow apply -f file.yaml</code>.
        </EmptyState>
      ) : (
        <DataTable
          label={`Workflows, with the health of their last ${RECENT} runs`}
          rows={workflows.data}
          rowKey={(w) => w.name}
          columns={[
            {
              key: "name",
              header: "Name",
              cell: (workflow) => (
                <>
                  <Link
                    to="/orgs/$org/envs/$env/workflows/$name"
                    params={{ org, env, name: workflow.name }}
                    className="strong"
                  >
                    {workflow.name}
                  </Link>
                  {workflow.description ? <div className="muted small">{workflow.description}</div> : null}
                  <Labels labels={workflow.labels} />
                </>
              ),
            },
            {
              key: "last",
              header: "Last run",
              cell: (workflow) => {
                const last = stats.get(workflow.name)?.last;
                return last ? (
                  <Link
                    to="/orgs/$org/envs/$env/executions/$id"
                    params={{ org, env, id: last.id }}
                    className="last-run"
                    aria-label={`Last run of ${workflow.name}: ${last.status}`}
                  >
                    <StatusBadge status={last.status} />
                    <span className="muted small">
                      <RelativeTime iso={last.createdAt} />
                    </span>
                  </Link>
                ) : (
                  <span className="muted small">Never run</span>
                );
              },
            },
            {
              key: "pass-rate",
              header: "Pass rate",
              className: "hide-narrow",
              cell: (workflow) => {
                const s = stats.get(workflow.name);
                return s && s.finished > 0 ? (
                  <span title={`${s.passed} of ${s.finished} finished runs passed`}>
                    {Math.round((s.passed / s.finished) * 100)}%
                    <span className="muted small"> of {s.finished}</span>
                  </span>
                ) : (
                  <span className="muted small">–</span>
                );
              },
            },
            {
              key: "trend",
              header: "Duration trend",
              className: "hide-narrow",
              cell: (workflow) => (
                <Sparkline
                  values={stats.get(workflow.name)?.durationsMs ?? []}
                  label={`Durations of ${workflow.name}`}
                />
              ),
            },
            actionsColumn((workflow: WorkflowView) =>
              can("run") ? (
                <Button size="small" onClick={() => setRunning(workflow)} aria-label={`Run ${workflow.name}`}>
                  Run
                </Button>
              ) : null,
            ),
          ]}
        />
      )}
      {running ? (
        <RunDialog org={org} env={env} workflow={running} onClose={() => setRunning(undefined)} />
      ) : null}
    </>
  );
}
