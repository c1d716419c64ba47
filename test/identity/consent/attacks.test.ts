import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  createApplication,
  MAIL_APPLICATION_ID,
  setPublisherDisplayName,
} from "../../../src/identity/apps/index.ts";
import {
  grantAdminConsent,
  grantDelegatedPermissions,
  listDelegatedPermissionGrants,
  resolveAdminConsentRequest,
} from "../../../src/identity/consent/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { Browser, parseForm } from "../oauth/support/browser.ts";
import { type IdentityServer, startIdentity } from "../oauth/support/fixture.ts";
import {
  authorizeRequest,
  expectApp,
  expectPage,
  REDIRECT_URI,
  seedWorld,
  signInAndWalk,
  submit,
  walkFromPost,
} from "./support.ts";

const MARKUP = `<script>alert("owned")</script><img src=x onerror=alert(1)>`;

describe.each(["pglite", "postgres"] as const)("attacks on the consent screens on %s", (kind) => {
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

  it("renders an app name, publisher and logo containing markup inert", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await seedWorld(t, server, "atk-markup");
    const evil = await createApplication(
      db,
      w.publisher.id,
      {
        displayName: `Evil ${MARKUP}`,
        isPublicClient: true,
        signInAudience: "AzureADMultipleOrgs",
        redirectUris: [REDIRECT_URI],
      },
      CLI_ACTOR,
    );
    await setPublisherDisplayName(db, w.publisher.id, evil.id, `Pub ${MARKUP}`, CLI_ACTOR);
    // Only https: logos are shown (img-src allows https: only, and http: would leak the view).
    await sql`update identity.applications set logo_url = 'http://evil.example/x.png' where id = ${evil.id}`.execute(
      db,
    );
    for (const user of [w.megan, w.admin]) {
      const { url } = await authorizeRequest(w, evil, "openid Mail.Read");
      const page = expectPage(await signInAndWalk(new Browser(), url, user));
      expect(page.html).not.toContain("<script>alert");
      expect(page.html).not.toContain("<img src=x");
      expect(page.html).not.toContain("evil.example");
      expect(page.html).toContain("&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;");
      expect(page.html).toContain("Pub &lt;script&gt;");
    }
  });

  it("refuses a consent form with a missing or forged CSRF token, and grants nothing", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorld(t, server, "atk-csrf");
    const browser = new Browser();
    const { url } = await authorizeRequest(w, w.homeApp, "openid User.Read");
    const page = expectPage(await signInAndWalk(browser, url, w.megan));
    const { action, fields } = parseForm(page.html, page.url);
    const { csrf_token: _, ...withoutToken } = fields;
    const missing = await browser.post(action, withoutToken);
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain("50089");
    const forged = await browser.post(action, { ...fields, csrf_token: "forged-token" });
    expect(forged.status).toBe(403);
    // Another browser (a cross-site form has no cookie): even the right token fails.
    const elsewhere = await new Browser().post(action, fields);
    expect(elsewhere.status).toBeGreaterThanOrEqual(400);
    expect(await listDelegatedPermissionGrants(t.database.db, w.tenant.id)).toEqual([]);
    // The genuine form still works.
    expectApp(await walkFromPost(browser, await browser.post(action, fields), action));
  });

  it("refuses permissions the policy forbids, added by editing the form, and 'for the organization' from a user", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorld(t, server, "atk-edit");
    const browser = new Browser();
    const { url } = await authorizeRequest(w, w.homeApp, "openid User.Read");
    const page = expectPage(await signInAndWalk(browser, url, w.megan));
    const { fields } = parseForm(page.html, page.url);
    const mail = "00000003-0000-0000-c000-00000000a55e";
    const edited = await submit(browser, page, {
      permissions: `${fields.permissions} ${mail}/Mail.ReadWrite`,
    });
    expect(expectPage(edited).status).toBe(403);
    expect(expectPage(edited).html).toContain("90093");
    const forOrg = await submit(browser, page, { for_organization: "yes" });
    expect(expectPage(forOrg).status).toBe(403);
    expect(await listDelegatedPermissionGrants(t.database.db, w.tenant.id)).toEqual([]);

    // A request the user may not consent to: posting "Accept" to its interaction is refused.
    const risky = await authorizeRequest(w, w.foreignApp, "openid Mail.Read");
    const needAdmin = expectPage(await signInAndWalk(browser, risky.url, w.megan));
    expect(needAdmin.html).toContain("Need admin approval");
    const forcedAccept = await submit(
      browser,
      needAdmin,
      { permissions: `${mail}/Mail.Read ${mail}/openid` },
      "consent",
    );
    expect(expectPage(forcedAccept).status).toBe(403);
    expect(await listDelegatedPermissionGrants(t.database.db, w.tenant.id)).toEqual([]);
  });

  it("keeps one tenant's administrator out of another tenant's grants (services)", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const a = await seedWorld(t, server, "atk-tenant-a");
    const b = await seedWorld(t, server, "atk-tenant-b");
    const request = await resolveAdminConsentRequest(db, b.tenant.id, b.foreignApp, "Mail.Read");
    if (!request.ok) throw new Error(request.message);
    await expect(
      grantAdminConsent(db, b.tenant.id, a.admin.id, request.request),
    ).rejects.toMatchObject({
      code: "user.not_found",
    });
    await expect(
      grantDelegatedPermissions(
        db,
        b.tenant.id,
        {
          clientApplicationId: a.homeApp.id,
          resourceApplicationId: MAIL_APPLICATION_ID,
          scopes: ["Mail.Read"],
          consentType: "AllPrincipals",
        },
        { type: "user", id: a.admin.id },
      ),
    ).rejects.toMatchObject({ code: "application.not_found" });
    await expect(
      grantDelegatedPermissions(
        db,
        b.tenant.id,
        {
          clientApplicationId: b.foreignApp.id,
          resourceApplicationId: MAIL_APPLICATION_ID,
          scopes: ["Mail.Read"],
          consentType: "Principal",
          principalId: a.megan.id,
        },
        CLI_ACTOR,
      ),
    ).rejects.toMatchObject({ code: "user.not_found" });
    expect(await listDelegatedPermissionGrants(db, b.tenant.id)).toEqual([]);
  });
});
