/** One workflow: what it runs, its parameters, its source, its recent executions; run or edit. */
import { useInfiniteQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { executionsQuery } from "../../../api/executions.ts";
import { useSchedules } from "../../../api/schedules.ts";
import { useWorkflow } from "../../../api/workflows.ts";
import { useCan } from "../../../auth/permissions.ts";
import { ConfigParamsTable } from "../../../components/config-params-table.tsx";
import { ExecutionTable } from "../../../components/execution-table.tsx";
import { Labels } from "../../../components/labels.tsx";
import { PageHeader } from "../../../components/page-header.tsx";
import { EmptyState, ErrorState, Loading } from "../../../components/states.tsx";
import { RelativeTime } from "../../../components/time.tsx";
import { Button, ButtonLink } from "../../../components/ui/button.tsx";
import { configParameters } from "../../../lib/config-params.ts";
import { AddScheduleForm } from "./add-schedule-form.tsx";
import { DeleteWorkflowDialog } from "./delete-workflow-dialog.tsx";
import { RunDialog } from "./run-dialog.tsx";
import { ScheduleTable } from "./schedules.tsx";

export function WorkflowPage() {
  const { org, env, name } = useParams({ from: "/orgs/$org/envs/$env/workflows/$name" });
  const workflow = useWorkflow(org, env, name);
  const recent = useInfiniteQuery(executionsQuery(org, env, { workflow: name }, 10));
  const [running, setRunning] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [addingSchedule, setAddingSchedule] = useState(false);
  const envSchedules = useSchedules(org, env);
  const can = useCan(org);

  if (workflow.isPending) return <Loading label="Loading the workflow" />;
  if (workflow.isError)
    return (
      <ErrorState
        error={workflow.error}
        title={`Could not load ${name}`}
        onRetry={() => workflow.refetch()}
      />
    );
  const w = workflow.data;
  const params = configParameters(w);
  const items = recent.data?.pages[0]?.items ?? [];
  const schedules = (envSchedules.data ?? []).filter((s) => s.workflow === name);

  return (
    <>
      <PageHeader
        title={w.name}
        actions={
          <>
            {can("edit-workflows") ? (
              <Button variant="danger" onClick={() => setDeleting(true)}>
                Delete
              </Button>
            ) : null}
            <ButtonLink to="/orgs/$org/envs/$env/workflows/$name/insights" params={{ org, env, name }}>
              Insights
            </ButtonLink>
            {can("edit-workflows") ? (
              <ButtonLink to="/orgs/$org/envs/$env/workflows/$name/edit" params={{ org, env, name }}>
                Edit YAML
              </ButtonLink>
            ) : null}
            {can("run") ? (
              <Button variant="primary" onClick={() => setRunning(true)}>
                Run
              </Button>
            ) : null}
          </>
        }
      >
        {w.description ? <span>{w.description}</span> : null}
        <span className="muted small">
          Version {w.version} · updated <RelativeTime iso={w.updatedAt} />
        </span>
        <Labels labels={w.labels} />
      </PageHeader>

      <section className="panel" aria-labelledby="recent-title">
        <div className="panel-head">
          <h2 id="recent-title" className="panel-title">
            Recent executions
          </h2>
          <Link to="/orgs/$org/envs/$env/executions" params={{ org, env }} search={{ workflow: name }}>
            All executions of {name}
          </Link>
        </div>
        {recent.isPending ? (
          <Loading label="Loading executions" />
        ) : recent.isError ? (
          <ErrorState error={recent.error} title="Could not load executions" />
        ) : items.length === 0 ? (
          <EmptyState
            title="Not run yet"
            action={
              can("run") ? (
                <Button variant="primary" onClick={() => setRunning(true)}>
                  Run {name}
                </Button>
              ) : null
            }
          />
        ) : (
          <ExecutionTable org={org} env={env} items={items} caption={`Recent executions of ${name}`} />
        )}
      </section>

      {params.length > 0 ? (
        <section className="panel" aria-labelledby="params-title">
          <h2 id="params-title" className="panel-title">
            Config parameters
          </h2>
          <ConfigParamsTable params={params} label={`Config parameters of ${name}`} />
        </section>
      ) : null}

      {schedules.length > 0 || can("edit-workflows") ? (
        <section className="panel" aria-labelledby="schedules-title">
          <div className="panel-head">
            <h2 id="schedules-title" className="panel-title">
              Schedules
            </h2>
            {can("edit-workflows") && !addingSchedule ? (
              <Button size="small" onClick={() => setAddingSchedule(true)}>
                Add schedule
              </Button>
            ) : null}
          </div>
          {addingSchedule ? (
            <AddScheduleForm org={org} env={env} workflows={[name]} onDone={() => setAddingSchedule(false)} />
          ) : null}
          {schedules.length > 0 ? (
            <ScheduleTable schedules={schedules} showWorkflow={false} caption={`Schedules of ${name}`} />
          ) : (
            <p className="muted small">Not scheduled.</p>
          )}
        </section>
      ) : null}

      <section className="panel" aria-labelledby="source-title">
        <h2 id="source-title" className="panel-title">
          Source
        </h2>
        <pre className="source">{w.source}</pre>
      </section>
      {running ? <RunDialog org={org} env={env} workflow={w} onClose={() => setRunning(false)} /> : null}
      <DeleteWorkflowDialog
        org={org}
        env={env}
        name={name}
        open={deleting}
        onClose={() => setDeleting(false)}
      />
    </>
  );
}
