import "../../test/dom.ts";
import assert from "node:assert/strict";
import { test } from "node:test";
import { ExecutionView } from "@assay/shared";
import { screen, within } from "@testing-library/react";
import { renderInRouter } from "../../test/router.tsx";
import { ExecutionTable } from "./execution-table.tsx";

const execution = (id: string, status: ExecutionView["status"], tags: Record<string, string> = {}) =>
  ExecutionView.parse({
    id,
    orgId: "acme",
    envId: "staging",
    workflowName: "smoke",
    status,
    createdAt: "2026-12-01T10:00:00.000Z",
    startedAt: "2026-12-01T10:00:01.000Z",
    finishedAt: "2026-12-01T10:00:31.000Z",
    config: {},
    sensitive: [],
    tags,
    steps: [],
    logBytes: 0,
    warnings: [],
  });

test("the execution table links each run by workflow and short id, with its status, duration and tags", async () => {
  await renderInRouter(
    <ExecutionTable
      org="acme"
      env="staging"
      caption="Recent executions"
      items={[execution("01JABCDEFGHJKMNPQRSTVWXYZ0", "failed", { team: "qa" })]}
    />,
  );
  const table = screen.getByRole("table", { name: "Recent executions" });
  const [, row] = within(table).getAllByRole("row");
  assert.ok(row);
  const link = within(row).getByRole("link", { name: "smoke execution stvwxyz0, failed" });
  assert.equal(link.getAttribute("href"), "/orgs/acme/envs/staging/executions/01JABCDEFGHJKMNPQRSTVWXYZ0");
  const cells = within(row).getAllByRole("cell");
  assert.match(cells[0]?.textContent ?? "", /failed/i);
  assert.equal(cells[3]?.textContent, "30 s");
  assert.equal(cells[4]?.textContent, "team=qa");
});

test("the execution table shows the run number and hides the control plane's assay.io/* tags", async () => {
  const scheduled = ExecutionView.parse({
    ...execution("01JABCDEFGHJKMNPQRSTVWXYZ1", "passed", {
      team: "qa",
      "assay.io/schedule": "*/5 * * * *",
      "assay.io/tick": "2026-12-01T10:00:00.000Z",
    }),
    number: 7,
  });
  await renderInRouter(<ExecutionTable org="acme" env="staging" caption="Scheduled" items={[scheduled]} />);
  const [, row] = within(screen.getByRole("table", { name: "Scheduled" })).getAllByRole("row");
  assert.ok(row);
  const cells = within(row).getAllByRole("cell");
  assert.match(cells[1]?.textContent ?? "", /run 7/);
  assert.equal(cells[4]?.textContent, "team=qa");
});
