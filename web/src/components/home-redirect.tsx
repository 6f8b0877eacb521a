/**
 * Where "/" and "/orgs/$org" lead: the first organization of the signed-in user, then its first
 * environment's workflows, or onboarding when it has no environment yet.
 */
import { Navigate, useParams } from "@tanstack/react-router";
import { useEnvs } from "../api/environments.ts";
import { useMe } from "../auth/session.ts";
import { EmptyState, ErrorState, Loading } from "./states.tsx";

export function Home() {
  const me = useMe();
  if (me.isPending) return <Loading label="Signing in" />;
  if (me.isError)
    return <ErrorState error={me.error} title="Could not load your account" onRetry={() => me.refetch()} />;
  const org = me.data.kind === "api" ? me.data.token.orgId : me.data.orgs[0]?.id;
  if (!org)
    return (
      <main className="main narrow" id="main">
        <EmptyState title="You are not in an organization">
          Ask an owner of your team's organization for an invitation.
        </EmptyState>
      </main>
    );
  return <Navigate to="/orgs/$org" params={{ org }} replace />;
}

export function OrgHome() {
  const { org } = useParams({ from: "/orgs/$org/" });
  const envs = useEnvs(org);
  if (envs.isPending) return <Loading label="Loading environments" />;
  if (envs.isError)
    return (
      <ErrorState error={envs.error} title="Could not load environments" onRetry={() => envs.refetch()} />
    );
  const env = envs.data[0];
  if (!env) return <Navigate to="/orgs/$org/onboarding" params={{ org }} replace />;
  return <Navigate to="/orgs/$org/envs/$env/workflows" params={{ org, env: env.id }} replace />;
}
