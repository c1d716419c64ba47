import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../src/identity/activity/audit-log.ts";
import { findServicePrincipal, MAIL_APPLICATION_ID } from "../../src/identity/apps/index.ts";
import { grantDelegatedPermissions } from "../../src/identity/consent/index.ts";
import { createDirectory, type User } from "../../src/identity/directory/index.ts";
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
 * Roles in the admin portal, in a real Chromium: the UI shows what GET /api/v1/me says the
 * signed-in user may do. A Global Reader sees every page and no write action (and the API
 * refuses a write anyway); a reviewer without a granting role may deny but not approve, and
 * is told why; a Reports Reader's navigation is the logs, and other pages say there is no
 * access. Each page passes axe-core with no serious or critical violation.
 */
describe("the admin portal: what each role sees", () => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  let browser: TestBrowser | undefined;
  let w: Workflow;
  let reportsReader: User;
  let requestId: string;
  let spId: string;
  const errors: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    if (!browser) return;
    await ensurePortalBuilt();
    t = await openTestDatabase("pglite");
    if (!t) return;
    server = await startIdentity(t);
    w = await seedWorkflow(t, "portal-rbac", {
      onTenantCreated: [signingKeysOnTenantCreated(server.keyRing)],
    });
    const directory = createDirectory({ database: t.database });
    reportsReader = await directory.users.create(
      w.tenant.id,
      {
        userPrincipalName: "rory@portal-rbac.example",
        displayName: "Rory",
        password: PASSWORD,
      },
      CLI_ACTOR,
    );
    await directory.roles.assign(w.tenant.id, reportsReader.id, "reports_reader", CLI_ACTOR);
    ({ requestId } = await ask(t, w, w.megan, ["openid", "Mail.Read"], "For the CRM."));
    // An enterprise app with a tenant-wide grant, for the app pages.
    await grantDelegatedPermissions(
      t.database.db,
      w.tenant.id,
      {
        clientApplicationId: w.app.id,
        resourceApplicationId: MAIL_APPLICATION_ID,
        scopes: ["User.Read"],
        consentType: "AllPrincipals",
      },
      CLI_ACTOR,
    );
    const sp = await findServicePrincipal(t.database.db, w.tenant.id, w.app.id);
    if (!sp) throw new Error("no enterprise app after admin consent");
    spId = sp.id;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  const portal = (path = "") => `${server.baseUrl}/${w.tenant.id}/portal${path}`;

  /** A page of its own, signed in as `user` on the tenant's sign-in page, at `path`. */
  async function signedIn(user: User, path: string): Promise<Page> {
    if (!browser) throw new Error("no browser");
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors.push(...collectErrors(page));
    await page.goto(portal(path));
    await page.waitForURL((url) => !url.pathname.includes("/portal"));
    await page.fill('input[name="username"]', user.userPrincipalName);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button:text("Sign in")');
    await page.waitForURL(portal(path));
    return page;
  }
  const navLinks = (page: Page) =>
    page.getByRole("navigation", { name: "Portal" }).getByRole("link").allTextContents();
  async function expectAccessible(page: Page, name: string) {
    expect(await seriousViolations(page), name).toEqual([]);
    await screenshot(page, name);
  }

  it("shows a Global Reader every page without a write action; the API refuses writes", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    const page = await signedIn(w.reader, "/consent-settings");
    await page.getByRole("heading", { level: 1, name: "Consent and permissions" }).waitFor();
    await page.getByLabel("Do not allow user consent", { exact: true }).waitFor();
    expect(await navLinks(page)).toEqual([
      "Overview",
      "All applications",
      "Admin consent requests",
      "Consent and permissions",
      "App registrations",
      "Users",
      "Groups",
      "Sign-in logs",
      "Audit logs",
      "Webhooks",
    ]);
    expect(await page.getByRole("button", { name: "Save" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Classify" }).count()).toBe(0);
    expect(await page.getByLabel("Do not allow user consent", { exact: true }).isDisabled()).toBe(
      true,
    );
    await page.getByText("You can view this but not change it").first().waitFor();
    // The classifications are listed all the same.
    await page.getByRole("row", { name: /openid/ }).waitFor();
    await expectAccessible(page, "rbac-global-reader-consent-settings");

    // An enterprise app: every tab readable, nothing to change.
    await page.goto(portal(`/enterprise-apps/${spId}`));
    await page.getByLabel("Assignment required", { exact: true }).waitFor();
    expect(await page.getByLabel("Assignment required", { exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Save" }).count()).toBe(0);
    await page.getByRole("link", { name: "Users and groups" }).click();
    await page.getByText("No users or groups are assigned.").waitFor();
    expect(await page.getByLabel("Add a user or group").count()).toBe(0);
    await page.getByRole("link", { name: "Permissions", exact: true }).click();
    await page.getByRole("row", { name: /User\.Read/ }).waitFor();
    expect(await page.getByRole("button", { name: /Revoke/ }).count()).toBe(0);
    await page.getByText("You can view this but not change it").waitFor();
    await expectAccessible(page, "rbac-global-reader-app-permissions");

    await page.getByRole("link", { name: "Webhooks" }).click();
    await page.getByRole("heading", { level: 1, name: "Webhooks" }).waitFor();
    await page.getByText("No webhook endpoints yet.").waitFor();
    expect(await page.getByRole("heading", { name: "Add an endpoint" }).count()).toBe(0);

    // The API is the authority: a write from this session is refused with words.
    const answer = await page.evaluate(async (tenant) => {
      const session = JSON.parse(sessionStorage.getItem(`assent.portal.token.${tenant}`) ?? "{}");
      const r = await fetch("/api/v1/policies/authorizationPolicy", {
        method: "PATCH",
        headers: {
          authorization: `Bearer ${session.accessToken}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ userConsent: "all_apps" }),
      });
      return { status: r.status, body: (await r.json()) as { error: { code: string } } };
    }, w.tenant.id);
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe("authorization.role_required");
    await page.context().close();
  });

  it("lets a reviewer without a granting role deny, with Approve disabled and the reason", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    const page = await signedIn(w.reviewer, `/consent-requests/${requestId}`);
    await page.getByRole("heading", { level: 1, name: /Northwind CRM/ }).waitFor();
    expect(await navLinks(page)).toEqual(["Overview", "Admin consent requests"]);
    const approve = page.getByRole("button", { name: "Approve" });
    expect(await approve.isDisabled()).toBe(true);
    const why = await approve.getAttribute("aria-describedby");
    expect(await page.locator(`[id="${why}"]`).textContent()).toContain(
      "Approving needs a directory role that may grant",
    );
    expect(await page.getByRole("button", { name: "Deny" }).isEnabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Block" }).isEnabled()).toBe(true);
    await expectAccessible(page, "rbac-reviewer-request");
    await page.getByRole("button", { name: "Deny" }).click();
    const dialog = page.getByRole("dialog", { name: /Deny Northwind CRM/ });
    await dialog.getByLabel("Reason (shown to the requesters)").fill("Not for now.");
    await dialog.getByRole("button", { name: "Deny" }).click();
    await dialog.waitFor({ state: "detached" });
    await expect.poll(() => page.locator(".badge.denied").first().textContent()).toBe("Denied");

    // A deep link to a page the reviewer may not read says so.
    await page.goto(portal("/users"));
    await page
      .getByRole("heading", { level: 1, name: "You don't have access to this page" })
      .waitFor();
    expect(await page.getByRole("alert").textContent()).toContain("no directory role");
    await page.context().close();
  });

  it("gives a Reports Reader the logs only; other pages say there is no access", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    const page = await signedIn(reportsReader, "");
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    expect(await navLinks(page)).toEqual(["Overview", "Sign-in logs", "Audit logs"]);
    await page.getByRole("heading", { level: 2, name: "Recent failed sign-ins" }).waitFor();
    expect(await page.getByRole("heading", { name: "Requests waiting for you" }).count()).toBe(0);
    await page.getByRole("link", { name: "Audit logs" }).click();
    await page.getByRole("heading", { level: 1, name: "Audit logs" }).waitFor();

    for (const path of ["/consent-settings", `/consent-requests/${requestId}`, "/webhooks"]) {
      await page.goto(portal(path));
      await page
        .getByRole("heading", { level: 1, name: "You don't have access to this page" })
        .waitFor();
      expect(await page.getByRole("alert").textContent(), path).toContain("Reports Reader");
    }
    await expectAccessible(page, "rbac-no-access");
    await page.context().close();
    expect(errors).toEqual([]);
  });
});
