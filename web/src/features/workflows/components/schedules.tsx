/**
 * Schedules: the `spec.events[].cronjob` entries of workflows, in words (cronstrue) and as
 * written, with their next firing times computed in the browser (lib/cron.ts, in the
 * schedule's time zone) and shown in local time. Members add a schedule (the control plane
 * writes it into the workflow's YAML) and pause or resume one; everyone else reads.
 */
import type { ScheduleView } from "@assay/shared";
import { Link, useParams } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { useSchedules, useSetSchedulePaused } from "../../../api/schedules.ts";
import { useWorkflows } from "../../../api/workflows.ts";
import { useCan } from "../../../auth/permissions.ts";
import { PageHeader } from "../../../components/page-header.tsx";
import { EmptyState, ErrorState, FormError, Loading } from "../../../components/states.tsx";
import { useNow } from "../../../components/time.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { actionsColumn, type Column, DataTable } from "../../../components/ui/data-table.tsx";
import { nextRuns } from "../../../lib/cron.ts";
import { describeCron } from "../../../lib/cron-words.ts";
import { formatRelative } from "../../../lib/format.ts";
import { AddScheduleForm } from "./add-schedule-form.tsx";

const compact = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

type Row = ScheduleView & { next: ReturnType<typeof nextRuns> };

const workflowColumn = (org: string, env: string): Column<Row> => ({
  key: "workflow",
  header: "Workflow",
  cell: (s) => (
    <Link
      to="/orgs/$org/envs/$env/workflows/$name"
      params={{ org, env, name: s.workflow }}
      className="strong"
    >
      {s.workflow}
    </Link>
  ),
});

/** Paused, not computable here, none soon, or the next firing times in local time. */
function NextRuns({ row: s, now }: { row: Row; now: number }) {
  const label = `${s.workflow} ${s.cron}`;
  if (s.paused) return <span className="badge badge-neutral">Paused</span>;
  if (!s.next.ok) return <span className="muted small">Cannot compute here ({s.next.reason})</span>;
  if (s.next.times.length === 0) return <span className="muted small">None in the next four years</span>;
  return (
    <ul className="next-runs" aria-label={`Next runs of ${label}`}>
      {s.next.times.map((t) => {
        const iso = new Date(t).toISOString();
        return (
          <li key={t}>
            <time dateTime={iso}>{compact.format(t)}</time>{" "}
            <span className="muted small">{formatRelative(iso, now)}</span>
          </li>
        );
      })}
    </ul>
  );
}

export function ScheduleTable({
  schedules,
  showWorkflow,
  caption,
}: {
  schedules: ScheduleView[];
  showWorkflow: boolean;
  caption: string;
}) {
  const { org, env } = useParams({ strict: false }) as { org: string; env: string };
  const manage = useCan(org)("edit-workflows");
  const toggle = useSetSchedulePaused(org, env);
  // Recomputed each minute so "in 3 min" stays true.
  const now = useNow(true, 60_000);
  const rows = useMemo(
    () => schedules.map((s) => ({ ...s, next: nextRuns(s.cron, s.timezone, now, 3) })),
    [schedules, now],
  );
  return (
    <>
      <FormError error={toggle.error} />
      <DataTable
        label={caption}
        rows={rows}
        rowKey={(s) => `${s.workflow}:${s.index}`}
        columns={[
          ...(showWorkflow ? [workflowColumn(org, env)] : []),
          {
            key: "when",
            header: "When",
            cell: (s) => (
              <>
                <div>{describeCron(s.cron) ?? s.cron}</div>
                <div className="muted small">
                  <code>{s.cron}</code> · {s.timezone ?? "UTC"}
                </div>
              </>
            ),
          },
          { key: "next", header: "Next runs (your time)", cell: (s) => <NextRuns row={s} now={now} /> },
          {
            key: "config",
            header: "Config",
            className: "hide-narrow",
            cellClassName: "mono small",
            cell: (s) =>
              Object.entries(s.config)
                .map(([k, v]) => `${k}=${String(v)}`)
                .join(", ") || "–",
          },
          ...(manage
            ? [
                actionsColumn((s: Row) => (
                  <Button
                    size="small"
                    disabled={toggle.isPending}
                    aria-label={`${s.paused ? "Resume" : "Pause"} ${s.workflow} ${s.cron}`}
                    onClick={() => toggle.mutate({ workflow: s.workflow, index: s.index, paused: !s.paused })}
                  >
                    {s.paused ? "Resume" : "Pause"}
                  </Button>
                )),
              ]
            : []),
        ]}
      />
    </>
  );
}

export function SchedulesPage() {
  const { org, env } = useParams({ from: "/orgs/$org/envs/$env/schedules" });
  const schedules = useSchedules(org, env);
  const workflows = useWorkflows(org, env);
  const manage = useCan(org)("edit-workflows");
  const [adding, setAdding] = useState(false);
  const names = (workflows.data ?? []).map((w) => w.name);
  return (
    <>
      <PageHeader
        title="Schedules"
        actions={
          manage && names.length > 0 && !adding ? (
            <Button variant="primary" onClick={() => setAdding(true)}>
              Add schedule
            </Button>
          ) : null
        }
      >
        <span className="muted small">
          Cron schedules from the workflows' <code>spec.events[].cronjob</code>.
        </span>
      </PageHeader>
      {adding ? (
        <section className="panel" aria-labelledby="add-schedule-title">
          <h2 id="add-schedule-title" className="panel-title">
            Add a schedule
          </h2>
          <AddScheduleForm org={org} env={env} workflows={names} onDone={() => setAdding(false)} />
        </section>
      ) : null}
      {schedules.isPending ? (
        <Loading label="Loading schedules" />
      ) : schedules.isError ? (
        <ErrorState
          error={schedules.error}
          title="Could not load schedules"
          onRetry={() => schedules.refetch()}
        />
      ) : schedules.data.length === 0 ? (
        <EmptyState title="No schedules">
          Add one here, or add <code>events: [{'{ cronjob: { cron: "0 6 * * *" } }'}]</code> to a workflow's
          spec to run it on a schedule.
        </EmptyState>
      ) : (
        <ScheduleTable schedules={schedules.data} showWorkflow caption="Schedules and their next runs" />
      )}
    </>
  );
}
