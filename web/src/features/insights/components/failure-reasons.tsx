/** Why runs failed, grouped (ids and long numbers folded by the API so repeats count together). */
import type { FailureReason } from "@assay/shared";
import { EmptyState } from "../../../components/states.tsx";
import { DataTable } from "../../../components/ui/data-table.tsx";

export function FailureReasons({ reasons }: { reasons: readonly FailureReason[] }) {
  return (
    <DataTable
      label="Failure reasons"
      rows={reasons}
      rowKey={(r) => r.reason}
      empty={<EmptyState title="No failures in this window" />}
      columns={[
        { key: "reason", header: "Reason", cell: (r) => <code>{r.reason}</code> },
        { key: "count", header: "Runs", cell: (r) => r.count, numeric: true },
      ]}
    />
  );
}
