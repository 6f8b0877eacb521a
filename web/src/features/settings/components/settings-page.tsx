/** Organization settings: name, plan and its limits, members, invitations, API tokens, audit. */
import { useParams } from "@tanstack/react-router";
import type { FormEvent } from "react";
import { useCan } from "../../../auth/permissions.ts";
import { PageHeader } from "../../../components/page-header.tsx";
import { ErrorState, FormError, Loading, RoleNote } from "../../../components/states.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { useOrg, useUpdateOrg } from "../api/org.ts";
import { useUsage } from "../api/usage.ts";
import { ApiTokensSection } from "./api-tokens-section.tsx";
import { AuditSection } from "./audit-section.tsx";
import { MembersSection } from "./members-section.tsx";
import { SsoSection } from "./sso-section.tsx";

export function SettingsPage() {
  const { org } = useParams({ from: "/orgs/$org/settings" });
  const details = useOrg(org);
  const update = useUpdateOrg(org);
  const usage = useUsage(org);
  const can = useCan(org);
  const rename = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    update.mutate({ name: String(new FormData(event.currentTarget).get("name") ?? "") });
  };
  return (
    <>
      <PageHeader title="Organization settings" />
      <section className="panel" aria-labelledby="org-title">
        <h2 id="org-title" className="panel-title">
          Organization
        </h2>
        {details.isPending ? (
          <Loading />
        ) : details.isError ? (
          <ErrorState error={details.error} title="Could not load the organization" />
        ) : (
          <>
            {can("manage-members") ? (
              <>
                <form className="inline-form" onSubmit={rename} aria-label="Rename the organization">
                  <label>
                    Name
                    <input name="name" defaultValue={details.data.name} required maxLength={200} />
                  </label>
                  <Button type="submit" disabled={update.isPending}>
                    Save name
                  </Button>
                </form>
                <FormError error={update.error} />
              </>
            ) : null}
            <dl className="kv kv-wide">
              <div>
                <dt>Name</dt>
                <dd>{details.data.name}</dd>
              </div>
              <div>
                <dt>Id</dt>
                <dd className="mono">{details.data.id}</dd>
              </div>
              <div>
                <dt>Your role</dt>
                <dd>{details.data.role}</dd>
              </div>
              <div>
                <dt>Plan</dt>
                <dd>{details.data.plan}</dd>
              </div>
              <div>
                <dt>Environments</dt>
                <dd>
                  <UsageMeter
                    label="Environments used"
                    used={usage.data?.environments}
                    limit={details.data.limits.environments}
                  />
                </dd>
              </div>
              <div>
                <dt>Concurrent executions</dt>
                <dd>
                  <UsageMeter
                    label="Executions queued or running now"
                    used={usage.data?.activeExecutions}
                    atLeast={usage.data?.atLeast}
                    limit={details.data.limits.concurrentExecutions}
                  />
                </dd>
              </div>
              <div>
                <dt>Log retention</dt>
                <dd>{details.data.limits.logRetentionDays} days</dd>
              </div>
              <div>
                <dt>Artifact retention</dt>
                <dd>{details.data.limits.artifactRetentionDays} days</dd>
              </div>
            </dl>
          </>
        )}
      </section>
      <MembersSection org={org} manage={can("manage-members")} />
      {can("manage-tokens") ? (
        <ApiTokensSection org={org} />
      ) : (
        <section className="panel" aria-labelledby="api-tokens-title">
          <h2 id="api-tokens-title" className="panel-title">
            API tokens
          </h2>
          <RoleNote>Admins create and revoke the API tokens of this organization.</RoleNote>
        </section>
      )}
      {can("manage-sso") ? <SsoSection org={org} /> : null}
      {can("read-audit") ? <AuditSection org={org} /> : null}
    </>
  );
}

/** "2 of 3" with a bar; the limit alone while the count loads or when it failed. */
function UsageMeter({
  label,
  used,
  limit,
  atLeast = false,
}: {
  label: string;
  used: number | undefined;
  limit: number;
  atLeast?: boolean;
}) {
  if (used === undefined) return <span>up to {limit}</span>;
  const ratio = limit > 0 ? Math.min(used / limit, 1) : 1;
  return (
    <span className="usage">
      <span>
        {used}
        {atLeast ? "+" : ""} of {limit}
      </span>
      <meter
        className="usage-meter"
        aria-label={label}
        min={0}
        max={limit}
        value={Math.min(used, limit)}
        high={limit * 0.8}
        optimum={0}
        title={`${Math.round(ratio * 100)}%`}
      />
    </span>
  );
}
