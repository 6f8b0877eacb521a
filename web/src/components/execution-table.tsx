/** A table of executions; used by the executions page and a workflow's recent runs. */
import type { ExecutionView } from "@assay/shared";
import { Link } from "@tanstack/react-router";
import { shortId } from "../lib/format.ts";
import { isFinished } from "../lib/status.ts";
import { userTags } from "../lib/tags.ts";
import { StatusBadge } from "./status-badge.tsx";
import { Duration, RelativeTime } from "./time.tsx";
import { DataTable } from "./ui/data-table.tsx";

export function ExecutionTable({
  org,
  env,
  items,
  caption,
}: {
  org: string;
  env: string;
  items: ExecutionView[];
  caption: string;
}) {
  return (
    <DataTable
      label={caption}
      rows={items}
      rowKey={(e) => e.id}
      columns={[
        { key: "status", header: "Status", cell: (e) => <StatusBadge status={e.status} /> },
        {
          key: "execution",
          header: "Execution",
          cell: (e) => (
            <>
              <Link
                to="/orgs/$org/envs/$env/executions/$id"
                params={{ org, env, id: e.id }}
                className="strong"
                aria-label={`${e.workflowName} execution ${shortId(e.id)}, ${e.status}`}
              >
                {e.workflowName}
              </Link>{" "}
              {e.number ? <span className="small">run {e.number}</span> : null}{" "}
              <span className="muted mono small">#{shortId(e.id)}</span>
              {e.status === "queued" && e.waiting ? (
                <div className="muted small" title={e.waiting}>
                  {e.waiting}
                </div>
              ) : null}
            </>
          ),
        },
        {
          key: "started",
          header: "Started",
          cellClassName: "nowrap",
          cell: (e) => <RelativeTime iso={e.startedAt ?? e.createdAt} />,
        },
        {
          key: "duration",
          header: "Duration",
          className: "hide-narrow",
          cell: (e) =>
            e.startedAt ? (
              <Duration from={e.startedAt} to={e.finishedAt} running={!isFinished(e.status)} />
            ) : (
              "–"
            ),
        },
        {
          key: "tags",
          header: "Tags",
          className: "hide-narrow",
          cell: (e) =>
            Object.entries(userTags(e.tags)).map(([k, v]) => (
              <span key={k} className="chip">
                {k}={v}
              </span>
            )),
        },
      ]}
    />
  );
}
