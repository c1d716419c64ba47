import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "../../../test/support/databases.ts";
import { CLI_ACTOR } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import {
  assignAppRole,
  createApplication,
  ensureServicePrincipal,
  exposeAppRole,
  findServicePrincipal,
  grantedAppRoleValues,
  isUserAssigned,
  listAppRoleAssignments,
  listServicePrincipals,
  MAIL_APPLICATION_ID,
  MAIL_ROLE_IDS,
  NIL_ROLE_ID,
  updateServicePrincipal,
} from "./index.ts";

async function newTenant(db: Kysely<IdentityDB>, slug: string): Promise<string> {
  const row = await db
    .insertInto("identity.tenants")
    .values({ slug, display_name: slug })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function newUser(db: Kysely<IdentityDB>, tenantId: string, upn: string): Promise<string> {
  const row = await db
    .insertInto("identity.users")
    .values({
      tenant_id: tenantId,
      user_principal_name: upn,
      display_name: upn,
      password_hash: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function activities(db: Kysely<IdentityDB>, tenantId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("identity.audit_events")
    .select("activity")
    .where("tenant_id", "=", tenantId)
    .orderBy("seq")
    .execute();
  return rows.map((r) => r.activity);
}

describe.each(["pglite", "postgres"] as const)("service principals on %s", (kind) => {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(() => t?.close());

  it("creates one service principal however many callers race for it", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const tenantId = await newTenant(db, "sp-race");
    expect(await findServicePrincipal(db, tenantId, MAIL_APPLICATION_ID)).toBeUndefined();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => ensureServicePrincipal(db, tenantId, MAIL_APPLICATION_ID)),
    );
    expect(new Set(results.map((sp) => sp.id)).size).toBe(1);
    expect(results[0]).toMatchObject({
      tenantId,
      applicationId: MAIL_APPLICATION_ID,
      accountEnabled: true,
      appRoleAssignmentRequired: false,
      visibleToUsers: true,
      notes: null,
    });
    const rows = await db
      .selectFrom("identity.service_principals")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .execute();
    expect(rows).toHaveLength(1);
    expect(await activities(db, tenantId)).toEqual(["Add service principal"]);
    expect(await findServicePrincipal(db, tenantId, MAIL_APPLICATION_ID)).toEqual(results[0]);
    expect(await findServicePrincipal(db, tenantId, "nope")).toBeUndefined();
    await expect(
      ensureServicePrincipal(db, tenantId, "6a1d2c3e-0000-4000-8000-000000000000"),
    ).rejects.toMatchObject({ status: 404, code: "application.not_found" });
  });

  it("changes enterprise app properties, audited, and lists them with the app's name", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const tenantId = await newTenant(db, "sp-update");
    const sp = await updateServicePrincipal(
      db,
      tenantId,
      MAIL_APPLICATION_ID,
      { accountEnabled: false, appRoleAssignmentRequired: true, notes: " blocked pending review " },
      CLI_ACTOR,
    );
    expect(sp).toMatchObject({
      accountEnabled: false,
      appRoleAssignmentRequired: true,
      visibleToUsers: true,
      notes: "blocked pending review",
    });
    await updateServicePrincipal(
      db,
      tenantId,
      MAIL_APPLICATION_ID,
      { visibleToUsers: false, notes: "" },
      CLI_ACTOR,
    );
    const [listed] = await listServicePrincipals(db, tenantId);
    expect(listed).toMatchObject({
      displayName: "Assent Mail",
      publisherVerified: true,
      visibleToUsers: false,
      accountEnabled: false,
      notes: null,
    });
    await expect(
      updateServicePrincipal(
        db,
        tenantId,
        MAIL_APPLICATION_ID,
        { notes: "x".repeat(1025) },
        CLI_ACTOR,
      ),
    ).rejects.toMatchObject({ status: 400, code: "service_principal.invalid_notes" });
    const events = await db
      .selectFrom("identity.audit_events")
      .select(["activity", "modified_properties"])
      .where("tenant_id", "=", tenantId)
      .orderBy("seq")
      .execute();
    expect(events.map((e) => e.activity)).toEqual([
      "Add service principal",
      "Update service principal",
      "Update service principal",
    ]);
    expect(events[1]?.modified_properties).toContainEqual({
      name: "AccountEnabled",
      oldValue: true,
      newValue: false,
    });
  });

  it("knows who is assigned: directly, through a group, and not across tenants", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const tenantId = await newTenant(db, "sp-assign");
    const otherTenant = await newTenant(db, "sp-assign-other");
    const app = await createApplication(db, tenantId, { displayName: "HR Portal" }, CLI_ACTOR);
    const sp = (await findServicePrincipal(db, tenantId, app.id))!;
    const ada = await newUser(db, tenantId, "ada@contoso.com");
    const bob = await newUser(db, tenantId, "bob@contoso.com");
    const eve = await newUser(db, tenantId, "eve@contoso.com");
    const stranger = await newUser(db, otherTenant, "ada@fabrikam.com");
    const group = await db
      .insertInto("identity.groups")
      .values({ tenant_id: tenantId, display_name: "HR" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("identity.group_members")
      .values({ tenant_id: tenantId, group_id: group.id, user_id: bob })
      .execute();

    for (const user of [ada, bob, eve])
      expect(await isUserAssigned(db, tenantId, sp.id, user)).toBe(false);
    await assignAppRole(
      db,
      tenantId,
      { resourceApplicationId: app.id, principalType: "User", principalId: ada },
      CLI_ACTOR,
    );
    await assignAppRole(
      db,
      tenantId,
      {
        resourceApplicationId: app.id,
        principalType: "Group",
        principalId: group.id,
        appRoleId: NIL_ROLE_ID,
      },
      CLI_ACTOR,
    );
    expect(await isUserAssigned(db, tenantId, sp.id, ada)).toBe(true);
    expect(await isUserAssigned(db, tenantId, sp.id, bob)).toBe(true);
    expect(await isUserAssigned(db, tenantId, sp.id, eve)).toBe(false);
    expect(await isUserAssigned(db, otherTenant, sp.id, ada)).toBe(false);
    expect(await isUserAssigned(db, tenantId, sp.id, "not-a-uuid")).toBe(false);
    // A user of another tenant cannot be assigned here.
    await expect(
      assignAppRole(
        db,
        tenantId,
        { resourceApplicationId: app.id, principalType: "User", principalId: stranger },
        CLI_ACTOR,
      ),
    ).rejects.toMatchObject({ status: 404, code: "principal.not_found" });
    await expect(
      assignAppRole(
        db,
        tenantId,
        { resourceApplicationId: app.id, principalType: "User", principalId: ada },
        CLI_ACTOR,
      ),
    ).rejects.toMatchObject({ status: 409, code: "app_role_assignment.duplicate" });
    expect(
      (await listAppRoleAssignments(db, tenantId, sp.id)).map((a) => [
        a.principalType,
        a.appRoleId,
      ]),
    ).toEqual([
      ["User", NIL_ROLE_ID],
      ["Group", NIL_ROLE_ID],
    ]);
    expect(await activities(db, tenantId)).toEqual([
      "Add application",
      "Add service principal",
      "Add app role assignment grant to user",
      "Add app role assignment to group",
    ]);
  });

  it("grants an application permission to a client service principal (client credentials)", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const tenantId = await newTenant(db, "sp-grant");
    const otherTenant = await newTenant(db, "sp-grant-other");
    const daemon = await createApplication(
      db,
      tenantId,
      { displayName: "Archiver", signInAudience: "AzureADMultipleOrgs" },
      CLI_ACTOR,
    );
    const clientSp = (await findServicePrincipal(db, tenantId, daemon.id))!;
    expect(await grantedAppRoleValues(db, tenantId, clientSp.id, MAIL_APPLICATION_ID)).toEqual([]);
    const assignment = await assignAppRole(
      db,
      tenantId,
      {
        resourceApplicationId: MAIL_APPLICATION_ID,
        principalType: "ServicePrincipal",
        principalId: clientSp.id,
        roleValue: "Mail.Read.All",
      },
      CLI_ACTOR,
    );
    expect(assignment.appRoleId).toBe(MAIL_ROLE_IDS["Mail.Read.All"]);
    expect(await grantedAppRoleValues(db, tenantId, clientSp.id, MAIL_APPLICATION_ID)).toEqual([
      "Mail.Read.All",
    ]);
    // Not in another tenant, not on another resource.
    const otherSp = await ensureServicePrincipal(db, otherTenant, daemon.id);
    expect(await grantedAppRoleValues(db, otherTenant, otherSp.id, MAIL_APPLICATION_ID)).toEqual(
      [],
    );
    expect(await grantedAppRoleValues(db, otherTenant, clientSp.id, MAIL_APPLICATION_ID)).toEqual(
      [],
    );
    expect(await grantedAppRoleValues(db, tenantId, clientSp.id, daemon.id)).toEqual([]);

    // A role for users only cannot be granted to an application, and vice versa.
    await exposeAppRole(
      db,
      tenantId,
      daemon.id,
      {
        value: "Archive.Admin",
        displayName: "Archive admins",
        description: "Administer the archive.",
        allowedMemberTypes: ["User"],
      },
      CLI_ACTOR,
    );
    await expect(
      assignAppRole(
        db,
        tenantId,
        {
          resourceApplicationId: daemon.id,
          principalType: "ServicePrincipal",
          principalId: clientSp.id,
          roleValue: "Archive.Admin",
        },
        CLI_ACTOR,
      ),
    ).rejects.toMatchObject({ status: 400, code: "app_role.not_assignable" });
    await expect(
      assignAppRole(
        db,
        tenantId,
        {
          resourceApplicationId: MAIL_APPLICATION_ID,
          principalType: "ServicePrincipal",
          principalId: clientSp.id,
          roleValue: "Mail.Fly",
        },
        CLI_ACTOR,
      ),
    ).rejects.toMatchObject({ status: 404, code: "app_role.not_found" });
    // A single-tenant app of another tenant is not a resource here.
    const foreign = await createApplication(db, otherTenant, { displayName: "Foreign" }, CLI_ACTOR);
    await expect(
      assignAppRole(
        db,
        tenantId,
        {
          resourceApplicationId: foreign.id,
          principalType: "ServicePrincipal",
          principalId: clientSp.id,
        },
        CLI_ACTOR,
      ),
    ).rejects.toMatchObject({ status: 404, code: "application.not_found" });

    // A disabled role stops counting.
    await db
      .updateTable("identity.application_roles")
      .set({ enabled: false })
      .where("id", "=", MAIL_ROLE_IDS["Mail.Read.All"])
      .execute();
    try {
      expect(await grantedAppRoleValues(db, tenantId, clientSp.id, MAIL_APPLICATION_ID)).toEqual(
        [],
      );
    } finally {
      await db
        .updateTable("identity.application_roles")
        .set({ enabled: true })
        .where("id", "=", MAIL_ROLE_IDS["Mail.Read.All"])
        .execute();
    }
    expect(await activities(db, tenantId)).toEqual([
      "Add application",
      "Add service principal",
      "Add service principal",
      "Add app role assignment to service principal",
      "Update application",
    ]);
  });
});
