import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Application,
  listApplications,
  listClientSecrets,
  listExposedScopes,
  listRequiredPermissions,
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
 * App registrations in the admin portal, in a real Chromium on the embedded database: an
 * administrator registers a multi-tenant app, adds a redirect URI (a plain-http one is refused
 * in words next to the field), adds a client secret (its value shown once; after a reload
 * only its first characters), requires Mail.Read of the mail API (an unknown permission is
 * refused at the field), exposes and edits a scope, and adds an app role. Every page passes
 * axe-core with no serious or critical violation, also at phone width.
 */
describe("the admin portal: app registrations", () => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  let browser: TestBrowser | undefined;
  let w: Workflow;
  let page: Page;
  let errors: string[];
  let app: Application | undefined;
  let secret = "";

  beforeAll(async () => {
    browser = await launchBrowser();
    if (!browser) return;
    await ensurePortalBuilt();
    t = await openTestDatabase("pglite");
    if (!t) return;
    server = await startIdentity(t);
    w = await seedWorkflow(t, "portal-registrations", {
      onTenantCreated: [signingKeysOnTenantCreated(server.keyRing)],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = collectErrors(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  const portal = (path = "") => `${server.baseUrl}/${w.tenant.id}/portal${path}`;
  const heading = (name: string | RegExp) => page.getByRole("heading", { level: 1, name });
  const section = (name: string) => page.getByRole("region", { name, exact: true });

  async function expectAccessible(name: string) {
    expect(await seriousViolations(page), name).toEqual([]);
    await screenshot(page, name);
  }

  it("registers a multi-tenant application", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.goto(portal("/app-registrations"));
    await page.waitForURL((url) => !url.pathname.includes("/portal"));
    await page.fill('input[name="username"]', w.globalAdmin.userPrincipalName);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button:text("Sign in")');
    await heading("App registrations").waitFor();
    await page.getByText("This organization has not registered any application yet.").waitFor();

    await page.getByRole("button", { name: "New registration" }).click();
    const dialog = page.getByRole("dialog", { name: "Register an application" });
    await dialog.getByLabel("Name").fill("Contoso Reports");
    await dialog.getByLabel("Accounts in any organization (multi-tenant)").check();
    await dialog.getByLabel("Redirect URI (optional)").fill("https://reports.example/callback");
    await expectAccessible("app-registration-new");
    await dialog.getByRole("button", { name: "Register" }).click();
    await heading("Contoso Reports").waitFor();
    [app] = await listApplications(t.database.db, w.tenant.id);
    expect(app).toMatchObject({
      displayName: "Contoso Reports",
      signInAudience: "AzureADMultipleOrgs",
      redirectUris: ["https://reports.example/callback"],
    });
    expect(page.url()).toBe(portal(`/app-registrations/${app?.id}`));
    const overview = section("Overview");
    const facts = (await overview.textContent()) ?? "";
    expect(facts).toContain(`Application (client) id${app?.appId}`);
    expect(facts).toContain("Accounts in any organization (multi-tenant)");
    expect(facts).toContain("Not verified");
    await page.getByText("No client secrets.").waitFor();
    await expectAccessible("app-registration");
  });

  it("adds a redirect URI, and says in words why a plain-http one is refused", async (ctx) => {
    if (!browser || !t || !app) return ctx.skip();
    const uris = section("Redirect URIs");
    const field = uris.getByLabel("Add a redirect URI");
    await field.fill("http://reports.example/callback");
    await uris.getByRole("button", { name: "Add" }).click();
    await expect.poll(() => field.getAttribute("aria-invalid")).toBe("true");
    const error = uris.getByRole("alert");
    expect(await error.textContent()).toContain("must use https");
    expect(await field.getAttribute("aria-describedby")).toBe(await error.getAttribute("id"));

    await field.fill("http://localhost:5173/callback");
    await uris.getByRole("button", { name: "Add" }).click();
    await uris.getByText("http://localhost:5173/callback added.").waitFor();
    await uris
      .getByRole("listitem")
      .filter({ hasText: "http://localhost:5173/callback" })
      .waitFor();
    expect(await uris.getByRole("alert").count()).toBe(0);
    expect((await listApplications(t.database.db, w.tenant.id))[0]?.redirectUris).toEqual([
      "https://reports.example/callback",
      "http://localhost:5173/callback",
    ]);
  });

  it("adds a client secret whose value is shown once, and only its hint after a reload", async (ctx) => {
    if (!browser || !t || !app) return ctx.skip();
    await page.getByRole("button", { name: "New client secret" }).click();
    const add = page.getByRole("dialog", { name: "Add a client secret" });
    await add.getByLabel("Description").fill("Build server");
    await add.getByLabel("Expires after").selectOption("90");
    await add.getByRole("button", { name: "Add" }).click();
    const shown = page.getByRole("dialog", { name: "Client secret added" });
    await shown.waitFor();
    secret = await shown.getByLabel("Secret value").inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(await shown.textContent()).toContain("This is the only time the value is shown");
    // The value field has focus with the value selected, ready to copy.
    const focused = await page.evaluate("document.activeElement && document.activeElement.id");
    expect(focused).toBe(await shown.getByLabel("Secret value").getAttribute("id"));
    await expectAccessible("app-registration-secret-added");
    await shown.getByRole("button", { name: "Done" }).click();
    await shown.waitFor({ state: "detached" });

    const [stored] = await listClientSecrets(t.database.db, w.tenant.id, app.id);
    expect(stored).toMatchObject({ displayName: "Build server" });
    expect(secret.startsWith(stored?.hint ?? "?")).toBe(true);
    const days = ((stored?.expiresAt.getTime() ?? 0) - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(90);

    await page.reload();
    await heading("Contoso Reports").waitFor();
    const row = page.getByRole("row", { name: /Build server/ });
    await row.waitFor();
    expect(await row.textContent()).toContain(`${stored?.hint}…`);
    expect(await page.content()).not.toContain(secret);
  });

  it("requires a delegated permission of the mail API, refusing an unknown one at the field", async (ctx) => {
    if (!browser || !t || !app) return ctx.skip();
    const perms = section("API permissions");
    await perms.getByText("The app requires no API permissions.").waitFor();
    await perms.getByLabel("API (Application ID URI or app id)").fill("api://assent-mail");
    const value = perms.getByLabel("Permission", { exact: true });
    await value.fill("Mail.Shred");
    await perms.getByRole("button", { name: "Add permission" }).click();
    await expect.poll(() => value.getAttribute("aria-invalid")).toBe("true");
    expect(await perms.getByRole("alert").textContent()).toContain("Mail.Shred");

    await value.fill("Mail.Read");
    await perms.getByRole("button", { name: "Add permission" }).click();
    const row = perms.getByRole("row", { name: /Mail\.Read/ });
    await row.waitFor();
    expect(await row.textContent()).toContain("Delegated");
    expect(await row.textContent()).toContain("api://assent-mail");
    const required = await listRequiredPermissions(t.database.db, app.id);
    expect(required.map((r) => [r.type, r.value])).toEqual([["Scope", "Mail.Read"]]);
  });

  it("exposes a scope, edits it, and deletes a disabled one", async (ctx) => {
    if (!browser || !t || !app) return ctx.skip();
    const exposed = section("Expose an API");
    await exposed.getByText("The app exposes no scopes.").waitFor();
    const addScope = async (value: string, description: string) => {
      await exposed.getByRole("button", { name: "Add a scope" }).click();
      const dialog = page.getByRole("dialog", { name: "Add a scope" });
      await dialog.getByLabel("Scope name").fill(value);
      await dialog.getByLabel("Admins and users").check();
      await dialog.getByLabel("Admin consent display name").fill(`${value} (admin)`);
      await dialog.getByLabel("Admin consent description").fill(description);
      await dialog.getByLabel("User consent description (optional)").fill(`You: ${description}`);
      await dialog.getByRole("button", { name: "Add scope" }).click();
      await dialog.waitFor({ state: "detached" });
      await exposed.getByText(`Scope ${value} added.`).waitFor();
    };
    await addScope("Reports.Read", "Read the organization's reports.");
    const row = exposed.getByRole("row", { name: /Reports\.Read/ });
    expect(await row.textContent()).toContain(`api://${app.appId}/Reports.Read`);
    expect(await row.textContent()).toContain("Admins and users");

    await row.getByRole("button", { name: "Edit Reports.Read" }).click();
    const edit = page.getByRole("dialog", { name: "Edit scope Reports.Read" });
    expect(await edit.getByLabel("Scope name").getAttribute("readonly")).not.toBeNull();
    await edit.getByLabel("Admins only (admin consent required)").check();
    await edit.getByLabel("Admin consent description").fill("Read every report.");
    await edit.getByRole("button", { name: "Save" }).click();
    await exposed.getByText("Scope Reports.Read saved.").waitFor();
    await expect.poll(async () => (await row.textContent()) ?? "").toContain("Read every report.");
    expect(await row.textContent()).toContain("Admins only");
    await expectAccessible("app-registration-expose-an-api");

    await addScope("Reports.Purge", "Delete old reports.");
    const purge = exposed.getByRole("row", { name: /Reports\.Purge/ });
    expect(await purge.getByRole("button", { name: "Delete Reports.Purge" }).count()).toBe(0);
    await purge.getByRole("button", { name: "Disable Reports.Purge" }).click();
    await exposed.getByText("Scope Reports.Purge disabled.").waitFor();
    await purge.getByRole("button", { name: "Delete Reports.Purge" }).click();
    const del = page.getByRole("dialog", { name: "Delete scope Reports.Purge?" });
    await del.getByRole("button", { name: "Delete" }).click();
    await exposed.getByText("Scope Reports.Purge deleted.").waitFor();
    const stored = await listExposedScopes(t.database.db, app.id);
    expect(stored.map((s) => [s.value, s.adminConsentRequired, s.adminConsentDescription])).toEqual(
      [["Reports.Read", true, "Read every report."]],
    );
  });

  it("adds an app role for users and groups", async (ctx) => {
    if (!browser || !t || !app) return ctx.skip();
    const roles = section("App roles");
    await roles.getByRole("button", { name: "Add an app role" }).click();
    const dialog = page.getByRole("dialog", { name: "Add an app role" });
    await dialog.getByLabel("Display name").fill("Report approver");
    await dialog.getByLabel("Value").fill("Reports.Approve");
    await dialog.getByLabel("Description").fill("Approves reports before they are sent.");
    await dialog.getByRole("button", { name: "Add app role" }).click();
    const row = roles.getByRole("row", { name: /Reports\.Approve/ });
    await row.waitFor();
    expect(await row.textContent()).toContain("Users/groups");
  });

  it("finds the registration by name in the list", async (ctx) => {
    if (!browser || !t || !app) return ctx.skip();
    await page.getByRole("link", { name: "App registrations", exact: true }).first().click();
    await heading("App registrations").waitFor();
    await page.getByLabel("Search by name or app id").fill("reports");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/search=reports/);
    const row = page.getByRole("row", { name: /Contoso Reports/ });
    await row.waitFor();
    expect(await row.textContent()).toContain(app.appId);
    expect(await row.textContent()).toContain("Multi-tenant");
    await expectAccessible("app-registrations");
    await page.getByLabel("Search by name or app id").fill("nothing like it");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText('No app registrations match "nothing like it".').waitFor();
  });

  it("works at phone width", async (ctx) => {
    if (!browser || !t || !app) return ctx.skip();
    await page.setViewportSize({ width: 390, height: 844 });
    const overflows = () =>
      page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth");
    await page.goto(portal(`/app-registrations/${app.id}`));
    await page.getByRole("row", { name: /Reports\.Approve/ }).waitFor();
    expect(await overflows()).toBe(false);
    await expectAccessible("app-registration-phone");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("reports no script error or CSP violation anywhere", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    expect(errors).toEqual([]);
  });
});
