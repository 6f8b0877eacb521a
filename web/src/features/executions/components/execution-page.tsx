/**
 * One execution: status and timing, the step tree, and the live log. The log stream's status
 * events refresh the execution at once; a 1 s poll covers step changes in between.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { downloadLogs, executionKeys, executionQuery } from "../../../api/executions.ts";
import { PageHeader } from "../../../components/page-header.tsx";
import { ErrorState, Loading } from "../../../components/states.tsx";
import { StatusBadge } from "../../../components/status-badge.tsx";
import { Tabs } from "../../../components/tabs.tsx";
import { Duration, RelativeTime } from "../../../components/time.tsx";
import { shortId } from "../../../lib/format.ts";
import { isFinished } from "../../../lib/status.ts";
import { userTags } from "../../../lib/tags.ts";
import { useLogStream } from "../hooks/use-log-stream.ts";
import { ArtifactsTab } from "./artifacts-tab.tsx";
import { ChildExecutions } from "./child-executions.tsx";
import { ExecutionActions, PausedBadge } from "./execution-actions.tsx";
import { LogViewer } from "./log-viewer.tsx";
import { Provenance } from "./provenance.tsx";
import { StepTree } from "./step-tree.tsx";
import { TestsTab } from "./tests-tab.tsx";

/** Whether a queued run waits because no agent at all is online (not for a runtime or labels). */
const noneOnline = (waiting: string): boolean => waiting.startsWith("waiting for an agent: none online");

export function ExecutionPage() {
  const { org, env, id } = useParams({ from: "/orgs/$org/envs/$env/executions/$id" });
  const client = useQueryClient();
  const execution = useQuery(executionQuery(org, env, id));
  const [step, setStep] = useState<string>();
  const [tab, setTab] = useState("logs");
  const stream = useLogStream(org, env, id, (status) => {
    if (execution.data?.status !== status)
      void client.invalidateQueries({ queryKey: executionKeys.one(org, env, id) });
  });

  if (execution.isPending) return <Loading label="Loading the execution" />;
  if (execution.isError)
    return (
      <ErrorState
        error={execution.error}
        title="Could not load the execution"
        onRetry={() => execution.refetch()}
      />
    );
  const e = execution.data;
  const running = !isFinished(e.status);
  const fileName = `${e.workflowName}-${shortId(e.id)}${step ? `-${step}` : ""}.log`;
  const config = Object.entries(e.config);
  const tags = Object.entries(userTags(e.tags));

  return (
    <>
      <PageHeader
        title={
          <>
            <Link to="/orgs/$org/envs/$env/workflows/$name" params={{ org, env, name: e.workflowName }}>
              {e.workflowName}
            </Link>{" "}
            {e.number ? <span>run {e.number} </span> : null}
            <span className="muted mono">#{shortId(e.id)}</span>
          </>
        }
        actions={<ExecutionActions org={org} env={env} execution={e} />}
      >
        <span className="status-line" aria-live="polite">
          <StatusBadge status={e.status} /> <PausedBadge execution={e} />
        </span>
        <span>
          Created <RelativeTime iso={e.createdAt} />
        </span>
        {e.startedAt ? (
          <span>
            Duration <Duration from={e.startedAt} to={e.finishedAt} running={running} />
          </span>
        ) : null}
        <Provenance org={org} env={env} execution={e} />
        {e.agentId ? <span className="muted small">Agent {e.agentId}</span> : null}
      </PageHeader>
      {e.message ? (
        <p className={`banner ${e.status === "passed" ? "banner-info" : "banner-danger"}`} role="status">
          {e.message}
        </p>
      ) : null}
      {e.status === "queued" && e.waiting ? (
        <p className="banner banner-warning" role="status" aria-label="Why it waits">
          {e.waiting}. It starts as soon as {noneOnline(e.waiting) ? "one" : "such an agent"} connects:{" "}
          <Link to="/orgs/$org/envs/$env/agents" params={{ org, env }}>
            {noneOnline(e.waiting) ? "start an agent" : "see the agents, their runtimes and labels"}
          </Link>
          .
        </p>
      ) : null}
      {e.warnings.length > 0 ? (
        <ul className="banner banner-warning" aria-label="Warnings">
          {e.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
      <ChildExecutions org={org} env={env} execution={e} />
      <div className="execution-layout">
        <aside className="panel execution-side">
          <h2 className="panel-title">Steps</h2>
          <StepTree steps={e.steps} selected={step} onSelect={setStep} retries={stream.store.retries} />
          {config.length > 0 || tags.length > 0 ? (
            <dl className="kv">
              {config.map(([k, v]) => (
                <div key={`c-${k}`}>
                  <dt>{k}</dt>
                  <dd className="mono">{v}</dd>
                </div>
              ))}
              {tags.map(([k, v]) => (
                <div key={`t-${k}`}>
                  <dt>tag {k}</dt>
                  <dd className="mono">{v}</dd>
                </div>
              ))}
            </dl>
          ) : null}
        </aside>
        <Tabs
          label="Execution results"
          active={tab}
          onChange={setTab}
          tabs={[
            {
              id: "logs",
              label: "Logs",
              panel: (
                <LogViewer
                  stream={stream}
                  steps={e.steps}
                  step={step}
                  onStepChange={setStep}
                  running={running}
                  onDownload={(s) => downloadLogs(org, env, e.id, fileName, s)}
                />
              ),
            },
            {
              id: "tests",
              label: "Tests",
              panel: tab === "tests" ? <TestsTab org={org} env={env} id={e.id} finished={!running} /> : null,
            },
            {
              id: "artifacts",
              label: "Artifacts",
              panel:
                tab === "artifacts" ? (
                  <ArtifactsTab org={org} env={env} id={e.id} finished={!running} />
                ) : null,
            },
          ]}
        />
      </div>
    </>
  );
}
