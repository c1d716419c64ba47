import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signingKeysOnTenantCreated } from "../../src/identity/keys/index.ts";
import { enqueueEmail } from "../../src/platform/mail/index.ts";
import { seedWorkflow, type Workflow } from "../identity/consent-requests/support.ts";
import { type IdentityServer, PASSWORD, startIdentity } from "../identity/oauth/support/fixture.ts";
import { launchBrowser, type TestBrowser } from "../support/browser.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import { collectErrors, ensurePortalBuilt, seriousViolations } from "./portal-support.ts";

/**
 * With no SMTP configured (the fixture sets no SMTP_URL), Admin consent requests says so in
 * plain words: how many notifications wait, and what to set.
 */
describe("the admin portal without email", () => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  let browser: TestBrowser | undefined;
  let w: Workflow;

  beforeAll(async () => {
    browser = await launchBrowser();
    if (!browser) return;
    await ensurePortalBuilt();
    t = await openTestDatabase("pglite");
    if (!t) return;
    server = await startIdentity(t);
    w = await seedWorkflow(t, "mailnotice", {
      onTenantCreated: [signingKeysOnTenantCreated(server.keyRing)],
      policy: { reviewers: [{ type: "role", id: "global_administrator" }] },
    });
    // A reviewer's notification, waiting in the outbox as it would without SMTP.
    await enqueueEmail(
      t.database.db,
      "identity",
      { to: w.globalAdmin.userPrincipalName, subject: "A request waits", text: "Please review." },
      { tenantId: w.tenant.id },
    );
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  it("says email is not configured, how many notifications wait, and to set SMTP_URL", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = collectErrors(page);
    await page.goto(`${server.baseUrl}/${w.tenant.id}/portal/consent-requests?filter=all`);
    await page.waitForURL((url) => !url.pathname.includes("/portal"));
    await page.fill('input[name="username"]', w.globalAdmin.userPrincipalName);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button:text("Sign in")');
    await page.getByRole("heading", { level: 1, name: "Admin consent requests" }).waitFor();
    const notice = page.getByRole("status").filter({ hasText: "Email is not configured" });
    await notice.waitFor();
    const text = await notice.textContent();
    expect(text).toContain("1 notification is waiting to be sent");
    expect(text).toContain("Set SMTP_URL");
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
