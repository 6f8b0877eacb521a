/** One webhook: its settings (secrets masked), enable/disable, delete, and the delivery log with redeliver. */
import type { DeliveryView } from "@assay/shared";
import { useNavigate, useParams } from "@tanstack/react-router";
import { PageHeader } from "../../../components/page-header.tsx";
import { EmptyState, ErrorState, FormError, Loading } from "../../../components/states.tsx";
import { RelativeTime } from "../../../components/time.tsx";
import { Button } from "../../../components/ui/button.tsx";
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
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">Delivery attempts</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Event</th>
              <th scope="col">Attempt</th>
              <th scope="col">Outcome</th>
              <th scope="col">Status</th>
              <th scope="col">Latency</th>
              <th scope="col" className="hide-narrow">
                Response
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {deliveries.data.map((d: DeliveryView) => (
              <tr key={d.id} data-outcome={d.outcome}>
                <td>
                  <RelativeTime iso={d.at} />
                </td>
                <td className="small">
                  {d.event}
                  <div className="muted">{d.executionId}</div>
                </td>
                <td>
                  {d.attempt}
                  {d.redelivery ? " (redelivery)" : ""}
                </td>
                <td>
                  {d.outcome}
                  {d.nextAttemptAt ? <div className="muted small">retry scheduled</div> : null}
                </td>
                <td>{d.statusCode ?? "–"}</td>
                <td>{d.latencyMs} ms</td>
                <td className="hide-narrow small">
                  <code>{d.excerpt.slice(0, 120)}</code>
                </td>
                <td className="cell-actions">
                  <Button
                    size="small"
                    disabled={redeliver.isPending}
                    onClick={() => redeliver.mutate(d.id)}
                    aria-label={`Redeliver ${d.event} attempt ${d.attempt}`}
                  >
                    Redeliver
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
