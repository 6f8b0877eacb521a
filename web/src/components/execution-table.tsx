/** A table of executions; used by the executions page and a workflow's recent runs. */
import type { ExecutionView } from "@assay/shared";
import { Link } from "@tanstack/react-router";
import { shortId } from "../lib/format.ts";
import { isFinished } from "../lib/status.ts";
import { userTags } from "../lib/tags.ts";
import { StatusBadge } from "./status-badge.tsx";
import { Duration, RelativeTime } from "./time.tsx";

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
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Execution</th>
            <th scope="col">Started</th>
            <th scope="col" className="hide-narrow">
              Duration
            </th>
            <th scope="col" className="hide-narrow">
              Tags
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.id}>
              <td>
                <StatusBadge status={e.status} />
              </td>
              <td>
                <Link
                  to="/orgs/$org/envs/$env/executions/$id"
                  params={{ org, env, id: e.id }}
                  className="strong"
                  aria-label={`${e.workflowName} execution ${shortId(e.id)}, ${e.status}`}
                >
                  {e.workflowName}
                </Link>{" "}
                <span className="muted mono small">#{shortId(e.id)}</span>
              </td>
              <td className="nowrap">
                <RelativeTime iso={e.startedAt ?? e.createdAt} />
              </td>
              <td className="hide-narrow">
                {e.startedAt ? (
                  <Duration from={e.startedAt} to={e.finishedAt} running={!isFinished(e.status)} />
                ) : (
                  "–"
                )}
              </td>
              <td className="hide-narrow">
                {Object.entries(userTags(e.tags)).map(([k, v]) => (
                  <span key={k} className="chip">
                    {k}={v}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
