/**
 * The Credentials pages in headless Chromium against a real control plane: set a secret and a
 * variable for an environment and one for the organization, see names and metadata (a secret's
 * value never appears on the page), rotate, delete, and no console errors.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";
import { launchBrowser, recordProblems, screenshot, signInWithApiToken } from "./support/browser.ts";
import { DIST_DIR, ensureDashboardBuilt } from "./support/build.ts";
import { type DashboardServer, serveDashboard } from "./support/serve-dashboard.ts";

const SECRET = "web-secret-a81f-do-not-show";

describe("credentials pages, in the browser", () => {
  let plane: TestControlPlane;
  let web: DashboardServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    await ensureDashboardBuilt();
    plane = await startTestControlPlane();
    web = await serveDashboard(DIST_DIR, plane.apiUrl);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.setDefaultTimeout(15_000);
    problems = recordProblems(page);
    await page.goto(web.url);
    await signInWithApiToken(page, plane.apiToken);
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await plane?.stop();
  });

  const setIn = async (panel: string, name: string, value: string, kind: "secret" | "variable") => {
    const form = page.getByRole("form", { name: `Set a credential (${panel})` });
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Kind").selectOption(kind);
    await form.getByLabel("Value").fill(value);
    await form.getByRole("button", { name: "Save credential" }).click();
  };

  test("an environment's credentials: set, list without the secret, rotate, delete", async () => {
    await page.getByRole("link", { name: "Credentials" }).click();
    await page.getByRole("heading", { name: `Credentials of ${plane.envId}` }).waitFor();
    await setIn("Environment credentials", "api-token", SECRET, "secret");
    await page.getByRole("status").getByText("api-token saved (version 1)").waitFor();
    await setIn("Environment credentials", "region", "eu-west-1", "variable");
    const envTable = page.getByRole("table", { name: "Environment credentials" });
    await envTable.getByRole("cell", { name: "eu-west-1", exact: true }).waitFor();
    await envTable.getByRole("cell", { name: "api-token", exact: true }).waitFor();
    await setIn("Environment credentials", "api-token", `${SECRET}-2`, "secret");
    await page.getByRole("status").getByText("api-token saved (version 2)").waitFor();
    await envTable.getByRole("cell", { name: "v2", exact: true }).waitFor();
    assert.ok(!(await page.content()).includes(SECRET), "a secret's value is on the page");
    await screenshot(page, "credentials-env");
    await page.getByRole("button", { name: "Delete region" }).click();
    await envTable.getByRole("cell", { name: "eu-west-1", exact: true }).waitFor({ state: "detached" });
  });

  test("the organization's credentials page", async () => {
    await page.goto(`${web.url}/orgs/${plane.orgId}/credentials`);
    await page.getByRole("heading", { name: "Credentials", exact: true }).waitFor();
    await setIn("Organization credentials", "db.password", SECRET, "secret");
    await page
      .getByRole("table", { name: "Organization credentials" })
      .getByRole("cell", { name: "db.password", exact: true })
      .waitFor();
    assert.ok(!(await page.content()).includes(SECRET));
    const listed = await (await plane.api(`/v1/orgs/${plane.orgId}/credentials`)).json();
    assert.equal((listed as { items: unknown[] }).items.length, 1);
    assert.deepEqual(problems, []);
  });
});
