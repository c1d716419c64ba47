import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../src/identity/activity/audit-log.ts";
import { createDirectory, type Group } from "../../src/identity/directory/index.ts";
import { signingKeysOnTenantCreated } from "../../src/identity/keys/index.ts";
import { ask, seedWorkflow, type Workflow } from "../identity/consent-requests/support.ts";
import { type IdentityServer, PASSWORD, startIdentity } from "../identity/oauth/support/fixture.ts";
import { launchBrowser, type TestBrowser } from "../support/browser.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import {
  collectErrors,
  ensurePortalBuilt,
  screenshot,
  seriousViolations,
} from "./portal-support.ts";

/**
 * Permission classifications and the approve dialog's audience search, in a real Chromium: an
 * administrator classifies Mail.ReadBasic as low impact (the request page's risk column says
 * so), removes the classification after a confirmation (the risk column follows), and approves
 * a request for a group that is not among the first hundred, found by typing its name.
 */
describe("the admin portal: classifications and the approve dialog's search", () => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  let browser: TestBrowser | undefined;
  let w: Workflow;
  let zeta: Group;
  let requestId: string;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    browser = await launchBrowser();
    if (!browser) return;
    await ensurePortalBuilt();
    t = await openTestDatabase("pglite");
    if (!t) return;
    server = await startIdentity(t);
    w = await seedWorkflow(t, "portal-consent-ops", {
      onTenantCreated: [signingKeysOnTenantCreated(server.keyRing)],
      policy: {
        notifyReviewers: false,
        reviewers: [{ type: "role", id: "global_administrator" }],
      },
    });
    const directory = createDirectory({ database: t.database });
    // More groups than one page of the picker holds, and the one to find after them.
    for (let i = 1; i <= 105; i++)
      await directory.groups.create(
        w.tenant.id,
        { displayName: `Team ${String(i).padStart(3, "0")}` },
        CLI_ACTOR,
      );
    zeta = await directory.groups.create(w.tenant.id, { displayName: "Zeta squad" }, CLI_ACTOR);
    ({ requestId } = await ask(t, w, w.megan, ["Mail.ReadBasic", "Mail.Read"], "For the CRM."));
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = collectErrors(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  const portal = (path = "") => `${server.baseUrl}/${w.tenant.id}/portal${path}`;
  const risk = (scope: string) =>
    page
      .getByRole("row", { name: new RegExp(`^${scope.replace(".", "\\.")}\\b`) })
      .locator("td")
      .nth(1);
  async function expectAccessible(name: string) {
    expect(await seriousViolations(page), name).toEqual([]);
    await screenshot(page, name);
  }

  it("classifies a permission as low impact, and the request shows it", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.goto(portal("/consent-settings"));
    await page.waitForURL((url) => !url.pathname.includes("/portal"));
    await page.fill('input[name="username"]', w.globalAdmin.userPrincipalName);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button:text("Sign in")');
    const section = page.getByRole("region", { name: "Permission classifications" });
    await section.getByRole("row", { name: /openid/ }).waitFor();
    expect(await section.getByRole("row", { name: /openid/ }).textContent()).toContain("Built in");
    await section.getByLabel("Permission (e.g. Mail.ReadBasic)").fill("Mail.ReadBasic");
    await section.getByRole("button", { name: "Classify" }).click();
    await section.getByText("Mail.ReadBasic is classified Low impact.").waitFor();
    const row = section.getByRole("row", { name: /Mail\.ReadBasic/ });
    expect(await row.textContent()).toContain("Low impact");
    await expectAccessible("consent-settings-classifications");
    // A permission that needs an administrator cannot be classified: the API says why.
    await section.getByLabel("Permission (e.g. Mail.ReadBasic)").fill("Mail.Read.All");
    await section.getByRole("button", { name: "Classify" }).click();
    await section.getByRole("alert").waitFor();

    await page.goto(portal(`/consent-requests/${requestId}`));
    await page.getByRole("heading", { level: 1, name: /Northwind CRM/ }).waitFor();
    await expect.poll(() => risk("Mail.ReadBasic").textContent()).toBe("Low impact");
    expect(await risk("Mail.Read").textContent()).toBe("Standard (not classified)");
  });

  it("removes the classification after a confirmation", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.getByRole("link", { name: "Consent and permissions" }).click();
    const section = page.getByRole("region", { name: "Permission classifications" });
    await section
      .getByRole("button", { name: "Remove the classification of Mail.ReadBasic" })
      .click();
    const dialog = page.getByRole("dialog", {
      name: "Remove the classification of Mail.ReadBasic?",
    });
    await dialog.getByRole("button", { name: "Remove" }).click();
    await dialog.waitFor({ state: "detached" });
    await section.getByText("Mail.ReadBasic is no longer classified.").waitFor();
    // The list is read again after the removal.
    await expect.poll(() => section.getByRole("row", { name: /Mail\.ReadBasic/ }).count()).toBe(0);
    await page.goto(portal(`/consent-requests/${requestId}`));
    await page.getByRole("heading", { level: 1, name: /Northwind CRM/ }).waitFor();
    await expect.poll(() => risk("Mail.ReadBasic").textContent()).toBe("Standard (not classified)");
  });

  it("finds a group beyond the first hundred by typing its name, and approves for it", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.getByRole("button", { name: "Approve" }).click();
    const dialog = page.getByRole("dialog", { name: /Approve Northwind CRM/ });
    await dialog.getByLabel("Members of groups").check();
    await dialog.getByLabel("Team 001").waitFor();
    expect(await dialog.getByLabel("Zeta squad").count()).toBe(0);
    await dialog.getByLabel("Search groups by name").fill("zeta");
    await dialog.getByLabel("Zeta squad").check();
    // The choice stays listed when the search changes.
    await dialog.getByLabel("Search groups by name").fill("team 00");
    await dialog.getByLabel("Team 002").waitFor();
    expect(await dialog.getByLabel("Zeta squad").isChecked()).toBe(true);
    await expectAccessible("approve-dialog-search");
    await dialog.getByRole("button", { name: "Approve" }).click();
    await dialog.waitFor({ state: "detached" });
    await expect
      .poll(() => page.locator(".approval").textContent())
      .toBe("Granted Mail.ReadBasic, Mail.Read to members of Zeta squad with no end date.");
    expect(zeta.id).toBeTruthy();
    expect(errors).toEqual([]);
  });
});
