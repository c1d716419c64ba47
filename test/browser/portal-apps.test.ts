import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../src/identity/activity/audit-log.ts";
import { listPage, signInLog } from "../../src/identity/activity/index.ts";
import {
  findServicePrincipal,
  listAppRoleAssignedTo,
  MAIL_APPLICATION_ID,
} from "../../src/identity/apps/index.ts";
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

/** A datetime-local value `minutes` from now, in the browser's own time zone. */
const localInBrowser = (minutes: number) =>
  `(() => { const d = new Date(Date.now() + ${minutes} * 60000); const p = (n) => String(n).padStart(2, "0"); return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + "T" + p(d.getHours()) + ":" + p(d.getMinutes()); })()`;

/**
 * Enterprise applications and Sign-in logs in the admin portal, in a real Chromium on the
 * embedded database: an administrator finds the app, assigns a user and a group, switches
 * Assignment required on (all still there after a reload), revokes a tenant-wide grant, and
 * finds a failed sign-in (a wrong password typed on the real sign-in page) by the user's email
 * and a time window, and the property change in Audit logs. Each page passes axe-core with
 * no serious or critical violation, and no script error or CSP violation is reported.
 */
describe("the admin portal: enterprise applications and sign-in logs", () => {
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
    w = await seedWorkflow(t, "portal-apps", {
      onTenantCreated: [signingKeysOnTenantCreated(server.keyRing)],
    });
    // Admin consent for the tenant: the app's enterprise app exists, with a grant to revoke.
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
  const heading = (name: string | RegExp) => page.getByRole("heading", { level: 1, name });

  async function expectAccessible(name: string) {
    expect(await seriousViolations(page), name).toEqual([]);
    await screenshot(page, name);
  }

  it("finds the app under Enterprise applications by name", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.goto(portal("/enterprise-apps"));
    await page.waitForURL((url) => !url.pathname.includes("/portal"));
    await page.fill('input[name="username"]', w.globalAdmin.userPrincipalName);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button:text("Sign in")');
    await heading("Enterprise applications").waitFor();
    await page.getByLabel("Search by name or app id").fill("northw");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/search=northw/);
    const row = page.getByRole("row", { name: /Northwind CRM/ });
    await row.waitFor();
    expect(await row.textContent()).toContain(w.app.appId);
    await expectAccessible("enterprise-apps");
    await page.getByLabel("Search by name or app id").fill("no such app");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByText("No enterprise applications match.").waitFor();
    await page.goBack();
    await row.getByRole("link").click();
    await heading(/Northwind CRM/).waitFor();
    expect(page.url()).toBe(portal(`/enterprise-apps/${spId}`));
    await expectAccessible("enterprise-app-properties");
  });

  it("assigns a user and a group, turns Assignment required on, and a reload keeps them", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.getByRole("link", { name: "Users and groups" }).click();
    await page.getByRole("heading", { level: 2, name: "Users and groups" }).waitFor();
    await page.getByText("No users or groups are assigned.").waitFor();
    const pick = page.getByLabel("Add a user or group");
    await pick.selectOption({ label: `User: megan (${w.megan.userPrincipalName})` });
    await page.getByRole("button", { name: "Assign" }).click();
    await page.getByText("megan assigned.").waitFor();
    await pick.selectOption({ label: "Group: Sales" });
    await page.getByRole("button", { name: "Assign" }).click();
    await page.getByText("Sales assigned.").waitFor();
    const megan = page.getByRole("row", { name: /megan/ });
    const sales = page.getByRole("row", { name: /Sales/ });
    expect(await megan.textContent()).toContain("User");
    expect(await sales.textContent()).toContain("Group");
    await expectAccessible("enterprise-app-users");

    await page.getByRole("link", { name: "Properties" }).click();
    const required = page.getByLabel("Assignment required", { exact: true });
    expect(await required.isChecked()).toBe(false);
    await required.check();
    await page.getByLabel("Notes").fill("Sales team only.");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Properties saved.").waitFor();

    await page.reload();
    await heading(/Northwind CRM/).waitFor();
    await expect.poll(() => required.isChecked()).toBe(true);
    expect(await page.getByLabel("Notes").inputValue()).toBe("Sales team only.");
    expect(await page.getByLabel("Enabled for users to sign in").isChecked()).toBe(true);
    await page.getByRole("link", { name: "Users and groups" }).click();
    await megan.waitFor();
    await sales.waitFor();
    const stored = await listAppRoleAssignedTo(t.database.db, w.tenant.id, spId);
    expect(stored.map((a) => a.principalDisplayName).sort()).toEqual(["Sales", "megan"]);
  });

  it("shows the tenant-wide grant under Permissions and revokes it", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.getByRole("link", { name: "Permissions", exact: true }).click();
    const grant = page.getByRole("row", { name: /Mail\.Read/ });
    await grant.waitFor();
    expect(await grant.textContent()).toContain("Everyone in the organization");
    expect(await grant.textContent()).toContain("No end date");
    await expectAccessible("enterprise-app-permissions");
    await grant.getByRole("button", { name: /Revoke/ }).click();
    const dialog = page.getByRole("dialog", { name: /Revoke .* permissions/ });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Revoke" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByText("No delegated permissions are granted to this app.").waitFor();
  });

  it("finds a failed sign-in by the user's email and a time window, with its request id", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    // Megan mistypes her password on the tenant's real sign-in page.
    const other = await browser.newPage();
    const answers: string[] = [];
    other.on("response", (r) => {
      if (r.request().method() === "POST" && r.request().isNavigationRequest())
        answers.push(r.headers()["x-request-id"] ?? "");
    });
    await other.goto(portal());
    await other.fill('input[name="username"]', w.megan.userPrincipalName);
    await other.fill('input[name="password"]', "not her password");
    await other.click('button:text("Sign in")');
    await other.getByText("Your user name or password is incorrect.").waitFor();
    const answered = answers.at(-1);
    expect(answered).toBeTruthy();
    await other.context().close();

    await page.getByRole("link", { name: "Sign-in logs" }).click();
    await heading("Sign-in logs").waitFor();
    await page.getByLabel("From").fill(String(await page.evaluate(localInBrowser(-10))));
    await page
      .getByLabel("To", { exact: true })
      .fill(String(await page.evaluate(localInBrowser(5))));
    await page.getByLabel("User (start of the user name)").fill(w.megan.userPrincipalName);
    await page.getByLabel("Status").selectOption("failure");
    const row = page.getByRole("row", { name: /megan@/ });
    // The sign-in log is written in batches: apply the filters until the event is there.
    await expect
      .poll(async () => {
        await page.getByRole("button", { name: "Apply" }).click();
        await page.locator("main table, main .empty").first().waitFor();
        return row.count();
      })
      .toBe(1);
    expect(page.url()).toContain("status=failure");
    expect(await row.textContent()).toContain("50126");
    expect(await row.textContent()).toContain("Failure");
    await row.getByRole("button", { name: /Details/ }).click();
    const details = page.getByRole("region", { name: "Sign-in details" });
    await details.waitFor();
    const text = (await details.textContent()) ?? "";
    // The event as the log holds it: its request id is the x-request-id the sign-in page
    // answered (`answered` above), so a user's request id leads straight to it.
    const stored = await listPage(
      signInLog,
      t.database.db,
      w.tenant.id,
      { user: w.megan.userPrincipalName, status: "failure" },
      { top: 10 },
    );
    expect(stored.value).toHaveLength(1);
    expect(stored.value[0]?.requestId).toBe(answered);
    expect(text).toContain(`Request id${answered}`);
    expect(text).toContain("AST50126");
    expect(text).not.toContain("AADSTS");
    expect(text).toContain("Invalid user name or password.");
    expect(text).toContain(`Timestamp (UTC)${stored.value[0]?.createdDateTime}`);
    expect(text).toContain("IP address127.0.0.1");
    expect(text).toContain("00000003-0000-0000-c000-00000000b07a"); // Assent Portal
    await expectAccessible("sign-in-logs");
    // Another user name: nothing matches.
    await page.getByLabel("User (start of the user name)").fill("nobody@");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByText("No sign-ins match these filters.").waitFor();
  });

  it("finds the property change in Audit logs with its old and new values", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.getByRole("link", { name: "Audit logs" }).click();
    await heading("Audit logs").waitFor();
    await page.getByLabel("Activity (e.g. Add user)").fill("Update service principal");
    await page.getByLabel("Initiated by (user name or id)").fill(w.globalAdmin.userPrincipalName);
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/activity=Update/);
    const row = page.getByRole("row", { name: /Update service principal/ });
    await row.waitFor();
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain("Northwind CRM");
    await row.getByRole("button", { name: /Details/ }).click();
    const details = page.getByRole("region", { name: "Audit event details" });
    await details.waitFor();
    const changed = details.getByRole("row", { name: /AppRoleAssignmentRequired/ });
    expect(await changed.textContent()).toBe("AppRoleAssignmentRequiredfalsetrue");
    await expectAccessible("audit-logs");
  });

  it("works at phone width", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.setViewportSize({ width: 390, height: 844 });
    const overflows = () =>
      page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth");
    for (const [path, shown] of [
      [`/enterprise-apps/${spId}/users`, page.getByRole("row", { name: /megan/ })],
      ["/sign-in-logs", page.getByRole("button", { name: "Apply" })],
    ] as const) {
      await page.goto(portal(path));
      await shown.waitFor();
      expect(await overflows(), path).toBe(false);
    }
    await expectAccessible("sign-in-logs-phone");
  });

  it("reports no script error or CSP violation anywhere", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    expect(errors).toEqual([]);
  });
});
