import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  type Application,
  assignAppRole,
  createApplication,
  MAIL_APPLICATION_ID,
  updateServicePrincipal,
} from "../../../src/identity/apps/index.ts";
import {
  type ConsentRequest,
  checkDelegatedAccess,
  classifyPermission,
  createPermissionGrantPolicy,
  evaluateConsent,
  grantDelegatedPermissions,
  updateConsentSettings,
} from "../../../src/identity/consent/index.ts";
import {
  createDirectory,
  type Directory,
  type Tenant,
  type User,
} from "../../../src/identity/directory/index.ts";
import { selectCacheVersions } from "../../../src/identity/oauth/provider/cache-versions.ts";
import { TenantCatalog } from "../../../src/identity/oauth/provider/catalog.ts";
import { consentInputCache } from "../../../src/identity/oauth/provider/consent-cache.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";

/**
 * The consent decision's inputs as the OAuth catalog keeps them per node: a node serves them
 * from memory while the database's cache versions stay the same, and a change to any of them
 * (consent settings, permission grant policies, classifications, delegated grants, group
 * memberships, directory roles, a blocked or assignment-requiring app, assignments) bumps a
 * version at commit, so the next request, which reads the versions first, decides afresh.
 */
describe.each(["pglite", "postgres"] as const)("the consent inputs cache on %s", (kind) => {
  let t: TestDatabase | undefined;
  let directory: Directory;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (t) directory = createDirectory({ database: t.database });
  });
  afterAll(async () => {
    await t?.close();
  });

  interface World {
    tenant: Tenant;
    user: User;
    app: Application;
    catalog: TenantCatalog;
    request: ConsentRequest;
    /** The decision as the next request makes it: versions read first, then the catalog. */
    next(): Promise<string>;
    /** The decision from what the node holds, without reading the versions. */
    held(): Promise<string>;
    /** The token endpoint's access check as the next request makes it. */
    nextAccess(): Promise<string>;
  }

  async function world(slug: string): Promise<World> {
    if (!t) throw new Error("no database");
    const { db } = t.database;
    const tenant = await directory.tenants.create({ slug, displayName: slug }, CLI_ACTOR);
    const user = await directory.users.create(
      tenant.id,
      { userPrincipalName: `megan@${slug}.example`, displayName: "Megan Bowen" },
      CLI_ACTOR,
    );
    const app = await createApplication(
      db,
      tenant.id,
      { displayName: "Notes", isPublicClient: true, redirectUris: ["http://127.0.0.1:9/cb"] },
      CLI_ACTOR,
    );
    const catalog = new TenantCatalog(
      db,
      tenant.id,
      await selectCacheVersions(db, tenant.id),
      () => "placeholder",
    );
    const request: ConsentRequest = {
      tenantId: tenant.id,
      application: app,
      userId: user.id,
      oidcScopes: ["openid"],
      resource: { identifierUri: "api://assent-mail", scopes: ["Mail.Read"] },
    };
    const decide = async () =>
      (await evaluateConsent(db, request, new Date(), consentInputCache(catalog))).decision.kind;
    const advance = async () => catalog.advance(await selectCacheVersions(db, tenant.id));
    return {
      tenant,
      user,
      app,
      catalog,
      request,
      async next() {
        await advance();
        return decide();
      },
      held: decide,
      async nextAccess() {
        await advance();
        const check = await checkDelegatedAccess(
          db,
          request,
          new Date(),
          consentInputCache(catalog),
        );
        return check.ok ? "ok" : String(check.code);
      },
    };
  }

  it("sees changed consent settings, policies and classifications on the next request", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await world("cc-settings");
    // Mail.Read is not classified: default settings let users consent to low-impact only.
    expect(await w.next()).toBe("admin_approval_needed");

    await classifyPermission(
      db,
      w.tenant.id,
      { resourceApplicationId: MAIL_APPLICATION_ID, value: "Mail.Read", classification: "low" },
      CLI_ACTOR,
    );
    // What the node holds is what it loaded; the versions tell it to load again.
    expect(await w.held()).toBe("admin_approval_needed");
    expect(await w.next()).toBe("user_consent");

    await updateConsentSettings(db, w.tenant.id, { userConsent: "disabled" }, CLI_ACTOR);
    expect(await w.next()).toBe("admin_approval_needed");
    await updateConsentSettings(db, w.tenant.id, { adminConsentWorkflowEnabled: true }, CLI_ACTOR);
    expect(await w.next()).toBe("approval_required");

    await updateConsentSettings(
      db,
      w.tenant.id,
      { userConsent: "verified_publishers_low_impact" },
      CLI_ACTOR,
    );
    // A hand-written change is seen as well: the triggers, not the services, bump the versions.
    await db
      .deleteFrom("identity.permission_classifications")
      .where("tenant_id", "=", w.tenant.id)
      .execute();
    expect(await w.next()).toBe("approval_required");
    await createPermissionGrantPolicy(
      db,
      w.tenant.id,
      {
        id: "notes-mail",
        displayName: "Notes may read mail",
        includes: [{ clientApplicationIds: [w.app.appId], permissions: ["Mail.Read"] }],
        assignedToUsers: true,
      },
      CLI_ACTOR,
    );
    expect(await w.next()).toBe("user_consent");
  });

  it("sees grants, group memberships and directory roles on the next request", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await world("cc-grants");
    await updateConsentSettings(db, w.tenant.id, { userConsent: "disabled" }, CLI_ACTOR);
    expect(await w.next()).toBe("admin_approval_needed");

    await directory.roles.assign(w.tenant.id, w.user.id, "application_administrator", CLI_ACTOR);
    expect(await w.next()).toBe("admin_consent");
    await directory.roles.unassign(w.tenant.id, w.user.id, "application_administrator", CLI_ACTOR);
    expect(await w.next()).toBe("admin_approval_needed");

    const group = await directory.groups.create(w.tenant.id, { displayName: "Sales" }, CLI_ACTOR);
    await grantDelegatedPermissions(
      db,
      w.tenant.id,
      {
        clientApplicationId: w.app.id,
        resourceApplicationId: MAIL_APPLICATION_ID,
        scopes: ["openid", "Mail.Read"],
        consentType: "Groups",
        groupIds: [group.id],
      },
      CLI_ACTOR,
    );
    expect(await w.next()).toBe("admin_approval_needed");
    expect(await w.nextAccess()).toBe("65001");
    await directory.groups.addMember(w.tenant.id, group.id, w.user.id, CLI_ACTOR);
    expect(await w.held()).toBe("admin_approval_needed");
    expect(await w.next()).toBe("granted");
    expect(await w.nextAccess()).toBe("ok");

    // Revoked by hand: the next authorization asks again, the next token request fails.
    await db
      .deleteFrom("identity.oauth2_permission_grants")
      .where("tenant_id", "=", w.tenant.id)
      .execute();
    expect(await w.next()).toBe("admin_approval_needed");
    expect(await w.nextAccess()).toBe("65001");
  });

  it("sees a blocked app and assignments through groups on the next request", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await world("cc-assign");
    await grantDelegatedPermissions(
      db,
      w.tenant.id,
      {
        clientApplicationId: w.app.id,
        resourceApplicationId: MAIL_APPLICATION_ID,
        scopes: ["openid", "Mail.Read"],
        consentType: "AllPrincipals",
      },
      CLI_ACTOR,
    );
    expect(await w.next()).toBe("granted");
    expect(await w.nextAccess()).toBe("ok");

    await db
      .updateTable("identity.service_principals")
      .set({ blocked: true })
      .where("tenant_id", "=", w.tenant.id)
      .where("application_id", "=", w.app.id)
      .execute();
    expect(await w.next()).toBe("app_disabled");
    expect(await w.nextAccess()).toBe("7000112");
    await db
      .updateTable("identity.service_principals")
      .set({ blocked: false })
      .where("tenant_id", "=", w.tenant.id)
      .execute();

    await updateServicePrincipal(
      db,
      w.tenant.id,
      w.app.id,
      { appRoleAssignmentRequired: true },
      CLI_ACTOR,
    );
    expect(await w.next()).toBe("not_assigned");
    expect(await w.nextAccess()).toBe("50105");
    const group = await directory.groups.create(
      w.tenant.id,
      { displayName: "Notes users" },
      CLI_ACTOR,
    );
    await assignAppRole(
      db,
      w.tenant.id,
      { resourceApplicationId: w.app.id, principalType: "Group", principalId: group.id },
      CLI_ACTOR,
    );
    expect(await w.next()).toBe("not_assigned");
    // Only the membership changes (the users version), not the assignments.
    await directory.groups.addMember(w.tenant.id, group.id, w.user.id, CLI_ACTOR);
    expect(await w.next()).toBe("granted");
    expect(await w.nextAccess()).toBe("ok");
    await directory.groups.removeMember(w.tenant.id, group.id, w.user.id, CLI_ACTOR);
    expect(await w.next()).toBe("not_assigned");
    expect(await w.nextAccess()).toBe("50105");
  });

  it("bumps the right counter at commit for each consent table", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await world("cc-counters");
    const read = () => selectCacheVersions(db, w.tenant.id);
    let before = await read();
    const changed = async () => {
      const now = await read();
      const diff = Object.fromEntries(
        Object.entries(now).filter(([k, v]) => v !== before[k as keyof typeof before]),
      );
      before = now;
      return Object.keys(diff).sort();
    };

    await updateConsentSettings(db, w.tenant.id, { adminConsentWorkflowEnabled: true }, CLI_ACTOR);
    expect(await changed()).toEqual(["tenant"]);
    await db
      .insertInto("identity.permission_classifications")
      .values({
        tenant_id: w.tenant.id,
        resource_application_id: MAIL_APPLICATION_ID,
        scope_value: "Mail.Read",
        classification: "low",
      })
      .execute();
    expect(await changed()).toEqual(["tenant"]);
    await createPermissionGrantPolicy(
      db,
      w.tenant.id,
      { id: "p1", displayName: "P1", includes: [{}], assignedToUsers: true },
      CLI_ACTOR,
    );
    expect(await changed()).toEqual(["tenant"]);
    await sql`update identity.permission_grant_policies set assigned_to_users = false
      where tenant_id = ${w.tenant.id}`.execute(db);
    expect(await changed()).toEqual(["tenant"]);
    const consent = (scopes: string[]) =>
      grantDelegatedPermissions(
        db,
        w.tenant.id,
        {
          clientApplicationId: w.app.id,
          resourceApplicationId: MAIL_APPLICATION_ID,
          scopes,
          consentType: "Principal",
          principalId: w.user.id,
        },
        CLI_ACTOR,
      );
    // The first grant also creates Assent Mail's service principal in the tenant ("tenant").
    await consent(["openid"]);
    expect(await changed()).toContain("grants");
    await consent(["profile"]);
    expect(await changed()).toEqual(["grants"]);
    const group = await directory.groups.create(w.tenant.id, { displayName: "G" }, CLI_ACTOR);
    expect(await changed()).toEqual([]);
    await directory.groups.addMember(w.tenant.id, group.id, w.user.id, CLI_ACTOR);
    expect(await changed()).toEqual(["users"]);
    await directory.roles.assign(w.tenant.id, w.user.id, "global_reader", CLI_ACTOR);
    expect(await changed()).toEqual(["users"]);
    // Deleting the group removes the membership by cascade: that counts too.
    await db.deleteFrom("identity.groups").where("id", "=", group.id).execute();
    expect(await changed()).toEqual(["users"]);
  });
});
