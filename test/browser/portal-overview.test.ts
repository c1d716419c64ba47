import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../src/identity/activity/audit-log.ts";
import { findServicePrincipal, MAIL_APPLICATION_ID } from "../../src/identity/apps/index.ts";
import { grantDelegatedPermissions } from "../../src/identity/consent/index.ts";
import { signingKeysOnTenantCreated } from "../../src/identity/keys/index.ts";
import { seedWorkflow, type Workflow } from "../identity/consent-requests/support.ts";
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
 * The overview's log summaries and an enterprise app's own log tabs, in a real Chromium: Megan
 * mistypes her password on the sign-in page of the Northwind CRM app; the administrator's
 * overview lists that failed sign-in (linking to the sign-in logs filtered to it) and the apps
 * with the most sign-ins; the app's Sign-ins and Audit events tabs show that app's events only.
 */
describe("the admin portal: overview and app-scoped logs", () => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  let browser: TestBrowser | undefined;
  let w: Workflow;
  let page: Page;
  let errors: string[];
  let spId: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    if (!browser) return;
    await ensurePortalBuilt();
    t = await openTestDatabase("pglite");
    if (!t) return;
    server = await startIdentity(t);
    w = await seedWorkflow(t, "portal-overview", {
      onTenantCreated: [signingKeysOnTenantCreated(server.keyRing)],
    });
    await grantDelegatedPermissions(
      t.database.db,
      w.tenant.id,
      {
        clientApplicationId: w.app.id,
        resourceApplicationId: MAIL_APPLICATION_ID,
        scopes: ["Mail.Read"],
        consentType: "AllPrincipals",
      },
      CLI_ACTOR,
    );
    const sp = await findServicePrincipal(t.database.db, w.tenant.id, w.app.id);
    if (!sp) throw new Error("no enterprise app after admin consent");
    spId = sp.id;
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = collectErrors(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  const portal = (path = "") => `${server.baseUrl}/${w.tenant.id}/portal${path}`;
  async function expectAccessible(name: string) {
    expect(await seriousViolations(page), name).toEqual([]);
    await screenshot(page, name);
  }

  it("lists a failed sign-in on the overview, linked to the sign-in logs", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    // Megan mistypes her password signing in to Northwind CRM (its real authorize endpoint).
    const other = await browser.newPage();
    const authorize = new URL(`${server.baseUrl}/${w.tenant.id}/oauth2/v2.0/authorize`);
    for (const [k, v] of Object.entries({
      client_id: w.app.appId,
      response_type: "code",
      redirect_uri: "http://127.0.0.1:9/callback",
      scope: "openid",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    }))
      authorize.searchParams.set(k, v);
    await other.goto(authorize.href);
    await other.fill('input[name="username"]', w.megan.userPrincipalName);
    await other.fill('input[name="password"]', "not her password");
    await other.click('button:text("Sign in")');
    await other.getByText("Your user name or password is incorrect.").waitFor();
    await other.context().close();

    await page.goto(portal());
    await page.waitForURL((url) => !url.pathname.includes("/portal"));
    await page.fill('input[name="username"]', w.globalAdmin.userPrincipalName);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button:text("Sign in")');
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    const failed = page.getByRole("region", { name: "Recent failed sign-ins" });
    const row = failed.getByRole("row", { name: /megan@/ });
    // The sign-in log is written in batches: reload until the event is there.
    await expect
      .poll(async () => {
        await page.reload();
        await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
        await failed.locator("table, .empty").first().waitFor();
        return row.count();
      })
      .toBe(1);
    expect(await row.textContent()).toContain("Northwind CRM");
    expect(await row.textContent()).toMatch(/50126/);
    const top = page.getByRole("region", { name: "Apps with most sign-ins (last 7 days)" });
    const crm = top.getByRole("row", { name: /Northwind CRM/ });
    await crm.waitFor();
    expect(await crm.getByRole("cell").last().textContent()).toBe("1");
    await expectAccessible("overview-logs");

    await row.getByRole("link").click();
    await page.getByRole("heading", { level: 1, name: "Sign-in logs" }).waitFor();
    expect(page.url()).toContain("status=failure");
    expect(page.url()).toContain("requestId=");
    await page.getByRole("row", { name: /megan@/ }).waitFor();
    expect(await page.locator("tbody tr").count()).toBe(1);
  });

  it("shows an enterprise app's own sign-ins and audit events on its tabs", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.goto(portal(`/enterprise-apps/${spId}`));
    await page.getByRole("heading", { level: 1, name: /Northwind CRM/ }).waitFor();
    // An audit event about the app, and one about something else.
    await page.getByLabel("Notes").fill("Owned by sales.");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Properties saved.").waitFor();

    await page.getByRole("link", { name: "Sign-ins", exact: true }).click();
    await page.getByRole("heading", { level: 2, name: "Sign-in logs" }).waitFor();
    expect(page.url()).toBe(portal(`/enterprise-apps/${spId}/sign-in-logs`));
    // No application filter to change: the tab is the app's.
    expect(await page.getByLabel("Application id").count()).toBe(0);
    await page.getByRole("row", { name: /megan@/ }).waitFor();
    const apps = await page.locator("tbody tr td:nth-child(3)").allTextContents();
    expect(apps.length).toBeGreaterThan(0);
    // The administrator's own portal sign-in is not this app's.
    expect(new Set(apps)).toEqual(new Set([w.app.displayName]));
    await page.getByLabel("Status").selectOption("failure");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/\/sign-in-logs\?status=failure$/);
    await page.getByRole("row", { name: /megan@/ }).waitFor();
    await expectAccessible("enterprise-app-sign-ins");

    await page.getByRole("link", { name: "Audit events", exact: true }).click();
    await page.getByRole("heading", { level: 2, name: "Audit logs" }).waitFor();
    const rows = page.locator("tbody tr");
    await rows.first().waitFor();
    const texts = await rows.allTextContents();
    expect(texts.some((r) => r.includes("Update service principal"))).toBe(true);
    // Events about other objects (the seed's users) are not on the app's tab.
    expect(texts.every((r) => !r.includes("Add user"))).toBe(true);
    await expectAccessible("enterprise-app-audit-events");
    expect(errors).toEqual([]);
  });
});
