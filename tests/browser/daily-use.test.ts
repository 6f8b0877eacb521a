/**
 * Daily use, in the browser against a real control plane: an owner adds a schedule to a
 * workflow from the dashboard, pauses it (it stays paused after a reload) and resumes it; a
 * person invited as a viewer opens the emailed link signed out, sees what it is, signs up from
 * it and lands in the inviting organization with no organization of their own; as a viewer
 * they see no Run, Edit, Invite, token, role or schedule controls and no 403 boxes anywhere.
 * No console errors (a refused request would log one). Screenshots go to tests/e2e/screenshots/.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";
import { launchBrowser, recordProblems, screenshot, signInWithApiToken } from "./support/browser.ts";
import { DIST_DIR, ensureDashboardBuilt } from "./support/build.ts";
import { type DashboardServer, serveDashboard } from "./support/serve-dashboard.ts";

const PASSWORD = "correct horse 42 battery";

describe("daily use, in the browser", () => {
  let plane: TestControlPlane;
  let web: DashboardServer;
  let browser: Browser;
  const problems: string[][] = [];
  const viewer = `viewer-${process.pid}-${Date.now()}@example.com`;
  let orgName = "";

  const newPage = async (width = 1280): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    problems.push(recordProblems(page));
    return page;
  };

  /** The path and fragment of the latest emailed link to an address. */
  const mailedLink = async (to: string, path: string): Promise<string> => {
    const res = await fetch(`${plane.apiUrl}/v1/dev/outbox?to=${encodeURIComponent(to)}`);
    const { items } = (await res.json()) as { items: Array<{ text: string }> };
    const match = items
      .map((m) => new RegExp(`${path}#token=[A-Za-z0-9_-]+`).exec(m.text))
      .filter((m) => m !== null)
      .at(-1);
    assert.ok(match, `no ${path} link mailed to ${to}`);
    return `${web.url}${match[0]}`;
  };

  before(async () => {
    await ensureDashboardBuilt();
    plane = await startTestControlPlane();
    web = await serveDashboard(DIST_DIR, plane.apiUrl);
    browser = await launchBrowser();
    const org = (await (await plane.api(`/v1/orgs/${plane.orgId}`)).json()) as { name: string };
    orgName = org.name;
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    await plane?.stop();
  });

  test("an owner adds a schedule, pauses it (kept across a reload) and resumes it", async () => {
    const page = await newPage();
    await page.goto(`${web.url}/login`);
    await signInWithApiToken(page, plane.apiToken);

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Schedules" }).click();
    await page.getByRole("heading", { name: "Schedules" }).waitFor();
    await page.getByRole("button", { name: "Add schedule" }).click();
    const form = page.getByRole("form", { name: "Add a schedule" });
    await form.getByLabel("Cron").fill("*/5 * * * *");
    await form.getByText("Every 5 minutes").waitFor();
    await form.getByLabel("Time zone").fill("Europe/Warsaw");
    await screenshot(page, "30-schedule-add");
    await form.getByRole("button", { name: "Add schedule" }).click();

    const table = page.getByRole("table", { name: "Schedules and their next runs" });
    const row = table.getByRole("row").filter({ hasText: "hello" });
    await row.getByText("Every 5 minutes").waitFor();
    await row.getByText("Europe/Warsaw").waitFor();
    await table.getByRole("list", { name: "Next runs of hello */5 * * * *" }).waitFor();
    const source = (
      (await (await plane.api(`${plane.envPath}/workflows/hello`)).json()) as { source: string }
    ).source;
    assert.match(source, /cronjob:\s+cron: "?\*\/5 \* \* \* \*"?\s+timezone: Europe\/Warsaw/, source);

    await row.getByRole("button", { name: "Pause hello */5 * * * *" }).click();
    await row.getByText("Paused", { exact: true }).waitFor();
    await screenshot(page, "31-schedule-paused");
    await page.reload();
    const again = page
      .getByRole("table", { name: "Schedules and their next runs" })
      .getByRole("row")
      .filter({ hasText: "hello" });
    await again.getByText("Paused", { exact: true }).waitFor();

    await again.getByRole("button", { name: "Resume hello */5 * * * *" }).click();
    const next = page.getByRole("list", { name: "Next runs of hello */5 * * * *" });
    await next.waitFor();
    assert.equal(await next.getByRole("listitem").count(), 3);
    await screenshot(page, "32-schedule-resumed");
    await page.context().close();
  });

  test("an invited person signs up from the link and lands in the inviting organization, with no own one", async () => {
    const invited = await plane.api(`/v1/orgs/${plane.orgId}/invitations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: viewer, role: "viewer" }),
    });
    assert.equal(invited.status, 201, await invited.clone().text());

    const page = await newPage();
    await page.goto(await mailedLink(viewer, "/invitations"));
    await page.getByRole("heading", { name: `Join ${orgName}` }).waitFor();
    const summary = page.locator(".invitation-summary");
    await summary.getByText("viewer", { exact: true }).waitFor();
    await summary.getByText(viewer).waitFor();
    assert.match(await summary.innerText(), /invited .* to the organization .* as viewer/);
    assert.equal(await page.getByLabel("Email").inputValue(), viewer, "the invited address, fixed");
    await screenshot(page, "33-invitation-signed-out");
    await page.getByLabel("Name").fill("Vera Viewer");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account and join" }).click();
    await page.getByRole("heading", { name: "Check your email" }).waitFor();

    await page.goto(await mailedLink(viewer, "/verify-email"));
    await page.waitForURL(new RegExp(`/orgs/${plane.orgId}/envs/${plane.envId}/workflows$`));
    await page.getByRole("link", { name: "hello", exact: true }).waitFor();
    const orgs = await page.getByLabel("Organization").locator("option").allTextContents();
    assert.deepEqual(orgs, [orgName], "only the organization that invited them");
    const me = await page.evaluate(async () => (await fetch("/v1/me")).json());
    assert.deepEqual(
      (me as { orgs: Array<{ id: string; role: string }> }).orgs.map((o) => [o.id, o.role]),
      [[plane.orgId, "viewer"]],
    );
    await screenshot(page, "34-invited-landed");

    // As a viewer: nothing that could only answer 403.
    const noControls = async (where: string, names: RegExp[]) => {
      for (const name of names) {
        assert.equal(await page.getByRole("button", { name }).count(), 0, `${where}: no ${name} button`);
        assert.equal(await page.getByRole("link", { name }).count(), 0, `${where}: no ${name} link`);
      }
      assert.equal(await page.locator(".state-error").count(), 0, `${where}: no error box`);
      assert.equal(await page.getByRole("alert").count(), 0, `${where}: no alert`);
    };
    await noControls("workflows", [/^Run/, /New workflow/]);
    await page.getByRole("link", { name: "hello", exact: true }).click();
    await page.getByRole("heading", { name: "hello", exact: true }).waitFor();
    await page.getByRole("heading", { name: "Source" }).waitFor();
    await noControls("the workflow", [/^Run/, /Edit YAML/, /^Delete/, /Add schedule/, /^Pause/]);
    await screenshot(page, "35-viewer-workflow");

    const nav = page.getByRole("navigation", { name: "Main" });
    assert.equal(await nav.getByRole("link", { name: "Webhooks" }).count(), 0, "no webhooks section");
    await nav.getByRole("link", { name: "Schedules" }).click();
    await page.getByRole("list", { name: "Next runs of hello */5 * * * *" }).waitFor();
    await noControls("schedules", [/Add schedule/, /^Pause/, /^Resume/]);

    await nav.getByRole("link", { name: "Agents" }).click();
    await page.getByText("Admins create, rotate and revoke the agent tokens").waitFor();
    await noControls("agents", [/Create agent token/, /Delete environment/, /^Revoke/]);

    await nav.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Organization settings" }).waitFor();
    await page.getByRole("table", { name: "Members" }).waitFor();
    await page.getByText("Admins create and revoke the API tokens").waitFor();
    await page.getByText("Admins invite members and change their roles.").waitFor();
    assert.equal(await page.getByRole("form", { name: "Invite a member" }).count(), 0);
    assert.equal(await page.getByRole("form", { name: "Create an API token" }).count(), 0);
    assert.equal(await page.getByRole("form", { name: "Rename the organization" }).count(), 0);
    assert.equal(await page.getByRole("combobox", { name: /^Role of/ }).count(), 0, "no role controls");
    assert.equal(
      await page.getByRole("table", { name: /Audit log/ }).count(),
      0,
      "the audit log is for admins",
    );
    await noControls("settings", [/Send invitation/, /^Remove/, /Create token/, /Save name/]);
    await screenshot(page, "36-viewer-settings");

    await nav.getByRole("link", { name: "Credentials" }).click();
    await page.getByText("Admins set and delete credentials.").waitFor();
    await noControls("credentials", [/Save credential/, /^Delete/]);
    await page.context().close();
  });

  test("no console errors along the way (a refused request would log one)", () => {
    assert.deepEqual(problems.flat(), []);
  });
});
