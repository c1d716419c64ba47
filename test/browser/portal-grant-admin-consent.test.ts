import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../src/identity/activity/audit-log.ts";
import {
  ensureServicePrincipal,
  findApplicationByAppId,
  MAIL_RESOURCE,
  requirePermission,
} from "../../src/identity/apps/index.ts";
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
 * Entra's "Grant admin consent for {organization}" on an enterprise app's Permissions tab, in a
 * real Chromium: the administrator goes through the organization's admin consent flow for the
 * app (`/{tenant}/v2.0/adminconsent`), accepts, and is back on the same tab, which lists the
 * tenant-wide grant. A Global Reader sees no button. The tab passes axe-core before and after,
 * and no script error or CSP violation is reported.
 */
describe("the admin portal: Grant admin consent for the organization", () => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  let browser: TestBrowser | undefined;
  let w: Workflow;
  let spId = "";

  beforeAll(async () => {
    browser = await launchBrowser();
    if (!browser) return;
    await ensurePortalBuilt();
    t = await openTestDatabase("pglite");
    if (!t) return;
    server = await startIdentity(t);
    w = await seedWorkflow(t, "grant-consent", {
      onTenantCreated: [signingKeysOnTenantCreated(server.keyRing)],
    });
    const { db } = t.database;
    const mail = await findApplicationByAppId(db, MAIL_RESOURCE.appId);
    if (!mail) throw new Error("the Assent Mail resource is missing");
    await requirePermission(
      db,
      w.publisher.id,
      w.app.id,
      { resource: mail, value: "Mail.Read", type: "Scope" },
      CLI_ACTOR,
    );
    // The app is known in the tenant (an enterprise app) but nobody has consented to it yet.
    spId = (await ensureServicePrincipal(db, w.tenant.id, w.app.id)).id;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  const permissionsTab = () =>
    `${server.baseUrl}/${w.tenant.id}/portal/enterprise-apps/${spId}/permissions`;

  /** Signs in on the tenant's sign-in page, where the portal sends a new browser. */
  async function signIn(page: Page, upn: string) {
    await page.waitForURL((url) => !url.pathname.includes("/portal"));
    await page.fill('input[name="username"]', upn);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button:text("Sign in")');
  }

  it("sends the administrator through admin consent and back to the tab, which lists the grant", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = collectErrors(page);
    await page.goto(permissionsTab());
    await signIn(page, w.globalAdmin.userPrincipalName);
    await page.getByRole("heading", { level: 1, name: /Northwind CRM/ }).waitFor();
    await page.getByText("No delegated permissions are granted to this app.").waitFor();
    const grant = page.getByRole("button", { name: "Grant admin consent for grant-consent Ltd" });
    await grant.waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "enterprise-app-grant-admin-consent");

    await grant.click();
    // The organization's admin consent page (signing in again only if its session asks).
    await page
      .getByRole("heading", { level: 1, name: /^(Sign in|Permissions requested)$/ })
      .waitFor();
    if (await page.locator('input[name="password"]').count())
      await signIn(page, w.globalAdmin.userPrincipalName);
    await page.getByRole("heading", { level: 1, name: "Permissions requested" }).waitFor();
    const consentText = ((await page.locator("body").textContent()) ?? "").replace(/\s+/g, " ");
    expect(consentText).toContain("Accept for your organization (grant-consent Ltd)");
    expect(consentText).toContain("Mail.Read");
    expect(new URL(page.url()).pathname).toBe(`/${w.tenant.id}/v2.0/adminconsent`);
    await page.getByRole("button", { name: "Accept" }).click();

    // Back on the same tab, without the flow's answer left in the address.
    await page.waitForURL(permissionsTab());
    await page.getByRole("heading", { level: 1, name: /Northwind CRM/ }).waitFor();
    await page.getByText(/Admin consent granted/).waitFor();
    const row = page.getByRole("row", { name: /Everyone in the organization \(admin consent\)/ });
    await row.waitFor();
    expect(await row.textContent()).toContain("Mail.Read");
    expect(await row.textContent()).toContain("grace");
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "enterprise-app-admin-consent-granted");

    // The grant is the tenant-wide one, as the API has it.
    const grants = await t.database.db
      .selectFrom("identity.oauth2_permission_grants")
      .select(["consent_type", "scopes"])
      .where("tenant_id", "=", w.tenant.id)
      .where("client_service_principal_id", "=", spId)
      .execute();
    expect(grants).toHaveLength(1);
    expect(grants[0]?.consent_type).toBe("AllPrincipals");
    expect(grants[0]?.scopes).toContain("Mail.Read");

    // A reload does not announce it again: the answer was taken out of the address.
    await page.reload();
    await row.waitFor();
    expect(await page.getByText(/Admin consent granted/).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("shows no button to a Global Reader", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    const page = await browser.newPage();
    await page.goto(permissionsTab());
    await signIn(page, w.reader.userPrincipalName);
    await page.getByRole("heading", { level: 1, name: /Northwind CRM/ }).waitFor();
    await page.getByRole("row", { name: /Everyone in the organization/ }).waitFor();
    await page
      .getByText(/only|role/i)
      .first()
      .waitFor();
    expect(await page.getByRole("button", { name: /Grant admin consent/ }).count()).toBe(0);
    await page.context().close();
  });

  it("takes only this organization's own portal as a way back, besides the app's redirect URIs", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    const consentUrl = (redirectUri: string) =>
      `${server.baseUrl}/${w.tenant.id}/v2.0/adminconsent?${new URLSearchParams({
        client_id: w.app.appId,
        scope: "openid api://assent-mail/.default",
        redirect_uri: redirectUri,
      })}`;
    const status = async (redirectUri: string) =>
      (await fetch(consentUrl(redirectUri), { redirect: "manual" })).status;
    expect(await status(permissionsTab())).toBe(200);
    for (const foreign of [
      `${server.baseUrl}/${w.publisher.id}/portal/enterprise-apps/${spId}/permissions`,
      `${server.baseUrl}/${w.tenant.id}/portal-not/x`,
      `${server.baseUrl}/${w.tenant.id}/portal/../v2.0/x`.replace("/portal/../", "/portal/%2e%2e/"),
      `http://example.com/${w.tenant.id}/portal/enterprise-apps`,
      `${permissionsTab()}#fragment`,
    ])
      expect(await status(foreign), foreign).toBe(400);
  });
});
