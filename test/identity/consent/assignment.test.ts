import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import { assignAppRole, updateServicePrincipal } from "../../../src/identity/apps/index.ts";
import { createDirectory } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { Browser } from "../oauth/support/browser.ts";
import { grantTenantWide, type IdentityServer, startIdentity } from "../oauth/support/fixture.ts";
import {
  addUser,
  authorizeRequest,
  claimsOf,
  expectApp,
  expectPage,
  postToken,
  redeemCode,
  seedWorld,
  signInAndWalk,
  submit,
} from "./support.ts";

describe.each(["pglite", "postgres"] as const)("assignment required on %s", (kind) => {
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

  it("an unassigned user gets 50105; a member of an assigned group gets in; Global Administrators are exempt", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await seedWorld(t, server, "as-group");
    const lee = await addUser(t, w.tenant, "lee");
    const directory = createDirectory({ database: t.database });
    const sales = await directory.groups.create(w.tenant.id, { displayName: "Sales" }, CLI_ACTOR);
    await directory.groups.addMember(w.tenant.id, sales.id, lee.id, CLI_ACTOR);
    await updateServicePrincipal(
      db,
      w.tenant.id,
      w.foreignApp.id,
      { appRoleAssignmentRequired: true },
      CLI_ACTOR,
    );
    await assignAppRole(
      db,
      w.tenant.id,
      { resourceApplicationId: w.foreignApp.id, principalType: "Group", principalId: sales.id },
      CLI_ACTOR,
    );
    const audit = await db
      .selectFrom("identity.audit_events")
      .select("activity")
      .where("tenant_id", "=", w.tenant.id)
      .where("activity", "=", "Add app role assignment to group")
      .execute();
    expect(audit).toHaveLength(1);

    const scope = "openid offline_access Mail.Read";
    const unassigned = expectPage(
      await signInAndWalk(
        new Browser(),
        (await authorizeRequest(w, w.foreignApp, scope)).url,
        w.megan,
      ),
    );
    expect(unassigned.status).toBe(403);
    expect(unassigned.html).toContain("50105");

    // Assigned through Sales, but nobody consented yet: with assignment required users may not
    // consent themselves (Entra), so Lee is asked to get an admin's approval.
    const leeFirst = expectPage(
      await signInAndWalk(new Browser(), (await authorizeRequest(w, w.foreignApp, scope)).url, lee),
    );
    expect(leeFirst.html).toContain("Need admin approval");

    // The Global Administrator is exempt from assignment and consents for the organization.
    const adminBrowser = new Browser();
    const adminPage = expectPage(
      await signInAndWalk(
        adminBrowser,
        (await authorizeRequest(w, w.foreignApp, scope)).url,
        w.admin,
      ),
    );
    expectApp(await submit(adminBrowser, adminPage, { for_organization: "yes" }));

    const leeRequest = await authorizeRequest(w, w.foreignApp, scope);
    const callback = expectApp(await signInAndWalk(new Browser(), leeRequest.url, lee));
    const tokens = await redeemCode(w, w.foreignApp, callback, leeRequest.verifier);
    expect(claimsOf(tokens.body.access_token)).toMatchObject({ scp: "Mail.Read", oid: lee.id });
    const stillOut = expectPage(
      await signInAndWalk(
        new Browser(),
        (await authorizeRequest(w, w.foreignApp, scope)).url,
        w.megan,
      ),
    );
    expect(stillOut.html).toContain("50105");

    // Removed from the group: the next refresh is refused with 50105.
    await directory.groups.removeMember(w.tenant.id, sales.id, lee.id, CLI_ACTOR);
    const refresh = await postToken(w, {
      grant_type: "refresh_token",
      client_id: w.foreignApp.appId,
      refresh_token: String(tokens.body.refresh_token),
    });
    expect(refresh.body).toMatchObject({ error: "access_denied", error_codes: [50105] });
  });

  it("a directly assigned user gets in once the app is granted", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await seedWorld(t, server, "as-direct");
    await updateServicePrincipal(
      db,
      w.tenant.id,
      w.homeApp.id,
      { appRoleAssignmentRequired: true },
      CLI_ACTOR,
    );
    await grantTenantWide(t, w.tenant.id, w.homeApp, ["openid"]);
    await assignAppRole(
      db,
      w.tenant.id,
      { resourceApplicationId: w.homeApp.id, principalType: "User", principalId: w.megan.id },
      CLI_ACTOR,
    );
    const { url } = await authorizeRequest(w, w.homeApp, "openid");
    expect(
      expectApp(await signInAndWalk(new Browser(), url, w.megan)).searchParams.get("code"),
    ).toBeTruthy();
  });
});
