import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listDelegatedPermissionGrants } from "../../../src/identity/consent/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { Browser, parseForm } from "../oauth/support/browser.ts";
import {
  grantTenantWide,
  type IdentityServer,
  PASSWORD,
  startIdentity,
} from "../oauth/support/fixture.ts";
import {
  authorizeRequest,
  expectApp,
  expectPage,
  postToken,
  redeemCode,
  seedWorld,
  signInAndWalk,
  submit,
  walk,
  walkFromPost,
} from "./support.ts";

describe.each(["pglite", "postgres"] as const)("My apps on %s", (kind) => {
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

  it("lists the apps a user consented to and removes one, revoking its tokens", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await seedWorld(t, server, "myapps-main");
    // An app the organization granted is not the user's to remove, and not listed.
    await grantTenantWide(t, w.tenant.id, w.foreignApp, ["openid"]);
    const browser = new Browser();
    const { url, verifier } = await authorizeRequest(
      w,
      w.homeApp,
      "openid offline_access User.Read",
    );
    const consent = expectPage(await signInAndWalk(browser, url, w.megan));
    const tokens = await redeemCode(
      w,
      w.homeApp,
      expectApp(await submit(browser, consent)),
      verifier,
    );
    expect(tokens.status).toBe(200);

    // Signed in already (the tenant's session): My apps opens directly.
    const myApps = new URL(`${server.baseUrl}/${w.tenant.slug}/myapps`);
    const page = expectPage(await walk(browser, myApps));
    expect(page.status).toBe(200);
    expect(page.html).toContain("My apps");
    expect(page.html).toContain("Contoso Notes");
    expect(page.html).toContain("User.Read");
    expect(page.html).not.toContain("Northwind CRM");

    const removed = expectPage(await submit(browser, page));
    expect(removed.html).toContain("The app was removed");
    expect(removed.html).toContain("You have not given any app access");
    expect(
      (await listDelegatedPermissionGrants(db, w.tenant.id)).filter(
        (g) => g.principalId === w.megan.id,
      ),
    ).toEqual([]);
    const refresh = await postToken(w, {
      grant_type: "refresh_token",
      client_id: w.homeApp.appId,
      refresh_token: String(tokens.body.refresh_token),
    });
    expect(refresh.body).toMatchObject({ error: "invalid_grant" });
    const audit = await db
      .selectFrom("identity.audit_events")
      .select(["activity", "actor"])
      .where("tenant_id", "=", w.tenant.id)
      .where("activity", "=", "Remove delegated permission grant")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actor).toMatchObject({ type: "user", id: w.megan.id });

    // The next sign-in to the app asks for consent again.
    const again = await authorizeRequest(w, w.homeApp, "openid offline_access User.Read");
    expect(expectPage(await walk(browser, again.url)).html).toContain("Permissions requested");
  });

  it("asks to sign in first, refuses a forged removal, and shows only the user's own apps", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorld(t, server, "myapps-signin");
    const browser = new Browser();
    const signIn = expectPage(
      await walk(browser, new URL(`${server.baseUrl}/${w.tenant.id}/myapps`)),
    );
    expect(signIn.html).toContain('name="password"');
    const { action, fields } = parseForm(signIn.html, signIn.url);
    const wrong = await browser.post(action, {
      ...fields,
      username: w.megan.userPrincipalName,
      password: "nope",
    });
    expect(await wrong.text()).toContain("Your user name or password is incorrect.");
    const posted = await browser.post(action, {
      ...fields,
      username: w.megan.userPrincipalName,
      password: PASSWORD,
    });
    const page = expectPage(await walkFromPost(browser, posted, action));
    expect(page.html).toContain("You have not given any app access");
    // One session for the tenant: the authorization endpoint knows the user now (no sign-in).
    const sso = await authorizeRequest(w, w.homeApp, "openid User.Read");
    const consent = expectPage(await walk(browser, sso.url));
    expect(consent.html).toContain("Permissions requested");
    expect(consent.html).toContain(w.megan.userPrincipalName);

    const forged = await browser.post(new URL(`${server.baseUrl}/${w.tenant.id}/myapps/remove`), {
      csrf_token: "forged",
      app: w.homeApp.id,
    });
    expect(forged.status).toBe(403);
    const noSession = await new Browser().post(
      new URL(`${server.baseUrl}/${w.tenant.id}/myapps/remove`),
      {
        app: w.homeApp.id,
      },
    );
    expect(noSession.status).toBe(401);
  });
});
