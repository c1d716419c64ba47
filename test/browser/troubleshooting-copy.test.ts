import { randomUUID } from "node:crypto";
import type { Page, Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../src/identity/activity/audit-log.ts";
import { updateServicePrincipal } from "../../src/identity/apps/index.ts";
import {
  type IdentityServer,
  PASSWORD,
  type Seeded,
  seedTenant,
  startIdentity,
} from "../identity/oauth/support/fixture.ts";
import { launchBrowser, type TestBrowser } from "../support/browser.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";

const COPY = "Copy info to clipboard";

/**
 * What a page's scripts threw or the browser refused to run: a Content-Security-Policy
 * violation is reported on the console. (The error status of the page itself, also logged
 * there, is expected.)
 */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
      errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

/** The troubleshooting block's text as the page shows it for selecting (no JavaScript needed). */
async function shownText(page: Page): Promise<string> {
  return (await page.locator("pre#troubleshooting-text").textContent()) ?? "";
}

/** What is on the clipboard now, read back in the page (the test's context may read it). */
async function clipboardText(page: Page): Promise<string> {
  // A string: the test files are typed without the DOM library.
  return String(await page.evaluate("navigator.clipboard.readText()"));
}

/**
 * "Copy info to clipboard" in a real Chromium: one click puts the troubleshooting block on the
 * clipboard, on every kind of error page Identity serves (its own pages, oidc-provider's, and
 * the protocol routes'), under the Content-Security-Policy Identity sends; without JavaScript
 * the button is not there and the details stay selectable text.
 */
describe.each(["pglite", "postgres"] as const)("troubleshooting copy button on %s", (kind) => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  let browser: TestBrowser | undefined;
  let s: Seeded;
  beforeAll(async () => {
    browser = await launchBrowser();
    if (!browser) return;
    t = await openTestDatabase(kind);
    if (!t) return;
    server = await startIdentity(t);
    s = await seedTenant(t, server, `copy-${kind}`);
    // The user is not assigned to the app: signing in ends on the 50105 error page.
    await updateServicePrincipal(
      t.database.db,
      s.tenant.id,
      s.spa.id,
      { appRoleAssignmentRequired: true },
      CLI_ACTOR,
    );
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  function authorizeUrl(clientId: string): string {
    const url = new URL(`${server.baseUrl}/${s.tenant.id}/oauth2/v2.0/authorize`);
    url.search = new URLSearchParams({
      client_id: clientId,
      response_type: "code",
      redirect_uri: s.redirectUri,
      scope: "openid",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    }).toString();
    return url.toString();
  }

  it("copies the whole block in one click after a failed sign-in", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    const page = await browser.newPage();
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: server.baseUrl,
    });
    const errors = collectErrors(page);
    const documents: Response[] = [];
    page.on("response", (r) => {
      if (r.request().isNavigationRequest()) documents.push(r);
    });
    await page.goto(authorizeUrl(s.spa.appId));
    await page.fill('input[name="username"]', s.user.userPrincipalName);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button:text("Sign in")');
    await page.getByRole("heading", { name: "Troubleshooting details" }).waitFor();
    const response = documents[documents.length - 1]!;
    const csp = response.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self' 'sha256-");
    expect(csp).not.toContain("unsafe-inline' 'sha256"); // scripts: never 'unsafe-inline'
    expect(csp.split(";").find((d) => d.trim().startsWith("script-src"))).not.toContain(
      "unsafe-inline",
    );

    const button = page.getByRole("button", { name: COPY });
    await expect.poll(() => button.isVisible()).toBe(true);
    await button.click();
    await expect.poll(() => page.locator("#troubleshooting-copied").textContent()).toBe("Copied.");
    const copied = await clipboardText(page);

    expect(copied).toBe(await shownText(page));
    const requestId = response.headers()["x-request-id"];
    expect(copied).toContain("Error Code: 50105");
    expect(copied).toContain(`Request Id: ${requestId}`);
    expect(copied).toMatch(/^Correlation Id: [0-9a-f-]{36}$/m);
    expect(copied).toMatch(/^Timestamp: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/m);
    expect(copied).toContain("Message: AST50105: ");
    expect(copied).toContain(`App name: ${s.spa.displayName}`);
    expect(copied).toContain(`App id: ${s.spa.appId}`);
    expect(copied).toMatch(/^IP address: 127\.0\.0\.1$/m);
    expect(errors).toEqual([]);
  });

  it("copies on the error pages of oidc-provider, the protocol routes and the interactions", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    const pages = [
      // An unknown client: oidc-provider renders the page (never a redirect).
      { url: authorizeUrl(randomUUID()), code: 700016 },
      // An unknown tenant: answered before any provider runs.
      {
        url: authorizeUrl(s.spa.appId).replace(s.tenant.id, "no-such-tenant.example"),
        code: 90002,
      },
      // An interaction this browser never started.
      { url: `${server.baseUrl}/${s.tenant.id}/interaction/${randomUUID()}`, code: 50089 },
    ];
    for (const expected of pages) {
      const page = await browser.newPage();
      await page.context().grantPermissions(["clipboard-read", "clipboard-write"], {
        origin: server.baseUrl,
      });
      const errors = collectErrors(page);
      const response = await page.goto(expected.url);
      expect(response?.headers()["content-type"]).toContain("text/html");
      await page.getByRole("button", { name: COPY }).click();
      await expect
        .poll(() => page.locator("#troubleshooting-copied").textContent())
        .toBe("Copied.");
      const copied = await clipboardText(page);
      expect(copied).toBe(await shownText(page));
      expect(copied).toContain(`Error Code: ${expected.code}`);
      expect(copied).toContain(`Request Id: ${response?.headers()["x-request-id"]}`);
      expect(errors, expected.url).toEqual([]);
    }
  });

  it("without JavaScript shows no button, and the details as text to select", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    const page = await browser.newPage({ javaScriptEnabled: false });
    const response = await page.goto(authorizeUrl(randomUUID()));
    expect(response?.status()).toBe(400);
    expect(await page.getByRole("button", { name: COPY }).isVisible()).toBe(false);
    await page.getByText("Show as text to copy").click();
    const text = page.locator("pre#troubleshooting-text");
    expect(await text.isVisible()).toBe(true);
    expect(await text.textContent()).toContain(
      `Request Id: ${response?.headers()["x-request-id"]}`,
    );
    // In the browser: getComputedStyle (the test files are typed without the DOM library).
    const userSelect = await text.evaluate(
      (el) =>
        (
          globalThis as unknown as { getComputedStyle(e: unknown): { userSelect: string } }
        ).getComputedStyle(el).userSelect,
    );
    expect(userSelect).toBe("all");
  });
});
