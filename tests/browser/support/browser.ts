/**
 * Test support: Debian's chromium driven by playwright-core (no browser download), and a page
 * that records console errors and uncaught exceptions so a test can assert there were none.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";

export const SCREENSHOTS_DIR = fileURLToPath(new URL("../../e2e/screenshots/", import.meta.url));

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export function recordProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: false });
}

/** Signs in on the dashboard's sign-in page with an API token and waits for the workflows list. */
export async function signInWithApiToken(page: Page, token: string): Promise<void> {
  await page.getByText("Sign in with an API token").click();
  await page.getByLabel("API token", { exact: true }).fill(token);
  await page.getByRole("button", { name: "Sign in with token" }).click();
  await page.getByRole("heading", { name: "Workflows" }).waitFor();
}
