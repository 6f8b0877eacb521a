/**
 * First run for a new organization: create an environment, create an agent token and copy the
 * install command, watch the agent come online, run the sample workflow and watch it pass.
 * Each step says when it is done; the page works for an organization half-way through too.
 */
import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { type ReactNode, useState } from "react";
import { call, enc, envPath } from "../../../api/client.ts";
import { useAgents, useEnvs } from "../../../api/environments.ts";
import { useRunWorkflow } from "../../../api/workflows.ts";
import { PageHeader } from "../../../components/page-header.tsx";
import { FormError, Loading } from "../../../components/states.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { SAMPLE_WORKFLOW, SAMPLE_WORKFLOW_NAME } from "../sample-workflow.ts";
import { AgentList } from "./agent-list.tsx";
import { NewAgentToken } from "./agent-tokens.tsx";
import { CreateEnvForm } from "./create-env-form.tsx";

function Step({
  n,
  title,
  done,
  children,
}: {
  n: number;
  title: string;
  done: boolean;
  children?: ReactNode;
}) {
  return (
    <li className={`onboarding-step${done ? " done" : ""}`}>
      <h2>
        <span className="step-number" aria-hidden="true">
          {done ? "✓" : n}
        </span>
        {title}
        {done ? <span className="visually-hidden"> (done)</span> : null}
      </h2>
      {children ? <div className="onboarding-body">{children}</div> : null}
    </li>
  );
}

export function OnboardingPage() {
  const { org } = useParams({ from: "/orgs/$org/onboarding" });
  const envs = useEnvs(org);
  const [chosen, setChosen] = useState<string>();
  if (envs.isPending) return <Loading label="Loading" />;
  const env = chosen ?? envs.data?.[0]?.id;
  return (
    <>
      <PageHeader title="Get started">
        <span>From zero to a green test run on your own infrastructure, in four steps.</span>
      </PageHeader>
      <ol className="onboarding">
        <Step n={1} title="Create an environment" done={Boolean(env)}>
          {env ? (
            <p>
              Using <strong className="mono">{env}</strong>.
            </p>
          ) : (
            <>
              <p className="muted">One environment per cluster or network you test in, e.g. staging.</p>
              <CreateEnvForm org={org} onCreated={(e) => setChosen(e.id)} />
            </>
          )}
        </Step>
        {env ? <AgentSteps org={org} env={env} /> : null}
      </ol>
    </>
  );
}

function AgentSteps({ org, env }: { org: string; env: string }) {
  const agents = useAgents(org, env);
  const online = agents.data?.some((a) => a.status === "online") ?? false;
  const [issued, setIssued] = useState(false);
  return (
    <>
      <Step n={2} title="Start an agent in your network" done={online}>
        <p className="muted">
          The agent dials out to Assay on port 443 only. Create a token, then run the command where your tests
          should run.
        </p>
        <NewAgentToken org={org} env={env} onIssued={() => setIssued(true)} />
        {issued && !online ? (
          <p className="muted small">This step is ticked when the agent you start connects.</p>
        ) : null}
      </Step>
      <Step n={3} title="See the agent connect" done={online}>
        {online ? null : (
          <p className="muted" role="status">
            <span className="spinner inline-spinner" aria-hidden="true" /> Waiting for an agent of {env} to
            connect…
          </p>
        )}
        <AgentList org={org} env={env} installAt="from step 2 above" />
      </Step>
      <Step n={4} title="Run the sample workflow" done={false}>
        <RunSample org={org} env={env} ready={online} />
      </Step>
    </>
  );
}

function RunSample({ org, env, ready }: { org: string; env: string; ready: boolean }) {
  const run = useRunWorkflow(org, env);
  const client = useQueryClient();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      // Apply the sample unless the environment already has a workflow of that name.
      const { items } = await call<{ items: Array<{ name: string }> }>(`${envPath(org, env)}/workflows`);
      if (!items.some((w) => w.name === SAMPLE_WORKFLOW_NAME)) {
        await call(`${envPath(org, env)}/workflows/${enc(SAMPLE_WORKFLOW_NAME)}`, {
          method: "PUT",
          text: SAMPLE_WORKFLOW,
        });
      }
      await client.invalidateQueries({ queryKey: ["envs", org, env, "workflows"] });
      const execution = await run.mutateAsync({ name: SAMPLE_WORKFLOW_NAME, input: {} });
      await navigate({ to: "/orgs/$org/envs/$env/executions/$id", params: { org, env, id: execution.id } });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <p className="muted">
        A two-step workflow that prints a few lines. You will see its log live and the run pass. Later, write
        your own in the{" "}
        <Link to="/orgs/$org/envs/$env/new-workflow" params={{ org, env }}>
          workflow editor
        </Link>
        .
      </p>
      <Button variant="primary" onClick={start} disabled={busy || !ready}>
        {busy ? "Starting…" : "Run the sample workflow"}
      </Button>
      {!ready ? <span className="muted small"> (once an agent is online)</span> : null}
      <FormError error={error} />
    </>
  );
}
