import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  createApplication,
  ensureServicePrincipal,
  updateServicePrincipal,
} from "../../../src/identity/apps/index.ts";
import { createDirectory } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { Browser, followToApp, locationOf, parseForm, signIn } from "./support/browser.ts";
import {
  grantTenantWide,
  type IdentityServer,
  PASSWORD,
  type Seeded,
  seedTenant,
  startIdentity,
} from "./support/fixture.ts";
import { authorizeUrl, obtainCode, pkcePair, postToken, redeem } from "./support/protocol.ts";

function pkceUrl(s: Seeded, params: Record<string, string> = {}) {
  const { challenge } = pkcePair();
  return authorizeUrl(s, { code_challenge: challenge, code_challenge_method: "S256", ...params });
}

/** Opens the sign-in page of a fresh authorization request. */
async function openSignIn(browser: Browser, url: URL) {
  const interaction = locationOf(await browser.get(url), url);
  const page = await browser.get(interaction);
  const html = await page.text();
  return { interaction, page, html, form: parseForm(html, interaction) };
}

/** Signs in and expects an error page (no redirect) with a link back to the app. */
async function signInToErrorPage(url: URL, credentials: { username: string; password: string }) {
  const browser = new Browser();
  const { response } = await submit(browser, url, credentials.username, credentials.password);
  let next = locationOf(response, url);
  for (;;) {
    const hop = await browser.get(next);
    if (hop.status !== 303) {
      expect(hop.status).toBe(403);
      const html = await hop.text();
      expect(html).toContain("Troubleshooting details");
      const link = /<a href="([^"]+)">Back to the application<\/a>/.exec(html)?.[1] ?? "";
      return { html, continueUrl: new URL(link.replace(/&amp;/g, "&")) };
    }
    next = locationOf(hop, next);
  }
}

async function submit(browser: Browser, url: URL, username: string, password: string) {
  const { form } = await openSignIn(browser, url);
  const response = await browser.post(form.action, { ...form.fields, username, password });
  return { response, form };
}

describe.each(["pglite", "postgres"] as const)("sign-in pages on %s", (kind) => {
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

  it("shows one message for a wrong password, an unknown user and a disabled account", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "signin-generic");
    const directory = createDirectory({ database: t.database });
    const bob = await directory.users.create(
      s.tenant.id,
      { userPrincipalName: "bob@signin-generic.example", displayName: "Bob", password: PASSWORD },
      CLI_ACTOR,
    );
    await directory.users.disable(s.tenant.id, bob.id, CLI_ACTOR);
    const messages: string[] = [];
    for (const [username, password] of [
      [s.user.userPrincipalName, "wrong password entirely"],
      ["nobody@signin-generic.example", PASSWORD],
      [bob.userPrincipalName, PASSWORD],
    ] as const) {
      const { response } = await submit(new Browser(), pkceUrl(s), username, password);
      expect(response.status).toBe(200);
      const html = await response.text();
      messages.push(/role="alert"[^>]*>([^<]+)</.exec(html)?.[1] ?? "");
    }
    expect(messages[0]).toBe("Your user name or password is incorrect.");
    expect(new Set(messages).size).toBe(1);
  });

  it("prefills login_hint, escapes app names and sets safe cookies", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "signin-escape");
    const evil = await createApplication(
      t.database.db,
      s.tenant.id,
      {
        displayName: `<script>alert("x")</script>`,
        isPublicClient: true,
        redirectUris: [s.redirectUri],
      },
      CLI_ACTOR,
    );
    const browser = new Browser();
    const url = pkceUrl(s, { client_id: evil.appId, login_hint: "ada@signin-escape.example" });
    const first = await browser.get(url);
    for (const cookie of first.headers.getSetCookie()) {
      expect(cookie.toLowerCase()).toContain("httponly");
      expect(cookie.toLowerCase()).toContain("samesite=lax");
    }
    const page = await browser.get(locationOf(first, url));
    const html = await page.text();
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain('value="ada@signin-escape.example"');
  });

  it("refuses a form without the CSRF token of its interaction", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "signin-csrf");
    const browser = new Browser();
    const { form } = await openSignIn(browser, pkceUrl(s));
    const missing = await browser.post(form.action, {
      username: s.user.userPrincipalName,
      password: PASSWORD,
    });
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain("50089");
    const other = await openSignIn(new Browser(), pkceUrl(s));
    const foreign = await browser.post(form.action, {
      csrf_token: other.form.fields.csrf_token as string,
      username: s.user.userPrincipalName,
      password: PASSWORD,
    });
    expect(foreign.status).toBe(403);
  });

  it("locks an account after repeated failures, and the lock expires", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "signin-lock");
    for (let i = 0; i < 10; i++)
      await submit(new Browser(), pkceUrl(s), s.user.userPrincipalName, `wrong password ${i}`);
    const locked = await submit(new Browser(), pkceUrl(s), s.user.userPrincipalName, PASSWORD);
    expect(locked.response.status).toBe(429);
    expect(await locked.response.text()).toContain("temporarily locked");

    await t.database.db
      .updateTable("identity.sign_in_throttle")
      .set({ blocked_until: new Date(Date.now() - 1000) })
      .where("tenant_id", "=", s.tenant.id)
      .execute();
    const callback = await signIn(new Browser(), pkceUrl(s), {
      username: s.user.userPrincipalName,
      password: PASSWORD,
    });
    expect(callback.searchParams.get("code")).toBeTruthy();
  });

  it("enforces the enterprise app's switches: disabled (7000112), assignment (50105)", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const s = await seedTenant(t, server, "signin-access");
    await ensureServicePrincipal(db, s.tenant.id, s.spa.id);
    await updateServicePrincipal(
      db,
      s.tenant.id,
      s.spa.id,
      { appRoleAssignmentRequired: true },
      CLI_ACTOR,
    );
    const credentials = { username: s.user.userPrincipalName, password: PASSWORD };
    const unassigned = await signInToErrorPage(pkceUrl(s), credentials);
    expect(unassigned.html).toContain("50105");
    expect(unassigned.html).toContain("Contoso SPA");
    expect(Object.fromEntries(unassigned.continueUrl.searchParams)).toMatchObject({
      error: "access_denied",
      error_codes: "[50105]",
      state: "st-1",
    });

    // Global Administrators are exempt from assignment.
    await createDirectory({ database: t.database }).roles.assign(
      s.tenant.id,
      s.user.id,
      "global_administrator",
      CLI_ACTOR,
    );
    const { code, verifier } = await obtainCode(s);
    const tokens = await redeem(s, code, verifier);
    expect(tokens.status).toBe(200);

    // Disabling the enterprise app stops sign-in and refresh alike.
    await updateServicePrincipal(db, s.tenant.id, s.spa.id, { accountEnabled: false }, CLI_ACTOR);
    const disabled = await signInToErrorPage(pkceUrl(s), credentials);
    expect(disabled.continueUrl.searchParams.get("error_codes")).toBe("[7000112]");
    const refresh = await postToken(s, {
      grant_type: "refresh_token",
      client_id: s.spa.appId,
      refresh_token: String(tokens.body.refresh_token),
    });
    expect(refresh.body).toMatchObject({ error: "unauthorized_client", error_codes: [7000112] });
  });

  it("keeps single-tenant apps in their tenant and lets multi-tenant apps anywhere", async (ctx) => {
    if (!t) return ctx.skip();
    const home = await seedTenant(t, server, "signin-home");
    const other = await seedTenant(t, server, "signin-other");
    const foreign = await new Browser().get(pkceUrl(other, { client_id: home.spa.appId }));
    expect(foreign.status).toBe(400);
    expect(await foreign.text()).toContain("700016");

    const multi = await createApplication(
      t.database.db,
      home.tenant.id,
      {
        displayName: "Shared App",
        isPublicClient: true,
        signInAudience: "AzureADMultipleOrgs",
        redirectUris: [home.redirectUri],
      },
      CLI_ACTOR,
    );
    await grantTenantWide(t, other.tenant.id, multi);
    const callback = await signIn(new Browser(), pkceUrl(other, { client_id: multi.appId }), {
      username: other.user.userPrincipalName,
      password: PASSWORD,
    });
    expect(callback.searchParams.get("code")).toBeTruthy();
  });

  it("supports prompt=none, prompt=select_account and prompt=login", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "signin-prompts");
    const none = await new Browser().get(pkceUrl(s, { prompt: "none" }));
    const silent = locationOf(none, s.issuer);
    expect(Object.fromEntries(silent.searchParams)).toMatchObject({
      error: "login_required",
      error_codes: "[50058]",
    });

    const browser = new Browser();
    const credentials = { username: s.user.userPrincipalName, password: PASSWORD };
    await signIn(browser, pkceUrl(s), credentials);

    // Signed in: "Pick an account" lists the account, which continues without a password.
    const pick = pkceUrl(s, { prompt: "select_account" });
    const interaction = locationOf(await browser.get(pick), pick);
    const page = await browser.get(interaction);
    const html = await page.text();
    expect(html).toContain("Pick an account");
    expect(html).toContain(s.user.userPrincipalName);
    const form = parseForm(html, interaction);
    const chosen = await browser.post(form.action, { ...form.fields, account: s.user.id });
    const callback = await followToApp(browser, locationOf(chosen, form.action));
    expect(callback.searchParams.get("code")).toBeTruthy();

    // prompt=login asks for the password again despite the session.
    const login = pkceUrl(s, { prompt: "login" });
    const again = await browser.get(locationOf(await browser.get(login), login));
    expect(await again.text()).toContain('name="password"');
  });

  it("cancels a sign-in back to the app with access_denied (65004)", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "signin-cancel");
    const browser = new Browser();
    const { form } = await openSignIn(browser, pkceUrl(s));
    const cancelUrl = new URL(form.action.href.replace(/\/login$/, "/cancel"));
    const cancelled = await browser.post(cancelUrl, form.fields);
    const callback = await followToApp(browser, locationOf(cancelled, cancelUrl));
    expect(Object.fromEntries(callback.searchParams)).toMatchObject({
      error: "access_denied",
      error_codes: "[65004]",
      state: "st-1",
    });
  });

  it("asks before signing out and then ends the session", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedTenant(t, server, "signin-logout");
    const browser = new Browser();
    await signIn(browser, pkceUrl(s), { username: s.user.userPrincipalName, password: PASSWORD });
    const logoutUrl = new URL(`${s.issuer.replace(/\/v2\.0$/, "")}/oauth2/v2.0/logout`);
    const confirm = await browser.get(logoutUrl);
    expect(confirm.status).toBe(200);
    const html = await confirm.text();
    expect(html).toContain("Sign out?");
    expect(html).toContain(s.user.userPrincipalName);
    const form = parseForm(html, logoutUrl);
    const done = await browser.post(form.action, { ...form.fields, logout: "yes" });
    const success = await browser.get(locationOf(done, form.action));
    expect(await success.text()).toContain("signed out");

    const none = await browser.get(pkceUrl(s, { prompt: "none" }));
    expect(locationOf(none, s.issuer).searchParams.get("error")).toBe("login_required");
  });
});
