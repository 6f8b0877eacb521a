import "../../../../test/dom.ts";
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { ExecutionView } from "@assay/shared";
import { cleanup, screen } from "@testing-library/react";
import { renderInRouter } from "../../../../test/router.tsx";
import { Provenance } from "./provenance.tsx";

afterEach(cleanup);

const execution = (extra: Record<string, unknown>) =>
  ExecutionView.parse({
    id: "01JABCDEFGHJKMNPQRSTVWXYZ2",
    orgId: "acme",
    envId: "staging",
    workflowName: "smoke",
    status: "passed",
    createdAt: "2026-12-01T10:00:00.000Z",
    ...extra,
  });

test("a scheduled run says so, with its cron in words", async () => {
  await renderInRouter(
    <Provenance
      org="acme"
      env="staging"
      execution={execution({ startedBy: { kind: "schedule", id: "smoke#0", cron: "*/5 * * * *" } })}
    />,
  );
  assert.match(screen.getByTestId("started-by").textContent ?? "", /Started by schedule Every 5 minutes/);
});

test("a re-run started by a user names them and links the run it repeats", async () => {
  await renderInRouter(
    <Provenance
      org="acme"
      env="staging"
      execution={execution({
        startedBy: { kind: "user", id: "usr_1", email: "ann@example.com" },
        rerunOf: "01JABCDEFGHJKMNPQRSTVWXYZ0",
      })}
    />,
  );
  assert.match(screen.getByTestId("started-by").textContent ?? "", /Started by ann@example\.com/);
  const link = screen.getByRole("link", { name: "#stvwxyz0" });
  assert.equal(link.getAttribute("href"), "/orgs/acme/envs/staging/executions/01JABCDEFGHJKMNPQRSTVWXYZ0");
});

test("an execution recorded before provenance was kept shows nothing rather than a guess", async () => {
  await renderInRouter(<Provenance org="acme" env="staging" execution={execution({})} />);
  assert.equal(screen.queryByTestId("started-by"), null);
});
