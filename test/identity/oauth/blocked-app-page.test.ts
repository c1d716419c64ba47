import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import {
  authorizeRequest,
  type ConsentWorld,
  expectPage,
  seedWorld,
  signInAndWalk,
  walk,
} from "../consent/support.ts";
import { textOf } from "../consent-requests/pages-support.ts";
import { Browser } from "./support/browser.ts";
import { type IdentityServer, startIdentity } from "./support/fixture.ts";

/**
 * Regression: a blocked app at the authorize endpoint (a user who already has a session, so
 * the refusal comes from the grant check, not the consent page) showed the generic "trouble
 * signing you in" page. It shows the dedicated blocked-app page, with the troubleshooting
 * details, and its link still carries AADSTS7000112 to the app. A disabled (not blocked) app
 * keeps the generic page.
 */
describe.each(["pglite", "postgres"] as const)("a blocked app at authorize on %s", (kind) => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (t) server = await startIdentity(t);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  /** Megan signed in (through the tenant's own app), then the foreign app's service principal set. */
  async function signedInWithForeignApp(slug: string, set: "blocked" | "disabled") {
    const db = (t as TestDatabase).database.db;
    const w: ConsentWorld = await seedWorld(t as TestDatabase, server, slug, {
      userConsent: "disabled",
      adminConsentWorkflowEnabled: true,
    });
    const browser = new Browser();
    const home = await authorizeRequest(w, w.homeApp, "openid");
    await signInAndWalk(browser, home.url, w.megan);
    const blocked = set === "blocked";
    await sql`insert into identity.service_principals (tenant_id, application_id, blocked, account_enabled)
      values (${w.tenant.id}, ${w.foreignApp.id}, ${blocked}, ${blocked})
      on conflict (tenant_id, application_id)
      do update set blocked = ${blocked}, account_enabled = ${blocked}`.execute(db);
    const { url } = await authorizeRequest(w, w.foreignApp, "openid Mail.Read");
    return { w, page: expectPage(await walk(browser, url)) };
  }

  function continueParams(html: string, label: string): Record<string, string> {
    const href = new RegExp(`<a href="([^"]+)">${label}</a>`).exec(html)?.[1];
    if (!href) throw new Error(`no "${label}" link in ${html.slice(0, 300)}`);
    return Object.fromEntries(new URL(href.replace(/&amp;/g, "&")).searchParams);
  }

  it("shows the blocked-app page with the troubleshooting details; the app is told 7000112", async (ctx) => {
    if (!t) return ctx.skip();
    const { w, page } = await signedInWithForeignApp("blk-page", "blocked");
    expect(page.status).toBe(403);
    const text = textOf(page.html);
    expect(text).toContain("Your organization has blocked this app");
    expect(text).toContain("An administrator of your organization has blocked Northwind CRM.");
    expect(text).not.toContain("having trouble signing you in");
    expect(page.html).not.toContain("Request approval");
    expect(text).toContain("Troubleshooting details");
    expect(text).toMatch(
      /Error Code 7000112 Request Id [0-9a-f-]{36} Correlation Id [0-9a-f-]{36}/,
    );
    expect(text).toMatch(/Timestamp \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/);
    expect(text).toContain(`App id ${w.foreignApp.appId}`);
    const params = continueParams(page.html, "Back to the application");
    expect(params).toMatchObject({ error: "unauthorized_client", error_codes: "[7000112]" });
  });

  it("a disabled app (not blocked) keeps the generic error page", async (ctx) => {
    if (!t) return ctx.skip();
    const { page } = await signedInWithForeignApp("blk-disabled", "disabled");
    expect(page.status).toBe(403);
    const text = textOf(page.html);
    expect(text).toContain("having trouble signing you in");
    expect(text).not.toContain("Your organization has blocked this app");
    expect(text).toContain("Error Code 7000112");
    const params = continueParams(page.html, "Back to the application");
    expect(params).toMatchObject({ error: "unauthorized_client", error_codes: "[7000112]" });
  });
});
