/** Columns shared by the API token and agent token tables: the name (with "revoked") and Revoke. */
import { RelativeTime } from "./time.tsx";
import { Button } from "./ui/button.tsx";
import { actionsColumn, type Column } from "./ui/data-table.tsx";

interface TokenRow {
  id: string;
  name: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

export const tokenNameColumn = <Row extends TokenRow>(): Column<Row> => ({
  key: "name",
  header: "Name",
  cell: (t) => (
    <>
      {t.name}
      {t.revokedAt ? <span className="muted small"> · revoked</span> : null}
    </>
  ),
});

export const tokenLastUsedColumn = <Row extends TokenRow>(): Column<Row> => ({
  key: "used",
  header: "Last used",
  className: "hide-narrow",
  cell: (t) => (t.lastUsedAt ? <RelativeTime iso={t.lastUsedAt} /> : "never"),
});

/** Revoke for a token not yet revoked. */
export const revokeColumn = <Row extends TokenRow>(revoke: (id: string) => void): Column<Row> =>
  actionsColumn((t: Row) =>
    t.revokedAt ? null : (
      <Button variant="danger" size="small" onClick={() => revoke(t.id)} aria-label={`Revoke ${t.name}`}>
        Revoke
      </Button>
    ),
  );
