/**
 * Where an execution came from: who or what started it (a user, an API token, a schedule, or
 * the parent execution whose `execute` step it belongs to, with that step's ref) and the run it
 * repeats. Executions stored before this was
 * recorded show nothing rather than a guess.
 */
import type { ExecutionView } from "@assay/shared";
import { Link } from "@tanstack/react-router";
import { describeCron } from "../../../lib/cron-words.ts";
import { shortId } from "../../../lib/format.ts";

export function Provenance({ org, env, execution }: { org: string; env: string; execution: ExecutionView }) {
  const by = execution.startedBy;
  const link = (id: string, role?: string) => (
    <Link
      to="/orgs/$org/envs/$env/executions/$id"
      params={{ org, env, id }}
      className="mono"
      aria-label={role ? `${role} ${shortId(id)}` : undefined}
    >
      #{shortId(id)}
    </Link>
  );
  const parent = execution.parent;
  return (
    <>
      {parent ? (
        <span className="small" data-testid="parent">
          Child of {link(parent.executionId, "parent execution")}{" "}
          <span className="muted">step {parent.stepRef}</span>
        </span>
      ) : by ? (
        <span className="small" data-testid="started-by">
          Started by{" "}
          {by.kind === "user" ? (
            by.email
          ) : by.kind === "api" ? (
            <>API token {by.name}</>
          ) : by.kind === "schedule" ? (
            <>
              schedule <span title={by.cron}>{describeCron(by.cron) ?? by.cron}</span>
            </>
          ) : (
            <>execution {link(by.id)}</>
          )}
        </span>
      ) : null}
      {execution.rerunOf ? <span className="small">Re-run of {link(execution.rerunOf)}</span> : null}
    </>
  );
}
