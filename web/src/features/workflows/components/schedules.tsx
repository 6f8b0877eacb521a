/**
 * Schedules: the `spec.events[].cronjob` entries of workflows with their next firing times,
 * computed in the browser (lib/cron.ts, in the schedule's time zone) and shown in local time.
 * The control plane fires them; this only reads the spec.
 */
import type { WorkflowView } from "@assay/shared";
import { Link, useParams } from "@tanstack/react-router";
import { useMemo } from "react";
import { PageHeader } from "../../../components/page-header.tsx";
import { EmptyState, ErrorState, Loading } from "../../../components/states.tsx";
import { useNow } from "../../../components/time.tsx";
import { nextRuns } from "../../../lib/cron.ts";
import { formatRelative } from "../../../lib/format.ts";

const compact = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

import { useWorkflows } from "../../../api/workflows.ts";

export interface Schedule {
  workflow: string;
  index: number;
  cron: string;
  timezone: string | undefined;
  config: Record<string, unknown>;
}

export function schedulesOf(workflow: WorkflowView): Schedule[] {
  const spec = workflow.spec as {
    spec?: {
      events?: Array<{ cronjob?: { cron: string; timezone?: string; config?: Record<string, unknown> } }>;
    };
  };
  return (spec.spec?.events ?? []).flatMap((event, index) =>
    event.cronjob
      ? [
          {
            workflow: workflow.name,
            index,
            cron: event.cronjob.cron,
            timezone: event.cronjob.timezone,
            config: event.cronjob.config ?? {},
          },
        ]
      : [],
  );
}

export function ScheduleTable({
  schedules,
  showWorkflow,
  caption,
}: {
  schedules: Schedule[];
  showWorkflow: boolean;
  caption: string;
}) {
  const { org, env } = useParams({ strict: false }) as { org: string; env: string };
  // Recomputed each minute so "in 3 min" stays true.
  const now = useNow(true, 60_000);
  const rows = useMemo(
    () => schedules.map((s) => ({ ...s, next: nextRuns(s.cron, s.timezone, now, 3) })),
    [schedules, now],
  );
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {showWorkflow ? <th scope="col">Workflow</th> : null}
            <th scope="col">Cron</th>
            <th scope="col">Next runs (your time)</th>
            <th scope="col" className="hide-narrow">
              Config
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => (
            <tr key={`${s.workflow}:${s.index}`}>
              {showWorkflow ? (
                <td>
                  <Link
                    to="/orgs/$org/envs/$env/workflows/$name"
                    params={{ org, env, name: s.workflow }}
                    className="strong"
                  >
                    {s.workflow}
                  </Link>
                </td>
              ) : null}
              <td>
                <code>{s.cron}</code>
                <div className="muted small">{s.timezone ?? "UTC"}</div>
              </td>
              <td>
                {!s.next.ok ? (
                  <span className="muted small">Cannot compute here ({s.next.reason})</span>
                ) : s.next.times.length === 0 ? (
                  <span className="muted small">None in the next four years</span>
                ) : (
                  <ul className="next-runs" aria-label={`Next runs of ${s.workflow} ${s.cron}`}>
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
                )}
              </td>
              <td className="hide-narrow mono small">
                {Object.entries(s.config)
                  .map(([k, v]) => `${k}=${String(v)}`)
                  .join(", ") || "–"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function SchedulesPage() {
  const { org, env } = useParams({ from: "/orgs/$org/envs/$env/schedules" });
  const workflows = useWorkflows(org, env);
  const schedules = useMemo(() => (workflows.data ?? []).flatMap(schedulesOf), [workflows.data]);
  return (
    <>
      <PageHeader title="Schedules">
        <span className="muted small">
          Cron schedules from the workflows' <code>spec.events[].cronjob</code>.
        </span>
      </PageHeader>
      {workflows.isPending ? (
        <Loading label="Loading schedules" />
      ) : workflows.isError ? (
        <ErrorState
          error={workflows.error}
          title="Could not load workflows"
          onRetry={() => workflows.refetch()}
        />
      ) : schedules.length === 0 ? (
        <EmptyState title="No schedules">
          Add <code>events: [{'{ cronjob: { cron: "0 6 * * *" } }'}]</code> to a workflow's spec to run it on
          a schedule.
        </EmptyState>
      ) : (
        <ScheduleTable schedules={schedules} showWorkflow caption="Schedules and their next runs" />
      )}
    </>
  );
}
