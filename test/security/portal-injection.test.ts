import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../src/identity/activity/audit-log.ts";
import {
  type Application,
  createApplication,
  MAIL_APPLICATION_ID,
  setPublisherDisplayName,
} from "../../src/identity/apps/index.ts";
import { submitConsentRequest } from "../../src/identity/consent-requests/index.ts";
import { createDirectory, type User } from "../../src/identity/directory/index.ts";
import { signingKeysOnTenantCreated } from "../../src/identity/keys/index.ts";
import { collectErrors, ensurePortalBuilt } from "../browser/portal-support.ts";
import { REDIRECT_URI } from "../identity/consent/support.ts";
import { seedWorkflow, type Workflow } from "../identity/consent-requests/support.ts";
import { type IdentityServer, PASSWORD, startIdentity } from "../identity/oauth/support/fixture.ts";
import { launchBrowser, type TestBrowser } from "../support/browser.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import { HOSTILE_NAME } from "./support/payloads.ts";

/**
 * The admin portal in a real Chromium showing hostile app, publisher and user names and a
 * hostile justification: nothing runs (`window.__pwned` stays unset, no CSP violation is
 * reported) and each string is shown literally as text.
 */
describe("hostile strings in the admin portal (Chromium)", () => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  let browser: TestBrowser | undefined;
  let w: Workflow;
  let evil: Application;
  let mallory: User;
  let requestId: string;
  let page: Page;
  let errors: string[];
  const justification = `Because ${HOSTILE_NAME}`;

  beforeAll(async () => {
    browser = await launchBrowser();
    if (!browser) return;
    await ensurePortalBuilt();
    t = await openTestDatabase("pglite");
    if (!t) return;
    server = await startIdentity(t);
    w = await seedWorkflow(t, "pinj", {
      onTenantCreated: [signingKeysOnTenantCreated(server.keyRing)],
      policy: { reviewers: [{ type: "role", id: "global_administrator" }] },
    });
    const { db } = t.database;
    evil = await createApplication(
      db,
      w.publisher.id,
      {
        displayName: HOSTILE_NAME,
        isPublicClient: true,
        signInAudience: "AzureADMultipleOrgs",
        redirectUris: [REDIRECT_URI],
      },
      CLI_ACTOR,
    );
    await setPublisherDisplayName(db, w.publisher.id, evil.id, `Pub ${HOSTILE_NAME}`, CLI_ACTOR);
    mallory = await createDirectory({ database: t.database }).users.create(
      w.tenant.id,
      {
        userPrincipalName: "mallory@pinj.example",
        displayName: `Mallory ${HOSTILE_NAME}`,
        password: PASSWORD,
      },
      CLI_ACTOR,
    );
    ({ requestId } = await submitConsentRequest(db, {
      tenantId: w.tenant.id,
      clientApplicationId: evil.id,
      userId: mallory.id,
      justification,
      requested: [{ resourceApplicationId: MAIL_APPLICATION_ID, scopes: ["openid", "Mail.Read"] }],
    }));
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = collectErrors(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  const portal = (path = "") => `${server.baseUrl}/${w.tenant.id}/portal${path}`;
  const pwned = () => page.evaluate("window.__pwned");

  it("shows the request's app, publisher, requester and justification as text", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.goto(portal(`/consent-requests/${requestId}`));
    await page.waitForURL((url) => !url.pathname.includes("/portal"));
    await page.fill('input[name="username"]', w.globalAdmin.userPrincipalName);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button:text("Sign in")');
    await page.getByRole("heading", { level: 1, name: HOSTILE_NAME }).waitFor();
    expect(await page.getByText(justification, { exact: true }).count()).toBeGreaterThan(0);
    expect(await page.getByText(`Mallory ${HOSTILE_NAME}`).count()).toBeGreaterThan(0);
    expect(await page.locator("img[src=x]").count()).toBe(0);
    expect(await pwned()).toBeUndefined();
  });

  it("lists the request, the user and the audit events without running anything", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    for (const [path, text] of [
      ["/consent-requests?filter=all", HOSTILE_NAME],
      ["/users", `Mallory ${HOSTILE_NAME}`],
      [`/users/${mallory.id}`, `Mallory ${HOSTILE_NAME}`],
      ["/audit-logs", "Add user"],
    ] as const) {
      await page.goto(portal(path));
      await page.getByText(text).first().waitFor();
      expect(await page.locator("img[src=x]").count(), path).toBe(0);
      expect(await pwned(), path).toBeUndefined();
    }
    expect(errors).toEqual([]);
  });
});
