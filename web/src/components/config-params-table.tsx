/** The config parameters a workflow or template declares: name, type (and its choices), default, description. */
import type { ParameterSchema } from "@assay/shared/workflow";
import { DataTable } from "./ui/data-table.tsx";

export function ConfigParamsTable({ params, label }: { params: [string, ParameterSchema][]; label: string }) {
  return (
    <DataTable
      label={label}
      rows={params}
      rowKey={([key]) => key}
      columns={[
        { key: "name", header: "Name", cellClassName: "mono", cell: ([key]) => key },
        {
          key: "type",
          header: "Type",
          cell: ([, p]) => `${p.type ?? "string"}${p.enum ? ` (${p.enum.join(", ")})` : ""}`,
        },
        {
          key: "default",
          header: "Default",
          cellClassName: "mono",
          cell: ([, p]) => (p.default === undefined ? <em>required</em> : String(p.default)),
        },
        { key: "description", header: "Description", cell: ([, p]) => p.description ?? "" },
      ]}
    />
  );
}
