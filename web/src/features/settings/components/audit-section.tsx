/** The audit log: security-relevant actions, newest first, paged by cursor. */
import { useInfiniteQuery } from "@tanstack/react-query";
import { EmptyState, ErrorState, Loading } from "../../../components/states.tsx";
import { Button } from "../../../components/ui/button.tsx";
import { DataTable } from "../../../components/ui/data-table.tsx";
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
          <DataTable
            label="Audit log, newest first"
            rows={events}
            rowKey={(e) => e.id}
            columns={[
              { key: "when", header: "When", cellClassName: "small", cell: (e) => formatAbsolute(e.at) },
              { key: "action", header: "Action", cellClassName: "mono small", cell: (e) => e.action },
              { key: "by", header: "By", cellClassName: "small", cell: (e) => e.actor.label || e.actor.id },
              {
                key: "target",
                header: "Target",
                className: "hide-narrow",
                cellClassName: "small mono",
                cell: (e) => (e.target ? `${e.target.kind} ${e.target.id}` : ""),
              },
            ]}
          />
          {audit.hasNextPage ? <Button onClick={() => void audit.fetchNextPage()}>Load more</Button> : null}
        </>
      )}
    </section>
  );
}
