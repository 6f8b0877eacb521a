/** The audit log: security-relevant actions, newest first, paged by cursor. */
import { useInfiniteQuery } from "@tanstack/react-query";
import { EmptyState, ErrorState, Loading } from "../../../components/states.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { formatAbsolute } from "../../../lib/format.ts";
import { auditQuery } from "../api/org.ts";

export function AuditSection({ org }: { org: string }) {
  const audit = useInfiniteQuery(auditQuery(org));
  const events = audit.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="panel" aria-labelledby="audit-title">
      <h2 id="audit-title" className="panel-title">
        Audit log
      </h2>
      {audit.isPending ? (
        <Loading label="Loading the audit log" />
      ) : audit.isError ? (
        <ErrorState error={audit.error} title="Could not load the audit log" />
      ) : events.length === 0 ? (
        <EmptyState title="Nothing recorded yet" />
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Audit log, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Action</th>
                  <th scope="col">By</th>
                  <th scope="col" className="hide-narrow">
                    Target
                  </th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr key={e.id}>
                    <td className="small">{formatAbsolute(e.at)}</td>
                    <td className="mono small">{e.action}</td>
                    <td className="small">{e.actor.label || e.actor.id}</td>
                    <td className="hide-narrow small mono">
                      {e.target ? `${e.target.kind} ${e.target.id}` : ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {audit.hasNextPage ? <Button onClick={() => void audit.fetchNextPage()}>Load more</Button> : null}
        </>
      )}
    </section>
  );
}
