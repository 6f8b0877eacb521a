import "../../../../test/dom.ts";
import assert from "node:assert/strict";
import { test } from "node:test";
import { ExecutionView, type Role } from "@assay/shared";
import { screen, within } from "@testing-library/react";
import { renderWithCache } from "../../../../test/queries.tsx";
import { executionKeys } from "../../../api/executions.ts";
import { ChildExecutions } from "./child-executions.tsx";
import { ExecutionActions, PausedBadge } from "./execution-actions.tsx";
import { Provenance } from "./provenance.tsx";

const PARENT = "01JABCDEFGHJKMNPQRSTVWXYZ0";
const execution = (extra: Record<string, unknown>) =>
  ExecutionView.parse({
    id: "01JABCDEFGHJKMNPQRSTVWXYZ2",
    orgId: "acme",
    envId: "staging",
    workflowName: "smoke",
    status: "running",
    createdAt: "2026-12-01T10:00:00.000Z",
    startedAt: "2026-12-01T10:00:01.000Z",
    ...extra,
  });

const buttons = async (role: Role, extra: Record<string, unknown>) => {
  const { container } = await renderWithCache(
    <ExecutionActions org="acme" env="staging" execution={execution(extra)} />,
    { role },
  );
  return within(container)
    .queryAllByRole("button")
    .map((b) => `${b.textContent}${(b as HTMLButtonElement).disabled ? " (disabled)" : ""}`);
};

test("a member sees Pause on a running execution, Resume on a paused one", async () => {
  assert.deepEqual(await buttons("member", {}), ["Pause", "Abort", "Re-run"]);
  assert.deepEqual(await buttons("member", { pausedAt: "2026-12-01T10:00:05.000Z", pauseRequested: true }), [
    "Resume",
    "Abort",
    "Re-run",
  ]);
});

test("between the ask and the agent's answer the button says what is under way, disabled", async () => {
  assert.deepEqual(await buttons("admin", { pauseRequested: true }), [
    "Pausing… (disabled)",
    "Abort",
    "Re-run",
  ]);
  assert.deepEqual(await buttons("owner", { pausedAt: "2026-12-01T10:00:05.000Z", pauseRequested: false }), [
    "Resuming… (disabled)",
    "Abort",
    "Re-run",
  ]);
});

test("no Pause or Resume where the API would refuse: queued, finished or being aborted", async () => {
  assert.deepEqual(await buttons("member", { status: "queued" }), ["Abort", "Re-run"]);
  assert.deepEqual(await buttons("member", { status: "passed", finishedAt: "2026-12-01T10:01:00.000Z" }), [
    "Re-run",
    "Delete",
  ]);
  assert.deepEqual(await buttons("member", { abortRequestedAt: "2026-12-01T10:00:09.000Z" }), [
    "Aborting… (disabled)",
    "Re-run",
  ]);
});

test("a viewer sees no Pause, Resume or any other action", async () => {
  assert.deepEqual(await buttons("viewer", {}), []);
  assert.deepEqual(
    await buttons("viewer", { pausedAt: "2026-12-01T10:00:05.000Z", pauseRequested: true }),
    [],
  );
});

test("a paused execution says since when; a running or finished one says nothing", async () => {
  await renderWithCache(
    <PausedBadge execution={execution({ pausedAt: "2026-12-01T10:00:05.000Z", pauseRequested: true })} />,
    { role: "viewer" },
  );
  const badge = screen.getByTestId("paused");
  assert.match(badge.textContent ?? "", /^Paused /);
  assert.equal(badge.querySelector("time")?.getAttribute("dateTime"), "2026-12-01T10:00:05.000Z");
  await renderWithCache(<PausedBadge execution={execution({})} />, { role: "viewer" });
  await renderWithCache(
    <PausedBadge execution={execution({ status: "aborted", pausedAt: "2026-12-01T10:00:05.000Z" })} />,
    { role: "viewer" },
  );
  assert.equal(screen.getAllByTestId("paused").length, 1);
});

test("a child links to its parent execution and names the step that started it", async () => {
  await renderWithCache(
    <Provenance
      org="acme"
      env="staging"
      execution={execution({
        parent: { executionId: PARENT, stepRef: "r1" },
        startedBy: { kind: "execution", id: PARENT },
      })}
    />,
    { role: "viewer" },
  );
  assert.match(screen.getByTestId("parent").textContent ?? "", /Child of #stvwxyz0 step r1/);
  assert.equal(screen.queryByTestId("started-by"), null, "said once, as the parent");
  const link = screen.getByRole("link", { name: "parent execution stvwxyz0" });
  assert.equal(link.getAttribute("href"), `/orgs/acme/envs/staging/executions/${PARENT}`);
});

test("a parent lists its children with their statuses and links; an execution with none shows nothing", async () => {
  const parent = execution({ id: PARENT, status: "passed", finishedAt: "2026-12-01T10:01:00.000Z" });
  const child = (id: string, status: string) =>
    execution({ id, workflowName: "child", status, parent: { executionId: PARENT, stepRef: "r1" } });
  const key = [...executionKeys.all("acme", "staging"), "children", PARENT];
  const page = {
    items: [child("01JABCDEFGHJKMNPQRSTVWXYZ4", "failed"), child("01JABCDEFGHJKMNPQRSTVWXYZ3", "passed")],
  };
  await renderWithCache(<ChildExecutions org="acme" env="staging" execution={parent} />, {
    role: "viewer",
    cached: [[key, page]],
  });
  const table = screen.getByRole("table", { name: "Child executions" });
  const failed = screen.getByRole("link", { name: "child execution stvwxyz4, failed" });
  assert.equal(failed.getAttribute("href"), "/orgs/acme/envs/staging/executions/01JABCDEFGHJKMNPQRSTVWXYZ4");
  assert.ok(screen.getByRole("link", { name: "child execution stvwxyz3, passed" }));
  assert.deepEqual(
    [...table.querySelectorAll("[data-status]")].map((b) => b.getAttribute("data-status")),
    ["failed", "passed"],
  );
});

test("an execution that started no children shows no children section", async () => {
  const alone = execution({ status: "passed", finishedAt: "2026-12-01T10:01:00.000Z" });
  const key = [...executionKeys.all("acme", "staging"), "children", alone.id];
  await renderWithCache(<ChildExecutions org="acme" env="staging" execution={alone} />, {
    role: "viewer",
    cached: [[key, { items: [] }]],
  });
  assert.equal(screen.queryByRole("table", { name: "Child executions" }), null);
});
