import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getConsentSettings } from "../../src/identity/consent/index.ts";
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
 * The admin portal in a real Chromium, on the embedded database: an administrator opens the
 * review link of a request from the email, signs in on the tenant's real sign-in page (the
 * portal is a first-party PKCE client: no consent screen), lands on that request, finds it
 * under Admin consent requests > All, approves it for a group, and changes the user consent
 * setting. Each step asserts what the page shows; every main page passes axe-core with no
 * serious or critical violation, and no script error or CSP violation is reported.
 */
describe("the admin portal", () => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  let browser: TestBrowser | undefined;
  let w: Workflow;
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
    w = await seedWorkflow(t, "portal", {
      onTenantCreated: [signingKeysOnTenantCreated(server.keyRing)],
      policy: { reviewers: [{ type: "role", id: "global_administrator" }] },
    });
    ({ requestId } = await ask(
      t,
      w,
      w.megan,
      ["openid", "Mail.Read"],
      "I need my mail in the CRM.",
    ));
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = collectErrors(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  const portal = (path = "") => `${server.baseUrl}/${w.tenant.id}/portal${path}`;
  const heading = (name: string) => page.getByRole("heading", { level: 1, name });

  async function expectAccessible(name: string) {
    expect(await seriousViolations(page), name).toEqual([]);
    await screenshot(page, name);
  }

  it("opens the request from the email's link after signing in on the tenant's page", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    const deepLink = portal(`/consent-requests/${requestId}`);
    await page.goto(deepLink);
    // The tenant's own sign-in page, not the portal's.
    await page.waitForURL((url) => !url.pathname.includes("/portal"));
    await page.fill('input[name="username"]', w.globalAdmin.userPrincipalName);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button:text("Sign in")');
    await heading("Northwind CRM <script>alert(1)</script>").waitFor();
    expect(page.url()).toBe(deepLink);
    // The app's name is text, never markup.
    expect(await page.locator("script:text('alert(1)')").count()).toBe(0);
    await expect.poll(() => page.locator("#requested-by").textContent()).toBe("Requested by (1)");
    expect(await page.getByText("I need my mail in the CRM.").isVisible()).toBe(true);
    const mailRead = page.getByRole("row", { name: /Mail\.Read/ });
    expect(await mailRead.textContent()).toContain("New");
    expect(await page.getByRole("button", { name: "Approve" }).isEnabled()).toBe(true);
    await expectAccessible("consent-request");
  });

  it("lists the request under Admin consent requests > All, sortable", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.getByRole("link", { name: "Admin consent requests" }).click();
    await heading("Admin consent requests").waitFor();
    await page.getByRole("link", { name: "All", exact: true }).click();
    await page.waitForURL(/filter=all/);
    const row = page.getByRole("row", { name: /Northwind CRM/ });
    await row.waitFor();
    expect(await row.textContent()).toContain("Pending");
    expect(await row.textContent()).toContain("1 user");
    await page.getByRole("button", { name: "Requested by" }).click();
    await page.waitForURL(/sort=requesters_desc/);
    await expect
      .poll(() => page.locator("th[aria-sort='descending']").textContent())
      .toBe("Requested by");
    await row.waitFor();
    await expectAccessible("consent-requests");
  });

  it("shows a Global Reader the request with every action disabled, and says why", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    const reader = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const response = await reader.goto(portal(`/consent-requests/${requestId}`));
    // The portal's own strict policy: same-origin scripts and styles, never inline.
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).not.toContain("unsafe-inline");
    await reader.fill('input[name="username"]', w.reader.userPrincipalName);
    await reader.fill('input[name="password"]', PASSWORD);
    await reader.click('button:text("Sign in")');
    await reader.getByRole("heading", { level: 1, name: /Northwind CRM/ }).waitFor();
    for (const name of ["Approve", "Deny", "Block"])
      expect(await reader.getByRole("button", { name }).isDisabled(), name).toBe(true);
    const approve = reader.getByRole("button", { name: "Approve" });
    const why = await approve.getAttribute("aria-describedby");
    expect(await reader.locator(`[id="${why}"]`).textContent()).toContain(
      "You are not a reviewer of admin consent requests",
    );
    await reader.context().close();
  });

  it("approves the request for a group, and the page shows the approval", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.getByRole("link", { name: /Northwind CRM/ }).click();
    await heading("Northwind CRM <script>alert(1)</script>").waitFor();
    await page.getByRole("button", { name: "Approve" }).click();
    const dialog = page.getByRole("dialog", { name: /Approve Northwind CRM/ });
    await dialog.waitFor();
    // Focus moves into the dialog.
    expect(await page.evaluate("document.activeElement?.closest('dialog')?.open === true")).toBe(
      true,
    );
    await dialog.getByLabel("Members of groups").check();
    await dialog.getByLabel("Sales").check();
    await expectAccessible("approve-dialog");
    await dialog.getByRole("button", { name: "Approve" }).click();
    await dialog.waitFor({ state: "detached" });
    await expect.poll(() => page.locator(".badge.approved").first().textContent()).toBe("Approved");
    await expect
      .poll(() => page.locator(".approval").textContent())
      .toBe("Granted openid, Mail.Read to members of Sales with no end date.");
    // Decided: no more actions.
    expect(await page.getByRole("button", { name: "Approve" }).count()).toBe(0);
  });

  it("changes the user consent setting and finds it saved after a reload", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.getByRole("link", { name: "Consent and permissions" }).click();
    await heading("Consent and permissions").waitFor();
    const allApps = page.getByLabel("Allow user consent for apps", { exact: true });
    await page.getByLabel("Do not allow user consent", { exact: true }).waitFor();
    expect(await page.getByLabel("Do not allow user consent", { exact: true }).isChecked()).toBe(
      true,
    );
    await expectAccessible("consent-settings");
    await allApps.check();
    await page
      .getByRole("region", { name: "User consent settings" })
      .getByRole("button", { name: "Save" })
      .click();
    await page.getByText("User consent settings saved.").waitFor();
    await page.reload();
    await heading("Consent and permissions").waitFor();
    await expect.poll(() => allApps.isChecked()).toBe(true);
    const settings = await getConsentSettings(t.database.db, w.tenant.id);
    expect(settings.userConsent).toBe("all_apps");
  });

  it("shows the overview, and reports no script error or CSP violation anywhere", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.getByRole("link", { name: "Overview" }).click();
    await heading("Overview").waitFor();
    await page.getByText("No requests are waiting for you.").waitFor();
    await expectAccessible("overview");
    expect(errors).toEqual([]);
  });

  it("works at phone width", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(portal(`/consent-requests?filter=all`));
    await page.getByRole("row", { name: /Northwind CRM/ }).waitFor();
    const overflow = await page.evaluate(
      "document.documentElement.scrollWidth > document.documentElement.clientWidth",
    );
    expect(overflow).toBe(false);
    await expectAccessible("consent-requests-phone");
  });
});
