import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { connectDb, createConnectApp } from "../../src/connect/index.ts";
import { createMailApp } from "../../src/mail/index.ts";
import {
  authorizeRequest,
  type ConsentWorld,
  expectPage,
  signInAndWalk,
  walk,
} from "../identity/consent/support.ts";
import { Browser, locationOf, parseForm, signIn } from "../identity/oauth/support/browser.ts";
import {
  type IdentityServer,
  PASSWORD,
  seedTenant,
  startIdentity,
} from "../identity/oauth/support/fixture.ts";
import { authorizeUrl, pkcePair } from "../identity/oauth/support/protocol.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import { frameAndReferrerProblems, seedPagesWorld } from "./support/pages.ts";

/**
 * Web attacks on every HTML page of the three services: framing (clickjacking), Referer
 * leakage, CSRF on every form, and the admin API's refusal of ambient (cookie) credentials.
 */

function pkce() {
  return { code_challenge: pkcePair().challenge, code_challenge_method: "S256" };
}

const silent = pino({ level: "silent" });

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (!address || typeof address !== "object") throw new Error("not listening");
  return `http://127.0.0.1:${address.port}`;
}

describe("clickjacking, Referer and CSRF (pglite)", () => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  let w: ConsentWorld;
  let mail: FastifyInstance;
  let connect: FastifyInstance;
  let mailUrl: string;
  let connectUrl: string;
  beforeAll(async () => {
    t = await openTestDatabase("pglite");
    if (!t) return;
    server = await startIdentity(t);
    w = await seedPagesWorld(t, server, "web");
    const config = loadConfig({ LOG_LEVEL: "silent", ASSENT_MAIL_SMTP_PORT: "0" });
    mail = createMailApp({ config, database: t.database, logger: silent });
    mailUrl = await listen(mail);
    void connectDb;
    connect = createConnectApp({
      config,
      database: t.database,
      keyRing: server.keyRing,
      logger: silent,
      wake: () => {},
    });
    connectUrl = await listen(connect);
  });
  afterAll(async () => {
    await mail?.close();
    await connect?.close();
    await server?.close();
    await t?.close();
  });

  /** Every HTML page a person can reach, by name, with the response that served it. */
  async function everyPage(): Promise<Array<[string, Response]>> {
    const pages: Array<[string, Response]> = [];
    const tenant = `${server.baseUrl}/${w.tenant.id}`;
    const get = async (name: string, url: string | URL, browser = new Browser()) =>
      pages.push([name, await browser.get(url)]);

    // The interaction pages, each reached the way a person reaches it.
    const signInBrowser = new Browser();
    const home = await authorizeRequest(w, w.homeApp, "openid User.Read");
    const signInPage = expectPage(await walk(signInBrowser, home.url));
    await get("sign-in", signInPage.url, signInBrowser);
    const consentBrowser = new Browser();
    const consent = expectPage(await signInAndWalk(consentBrowser, home.url, w.megan));
    expect(consent.html).toContain('name="permissions"');
    await get("consent", consent.url, consentBrowser);
    const approvalBrowser = new Browser();
    const foreign = await authorizeRequest(w, w.foreignApp, "openid Mail.Read");
    const approval = expectPage(await signInAndWalk(approvalBrowser, foreign.url, w.megan));
    expect(approval.html).toContain("Approval required");
    await get("approval required", approval.url, approvalBrowser);
    const { action, fields } = parseForm(approval.html, approval.url);
    const sent = await approvalBrowser.post(action, { ...fields, justification: "for work" });
    pages.push(["request sent (POST answer)", sent]);
    const sentPage =
      sent.status === 200
        ? { html: await sent.clone().text() }
        : expectPage(await walk(approvalBrowser, locationOf(sent, action)));
    expect(sentPage.html).toContain("Request sent");
    const statusHref = /href="([^"]*consent-requests\/[0-9a-f-]{36})"/.exec(sentPage.html)?.[1];
    expect(statusHref).toBeTruthy();
    await get("request status", new URL(statusHref as string, server.baseUrl), approvalBrowser);
    await get("request status (signed out)", new URL(statusHref as string, server.baseUrl));

    // Error pages and first-party pages.
    await get("error code page", `${server.baseUrl}/error?code=50011`);
    await get(
      "bad redirect URI",
      (await authorizeRequest(w, w.homeApp, "openid", { redirect_uri: "https://evil.example/" }))
        .url,
    );
    await get("unknown tenant", `${server.baseUrl}/no-such-tenant/oauth2/v2.0/authorize`);
    await get("my apps (signed out)", `${tenant}/myapps`);
    await get("my apps", `${tenant}/myapps`, consentBrowser);
    await get("report app", `${tenant}/report-app?client_id=${w.homeApp.appId}`);
    const adminConsent = `${tenant}/v2.0/adminconsent?client_id=${w.foreignApp.appId}&scope=Mail.Read&redirect_uri=${encodeURIComponent("http://127.0.0.1:9/callback")}`;
    await get("admin consent (signed out)", adminConsent);
    await get("admin consent (not an administrator)", adminConsent, consentBrowser);
    const adminBrowser = new Browser();
    await signInAndWalk(
      adminBrowser,
      (await authorizeRequest(w, w.homeApp, "openid")).url,
      w.admin,
    );
    await get("admin consent", adminConsent, adminBrowser);
    await get("sign out", `${tenant}/oauth2/v2.0/logout`, consentBrowser);
    await get("portal", `${tenant}/portal`);
    await get("portal callback", `${server.baseUrl}/portal/callback`);
    await get("API docs", `${server.baseUrl}/api/docs`);

    // Mail's mailbox page and Connect's hosted pages.
    await get("mailbox", `${mailUrl}/mailbox`);
    await get("connect approval page", `${connectUrl}/v3/connect/approvals/${randomUUID()}`);
    await get("connect auth error", `${connectUrl}/v3/connect/auth`);
    await get(
      "connect callback (unknown state)",
      `${connectUrl}/v3/connect/callback?code=c&state=s`,
    );
    return pages;
  }

  it("forbids framing and Referer on every HTML page of Identity, Mail and Connect", async () => {
    const pages = await everyPage();
    const problems = pages.flatMap(([name, response]) =>
      frameAndReferrerProblems(response).map((p) => `${name} (${response.status}): ${p}`),
    );
    expect(problems).toEqual([]);
    for (const [name, response] of pages)
      if (response.status === 200)
        expect(response.headers.get("content-type"), name).toMatch(/text\/html/);
  });

  it("sends codes with no-referrer: the redirect to the app and the form_post page", async () => {
    // A tenant whose administrator consented for the app: prompt=none answers with a code.
    const s = await seedTenant(t as TestDatabase, server, "web-codes");
    const browser = new Browser();
    const first = await signIn(browser, authorizeUrl(s, { ...pkce() }), {
      username: s.user.userPrincipalName,
      password: PASSWORD,
    });
    expect(first.searchParams.get("code")).toBeTruthy();
    const redirect = await browser.get(authorizeUrl(s, { ...pkce(), prompt: "none" }));
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get("location")).toMatch(/^http:\/\/127\.0\.0\.1:9\/callback\?code=/);
    expect(redirect.headers.get("referrer-policy")).toBe("no-referrer");

    const formPost = await browser.get(
      authorizeUrl(s, { ...pkce(), prompt: "none", response_mode: "form_post" }),
    );
    const html = await formPost.text();
    expect(html).toContain('action="http://127.0.0.1:9/callback"');
    expect(html).toMatch(/name="code"/);
    expect(frameAndReferrerProblems(formPost)).toEqual([]);
    expect(formPost.headers.get("cache-control")).toMatch(/no-store/);
  });

  it("refuses every interaction form without its CSRF token, or with another's", async () => {
    const browser = new Browser();
    const { url } = await authorizeRequest(w, w.homeApp, "openid User.Read");
    const page = expectPage(await walk(browser, url));
    const { action, fields } = parseForm(page.html, page.url);
    const base = action.href.replace(/\/[a-z-]+$/, "");
    for (const step of [
      "login",
      "consent",
      "request-approval",
      "return",
      "select-account",
      "cancel",
    ]) {
      const target = `${base}/${step}`;
      const { csrf_token: _, ...without } = fields;
      const missing = await browser.post(target, without);
      expect(missing.status, `${step} without a token`).toBe(403);
      const forged = await browser.post(target, { ...fields, csrf_token: "x".repeat(43) });
      expect(forged.status, `${step} with a forged token`).toBe(403);
      // A cross-site POST carries no cookie of the victim's: the genuine token does not help.
      const crossSite = await new Browser().post(target, fields);
      expect(crossSite.status, `${step} from another browser`).toBeGreaterThanOrEqual(400);
      expect(crossSite.headers.get("location")).toBeNull();
    }
  });

  it("refuses every first-party form without its CSRF token", async () => {
    const tenant = `${server.baseUrl}/${w.tenant.id}`;
    // Signed in (the session cookie a cross-site form would carry under SameSite=None).
    const browser = new Browser();
    await signInAndWalk(browser, (await authorizeRequest(w, w.homeApp, "openid")).url, w.admin);
    await browser.get(`${tenant}/myapps`);
    const admin = `client_id=${w.foreignApp.appId}&scope=Mail.Read&redirect_uri=${encodeURIComponent("http://127.0.0.1:9/callback")}`;
    const requestId = randomUUID();
    const forms = [
      `${tenant}/myapps/login`,
      `${tenant}/myapps/remove`,
      `${tenant}/v2.0/adminconsent?${admin}`,
      `${tenant}/v2.0/adminconsent/login?${admin}`,
      `${tenant}/v2.0/adminconsent/cancel?${admin}`,
      `${tenant}/consent-requests/${requestId}/login`,
      `${tenant}/consent-requests/${requestId}/withdraw`,
    ];
    for (const form of forms) {
      const response = await browser.post(form, {
        username: w.megan.userPrincipalName,
        password: PASSWORD,
        client_id: w.foreignApp.appId,
        redirect_uri: "http://127.0.0.1:9/callback",
        scope: "Mail.Read",
      });
      expect(response.status, `${form}: ${await response.clone().text()}`).toBe(403);
      expect(response.headers.get("location"), form).toBeNull();
      expect(await response.text(), form).toContain("50089");
    }
  });

  it("refuses a sign-out confirmation without the page's xsrf token", async () => {
    const browser = new Browser();
    await signInAndWalk(browser, (await authorizeRequest(w, w.homeApp, "openid")).url, w.megan);
    const page = await browser.get(`${server.baseUrl}/${w.tenant.id}/oauth2/v2.0/logout`);
    const html = await page.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    expect(action).toBeTruthy();
    const confirm = new URL((action as string).replace(/&amp;/g, "&"), server.baseUrl);
    const forged = await browser.post(confirm, { xsrf: "forged", logout: "yes" });
    expect(forged.status).toBe(400);
    expect(browser.hasCookie(`assent_session_${w.tenant.id}`)).toBe(true);
  });

  it("refuses cookie-only calls to the admin API and cross-origin preflights", async () => {
    const browser = new Browser();
    await signInAndWalk(browser, (await authorizeRequest(w, w.homeApp, "openid")).url, w.admin);
    const url = new URL(`${server.baseUrl}/api/v1/me`);
    const cookieOnly = await fetch(url, {
      headers: { cookie: browser.cookieHeader(url), origin: "https://evil.example" },
    });
    expect(cookieOnly.status).toBe(401);
    expect(cookieOnly.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await fetch(`${server.baseUrl}/api/v1/users`, {
      method: "OPTIONS",
      headers: {
        origin: "https://evil.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBeGreaterThanOrEqual(400);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
    // A simple cross-site form POST (no preflight) is not an authenticated call either.
    const form = await fetch(`${server.baseUrl}/api/v1/users`, {
      method: "POST",
      headers: {
        cookie: browser.cookieHeader(url),
        origin: "https://evil.example",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "displayName=x&userPrincipalName=x%40web.example",
    });
    expect([401, 415]).toContain(form.status);
  });
});
