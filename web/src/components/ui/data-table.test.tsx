import "../../../test/dom.ts";
import assert from "node:assert/strict";
import { test } from "node:test";
import { render, screen, within } from "@testing-library/react";
import { actionsColumn, type Column, DataTable } from "./data-table.tsx";

interface Row {
  name: string;
  runs: number;
}
const columns: Column<Row>[] = [
  { key: "name", header: "Workflow", cell: (r) => r.name },
  {
    key: "runs",
    header: "Runs",
    cell: (r) => r.runs,
    numeric: true,
    className: "wide",
    cellClassName: "small",
  },
];

test("a DataTable renders a header row and one row per item, numeric cells aligned", () => {
  render(
    <DataTable
      label="Workflows"
      columns={columns}
      rows={[
        { name: "smoke", runs: 3 },
        { name: "e2e", runs: 12 },
      ]}
      rowKey={(r) => r.name}
    />,
  );
  const table = screen.getByRole("table", { name: "Workflows" });
  const rows = within(table).getAllByRole("row");
  assert.equal(rows.length, 3);
  assert.deepEqual(
    within(rows[0] as HTMLElement)
      .getAllByRole("columnheader")
      .map((h) => h.textContent),
    ["Workflow", "Runs"],
  );
  const cells = within(rows[2] as HTMLElement).getAllByRole("cell");
  assert.deepEqual(
    cells.map((c) => c.textContent),
    ["e2e", "12"],
  );
  assert.equal(cells[1]?.className, "num wide small");
  assert.equal(within(rows[0] as HTMLElement).getAllByRole("columnheader")[1]?.className, "num wide");
});

test("a DataTable with no rows shows its empty state instead", () => {
  render(<DataTable columns={columns} rows={[]} rowKey={(r) => r.name} empty={<p>No workflows yet</p>} />);
  assert.equal(screen.queryByRole("table"), null);
  screen.getByText("No workflows yet");
});

test("an actions column has a header only assistive technology reads and its buttons in action cells", () => {
  render(
    <DataTable
      label="Tokens"
      columns={[...columns, actionsColumn<Row>((r) => <button type="button">Revoke {r.name}</button>)]}
      rows={[{ name: "ci", runs: 1 }]}
      rowKey={(r) => r.name}
    />,
  );
  const [head, row] = within(screen.getByRole("table", { name: "Tokens" })).getAllByRole("row");
  const header = within(head as HTMLElement).getAllByRole("columnheader")[2];
  assert.equal(header?.textContent, "Actions");
  assert.equal(header?.querySelector(".visually-hidden")?.textContent, "Actions");
  const cell = within(row as HTMLElement).getAllByRole("cell")[2];
  assert.equal(cell?.className, "cell-actions");
  assert.ok(within(cell as HTMLElement).getByRole("button", { name: "Revoke ci" }));
});
