/**
 * Adds a cron job to a workflow: the expression is read back in words as it is typed, the
 * control plane checks it (and the time zone) and writes it into the workflow's YAML.
 */
import { type FormEvent, useState } from "react";
import { useAddSchedule } from "../../../api/schedules.ts";
import { FormError } from "../../../components/states.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { describeCron } from "../../../lib/cron-words.ts";

export function AddScheduleForm({
  org,
  env,
  workflows,
  onDone,
}: {
  org: string;
  env: string;
  /** The workflows to choose from; one name fixes the choice. */
  workflows: string[];
  onDone: () => void;
}) {
  const add = useAddSchedule(org, env);
  const [cron, setCron] = useState("0 6 * * 1-5");
  const words = describeCron(cron);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const timezone = String(form.get("timezone") ?? "").trim();
    add.mutate(
      {
        workflow: String(form.get("workflow") ?? workflows[0] ?? ""),
        cron: cron.trim(),
        ...(timezone ? { timezone } : {}),
      },
      { onSuccess: onDone },
    );
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Add a schedule">
      {workflows.length > 1 ? (
        <label>
          Workflow
          <select name="workflow" required>
            {workflows.map((w) => (
              <option key={w} value={w}>
                {w}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <input type="hidden" name="workflow" value={workflows[0] ?? ""} />
      )}
      <label>
        Cron
        <input
          name="cron"
          value={cron}
          onChange={(e) => setCron(e.currentTarget.value)}
          required
          maxLength={200}
          className="mono"
          aria-describedby="cron-words"
        />
        <span className="hint" id="cron-words" aria-live="polite">
          {words ?? "Not a cron expression yet (minute hour day month weekday)"}
        </span>
      </label>
      <label>
        Time zone
        <input name="timezone" placeholder="UTC" maxLength={100} />
      </label>
      <Button type="submit" variant="primary" disabled={add.isPending}>
        {add.isPending ? "Adding…" : "Add schedule"}
      </Button>
      <Button variant="ghost" onClick={onDone}>
        Cancel
      </Button>
      <FormError error={add.error} />
    </form>
  );
}
