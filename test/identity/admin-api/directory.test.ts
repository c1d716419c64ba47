import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/index.ts";
import { assignAppRole } from "../../../src/identity/apps/index.ts";
import { createDirectory } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { PASSWORD } from "../oauth/support/fixture.ts";
import { api, auditEvents, expectCall, expectError, portalToken } from "./admin-http.ts";
import {
  appOnlyToken,
  delegatedToken,
  type IdentityServer,
  seedAdminTenant,
  startIdentity,
} from "./support.ts";

const USERS = "/api/v1/users";
const GROUPS = "/api/v1/groups";
const ROLE_ASSIGNMENTS = "/api/v1/roleManagement/directory/roleAssignments";
const NEW_PASSWORD = "a long and unusual passphrase 42";

describe.each(["pglite", "postgres"] as const)("admin API: directory on %s", (kind) => {
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

  it("creates, finds, renames, disables, re-enables, resets and deletes users", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "dir-users");
    const token = await portalToken(t, s, s.users.globalAdmin);
    const directory = createDirectory({ database: t.database });

    const made = await expectCall(server, "POST", USERS, token, {
      body: {
        userPrincipalName: "Mia.Wong@dir-users.example",
        displayName: "Mia Wong",
        password: NEW_PASSWORD,
      },
      status: 201,
    });
    expect(made).toMatchObject({
      userPrincipalName: "mia.wong@dir-users.example",
      displayName: "Mia Wong",
      accountEnabled: true,
      passwordSet: true,
    });
    expect(JSON.stringify(made)).not.toContain(NEW_PASSWORD);
    const [added] = await auditEvents(t, s.tenant.id, "Add user");
    expect(added).toMatchObject({
      initiatedBy: { type: "user", id: s.users.globalAdmin.id },
      targetResources: [{ id: made.id }],
    });
    // The password set once is the one that signs in.
    expect(
      (await directory.users.authenticate(s.tenant.id, made.userPrincipalName, NEW_PASSWORD)).ok,
    ).toBe(true);

    // By id and by user principal name (any case).
    const byId = await expectCall(server, "GET", `${USERS}/${made.id}`, token, {
      route: `${USERS}/{id}`,
    });
    expect(byId).toEqual(made);
    const byUpn = await expectCall(server, "GET", `${USERS}/MIA.wong@dir-users.example`, token, {
      route: `${USERS}/{id}`,
    });
    expect(byUpn.id).toBe(made.id);

    // Search: the start of the principal name, of the display name, or of one of its words.
    for (const search of ["mia", "Wong", "MIA.W"]) {
      const found = await expectCall(
        server,
        "GET",
        `${USERS}?search=${encodeURIComponent(search)}`,
        token,
        { route: USERS },
      );
      expect(found.value.map((u: { id: string }) => u.id)).toEqual([made.id]);
    }
    const none = await expectCall(server, "GET", `${USERS}?search=ong`, token, { route: USERS });
    expect(none.value).toEqual([]);
    // LIKE wildcards are text, not patterns.
    expect(
      (await expectCall(server, "GET", `${USERS}?search=%25`, token, { route: USERS })).value,
    ).toEqual([]);

    const renamed = await expectCall(server, "PATCH", `${USERS}/${made.id}`, token, {
      body: { displayName: "Mia W. Wong" },
      route: `${USERS}/{id}`,
    });
    expect(renamed.displayName).toBe("Mia W. Wong");
    const [update] = await auditEvents(t, s.tenant.id, "Update user");
    expect(update!.modifiedProperties).toEqual([
      { name: "DisplayName", oldValue: "Mia Wong", newValue: "Mia W. Wong" },
    ]);

    const disabled = await expectCall(server, "PATCH", `${USERS}/${made.id}`, token, {
      body: { accountEnabled: false },
      route: `${USERS}/{id}`,
    });
    expect(disabled.accountEnabled).toBe(false);
    expect((await directory.users.get(s.tenant.id, made.id))?.enabled).toBe(false);
    expect(await auditEvents(t, s.tenant.id, "Disable account")).toHaveLength(1);
    const enabled = await expectCall(server, "PATCH", `${USERS}/${made.id}`, token, {
      body: { accountEnabled: true },
      route: `${USERS}/{id}`,
    });
    expect(enabled.accountEnabled).toBe(true);

    await expectCall(server, "POST", `${USERS}/${made.id}/password`, token, {
      body: { password: PASSWORD },
      status: 204,
    });
    expect(
      (await directory.users.authenticate(s.tenant.id, made.userPrincipalName, PASSWORD)).ok,
    ).toBe(true);
    expect(
      (await directory.users.authenticate(s.tenant.id, made.userPrincipalName, NEW_PASSWORD)).ok,
    ).toBe(false);
    expect(await auditEvents(t, s.tenant.id, "Reset user password")).toHaveLength(1);

    // Deleting takes the user's app assignments along (migration 0013's trigger).
    await assignAppRole(
      t.database.db,
      s.tenant.id,
      { resourceApplicationId: s.web.id, principalType: "User", principalId: made.id },
      CLI_ACTOR,
    );
    await expectCall(server, "DELETE", `${USERS}/${made.id}`, token, { status: 204 });
    await expectError(server, "GET", `${USERS}/${made.id}`, token, 404, "user.not_found");
    const left = await t.database.db
      .selectFrom("identity.app_role_assignments")
      .select("id")
      .where("principal_id", "=", made.id)
      .execute();
    expect(left).toEqual([]);
    const [deleted] = await auditEvents(t, s.tenant.id, "Delete user");
    expect(deleted!.targetResources[0]).toMatchObject({
      id: made.id,
      displayName: made.userPrincipalName,
    });
  });

  it("pages users by principal name with @odata.nextLink, nothing repeated or missed", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "dir-paging");
    const token = await appOnlyToken(t, s, ["Directory.Read.All"]);
    const all = await expectCall(server, "GET", `${USERS}?top=1000`, token, { route: USERS });
    expect(all["@odata.nextLink"]).toBeUndefined();
    const seen: string[] = [];
    let next: string | undefined = `${USERS}?top=2`;
    let pages = 0;
    while (next) {
      const page: { value: Array<{ userPrincipalName: string }>; "@odata.nextLink"?: string } =
        await expectCall(server, "GET", next, token, { route: USERS });
      seen.push(...page.value.map((u) => u.userPrincipalName));
      next = page["@odata.nextLink"];
      if (next) expect(next.startsWith(server.baseUrl)).toBe(true);
      pages++;
    }
    expect(pages).toBe(Math.ceil(all.value.length / 2));
    expect(seen).toEqual(all.value.map((u: { userPrincipalName: string }) => u.userPrincipalName));
    expect(seen).toEqual([...seen].sort());
    await expectError(
      server,
      "GET",
      `${USERS}?cursor=bm9wZQ`,
      token,
      400,
      "request.invalid_cursor",
    );
  });

  it("refuses bad input with 400/409 and a message saying what is wrong", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "dir-bad");
    const token = await portalToken(t, s, s.users.globalAdmin);
    const invalid = await api(server, "POST", USERS, token, { displayName: "No Name" });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe("request.invalid");
    expect(invalid.body.error.details.map((d: { path: string }) => d.path)).toContain(
      "userPrincipalName",
    );
    await expectError(server, "POST", USERS, token, 400, "user.invalid_upn", {
      userPrincipalName: "not-an-email",
      displayName: "X",
    });
    expect(
      await expectError(server, "POST", USERS, token, 400, "user.weak_password", {
        userPrincipalName: "weak@dir-bad.example",
        displayName: "Weak",
        password: "password",
      }),
    ).toMatch(/password is refused/);
    await expectError(server, "POST", USERS, token, 409, "user.duplicate_upn", {
      userPrincipalName: s.user.userPrincipalName.toUpperCase(),
      displayName: "Again",
    });
    await expectError(server, "PATCH", `${USERS}/${s.user.id}`, token, 400, "request.invalid", {});
    await expectError(server, "PATCH", `${USERS}/${s.user.id}`, token, 400, "request.invalid", {
      enabled: false,
    });
    await expectError(server, "PATCH", `${USERS}/not-a-uuid`, token, 404, "user.not_found", {
      displayName: "X",
    });
    // An administrator cannot lock themselves out.
    await expectError(
      server,
      "PATCH",
      `${USERS}/${s.users.globalAdmin.id}`,
      token,
      400,
      "user.self",
      {
        accountEnabled: false,
      },
    );
    await expectError(
      server,
      "DELETE",
      `${USERS}/${s.users.globalAdmin.id}`,
      token,
      400,
      "user.self",
    );
    await expectError(server, "POST", GROUPS, token, 400, "request.invalid", { displayName: "" });
    await expectCall(server, "POST", GROUPS, token, {
      body: { displayName: "Sales" },
      status: 201,
    });
    await expectError(server, "POST", GROUPS, token, 409, "group.duplicate_name", {
      displayName: "Sales",
    });
    await expectError(server, "POST", ROLE_ASSIGNMENTS, token, 400, "request.invalid", {
      principalId: s.user.id,
      roleDefinitionId: "emperor",
    });
  });

  it("manages groups and their members", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "dir-groups");
    const token = await portalToken(t, s, s.users.globalAdmin);
    const group = await expectCall(server, "POST", GROUPS, token, {
      body: { displayName: "Finance Team", description: "Money" },
      status: 201,
    });
    await expectCall(server, "POST", GROUPS, token, {
      body: { displayName: "Marketing" },
      status: 201,
    });
    const found = await expectCall(server, "GET", `${GROUPS}?search=team`, token, {
      route: GROUPS,
    });
    expect(found.value.map((g: { id: string }) => g.id)).toEqual([group.id]);
    const paged = await expectCall(server, "GET", `${GROUPS}?top=1`, token, { route: GROUPS });
    expect(paged.value.map((g: { displayName: string }) => g.displayName)).toEqual([
      "Finance Team",
    ]);
    const second = await expectCall(server, "GET", paged["@odata.nextLink"], token, {
      route: GROUPS,
    });
    expect(second.value.map((g: { displayName: string }) => g.displayName)).toEqual(["Marketing"]);

    const members = `${GROUPS}/${group.id}/members`;
    await expectCall(server, "POST", members, token, { body: { userId: s.user.id }, status: 204 });
    await expectError(server, "POST", members, token, 409, "group.already_member", {
      userId: s.user.id,
    });
    const listed = await expectCall(server, "GET", members, token, {
      route: `${GROUPS}/{id}/members`,
    });
    expect(listed.value).toMatchObject([
      { id: s.user.id, userPrincipalName: s.user.userPrincipalName },
    ]);
    const memberOf = await expectCall(server, "GET", `${USERS}/${s.user.id}/memberOf`, token, {
      route: `${USERS}/{id}/memberOf`,
    });
    expect(memberOf.value).toEqual([{ id: group.id, displayName: "Finance Team" }]);

    const updated = await expectCall(server, "PATCH", `${GROUPS}/${group.id}`, token, {
      body: { displayName: "Finance", description: null },
      route: `${GROUPS}/{id}`,
    });
    expect(updated).toMatchObject({ displayName: "Finance", description: null });
    await expectError(
      server,
      "PATCH",
      `${GROUPS}/${group.id}`,
      token,
      409,
      "group.duplicate_name",
      {
        displayName: "Marketing",
      },
    );
    expect((await auditEvents(t, s.tenant.id, "Update group"))[0]!.modifiedProperties).toEqual([
      { name: "DisplayName", oldValue: "Finance Team", newValue: "Finance" },
      { name: "Description", oldValue: "Money", newValue: null },
    ]);

    await expectCall(server, "DELETE", `${members}/${s.user.id}`, token, { status: 204 });
    await expectError(server, "DELETE", `${members}/${s.user.id}`, token, 404, "group.not_member");
    await assignAppRole(
      t.database.db,
      s.tenant.id,
      { resourceApplicationId: s.web.id, principalType: "Group", principalId: group.id },
      CLI_ACTOR,
    );
    await expectCall(server, "DELETE", `${GROUPS}/${group.id}`, token, { status: 204 });
    await expectError(server, "GET", `${GROUPS}/${group.id}`, token, 404, "group.not_found");
    await expectError(server, "GET", members, token, 404, "group.not_found");
    const left = await t.database.db
      .selectFrom("identity.app_role_assignments")
      .select("id")
      .where("principal_id", "=", group.id)
      .execute();
    expect(left).toEqual([]);
    expect(await auditEvents(t, s.tenant.id, "Delete group")).toHaveLength(1);
  });

  it("lists directory roles and assigns and removes them (Privileged Role Administrator)", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "dir-roles");
    const directory = createDirectory({ database: t.database });
    await directory.roles.assign(
      s.tenant.id,
      s.user.id,
      "privileged_role_administrator",
      CLI_ACTOR,
    );
    const token = await portalToken(t, s, s.user);
    const definitions = await expectCall(
      server,
      "GET",
      "/api/v1/roleManagement/directory/roleDefinitions",
      token,
    );
    expect(definitions.value.map((d: { id: string }) => d.id)).toContain("global_reader");

    const made = await expectCall(server, "POST", ROLE_ASSIGNMENTS, token, {
      body: { principalId: s.users.plain.id, roleDefinitionId: "global_reader" },
      status: 201,
    });
    expect(made).toMatchObject({
      id: `${s.users.plain.id}:global_reader`,
      principalUserPrincipalName: s.users.plain.userPrincipalName,
      roleDisplayName: "Global Reader",
    });
    await expectError(server, "POST", ROLE_ASSIGNMENTS, token, 409, "role.already_assigned", {
      principalId: s.users.plain.id,
      roleDefinitionId: "global_reader",
    });
    const mine = await expectCall(
      server,
      "GET",
      `${ROLE_ASSIGNMENTS}?principalId=${s.users.plain.id}`,
      token,
      {
        route: ROLE_ASSIGNMENTS,
      },
    );
    expect(mine.value.map((a: { roleDefinitionId: string }) => a.roleDefinitionId)).toEqual([
      "global_reader",
    ]);
    // The new Global Reader reads the directory at once...
    const reader = await portalToken(t, s, s.users.plain);
    await expectCall(server, "GET", USERS, reader);
    // ...until the role is taken away.
    await expectCall(
      server,
      "DELETE",
      `${ROLE_ASSIGNMENTS}/${encodeURIComponent(made.id)}`,
      token,
      { status: 204 },
    );
    await expectError(server, "GET", USERS, reader, 403, "authorization.role_required");
    await expectError(
      server,
      "DELETE",
      `${ROLE_ASSIGNMENTS}/${made.id}`,
      token,
      404,
      "role.not_assigned",
    );
    await expectError(
      server,
      "DELETE",
      `${ROLE_ASSIGNMENTS}/garbage`,
      token,
      404,
      "role.not_assigned",
    );
    expect(await auditEvents(t, s.tenant.id, "Add member to role")).not.toHaveLength(0);
    expect(await auditEvents(t, s.tenant.id, "Remove member from role")).toHaveLength(1);
    // An Application Administrator manages no roles; Directory.ReadWrite.All is not role management.
    await expectError(
      server,
      "POST",
      ROLE_ASSIGNMENTS,
      await portalToken(t, s, s.users.appAdmin),
      403,
      "authorization.role_required",
      {
        principalId: s.users.plain.id,
        roleDefinitionId: "global_administrator",
      },
    );
    await expectError(
      server,
      "POST",
      ROLE_ASSIGNMENTS,
      await appOnlyToken(t, s, ["Directory.ReadWrite.All"]),
      403,
      "authorization.insufficient_scope",
      {
        principalId: s.users.plain.id,
        roleDefinitionId: "global_administrator",
      },
    );
  });

  it("lets readers read and only Global Administrators write; app-only needs the permission", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "dir-rbac");
    const directory = createDirectory({ database: t.database });
    await directory.roles.assign(s.tenant.id, s.users.plain.id, "global_reader", CLI_ACTOR);
    const globalReader = await portalToken(t, s, s.users.plain);
    const newUser = { userPrincipalName: "new@dir-rbac.example", displayName: "New" };

    await expectCall(server, "GET", USERS, globalReader);
    await expectCall(server, "GET", GROUPS, globalReader);
    await expectCall(server, "GET", ROLE_ASSIGNMENTS, globalReader);
    expect(
      await expectError(
        server,
        "POST",
        USERS,
        globalReader,
        403,
        "authorization.role_required",
        newUser,
      ),
    ).toContain("Global Administrator");
    await expectError(
      server,
      "PATCH",
      `${USERS}/${s.user.id}`,
      globalReader,
      403,
      "authorization.role_required",
      {
        accountEnabled: false,
      },
    );
    // A Reports Reader sees the logs only.
    await expectError(
      server,
      "GET",
      USERS,
      await portalToken(t, s, s.users.reader),
      403,
      "authorization.role_required",
    );
    // A token without the scope is refused even for a Global Administrator.
    const narrow = await delegatedToken(t, s, s.users.globalAdmin, { scp: "Directory.Read.All" });
    await expectCall(server, "GET", USERS, narrow);
    await expectError(
      server,
      "POST",
      USERS,
      narrow,
      403,
      "authorization.insufficient_scope",
      newUser,
    );

    const readOnly = await appOnlyToken(t, s, ["Directory.Read.All"]);
    await expectCall(server, "GET", USERS, readOnly);
    await expectError(
      server,
      "DELETE",
      `${USERS}/${s.user.id}`,
      readOnly,
      403,
      "authorization.insufficient_scope",
    );
    const automation = await appOnlyToken(t, s, ["Directory.ReadWrite.All"]);
    const made = await expectCall(server, "POST", USERS, automation, {
      body: newUser,
      status: 201,
    });
    const [added] = await auditEvents(t, s.tenant.id, "Add user");
    expect(added).toMatchObject({
      initiatedBy: { type: "application" },
      targetResources: [{ id: made.id }],
    });
    await expectError(server, "GET", USERS, undefined, 401, "authentication.required");
  });

  it("keeps tenants apart: tenant B's administrator cannot read or change tenant A's directory", async (ctx) => {
    if (!t) return ctx.skip();
    const a = await seedAdminTenant(t, server, "dir-iso-a");
    const b = await seedAdminTenant(t, server, "dir-iso-b");
    const tokenA = await portalToken(t, a, a.users.globalAdmin);
    const tokenB = await portalToken(t, b, b.users.globalAdmin);
    const groupA = await expectCall(server, "POST", GROUPS, tokenA, {
      body: { displayName: "A only" },
      status: 201,
    });

    const listB = await expectCall(server, "GET", `${USERS}?top=1000`, tokenB, { route: USERS });
    expect(
      listB.value
        .map((u: { userPrincipalName: string }) => u.userPrincipalName)
        .every((n: string) => n.endsWith("@dir-iso-b.example")),
    ).toBe(true);
    await expectError(server, "GET", `${USERS}/${a.user.id}`, tokenB, 404, "user.not_found");
    await expectError(
      server,
      "GET",
      `${USERS}/${a.user.userPrincipalName}`,
      tokenB,
      404,
      "user.not_found",
    );
    await expectError(server, "PATCH", `${USERS}/${a.user.id}`, tokenB, 404, "user.not_found", {
      accountEnabled: false,
    });
    await expectError(
      server,
      "POST",
      `${USERS}/${a.user.id}/password`,
      tokenB,
      404,
      "user.not_found",
      { password: NEW_PASSWORD },
    );
    await expectError(server, "DELETE", `${USERS}/${a.user.id}`, tokenB, 404, "user.not_found");
    await expectError(server, "GET", `${GROUPS}/${groupA.id}`, tokenB, 404, "group.not_found");
    await expectError(server, "PATCH", `${GROUPS}/${groupA.id}`, tokenB, 404, "group.not_found", {
      displayName: "Mine",
    });
    await expectError(server, "DELETE", `${GROUPS}/${groupA.id}`, tokenB, 404, "group.not_found");
    // Neither A's user into B's group, nor B's user into A's group.
    const groupB = await expectCall(server, "POST", GROUPS, tokenB, {
      body: { displayName: "B only" },
      status: 201,
    });
    await expectError(
      server,
      "POST",
      `${GROUPS}/${groupB.id}/members`,
      tokenB,
      404,
      "user.not_found",
      { userId: a.user.id },
    );
    await expectError(
      server,
      "POST",
      `${GROUPS}/${groupA.id}/members`,
      tokenB,
      404,
      "group.not_found",
      { userId: b.user.id },
    );
    await expectError(server, "POST", ROLE_ASSIGNMENTS, tokenB, 404, "user.not_found", {
      principalId: a.user.id,
      roleDefinitionId: "global_administrator",
    });
    const rolesB = await expectCall(server, "GET", ROLE_ASSIGNMENTS, tokenB);
    expect(
      rolesB.value.every((r: { principalUserPrincipalName: string }) =>
        r.principalUserPrincipalName.endsWith("@dir-iso-b.example"),
      ),
    ).toBe(true);
    // A is untouched.
    const userA = await expectCall(server, "GET", `${USERS}/${a.user.id}`, tokenA, {
      route: `${USERS}/{id}`,
    });
    expect(userA.accountEnabled).toBe(true);
    expect(
      (
        await expectCall(server, "GET", `${GROUPS}/${groupA.id}`, tokenA, {
          route: `${GROUPS}/{id}`,
        })
      ).displayName,
    ).toBe("A only");
  });
});
