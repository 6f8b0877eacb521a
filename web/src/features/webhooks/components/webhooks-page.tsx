/**
 * Webhooks of the environment: list (secrets masked), create, open one for its delivery log.
 * Only admins manage webhooks; others see who does.
 */
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { useCan } from "../../../auth/permissions.ts";
import { PageHeader } from "../../../components/page-header.tsx";
import { EmptyState, ErrorState, Loading, RoleNote } from "../../../components/states.tsx";
import { RelativeTime } from "../../../components/time.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { DataTable } from "../../../components/ui/data-table.tsx";
import { Dialog } from "../../../components/ui/dialog.tsx";
import { useWebhooks } from "../api/webhooks.ts";
import { NewWebhookForm } from "./webhook-form.tsx";

export function WebhooksPage() {
  const { org, env } = useParams({ from: "/orgs/$org/envs/$env/webhooks" });
  if (useCan(org)("manage-webhooks")) return <WebhookList org={org} env={env} />;
  return (
    <>
      <PageHeader title="Webhooks" />
      <RoleNote>Admins of this organization set up and read webhooks.</RoleNote>
    </>
  );
}

function WebhookList({ org, env }: { org: string; env: string }) {
  const webhooks = useWebhooks(org, env);
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const newButton = (
    <Button variant="primary" onClick={() => setCreating(true)}>
      New webhook
    </Button>
  );
  return (
    <>
      <PageHeader title="Webhooks" actions={newButton}>
        <span className="muted small">
          Tell Slack, CI or incident tools what runs do. Testkube <code>kind: Webhook</code> documents apply
          with <code>assay webhook apply -f</code>.
        </span>
      </PageHeader>
      {webhooks.isPending ? (
        <Loading label="Loading webhooks" />
      ) : webhooks.isError ? (
        <ErrorState
          error={webhooks.error}
          title="Could not load webhooks"
          onRetry={() => webhooks.refetch()}
        />
      ) : webhooks.data.length === 0 ? (
        <EmptyState title="No webhooks yet" action={newButton}>
          A webhook POSTs an event (Testkube's JSON, a Slack message or a CDEvent) when a run is queued,
          starts, ends or changes state.
        </EmptyState>
      ) : (
        <DataTable
          label="Webhooks"
          rows={webhooks.data}
          rowKey={(w) => w.name}
          columns={[
            {
              key: "name",
              header: "Name",
              cell: (w) => (
                <>
                  <Link
                    to="/orgs/$org/envs/$env/webhooks/$name"
                    params={{ org, env, name: w.name }}
                    className="strong"
                  >
                    {w.name}
                  </Link>
                  <div className="muted small">
                    {w.format}
                    {w.hasSecret ? " · signed" : ""}
                  </div>
                </>
              ),
            },
            { key: "events", header: "Events", cell: (w) => w.events.join(", "), cellClassName: "small" },
            {
              key: "url",
              header: "URL",
              cell: (w) => w.url,
              className: "hide-narrow",
              cellClassName: "small",
            },
            { key: "state", header: "State", cell: (w) => (w.disabled ? "disabled" : "enabled") },
            { key: "updated", header: "Updated", cell: (w) => <RelativeTime iso={w.updatedAt} /> },
          ]}
        />
      )}
      <Dialog open={creating} title="New webhook" onClose={() => setCreating(false)}>
        <NewWebhookForm
          org={org}
          env={env}
          onCreated={(name) => {
            setCreating(false);
            void navigate({ to: "/orgs/$org/envs/$env/webhooks/$name", params: { org, env, name } });
          }}
        />
      </Dialog>
    </>
  );
}
