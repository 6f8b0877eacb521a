/** The form creating a webhook: name, URL, events, format, workflows, label selector, secret. */
import { WEBHOOK_EVENTS, type WebhookFormat } from "@assay/shared";
import type { FormEvent } from "react";
import { FormError } from "../../../components/states.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { useCreateWebhook } from "../api/webhooks.ts";

const list = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export function NewWebhookForm({
  org,
  env,
  onCreated,
}: {
  org: string;
  env: string;
  onCreated: (name: string) => void;
}) {
  const create = useCreateWebhook(org, env);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (key: string) => String(form.get(key) ?? "").trim();
    const workflows = list(text("workflows"));
    const labels = text("labels");
    const secret = text("secret");
    create.mutate(
      {
        name: text("name"),
        url: text("url"),
        events: form.getAll("events").map(String) as (typeof WEBHOOK_EVENTS)[number][],
        format: text("format") as WebhookFormat,
        ...(workflows.length > 0 || labels ? { selector: { workflows, labels } } : {}),
        ...(secret ? { secret } : {}),
      },
      { onSuccess: (view) => onCreated(view.name) },
    );
  };
  return (
    <form className="form" onSubmit={submit} aria-label="Create a webhook">
      <label>
        Name
        <input
          name="name"
          required
          maxLength={63}
          pattern="[a-z0-9]([a-z0-9\-]*[a-z0-9])?"
          placeholder="ci-failures"
        />
      </label>
      <label>
        URL
        <input name="url" type="url" required placeholder="https://hooks.example.com/assay" />
      </label>
      <label>
        Format
        <select name="format" defaultValue="testkube">
          <option value="testkube">Testkube event JSON</option>
          <option value="slack">Slack message</option>
          <option value="cdevents">CDEvents</option>
        </select>
      </label>
      <fieldset>
        <legend>Events</legend>
        {WEBHOOK_EVENTS.map((e) => (
          <label key={e} className="field-check">
            <input type="checkbox" name="events" value={e} defaultChecked={e === "end-testworkflow-failed"} />{" "}
            {e}
          </label>
        ))}
      </fieldset>
      <label>
        Workflows <span className="muted small">(comma-separated; empty: all)</span>
        <input name="workflows" placeholder="smoke, nightly" />
      </label>
      <label>
        Label selector <span className="muted small">(team=qa,tier!=slow)</span>
        <input name="labels" />
      </label>
      <label>
        Signing secret <span className="muted small">(optional, 16+ characters; shown never again)</span>
        <input name="secret" type="password" autoComplete="new-password" minLength={16} />
      </label>
      <FormError error={create.error} />
      <div className="form-actions">
        <Button type="submit" variant="primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create webhook"}
        </Button>
      </div>
    </form>
  );
}
