import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import { updateServicePrincipal } from "../../../src/identity/apps/index.ts";
import {
  listDelegatedPermissionGrants,
  revokeDelegatedPermissionGrant,
  updateConsentSettings,
} from "../../../src/identity/consent/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { Browser } from "../oauth/support/browser.ts";
import { grantTenantWide, type IdentityServer, startIdentity } from "../oauth/support/fixture.ts";
import {
  authorizeRequest,
  claimsOf,
  expectApp,
  expectPage,
  postToken,
  redeemCode,
  seedWorld,
  signInAndWalk,
  submit,
  walk,
} from "./support.ts";

/** The "Back to the application" link of an error page, as the app would receive it. */
function continueParams(html: string): Record<string, string> {
  const link = /<a href="([^"]+)">Back to the application<\/a>/.exec(html)?.[1] ?? "";
  return Object.fromEntries(new URL(link.replace(/&amp;/g, "&")).searchParams);
}

describe.each(["pglite", "postgres"] as const)(
  "the consent decision table through /authorize on %s",
  (kind) => {
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

    it("app_disabled: a disabled or blocked enterprise app gets an error page and 7000112", async (ctx) => {
      if (!t) return ctx.skip();
      const { db } = t.database;
      const w = await seedWorld(t, server, "dt-disabled");
      await grantTenantWide(t, w.tenant.id, w.homeApp);
      await updateServicePrincipal(
        db,
        w.tenant.id,
        w.homeApp.id,
        { accountEnabled: false },
        CLI_ACTOR,
      );
      const { url } = await authorizeRequest(w, w.homeApp, "openid offline_access");
      const page = expectPage(await signInAndWalk(new Browser(), url, w.megan));
      expect(page.status).toBe(403);
      expect(page.html).toContain("Troubleshooting details");
      expect(continueParams(page.html)).toMatchObject({
        error: "unauthorized_client",
        error_codes: "[7000112]",
        state: "st-1",
      });

      await updateServicePrincipal(
        db,
        w.tenant.id,
        w.homeApp.id,
        { accountEnabled: true },
        CLI_ACTOR,
      );
      await sql`update identity.service_principals set blocked = true
      where tenant_id = ${w.tenant.id} and application_id = ${w.homeApp.id}`.execute(db);
      const blocked = expectPage(await signInAndWalk(new Browser(), url, w.megan));
      expect(continueParams(blocked.html).error_codes).toBe("[7000112]");
    });

    it("not_assigned: assignment required and the user unassigned gets 50105", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedWorld(t, server, "dt-assign");
      await grantTenantWide(t, w.tenant.id, w.homeApp);
      await updateServicePrincipal(
        t.database.db,
        w.tenant.id,
        w.homeApp.id,
        { appRoleAssignmentRequired: true },
        CLI_ACTOR,
      );
      const { url } = await authorizeRequest(w, w.homeApp, "openid");
      const page = expectPage(await signInAndWalk(new Browser(), url, w.megan));
      expect(page.status).toBe(403);
      expect(continueParams(page.html)).toMatchObject({
        error: "access_denied",
        error_codes: "[50105]",
      });
    });

    it("granted: a tenant-wide grant lets the user straight through; the token carries the scopes", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedWorld(t, server, "dt-granted");
      await grantTenantWide(t, w.tenant.id, w.foreignApp, [
        "openid",
        "offline_access",
        "Mail.Read",
      ]);
      const { url, verifier } = await authorizeRequest(
        w,
        w.foreignApp,
        "openid offline_access Mail.Read",
      );
      const callback = expectApp(await signInAndWalk(new Browser(), url, w.megan));
      const tokens = await redeemCode(w, w.foreignApp, callback, verifier);
      expect(tokens.status).toBe(200);
      expect(claimsOf(tokens.body.access_token)).toMatchObject({
        scp: "Mail.Read",
        aud: "api://assent-mail",
      });
    });

    it("user_consent: the consent screen, Accept, and incremental consent asking only what is new", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedWorld(t, server, "dt-user");
      const browser = new Browser();
      const first = await authorizeRequest(w, w.homeApp, "openid profile offline_access User.Read");
      const page = expectPage(await signInAndWalk(browser, first.url, w.megan));
      expect(page.status).toBe(200);
      expect(page.html).toContain("Permissions requested");
      expect(page.html).toContain("Contoso Notes");
      expect(page.html).toContain("Sign in and read your profile");
      expect(page.html).toContain("Unverified");
      expect(page.html).toContain("Report it here");
      expect(page.html).not.toContain("Consent on behalf of your organization");
      const callback = expectApp(await submit(browser, page));
      const tokens = await redeemCode(w, w.homeApp, callback, first.verifier);
      expect(claimsOf(tokens.body.access_token).scp).toBe("User.Read");

      const grants = await listDelegatedPermissionGrants(t.database.db, w.tenant.id);
      expect(grants).toHaveLength(1);
      expect(grants[0]).toMatchObject({ consentType: "Principal", principalId: w.megan.id });
      expect([...(grants[0]?.scopes ?? [])].sort()).toEqual(
        ["User.Read", "offline_access", "openid", "profile"].sort(),
      );
      const audit = await t.database.db
        .selectFrom("identity.audit_events")
        .select(["activity", "modified_properties"])
        .where("tenant_id", "=", w.tenant.id)
        .where("activity", "in", ["Consent to application", "Add delegated permission grant"])
        .execute();
      expect(audit.map((a) => a.activity).sort()).toEqual([
        "Add delegated permission grant",
        "Consent to application",
      ]);

      // The same request again: nothing to ask. A new scope: only that one is asked.
      const again = await authorizeRequest(w, w.homeApp, "openid profile offline_access User.Read");
      expectApp(await walk(browser, again.url));
      const more = await authorizeRequest(w, w.homeApp, "openid profile email User.Read");
      const incremental = expectPage(await walk(browser, more.url));
      expect(incremental.html).toContain("View your email address");
      const asked =
        /aria-label="Permissions requested">(.*?)<\/ul>/s.exec(incremental.html)?.[1] ?? "";
      expect(asked).toContain("email");
      expect(asked).not.toContain("Sign in and read your profile");
      expectApp(await submit(browser, incremental));
      const [merged] = await listDelegatedPermissionGrants(t.database.db, w.tenant.id);
      expect(merged?.scopes).toContain("email");
      expect(merged?.scopes).toContain("User.Read");
    });

    it("declining consent returns access_denied 65004 and grants nothing", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedWorld(t, server, "dt-decline");
      const browser = new Browser();
      const { url } = await authorizeRequest(w, w.homeApp, "openid User.Read");
      const page = expectPage(await signInAndWalk(browser, url, w.megan));
      const callback = expectApp(await submit(browser, page, {}, "cancel"));
      expect(Object.fromEntries(callback.searchParams)).toMatchObject({
        error: "access_denied",
        error_codes: "[65004]",
        state: "st-1",
      });
      expect(await listDelegatedPermissionGrants(t.database.db, w.tenant.id)).toEqual([]);
    });

    it("admin_consent: an administrator consents on behalf of the organization; users then go straight through", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedWorld(t, server, "dt-admin");
      const browser = new Browser();
      const { url } = await authorizeRequest(w, w.foreignApp, "openid offline_access Mail.Read");
      const page = expectPage(await signInAndWalk(browser, url, w.admin));
      expect(page.html).toContain("Consent on behalf of your organization");
      expect(page.html).toContain("Read your mail");
      expectApp(await submit(browser, page, { for_organization: "yes" }));
      const [grant] = await listDelegatedPermissionGrants(t.database.db, w.tenant.id);
      expect(grant).toMatchObject({ consentType: "AllPrincipals", principalId: null });
      expect(grant?.scopes).toContain("Mail.Read");

      const megan = await authorizeRequest(w, w.foreignApp, "openid offline_access Mail.Read");
      const callback = expectApp(await signInAndWalk(new Browser(), megan.url, w.megan));
      const tokens = await redeemCode(w, w.foreignApp, callback, megan.verifier);
      expect(claimsOf(tokens.body.access_token).scp).toBe("Mail.Read");
    });

    it("approval_required: with the workflow on, the user sees 'Approval required'; returning gives 90095", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedWorld(t, server, "dt-approval", { adminConsentWorkflowEnabled: true });
      const browser = new Browser();
      const { url } = await authorizeRequest(w, w.foreignApp, "openid Mail.Read");
      const page = expectPage(await signInAndWalk(browser, url, w.megan));
      expect(page.html).toContain("Approval required");
      expect(page.html).toMatch(/<textarea[^>]*name="justification"/);
      expect(page.html).toContain('<button type="submit">Request approval</button>');
      const callback = expectApp(await submit(browser, page, {}, "return"));
      expect(Object.fromEntries(callback.searchParams)).toMatchObject({
        error: "access_denied",
        error_codes: "[90095]",
        state: "st-1",
      });
      expect(callback.searchParams.get("error_description")).toMatch(/^AST90095: /);
    });

    it("admin_approval_needed: with the workflow off, 'Need admin approval'; returning gives 90094", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedWorld(t, server, "dt-needadmin");
      const browser = new Browser();
      const { url } = await authorizeRequest(w, w.foreignApp, "openid Mail.Read");
      const page = expectPage(await signInAndWalk(browser, url, w.megan));
      expect(page.html).toContain("Need admin approval");
      expect(page.html).toContain("Have an admin account? Sign in with that account");
      expect(page.html).toContain("Return to the application without granting consent");
      const adminLink = /<a href="([^"]+)">Have an admin account/.exec(page.html)?.[1] ?? "";
      const relogin = new URL(adminLink.replace(/&amp;/g, "&"), page.url);
      expect(relogin.pathname).toBe(`/${w.tenant.id}/oauth2/v2.0/authorize`);
      expect(relogin.searchParams.get("prompt")).toBe("login");
      expect(relogin.searchParams.get("scope")).toBe("openid api://assent-mail/Mail.Read");
      const callback = expectApp(await submit(browser, page));
      expect(Object.fromEntries(callback.searchParams)).toMatchObject({
        error: "access_denied",
        error_codes: "[90094]",
      });

      // "Have an admin account?": the administrator signs in instead (oidc-provider first ends
      // the user's session with its self-submitting form) and gets the admin consent screen.
      const switched = expectPage(await signInAndWalk(browser, relogin, w.admin));
      const adminPage = expectPage(await submit(browser, switched));
      expect(adminPage.html).toContain("Consent on behalf of your organization");
      expect(adminPage.html).toContain(w.admin.userPrincipalName);
      const granted = expectApp(await submit(browser, adminPage, { for_organization: "yes" }));
      expect(granted.searchParams.get("code")).toBeTruthy();
      expect(granted.searchParams.get("state")).toBe("st-1");
    });

    it("prompt=consent on a granted request shows what the app holds; Accept continues", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedWorld(t, server, "dt-reconsent");
      await grantTenantWide(t, w.tenant.id, w.homeApp, ["openid", "User.Read"]);
      const browser = new Browser();
      const { url } = await authorizeRequest(w, w.homeApp, "openid User.Read", {
        prompt: "consent",
      });
      const page = expectPage(await signInAndWalk(browser, url, w.megan));
      expect(page.html).toContain("This app already has the permissions it asks for");
      expect(page.html).toContain("Sign in and read your profile");
      expect(expectApp(await submit(browser, page)).searchParams.get("code")).toBeTruthy();
    });

    it("prompt=none: consent_required (65001) without consent, access_denied (50105) unassigned, login_required without a session", async (ctx) => {
      if (!t) return ctx.skip();
      const w = await seedWorld(t, server, "dt-silent");
      const browser = new Browser();
      const noSession = await authorizeRequest(w, w.foreignApp, "openid Mail.Read", {
        prompt: "none",
      });
      const login = expectApp(await walk(browser, noSession.url));
      expect(Object.fromEntries(login.searchParams)).toMatchObject({
        error: "login_required",
        error_codes: "[50058]",
      });
      // Sign in (the request stops at "Need admin approval"), then ask silently.
      const { url } = await authorizeRequest(w, w.foreignApp, "openid Mail.Read");
      expectPage(await signInAndWalk(browser, url, w.megan));
      const silent = await authorizeRequest(w, w.foreignApp, "openid Mail.Read", {
        prompt: "none",
      });
      const consent = expectApp(await walk(browser, silent.url));
      expect(Object.fromEntries(consent.searchParams)).toMatchObject({
        error: "consent_required",
        error_codes: "[65001]",
        state: "st-1",
      });
      await updateServicePrincipal(
        t.database.db,
        w.tenant.id,
        w.foreignApp.id,
        { appRoleAssignmentRequired: true },
        CLI_ACTOR,
      );
      const unassigned = expectApp(await walk(browser, silent.url));
      expect(Object.fromEntries(unassigned.searchParams)).toMatchObject({
        error: "access_denied",
        error_codes: "[50105]",
      });
      // Granted: silent sign-in works.
      await updateServicePrincipal(
        t.database.db,
        w.tenant.id,
        w.foreignApp.id,
        { appRoleAssignmentRequired: false },
        CLI_ACTOR,
      );
      await grantTenantWide(t, w.tenant.id, w.foreignApp, ["openid", "Mail.Read"]);
      const fresh = await authorizeRequest(w, w.foreignApp, "openid Mail.Read", { prompt: "none" });
      expect(expectApp(await walk(browser, fresh.url)).searchParams.get("code")).toBeTruthy();
    });

    it("a consent revoked after sign-in stops refresh: invalid_grant, suberror consent_required, 65001", async (ctx) => {
      if (!t) return ctx.skip();
      const { db } = t.database;
      const w = await seedWorld(t, server, "dt-revoked", { userConsent: "all_apps" });
      const browser = new Browser();
      const { url, verifier } = await authorizeRequest(
        w,
        w.homeApp,
        "openid offline_access Mail.Read",
      );
      const page = expectPage(await signInAndWalk(browser, url, w.megan));
      const tokens = await redeemCode(
        w,
        w.homeApp,
        expectApp(await submit(browser, page)),
        verifier,
      );
      expect(tokens.status).toBe(200);
      const refreshed = await postToken(w, {
        grant_type: "refresh_token",
        client_id: w.homeApp.appId,
        refresh_token: String(tokens.body.refresh_token),
      });
      expect(refreshed.status).toBe(200);
      const [grant] = await listDelegatedPermissionGrants(db, w.tenant.id);
      await revokeDelegatedPermissionGrant(db, w.tenant.id, String(grant?.id), CLI_ACTOR, {
        scopes: ["Mail.Read"],
      });
      const refused = await postToken(w, {
        grant_type: "refresh_token",
        client_id: w.homeApp.appId,
        refresh_token: String(refreshed.body.refresh_token),
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        error: "invalid_grant",
        suberror: "consent_required",
        error_codes: [65001],
      });
      // Changing the setting afterwards does not touch grants made before (Entra).
      await updateConsentSettings(db, w.tenant.id, { userConsent: "disabled" }, CLI_ACTOR);
      const [left] = await listDelegatedPermissionGrants(db, w.tenant.id);
      expect(left?.scopes).toEqual(["openid", "offline_access"]);
    });
  },
);
