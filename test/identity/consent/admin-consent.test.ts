import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  createApplication,
  exposeAppRole,
  findApplicationById,
  findServicePrincipal,
  grantedAppRoleValues,
  MAIL_APPLICATION_ID,
  MAIL_RESOURCE,
  requirePermission,
} from "../../../src/identity/apps/index.ts";
import { listDelegatedPermissionGrants } from "../../../src/identity/consent/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { Browser, parseForm } from "../oauth/support/browser.ts";
import { type IdentityServer, PASSWORD, startIdentity } from "../oauth/support/fixture.ts";
import {
  addUser,
  authorizeRequest,
  type ConsentWorld,
  expectApp,
  expectPage,
  REDIRECT_URI,
  seedWorld,
  signInAndWalk,
  submit,
  walk,
  walkFromPost,
} from "./support.ts";

const insecure = { execute: [oidc.allowInsecureRequests] };

function adminConsentUrl(
  server: IdentityServer,
  tenantRef: string,
  params: Record<string, string>,
): URL {
  const url = new URL(`${server.baseUrl}/${tenantRef}/v2.0/adminconsent`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url;
}

/** Opens /adminconsent, signs in on its sign-in page, and returns the consent page. */
async function adminSignsIn(browser: Browser, url: URL, upn: string) {
  const signInPage = expectPage(await walk(browser, url));
  expect(signInPage.html).toContain('name="password"');
  const { action, fields } = parseForm(signInPage.html, signInPage.url);
  const posted = await browser.post(action, { ...fields, username: upn, password: PASSWORD });
  return walkFromPost(browser, posted, action);
}

describe.each(["pglite", "postgres"] as const)("tenant-wide admin consent on %s", (kind) => {
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

  it("user consent off: 'Need admin approval'; an admin uses /adminconsent; the user then signs in with no prompt", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorld(t, server, "ac-scenario", { userConsent: "disabled" });
    // The user tries first, through an independent relying party (openid-client).
    const config = await oidc.discovery(
      new URL(w.issuer),
      w.foreignApp.appId,
      undefined,
      oidc.None(),
      insecure,
    );
    const scope = "openid profile offline_access api://assent-mail/Mail.Read";
    const verifier = oidc.randomPKCECodeVerifier();
    const authUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state: "st-user",
    });
    const meganBrowser = new Browser();
    const blocked = expectPage(await signInAndWalk(meganBrowser, authUrl, w.megan));
    expect(blocked.html).toContain("Need admin approval");

    // The administrator consents for the organization.
    const adminBrowser = new Browser();
    const url = adminConsentUrl(server, w.tenant.slug, {
      client_id: w.foreignApp.appId,
      scope: "openid profile offline_access api://assent-mail/Mail.Read",
      redirect_uri: REDIRECT_URI,
      state: "st-admin",
    });
    const consentPage = expectPage(
      await adminSignsIn(adminBrowser, url, w.admin.userPrincipalName),
    );
    expect(consentPage.html).toContain("Accept for your organization");
    expect(consentPage.html).toContain("Read user mail");
    expect(consentPage.html).toContain("Maintain access to data you have given it access to");
    const done = expectApp(await submit(adminBrowser, consentPage, { decision: "accept" }));
    expect(Object.fromEntries(done.searchParams)).toEqual({
      admin_consent: "True",
      tenant: w.tenant.id,
      scope: "openid profile offline_access api://assent-mail/Mail.Read",
      state: "st-admin",
    });
    const [grant] = await listDelegatedPermissionGrants(t.database.db, w.tenant.id);
    expect(grant).toMatchObject({
      consentType: "AllPrincipals",
      resourceAppId: MAIL_RESOURCE.appId,
    });
    const audit = await t.database.db
      .selectFrom("identity.audit_events")
      .select(["activity", "actor", "modified_properties"])
      .where("tenant_id", "=", w.tenant.id)
      .where("activity", "=", "Consent to application")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actor).toMatchObject({ type: "user", id: w.admin.id });
    expect(audit[0]?.modified_properties).toContainEqual({
      name: "ConsentContext.IsAdminConsent",
      oldValue: null,
      newValue: true,
    });

    // The same user, same browser (signed in), no prompt: straight back with a code.
    const again = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state: "st-user",
    });
    const callback = expectApp(await walk(meganBrowser, again));
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: "st-user",
    });
    const payload = JSON.parse(
      Buffer.from(tokens.access_token.split(".")[1] ?? "", "base64url").toString(),
    );
    expect(payload).toMatchObject({ scp: "Mail.Read", oid: w.megan.id, tid: w.tenant.id });
  });

  it("never redirects to an unregistered redirect_uri or for an unknown app; refuses scope errors by redirect", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorld(t, server, "ac-errors");
    const browser = new Browser();
    const wrongRedirect = await browser.get(
      adminConsentUrl(server, w.tenant.id, {
        client_id: w.foreignApp.appId,
        scope: "openid",
        redirect_uri: "https://evil.example/steal",
      }),
    );
    expect(wrongRedirect.status).toBe(400);
    expect(wrongRedirect.headers.get("location")).toBeNull();
    expect(await wrongRedirect.text()).toContain("50011");
    const unknown = await browser.get(
      adminConsentUrl(server, w.tenant.id, {
        client_id: "6f1c2b7e-0000-4000-8000-000000000000",
        scope: "openid",
        redirect_uri: REDIRECT_URI,
      }),
    );
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("700016");
    const noTenant = await browser.get(
      adminConsentUrl(server, "common", {
        client_id: w.foreignApp.appId,
        redirect_uri: REDIRECT_URI,
      }),
    );
    expect(noTenant.status).toBe(404);

    const badScope = adminConsentUrl(server, w.tenant.id, {
      client_id: w.foreignApp.appId,
      scope: "api://assent-mail/Nope.Read",
      redirect_uri: REDIRECT_URI,
      state: "s",
    });
    // After sign-in the error goes back to the app (its redirect_uri is registered).
    const callback = expectApp(await adminSignsIn(browser, badScope, w.admin.userPrincipalName));
    expect(Object.fromEntries(callback.searchParams)).toMatchObject({
      error: "invalid_scope",
      error_codes: "[650053]",
      state: "s",
    });
  });

  it("Cancel sends access_denied back; a non-administrator cannot consent", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorld(t, server, "ac-cancel");
    const params = {
      client_id: w.foreignApp.appId,
      scope: "api://assent-mail/Mail.Read",
      redirect_uri: REDIRECT_URI,
      state: "x",
    };
    const browser = new Browser();
    const page = expectPage(
      await adminSignsIn(
        browser,
        adminConsentUrl(server, w.tenant.id, params),
        w.admin.userPrincipalName,
      ),
    );
    const cancelled = expectApp(await submit(browser, page, { decision: "cancel" }));
    expect(Object.fromEntries(cancelled.searchParams)).toMatchObject({
      error: "access_denied",
      error_codes: "[65004]",
      state: "x",
    });

    const userBrowser = new Browser();
    const refused = expectPage(
      await adminSignsIn(
        userBrowser,
        adminConsentUrl(server, w.tenant.id, params),
        w.megan.userPrincipalName,
      ),
    );
    expect(refused.status).toBe(403);
    expect(refused.html).toContain("An administrator must do this");
    expect(await listDelegatedPermissionGrants(t.database.db, w.tenant.id)).toEqual([]);
  });

  it("follows the roles: an Application Administrator may not grant Assent Mail's application permissions", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await seedWorld(t, server, "ac-roles");
    const appAdmin = await addUser(t, w.tenant, "appadmin", "application_administrator");
    const daemon = await createApplication(
      db,
      w.tenant.id,
      { displayName: "Mail Archiver", redirectUris: [REDIRECT_URI] },
      CLI_ACTOR,
    );
    const mailResource = await findApplicationById(db, MAIL_APPLICATION_ID);
    if (!mailResource) throw new Error("the Assent Mail resource is missing");
    await requirePermission(
      db,
      w.tenant.id,
      daemon.id,
      { resource: mailResource, value: "Mail.Read.All", type: "Role" },
      CLI_ACTOR,
    );
    await requirePermission(
      db,
      w.tenant.id,
      daemon.id,
      { resource: mailResource, value: "User.Read", type: "Scope" },
      CLI_ACTOR,
    );
    const params = {
      client_id: daemon.appId,
      scope: "api://assent-mail/.default",
      redirect_uri: REDIRECT_URI,
      state: "r",
    };
    const browser = new Browser();
    const page = expectPage(
      await adminSignsIn(
        browser,
        adminConsentUrl(server, w.tenant.id, params),
        appAdmin.userPrincipalName,
      ),
    );
    expect(page.html).toContain("Read mail in all mailboxes");
    expect(page.html).toContain("does not let you grant Mail.Read.All");
    expect(page.html).toMatch(/<button type="submit" value="accept" disabled="" name="decision">/);
    // Forcing the POST anyway is refused (the server checks the roles, not the page).
    const forced = await submit(browser, page, { decision: "accept" });
    expect(expectPage(forced).status).toBe(403);
    const sp = await findServicePrincipal(db, w.tenant.id, daemon.id);
    expect(
      sp ? await grantedAppRoleValues(db, w.tenant.id, sp.id, MAIL_APPLICATION_ID) : [],
    ).toEqual([]);

    // A Global Administrator grants both: the delegated and the application permission.
    const gaBrowser = new Browser();
    const gaPage = expectPage(
      await adminSignsIn(
        gaBrowser,
        adminConsentUrl(server, w.tenant.id, params),
        w.admin.userPrincipalName,
      ),
    );
    expectApp(await submit(gaBrowser, gaPage, { decision: "accept" }));
    const granted = await findServicePrincipal(db, w.tenant.id, daemon.id);
    expect(
      await grantedAppRoleValues(db, w.tenant.id, String(granted?.id), MAIL_APPLICATION_ID),
    ).toEqual(["Mail.Read.All"]);
    const [delegated] = await listDelegatedPermissionGrants(db, w.tenant.id);
    expect(delegated?.scopes).toEqual(["User.Read"]);

    // A non-Mail app role is within an Application Administrator's reach.
    const api = await createApplication(db, w.tenant.id, { displayName: "Contoso API" }, CLI_ACTOR);
    await exposeAppRole(
      db,
      w.tenant.id,
      api.id,
      {
        value: "Reports.Read.All",
        displayName: "Read reports",
        description: "Reads all reports.",
        allowedMemberTypes: ["Application"],
      },
      CLI_ACTOR,
    );
    await requirePermission(
      db,
      w.tenant.id,
      daemon.id,
      { resource: api, value: "Reports.Read.All", type: "Role" },
      CLI_ACTOR,
    );
    const apiParams = { ...params, scope: `${api.identifierUris[0]}/.default` };
    const apiBrowser = new Browser();
    const apiPage = expectPage(
      await adminSignsIn(
        apiBrowser,
        adminConsentUrl(server, w.tenant.id, apiParams),
        appAdmin.userPrincipalName,
      ),
    );
    expect(apiPage.html).not.toContain("does not let you grant");
    expectApp(await submit(apiBrowser, apiPage, { decision: "accept" }));
    expect(await grantedAppRoleValues(db, w.tenant.id, String(granted?.id), api.id)).toEqual([
      "Reports.Read.All",
    ]);
  });

  it("a tenant's admin cannot grant in another tenant", async (ctx) => {
    if (!t) return ctx.skip();
    const a: ConsentWorld = await seedWorld(t, server, "ac-tenant-a");
    const b: ConsentWorld = await seedWorld(t, server, "ac-tenant-b");
    const browser = new Browser();
    // Signed in as A's administrator...
    const inA = adminConsentUrl(server, a.tenant.id, {
      client_id: a.foreignApp.appId,
      scope: "api://assent-mail/Mail.Read",
      redirect_uri: REDIRECT_URI,
    });
    const pageA = expectPage(await adminSignsIn(browser, inA, a.admin.userPrincipalName));
    expect(pageA.html).toContain("Accept for your organization");
    // ...the same browser at B's endpoint is not signed in there, and A's password is refused.
    const inB = adminConsentUrl(server, b.tenant.id, {
      client_id: b.foreignApp.appId,
      scope: "api://assent-mail/Mail.Read",
      redirect_uri: REDIRECT_URI,
    });
    const attempt = expectPage(await adminSignsIn(browser, inB, a.admin.userPrincipalName));
    expect(attempt.html).toContain("Your user name or password is incorrect.");
    // Replaying A's consent form against B's endpoint: B has no session for it.
    const { fields } = parseForm(pageA.html, pageA.url);
    const replay = await browser.post(
      new URL(`${server.baseUrl}/${b.tenant.id}/v2.0/adminconsent`),
      {
        ...fields,
        client_id: b.foreignApp.appId,
        decision: "accept",
      },
    );
    expect(replay.status).toBe(401);
    expect(await listDelegatedPermissionGrants(t.database.db, b.tenant.id)).toEqual([]);
  });

  it("an administrator at /authorize with a user-consentable request may still consent for the organization", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorld(t, server, "ac-authorize");
    const browser = new Browser();
    const { url } = await authorizeRequest(w, w.homeApp, "openid User.Read");
    const page = expectPage(await signInAndWalk(browser, url, w.admin));
    expect(page.html).toContain("Consent on behalf of your organization");
    expectApp(await submit(browser, page, { for_organization: "yes" }));
    const [grant] = await listDelegatedPermissionGrants(t.database.db, w.tenant.id);
    expect(grant?.consentType).toBe("AllPrincipals");
  });
});
