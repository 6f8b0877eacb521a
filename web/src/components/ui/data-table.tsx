/**
 * A table from column definitions: headers, one row per item, a caption for assistive
 * technology, and a horizontal scroller so wide tables stay usable at phone width.
 */
import type { Key, ReactNode } from "react";

export interface Column<Row> {
  /** Unique within the table; also the column's React key. */
  key: string;
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** Right-aligned numeric column. */
  numeric?: boolean;
  /** On the header and every cell (e.g. `hide-narrow`). */
  className?: string;
  /** On the cells only (e.g. `small`, `nowrap`). */
  cellClassName?: string;
}

/** The last column of a table with per-row buttons: a header only assistive technology reads. */
export const actionsColumn = <Row,>(cell: (row: Row) => ReactNode): Column<Row> => ({
  key: "actions",
  header: <span className="visually-hidden">Actions</span>,
  cellClassName: "cell-actions",
  cell,
});

export function DataTable<Row>({
  columns,
  rows,
  rowKey,
  label,
  empty,
  className,
}: {
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row, index: number) => Key;
  /** Names the table (a caption only assistive technology reads); every table should have one. */
  label?: string;
  /** Shown in place of the table when there are no rows. */
  empty?: ReactNode;
  className?: string;
}) {
  if (rows.length === 0 && empty !== undefined) return <>{empty}</>;
  const cls = (column: Column<Row>, cell = false) =>
    [column.numeric ? "num" : "", column.className ?? "", cell ? (column.cellClassName ?? "") : ""]
      .filter(Boolean)
      .join(" ") || undefined;
  return (
    <div className="table-wrap">
      <table className={className ? `table ${className}` : "table"}>
        {label ? <caption className="visually-hidden">{label}</caption> : null}
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.key} scope="col" className={cls(column)}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={rowKey(row, index)}>
              {columns.map((column) => (
                <td key={column.key} className={cls(column, true)}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
