/** One webhook: its settings (secrets masked), enable/disable, delete, and the delivery log with redeliver. */
import type { DeliveryView } from "@assay/shared";
import { useNavigate, useParams } from "@tanstack/react-router";
import { PageHeader } from "../../../components/page-header.tsx";
import { EmptyState, ErrorState, FormError, Loading } from "../../../components/states.tsx";
import { RelativeTime } from "../../../components/time.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { actionsColumn, DataTable } from "../../../components/ui/data-table.tsx";
import {
  useDeleteWebhook,
  useDeliveries,
  useRedeliver,
  useUpdateWebhook,
  useWebhook,
} from "../api/webhooks.ts";

export function WebhookPage() {
  const { org, env, name } = useParams({ from: "/orgs/$org/envs/$env/webhooks/$name" });
  const webhook = useWebhook(org, env, name);
  const update = useUpdateWebhook(org, env, name);
  const remove = useDeleteWebhook(org, env);
  const navigate = useNavigate();
  if (webhook.isPending) return <Loading label="Loading the webhook" />;
  if (webhook.isError) return <ErrorState error={webhook.error} title={`Could not load webhook ${name}`} />;
  const w = webhook.data;
  const actions = (
    <>
      <Button disabled={update.isPending} onClick={() => update.mutate({ disabled: !w.disabled })}>
        {w.disabled ? "Enable" : "Disable"}
      </Button>
      <Button
        variant="ghost-danger"
        disabled={remove.isPending}
        onClick={() =>
          remove.mutate(name, {
            onSuccess: () => void navigate({ to: "/orgs/$org/envs/$env/webhooks", params: { org, env } }),
          })
        }
      >
        Delete
      </Button>
    </>
  );
  return (
    <>
      <PageHeader title={`Webhook ${name}`} actions={actions} />
      <FormError error={update.error ?? remove.error} />
      <section className="panel" aria-labelledby="settings-title">
        <h2 id="settings-title" className="panel-title">
          Settings
        </h2>
        <dl className="kv">
          <div>
            <dt>URL</dt>
            <dd>{w.url}</dd>
          </div>
          <div>
            <dt>Format</dt>
            <dd>{w.format}</dd>
          </div>
          <div>
            <dt>Events</dt>
            <dd>{w.events.join(", ")}</dd>
          </div>
          <div>
            <dt>Workflows</dt>
            <dd>{w.selector?.workflows.length ? w.selector.workflows.join(", ") : "all"}</dd>
          </div>
          <div>
            <dt>Labels</dt>
            <dd>{w.selector?.labels || "any"}</dd>
          </div>
          <div>
            <dt>Headers</dt>
            <dd>
              {Object.entries(w.headers)
                .map(([k, v]) => `${k}: ${v}`)
                .join(" · ") || "none"}
            </dd>
          </div>
          <div>
            <dt>Signing secret</dt>
            <dd>{w.hasSecret ? "set (hidden)" : "none"}</dd>
          </div>
          <div>
            <dt>State</dt>
            <dd>{w.disabled ? "disabled" : "enabled"}</dd>
          </div>
        </dl>
      </section>
      <section className="panel" aria-labelledby="deliveries-title">
        <h2 id="deliveries-title" className="panel-title">
          Deliveries
        </h2>
        <Deliveries org={org} env={env} name={name} />
      </section>
    </>
  );
}

function Deliveries({ org, env, name }: { org: string; env: string; name: string }) {
  const deliveries = useDeliveries(org, env, name);
  const redeliver = useRedeliver(org, env, name);
  if (deliveries.isPending) return <Loading label="Loading deliveries" />;
  if (deliveries.isError) return <ErrorState error={deliveries.error} title="Could not load deliveries" />;
  if (deliveries.data.length === 0) return <EmptyState title="Nothing delivered yet" />;
  return (
    <>
      <FormError error={redeliver.error} />
      {redeliver.isSuccess ? <p role="status">Redelivery queued.</p> : null}
      <DataTable
        label="Delivery attempts"
        rows={deliveries.data}
        rowKey={(d: DeliveryView) => d.id}
        columns={[
          { key: "time", header: "Time", cell: (d) => <RelativeTime iso={d.at} /> },
          {
            key: "event",
            header: "Event",
            cellClassName: "small",
            cell: (d) => (
              <>
                {d.event}
                <div className="muted">{d.executionId}</div>
              </>
            ),
          },
          {
            key: "attempt",
            header: "Attempt",
            cell: (d) => `${d.attempt}${d.redelivery ? " (redelivery)" : ""}`,
          },
          {
            key: "outcome",
            header: "Outcome",
            cell: (d) => (
              <>
                {d.outcome}
                {d.nextAttemptAt ? <div className="muted small">retry scheduled</div> : null}
              </>
            ),
          },
          { key: "status", header: "Status", cell: (d) => d.statusCode ?? "–" },
          { key: "latency", header: "Latency", cell: (d) => `${d.latencyMs} ms` },
          {
            key: "response",
            header: "Response",
            className: "hide-narrow",
            cellClassName: "small",
            cell: (d) => <code>{d.excerpt.slice(0, 120)}</code>,
          },
          actionsColumn((d: DeliveryView) => (
            <Button
              size="small"
              disabled={redeliver.isPending}
              onClick={() => redeliver.mutate(d.id)}
              aria-label={`Redeliver ${d.event} attempt ${d.attempt}`}
            >
              Redeliver
            </Button>
          )),
        ]}
      />
    </>
  );
}
