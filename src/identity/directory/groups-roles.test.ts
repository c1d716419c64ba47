import type { Kysely } from "kysely";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "../../../test/support/databases.ts";
import { CLI_ACTOR } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { insertMember } from "./group-queries.ts";
import {
  createDirectory,
  DIRECTORY_ROLES,
  type Directory,
  type DirectoryRole,
  groupIdsOfUser,
  listRoleAssignments,
  parseDirectoryRole,
  rolesOfUser,
} from "./index.ts";
import { insertRoleAssignment } from "./role-queries.ts";

async function activities(db: Kysely<IdentityDB>, tenantId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("identity.audit_events")
    .select("activity")
    .where("tenant_id", "=", tenantId)
    .orderBy("seq")
    .execute();
  return rows.map((r) => r.activity);
}

async function count(db: Kysely<IdentityDB>, table: string, tenantId: string): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int n from ${sql.table(table)} where tenant_id = ${tenantId}`.execute(db);
  return r.rows[0]?.n ?? -1;
}

describe("directory roles", () => {
  it("lists the six built-in roles and parses keys and display names in any case", () => {
    expect(DIRECTORY_ROLES.map((r) => r.key)).toEqual([
      "global_administrator",
      "privileged_role_administrator",
      "cloud_application_administrator",
      "application_administrator",
      "global_reader",
      "reports_reader",
    ]);
    expect(parseDirectoryRole("global_administrator")).toBe("global_administrator");
    expect(parseDirectoryRole("Global Administrator")).toBe("global_administrator");
    expect(parseDirectoryRole(" GLOBAL READER ")).toBe("global_reader");
    expect(parseDirectoryRole("Reports_Reader")).toBe("reports_reader");
    expect(parseDirectoryRole("global")).toBeUndefined();
    expect(parseDirectoryRole("")).toBeUndefined();
  });
});

describe.each(["pglite", "postgres"] as const)("directory groups and roles on %s", (kind) => {
  let t: TestDatabase | undefined;
  let directory: Directory;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (t) directory = createDirectory({ database: t.database });
  });
  afterAll(() => t?.close());

  async function tenantWithUser(slug: string) {
    const tenant = await directory.tenants.create({ slug, displayName: slug }, CLI_ACTOR);
    const user = await directory.users.create(
      tenant.id,
      { userPrincipalName: `ada@${slug}.example`, displayName: "Ada" },
      CLI_ACTOR,
    );
    return { tenant, user };
  }

  it("creates groups with names unique per tenant", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const { tenant } = await tenantWithUser("groups-create");
    const other = await tenantWithUser("groups-create-other");
    const sales = await directory.groups.create(
      tenant.id,
      { displayName: " Sales ", description: "The sales team" },
      CLI_ACTOR,
    );
    expect(sales).toMatchObject({ displayName: "Sales", description: "The sales team" });
    await expect(
      directory.groups.create(tenant.id, { displayName: "Sales" }, CLI_ACTOR),
    ).rejects.toMatchObject({ status: 409, code: "group.duplicate_name" });
    await expect(
      directory.groups.create(tenant.id, { displayName: "" }, CLI_ACTOR),
    ).rejects.toMatchObject({ status: 400, code: "group.invalid_name" });
    await directory.groups.create(other.tenant.id, { displayName: "Sales" }, CLI_ACTOR);
    expect(await directory.groups.list(tenant.id)).toEqual([sales]);
    expect(await directory.groups.require(tenant.id, "Sales")).toEqual(sales);
    expect(await directory.groups.require(tenant.id, sales.id)).toEqual(sales);
    await expect(directory.groups.require(other.tenant.id, sales.id)).rejects.toMatchObject({
      code: "group.not_found",
    });
    expect(await activities(db, tenant.id)).toEqual(["Add tenant", "Add user", "Add group"]);
  });

  it("adds and removes members, and reports the groups of a user", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const { tenant, user } = await tenantWithUser("groups-members");
    const g1 = await directory.groups.create(tenant.id, { displayName: "One" }, CLI_ACTOR);
    const g2 = await directory.groups.create(tenant.id, { displayName: "Two" }, CLI_ACTOR);
    await directory.groups.addMember(tenant.id, g1.id, user.id, CLI_ACTOR);
    await directory.groups.addMember(tenant.id, g2.id, user.id, CLI_ACTOR);
    expect(await groupIdsOfUser(db, tenant.id, user.id)).toEqual([g1.id, g2.id].sort());
    expect(
      (await directory.groups.members(tenant.id, g1.id)).map((m) => m.userPrincipalName),
    ).toEqual([user.userPrincipalName]);
    await expect(
      directory.groups.addMember(tenant.id, g1.id, user.id, CLI_ACTOR),
    ).rejects.toMatchObject({ status: 409, code: "group.already_member" });
    await directory.groups.removeMember(tenant.id, g1.id, user.id, CLI_ACTOR);
    expect(await groupIdsOfUser(db, tenant.id, user.id)).toEqual([g2.id]);
    await expect(
      directory.groups.removeMember(tenant.id, g1.id, user.id, CLI_ACTOR),
    ).rejects.toMatchObject({ status: 404, code: "group.not_member" });
    expect(await groupIdsOfUser(db, tenant.id, "not-a-uuid")).toEqual([]);
    expect((await activities(db, tenant.id)).slice(-3)).toEqual([
      "Add member to group",
      "Add member to group",
      "Remove member from group",
    ]);
  });

  it("never puts a user of one tenant in a group of another, in the service or in the query", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const a = await tenantWithUser("groups-cross-a");
    const b = await tenantWithUser("groups-cross-b");
    const group = await directory.groups.create(a.tenant.id, { displayName: "A team" }, CLI_ACTOR);
    await expect(
      directory.groups.addMember(a.tenant.id, group.id, b.user.id, CLI_ACTOR),
    ).rejects.toMatchObject({ status: 404, code: "user.not_found" });
    await expect(
      directory.groups.addMember(b.tenant.id, group.id, b.user.id, CLI_ACTOR),
    ).rejects.toMatchObject({ status: 404, code: "group.not_found" });
    // The query alone refuses the pair too, whichever tenant it is told.
    expect(await insertMember(db, a.tenant.id, group.id, b.user.id)).toBeUndefined();
    expect(await insertMember(db, b.tenant.id, group.id, b.user.id)).toBeUndefined();
    expect(await count(db, "identity.group_members", a.tenant.id)).toBe(0);
    expect(await count(db, "identity.group_members", b.tenant.id)).toBe(0);
    expect(await groupIdsOfUser(db, b.tenant.id, b.user.id)).toEqual([]);
    expect(await activities(db, a.tenant.id)).toEqual(["Add tenant", "Add user", "Add group"]);
  });

  it("assigns and unassigns directory roles, with their audit events", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const { tenant, user } = await tenantWithUser("roles-assign");
    await directory.roles.assign(tenant.id, user.id, "global_administrator", CLI_ACTOR);
    await directory.roles.assign(tenant.id, user.id, "reports_reader", CLI_ACTOR);
    expect(await rolesOfUser(db, tenant.id, user.id)).toEqual([
      "global_administrator",
      "reports_reader",
    ]);
    await expect(
      directory.roles.assign(tenant.id, user.id, "global_administrator", CLI_ACTOR),
    ).rejects.toMatchObject({ status: 409, code: "role.already_assigned" });
    await expect(
      directory.roles.assign(tenant.id, user.id, "emperor" as DirectoryRole, CLI_ACTOR),
    ).rejects.toMatchObject({ status: 400, code: "role.unknown" });
    const listed = await listRoleAssignments(db, tenant.id);
    expect(listed.map((a) => [a.role, a.userPrincipalName])).toEqual([
      ["global_administrator", user.userPrincipalName],
      ["reports_reader", user.userPrincipalName],
    ]);
    await directory.roles.unassign(tenant.id, user.id, "reports_reader", CLI_ACTOR);
    await expect(
      directory.roles.unassign(tenant.id, user.id, "reports_reader", CLI_ACTOR),
    ).rejects.toMatchObject({ status: 404, code: "role.not_assigned" });
    expect(await rolesOfUser(db, tenant.id, user.id)).toEqual(["global_administrator"]);
    expect(await activities(db, tenant.id)).toEqual([
      "Add tenant",
      "Add user",
      "Add member to role",
      "Add member to role",
      "Remove member from role",
    ]);
    const event = await db
      .selectFrom("identity.audit_events")
      .select(["category", "targets", "actor"])
      .where("tenant_id", "=", tenant.id)
      .where("activity", "=", "Add member to role")
      .orderBy("seq")
      .executeTakeFirstOrThrow();
    expect(event.category).toBe("RoleManagement");
    expect(event.actor).toEqual(CLI_ACTOR);
    expect(event.targets).toEqual([
      { type: "Role", id: "global_administrator", displayName: "Global Administrator" },
      { type: "User", id: user.id, displayName: user.userPrincipalName },
    ]);
  });

  it("never gives a role in one tenant to a user of another", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const a = await tenantWithUser("roles-cross-a");
    const b = await tenantWithUser("roles-cross-b");
    await expect(
      directory.roles.assign(a.tenant.id, b.user.id, "global_administrator", CLI_ACTOR),
    ).rejects.toMatchObject({ status: 404, code: "user.not_found" });
    expect(await insertRoleAssignment(db, a.tenant.id, b.user.id, "global_reader")).toBeUndefined();
    expect(await listRoleAssignments(db, a.tenant.id)).toEqual([]);
    expect(await rolesOfUser(db, a.tenant.id, b.user.id)).toEqual([]);
    expect(await rolesOfUser(db, b.tenant.id, b.user.id)).toEqual([]);
  });
});
