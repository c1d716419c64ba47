import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  type Application,
  findApplicationByAppId,
  MAIL_APPLICATION_ID,
  verifyPublisher,
} from "../../../src/identity/apps/index.ts";
import {
  classifyPermission,
  createPermissionGrantPolicy,
  DEFAULT_CONSENT_SETTINGS,
  evaluateConsent,
  getConsentSettings,
  grantDelegatedPermissions,
  listDelegatedPermissionGrants,
  revokeDelegatedPermissionGrant,
  updateConsentSettings,
} from "../../../src/identity/consent/index.ts";
import { createDirectory } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { type IdentityServer, startIdentity } from "../oauth/support/fixture.ts";
import { addUser, type ConsentWorld, seedWorld } from "./support.ts";

const DAY = 86_400_000;

describe.each(["pglite", "postgres"] as const)("grants, settings and policies on %s", (kind) => {
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

  const grant = (
    w: ConsentWorld,
    app: Application,
    scopes: string[],
    extra: Partial<Parameters<typeof grantDelegatedPermissions>[2]> = {},
  ) =>
    grantDelegatedPermissions(
      (t as TestDatabase).database.db,
      w.tenant.id,
      {
        clientApplicationId: app.id,
        resourceApplicationId: MAIL_APPLICATION_ID,
        scopes,
        consentType: "AllPrincipals",
        ...extra,
      },
      CLI_ACTOR,
    );

  const decide = (w: ConsentWorld, app: Application, userId: string, scopes: string[]) =>
    evaluateConsent((t as TestDatabase).database.db, {
      tenantId: w.tenant.id,
      application: app,
      userId,
      oidcScopes: [],
      resource: { identifierUri: "api://assent-mail", scopes },
    }).then((e) => e.decision.kind);

  it("grants additively: a second consent never drops what the first granted, and expiry only moves later", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await seedWorld(t, server, "gs-additive");
    const first = await grant(w, w.foreignApp, ["Mail.Read", "openid"], {
      expiresAt: new Date(Date.now() + 30 * DAY),
    });
    expect(first.previousScopes).toBeNull();
    const second = await grant(w, w.foreignApp, ["user.read"]);
    expect(second.grant.id).toBe(first.grant.id);
    expect(second.grant.scopes).toEqual(["Mail.Read", "openid", "User.Read"]);
    expect(second.grant.expiresAt).toBeNull();
    const third = await grant(w, w.foreignApp, ["Mail.Send"], {
      expiresAt: new Date(Date.now() + DAY),
    });
    expect(third.grant.expiresAt).toBeNull();
    expect(await listDelegatedPermissionGrants(db, w.tenant.id)).toHaveLength(1);

    const audit = await db
      .selectFrom("identity.audit_events")
      .select(["modified_properties"])
      .where("tenant_id", "=", w.tenant.id)
      .where("activity", "=", "Add delegated permission grant")
      .orderBy("seq")
      .execute();
    expect(audit).toHaveLength(3);
    expect(audit[1]?.modified_properties).toContainEqual({
      name: "DelegatedPermissionGrant.Scope",
      oldValue: "Mail.Read openid",
      newValue: "Mail.Read openid User.Read",
    });

    await expect(grant(w, w.foreignApp, ["Mail.Nope"])).rejects.toMatchObject({
      code: "permission.not_found",
    });
    await expect(
      grant(w, w.foreignApp, ["Mail.Read"], { expiresAt: new Date(Date.now() - 1000) }),
    ).rejects.toMatchObject({ code: "grant.invalid_expiry" });
  });

  it("merges concurrent grants for the same app and principal into one", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorld(t, server, "gs-race");
    await Promise.all(
      ["Mail.Read", "Mail.Send", "User.Read", "openid"].map((s) => grant(w, w.homeApp, [s])),
    );
    const grants = await listDelegatedPermissionGrants(t.database.db, w.tenant.id);
    expect(grants).toHaveLength(1);
    expect([...(grants[0]?.scopes ?? [])].sort()).toEqual([
      "Mail.Read",
      "Mail.Send",
      "User.Read",
      "openid",
    ]);
  });

  it("counts group grants for members only, expired grants for no one", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await seedWorld(t, server, "gs-groups");
    const lee = await addUser(t, w.tenant, "lee");
    const directory = createDirectory({ database: t.database });
    const sales = await directory.groups.create(w.tenant.id, { displayName: "Sales" }, CLI_ACTOR);
    await directory.groups.addMember(w.tenant.id, sales.id, lee.id, CLI_ACTOR);
    await grant(w, w.foreignApp, ["Mail.Read"], { consentType: "Groups", groupIds: [sales.id] });
    expect(await decide(w, w.foreignApp, lee.id, ["Mail.Read"])).toBe("granted");
    expect(await decide(w, w.foreignApp, w.megan.id, ["Mail.Read"])).toBe("admin_approval_needed");
    await expect(
      grant(w, w.foreignApp, ["Mail.Read"], { consentType: "Groups", groupIds: [] }),
    ).rejects.toMatchObject({ code: "grant.no_groups" });

    await grant(w, w.homeApp, ["Mail.Read"], {
      consentType: "Principal",
      principalId: w.megan.id,
      expiresAt: new Date(Date.now() + 1500),
    });
    expect(await decide(w, w.homeApp, w.megan.id, ["Mail.Read"])).toBe("granted");
    await new Promise((r) => setTimeout(r, 1600));
    expect(await decide(w, w.homeApp, w.megan.id, ["Mail.Read"])).toBe("admin_approval_needed");
    // Granting again after expiry starts afresh.
    const renewed = await grant(w, w.homeApp, ["User.Read"], {
      consentType: "Principal",
      principalId: w.megan.id,
    });
    expect(renewed.grant.scopes).toEqual(["User.Read"]);
  });

  it("revokes all or part of a grant, only in its own tenant", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await seedWorld(t, server, "gs-revoke");
    const other = await seedWorld(t, server, "gs-revoke-other");
    const { grant: g } = await grant(w, w.foreignApp, ["Mail.Read", "User.Read"]);
    await expect(
      revokeDelegatedPermissionGrant(db, other.tenant.id, g.id, CLI_ACTOR),
    ).rejects.toMatchObject({ code: "grant.not_found" });
    expect(
      await revokeDelegatedPermissionGrant(db, w.tenant.id, g.id, CLI_ACTOR, {
        scopes: ["mail.read"],
      }),
    ).toEqual({ removed: ["Mail.Read"], remaining: ["User.Read"] });
    await revokeDelegatedPermissionGrant(db, w.tenant.id, g.id, CLI_ACTOR);
    expect(await listDelegatedPermissionGrants(db, w.tenant.id)).toEqual([]);
  });

  it("has Entra's defaults, audits setting changes, and applies classifications and custom policies", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const w = await seedWorld(t, server, "gs-settings");
    expect(await getConsentSettings(db, w.tenant.id)).toEqual(DEFAULT_CONSENT_SETTINGS);
    await expect(
      updateConsentSettings(db, w.tenant.id, { userConsent: "sometimes" as never }, CLI_ACTOR),
    ).rejects.toMatchObject({ code: "consent_settings.invalid_user_consent" });
    await updateConsentSettings(db, w.tenant.id, { adminConsentWorkflowEnabled: true }, CLI_ACTOR);
    const events = await db
      .selectFrom("identity.audit_events")
      .select(["activity", "modified_properties"])
      .where("tenant_id", "=", w.tenant.id)
      .where("category", "=", "Policy")
      .execute();
    expect(events).toEqual([
      {
        activity: "Update admin consent request policy",
        modified_properties: [{ name: "IsEnabled", oldValue: false, newValue: true }],
      },
    ]);

    // A verified publisher's app: low-impact scopes are user-consentable, Mail.ReadBasic only
    // once the tenant classifies it low.
    await verifyPublisher(db, w.publisher.id, w.foreignApp.id, "Northwind", CLI_ACTOR);
    const verified = (await findApplicationByAppId(db, w.foreignApp.appId)) as Application;
    expect(await decide(w, verified, w.megan.id, ["User.Read"])).toBe("user_consent");
    expect(await decide(w, verified, w.megan.id, ["Mail.ReadBasic"])).toBe("approval_required");
    await classifyPermission(
      db,
      w.tenant.id,
      {
        resourceApplicationId: MAIL_APPLICATION_ID,
        value: "Mail.ReadBasic",
        classification: "low",
      },
      CLI_ACTOR,
    );
    expect(await decide(w, verified, w.megan.id, ["Mail.ReadBasic"])).toBe("user_consent");

    // A custom policy assigned to users lets them consent to Mail.Read for the home app only.
    expect(await decide(w, w.homeApp, w.megan.id, ["Mail.Read"])).toBe("approval_required");
    await createPermissionGrantPolicy(
      db,
      w.tenant.id,
      {
        id: "notes-mail",
        displayName: "Contoso Notes may read mail",
        includes: [{ clientApplicationIds: [w.homeApp.appId], permissions: ["Mail.Read"] }],
        assignedToUsers: true,
      },
      CLI_ACTOR,
    );
    expect(await decide(w, w.homeApp, w.megan.id, ["Mail.Read"])).toBe("user_consent");
    expect(await decide(w, w.homeApp, w.megan.id, ["Mail.Send"])).toBe("approval_required");
    await expect(
      createPermissionGrantPolicy(
        db,
        w.tenant.id,
        { id: "assent-sneaky", displayName: "x", includes: [{}] },
        CLI_ACTOR,
      ),
    ).rejects.toMatchObject({ code: "permission_grant_policy.invalid" });
    // "Do not allow user consent" turns every policy off.
    await updateConsentSettings(db, w.tenant.id, { userConsent: "disabled" }, CLI_ACTOR);
    expect(await decide(w, w.homeApp, w.megan.id, ["Mail.Read"])).toBe("approval_required");
    expect(await decide(w, w.homeApp, w.admin.id, ["Mail.Read"])).toBe("admin_consent");
  });
});
