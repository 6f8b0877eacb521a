/**
 * Single sign-on in the browser, through a real OpenID Connect provider on loopback: the owner
 * configures SSO on the settings page; a first sign-in by email domain goes to the provider's
 * login form and back, creating the membership with the default role; a user in a mapped group
 * gets that group's role; once SSO is required, a member's password sign-in is refused on the
 * sign-in page. No console errors.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { STRONG_PASSWORD, signUp } from "../../functions/testing/accounts.ts";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";
import { type LoopbackOidcProvider, startOidcProvider } from "../../functions/testing/oidc-provider.ts";
import { launchBrowser, recordProblems, screenshot, signInWithApiToken } from "./support/browser.ts";
import { DIST_DIR, ensureDashboardBuilt } from "./support/build.ts";
import { type DashboardServer, serveDashboard } from "./support/serve-dashboard.ts";

describe("single sign-on in the browser", () => {
  let plane: TestControlPlane;
  let web: DashboardServer;
  let idp: LoopbackOidcProvider;
  let browser: Browser;
  let ownerPage: Page;
  const problems: string[][] = [];

  const newPage = async (): Promise<Page> => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(15_000);
    problems.push(recordProblems(page));
    return page;
  };
  const roleOf = async (email: string) => {
    const res = await plane.api(`/v1/orgs/${plane.orgId}/members`);
    const { items } = (await res.json()) as { items: Array<{ email: string; role: string }> };
    return items.find((m) => m.email === email)?.role;
  };
  const ssoSignIn = async (page: Page, email: string, login: string) => {
    await page.goto(`${web.url}/login`);
    await page.getByLabel("Work email or organization id").fill(email);
    await page.getByRole("button", { name: "Sign in with SSO" }).click();
    await page.locator('input[name="login"]').fill(login, { timeout: 45_000 });
    await page.locator('input[name="password"]').fill("anything");
    await page.locator('button[type="submit"]').click();
    // Where the sign-in ends, not a URL on the way: the callback's /orgs/{org} is only passed
    // through, to the environment's workflows when signed in or to the sign-in page when not.
    await page.getByRole("heading", { name: "Workflows" }).waitFor({ timeout: 45_000 });
    assert.ok(page.url().startsWith(`${web.url}/orgs/${plane.orgId}/envs/`), page.url());
  };

  before(async () => {
    await ensureDashboardBuilt();
    plane = await startTestControlPlane();
    web = await serveDashboard(DIST_DIR, plane.apiUrl);
    // The dashboard's origin is the public one: providers return to it, and it proxies /v1.
    Object.assign(plane.core.tenancy.settings, { publicWebUrl: web.url });
    idp = await startOidcProvider({
      redirectUris: [`${web.url}/v1/auth/sso/callback`],
      accounts: {
        ada: { email: "ada@example.com", email_verified: true, name: "Ada", groups: ["engineering"] },
        grace: { email: "grace@example.com", email_verified: true, groups: ["platform-admins"] },
      },
    });
    browser = await launchBrowser();
    ownerPage = await newPage();
    await ownerPage.goto(web.url);
    await signInWithApiToken(ownerPage, plane.apiToken);
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await idp?.stop();
    await plane?.stop();
  });

  test("the owner configures SSO on the settings page", async () => {
    await ownerPage.goto(`${web.url}/orgs/${plane.orgId}/settings`);
    const form = ownerPage.getByRole("form", { name: "Single sign-on settings" });
    await form.getByLabel("Issuer URL").fill(idp.issuer);
    await form.getByLabel("Client id").fill(idp.clientId);
    await form.getByLabel("Client secret").fill(idp.clientSecret);
    await form.getByLabel("Allowed email domains").fill("example.com");
    await form.getByLabel("Default role").selectOption("viewer");
    await form.getByLabel("Extra scopes").fill("groups");
    await form.getByLabel("Groups to roles").fill("platform-admins = admin");
    await form.getByRole("button", { name: "Save SSO settings" }).click();
    await ownerPage.getByRole("status").getByText("Saved.").waitFor();
    await ownerPage.getByText("(stored; leave empty to keep it)").waitFor();
    await screenshot(ownerPage, "sso-01-settings");
    const saved = (await (await plane.api(`/v1/orgs/${plane.orgId}/sso`)).json()) as Record<string, unknown>;
    assert.equal(saved.issuer, idp.issuer);
    assert.equal(saved.hasClientSecret, true);
    assert.deepEqual(saved.groupRoles, [{ group: "platform-admins", role: "admin" }]);
  });

  test("a first sign-in through the provider joins with the default role", async () => {
    const page = await newPage();
    await ssoSignIn(page, "ada@example.com", "ada");
    await screenshot(page, "sso-02-signed-in");
    assert.equal(await roleOf("ada@example.com"), "viewer");
  });

  test("a mapped group gives its role", async () => {
    const page = await newPage();
    await ssoSignIn(page, "grace@example.com", "grace");
    assert.equal(await roleOf("grace@example.com"), "admin");
  });

  test("once SSO is required, a member's password is refused on the sign-in page", async () => {
    const email = "pat@example.com";
    const pat = await signUp(plane, email);
    await plane.core.ports.tenancy.members.add({
      orgId: plane.orgId,
      userId: pat.user.id,
      email,
      name: "",
      role: "member",
      createdAt: new Date().toISOString(),
    });
    await ownerPage.reload();
    const form = ownerPage.getByRole("form", { name: "Single sign-on settings" });
    await form.getByLabel(/Require SSO/).check();
    await form.getByRole("button", { name: "Save SSO settings" }).click();
    await ownerPage.getByRole("status").getByText("Saved.").waitFor();

    const page = await newPage();
    await page.goto(`${web.url}/login`);
    const signIn = page.getByRole("form", { name: "Sign in with email" });
    await signIn.getByLabel("Email").fill(email);
    await signIn.getByLabel("Password").fill(STRONG_PASSWORD);
    await signIn.getByRole("button", { name: "Sign in" }).click();
    await page.getByText(/single sign-on is required/).waitFor();
    await screenshot(page, "sso-03-password-refused");
    assert.ok(page.url().startsWith(`${web.url}/login`));
  });

  test("no console errors", () => {
    // The refused password sign-in is an expected 403 the browser logs as a failed resource.
    const unexpected = problems.flat().filter((p) => !/status of 403/.test(p));
    assert.deepEqual(unexpected, []);
  });
});
