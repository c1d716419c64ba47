import pino from "pino";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listDirectoryAudits } from "../../src/identity/activity/index.ts";
import { type IdentityBackground, startIdentityBackground } from "../../src/identity/background.ts";
import { signingKeysOnTenantCreated } from "../../src/identity/keys/index.ts";
import { listenReceiver, waitFor } from "../identity/consent-requests/servers.ts";
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
 * Monitoring > Webhooks in a real Chromium, with Identity's real background worker and a local
 * HTTP receiver: an administrator adds an endpoint (the secret is shown once), a request is
 * submitted and the receiver gets the event, the delivery shows in the endpoint's log, Resend
 * sends it again (the receiver gets it a second time, with the same webhook-id, and the resend
 * is audited), and the endpoint is removed after a confirmation.
 */
describe("the admin portal: webhooks", () => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  let browser: TestBrowser | undefined;
  let background: IdentityBackground | undefined;
  let receiver: Awaited<ReturnType<typeof listenReceiver>>;
  let w: Workflow;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    browser = await launchBrowser();
    if (!browser) return;
    await ensurePortalBuilt();
    t = await openTestDatabase("pglite");
    if (!t) return;
    server = await startIdentity(t);
    w = await seedWorkflow(t, "portal-hooks", {
      onTenantCreated: [signingKeysOnTenantCreated(server.keyRing)],
      policy: { notifyReviewers: false },
    });
    receiver = await listenReceiver();
    background = startIdentityBackground({
      db: t.database.db,
      logger: pino({ level: "silent" }),
      smtp: undefined,
      consentRequests: {
        publicUrl: server.baseUrl,
        keyRing: server.keyRing,
        allowLoopbackWebhooks: true,
      },
      pollMs: 50,
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = collectErrors(page);
  });
  afterAll(async () => {
    await browser?.close();
    await background?.stop();
    await receiver?.close();
    await server?.close();
    await t?.close();
  });

  const portal = (path = "") => `${server.baseUrl}/${w.tenant.id}/portal${path}`;
  async function expectAccessible(name: string) {
    expect(await seriousViolations(page), name).toEqual([]);
    await screenshot(page, name);
  }

  it("adds an endpoint and shows its secret once", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.goto(portal("/webhooks"));
    await page.waitForURL((url) => !url.pathname.includes("/portal"));
    await page.fill('input[name="username"]', w.globalAdmin.userPrincipalName);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button:text("Sign in")');
    await page.getByRole("heading", { level: 1, name: "Webhooks" }).waitFor();
    await page.getByText("No webhook endpoints yet.").waitFor();
    await expectAccessible("webhooks-empty");

    await page.getByLabel("URL (https, reachable from this server)").fill(receiver.url);
    await page.getByLabel("Description (optional)").fill("CRM <sync>");
    await page.getByLabel(/A request is withdrawn/).uncheck();
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const secret = page.getByLabel("Secret", { exact: true });
    await secret.waitFor();
    expect(await secret.inputValue()).toMatch(/^whsec_/);
    await page.getByText("Copy it now: it is not shown again.").waitFor();
    const row = page.getByRole("row", { name: new RegExp(receiver.url) });
    await row.waitFor();
    expect(await row.textContent()).toContain("CRM <sync>");
    expect(await row.textContent()).not.toContain("consent_request.withdrawn");
    await expectAccessible("webhooks-secret");
    await page.getByRole("button", { name: "I have stored it" }).click();
    expect(await secret.count()).toBe(0);
  });

  it("shows the delivery of an event, and Resend delivers it again through the worker", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await ask(t, w, w.megan, ["openid", "Mail.Read"], "For the CRM.");
    await waitFor(() => receiver.received.length >= 1, "the first delivery");
    const firstId = receiver.received[0]?.headers["webhook-id"];
    expect(JSON.parse(receiver.received[0]?.body ?? "{}").type).toBe("consent_request.created");

    await page.getByRole("button", { name: `Deliveries of ${receiver.url}` }).click();
    const deliveries = page.getByRole("region", { name: `Deliveries to ${receiver.url}` });
    const delivered = deliveries.getByRole("row", { name: /consent_request\.created/ });
    await delivered.waitFor();
    expect(await delivered.textContent()).toContain("Delivered (200)");
    await expectAccessible("webhooks-deliveries");

    await delivered.getByRole("button", { name: /Resend/ }).click();
    await deliveries.getByText("is queued to be sent again").waitFor();
    await waitFor(() => receiver.received.length >= 2, "the resent delivery");
    expect(receiver.received[1]?.headers["webhook-id"]).toBe(firstId);
    await expect
      .poll(async () => {
        await deliveries.getByRole("button", { name: "Refresh" }).click();
        return deliveries.getByRole("row", { name: /consent_request\.created/ }).count();
      })
      .toBe(2);
    const audit = await listDirectoryAudits(
      t.database.db,
      w.tenant.id,
      { activity: "Resend webhook delivery" },
      { top: 5 },
    );
    expect(audit.value).toHaveLength(1);
    expect(audit.value[0]?.initiatedBy).toMatchObject({
      type: "user",
      userPrincipalName: w.globalAdmin.userPrincipalName,
    });
  });

  it("removes the endpoint after a confirmation", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.getByRole("button", { name: `Remove ${receiver.url}` }).click();
    const dialog = page.getByRole("dialog", { name: `Remove ${receiver.url}?` });
    await dialog.waitFor();
    await expectAccessible("webhooks-remove");
    await dialog.getByRole("button", { name: "Remove" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByText("No webhook endpoints yet.").waitFor();
    expect(errors).toEqual([]);
  });
});
