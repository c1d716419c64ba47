import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/index.ts";
import { findServicePrincipal, MAIL_APPLICATION_ID } from "../../../src/identity/apps/index.ts";
import { grantDelegatedPermissions } from "../../../src/identity/consent/index.ts";
import { createDirectory } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { api, auditEvents, expectCall, expectError, portalToken } from "./admin-http.ts";
import {
  type AdminTenant,
  appOnlyToken,
  type IdentityServer,
  seedAdminTenant,
  startIdentity,
} from "./support.ts";

const SPS = "/api/v1/servicePrincipals";
const SP = `${SPS}/{id}`;
const GRANTS = "/api/v1/oauth2PermissionGrants";

async function spOf(t: TestDatabase, s: AdminTenant, applicationId: string): Promise<string> {
  const sp = await findServicePrincipal(t.database.db, s.tenant.id, applicationId);
  if (!sp) throw new Error("no service principal");
  return sp.id;
}

describe.each(["pglite", "postgres"] as const)("admin API: enterprise apps on %s", (kind) => {
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

  it("lists enterprise apps with search, filters and paging, and changes their properties", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "sp-props");
    const token = await portalToken(t, s, s.users.appAdmin);
    const all = await expectCall(server, "GET", SPS, token);
    const names = all.value.map((x: { displayName: string }) => x.displayName);
    expect(names).toEqual(expect.arrayContaining(["Assent Mail", "Contoso SPA", "Contoso Web"]));
    expect(names).toEqual([...names].sort());
    const external = await expectCall(server, "GET", `${SPS}?applicationType=external`, token, {
      route: SPS,
    });
    expect(external.value.map((x: { displayName: string }) => x.displayName)).toEqual([
      "Assent Mail",
    ]);
    expect(external.value[0].appOwnerOrganizationId).not.toBe(s.tenant.id);
    const search = await expectCall(server, "GET", `${SPS}?search=contoso`, token, { route: SPS });
    expect(search.value.map((x: { displayName: string }) => x.displayName)).toEqual([
      "Contoso SPA",
      "Contoso Web",
    ]);
    // Pages of one: the same list, in the same order.
    const seen: string[] = [];
    let next: string | undefined = `${SPS}?top=1`;
    while (next) {
      const page: { value: Array<{ id: string }>; "@odata.nextLink"?: string } = await expectCall(
        server,
        "GET",
        next,
        token,
        { route: SPS },
      );
      seen.push(...page.value.map((x) => x.id));
      next = page["@odata.nextLink"];
    }
    expect(seen).toEqual(all.value.map((x: { id: string }) => x.id));

    const webSp = await spOf(t, s, s.web.id);
    const changed = await expectCall(server, "PATCH", `${SPS}/${webSp}`, token, {
      body: {
        accountEnabled: false,
        appRoleAssignmentRequired: true,
        visibleToUsers: false,
        notes: "  Owned by HR  ",
      },
      route: SP,
    });
    expect(changed).toMatchObject({
      id: webSp,
      appId: s.web.appId,
      accountEnabled: false,
      appRoleAssignmentRequired: true,
      visibleToUsers: false,
      notes: "Owned by HR",
      applicationType: "own",
    });
    expect(await expectCall(server, "GET", `${SPS}/${webSp}`, token, { route: SP })).toEqual(
      changed,
    );
    const disabled = await expectCall(server, "GET", `${SPS}?accountEnabled=false`, token, {
      route: SPS,
    });
    expect(disabled.value.map((x: { id: string }) => x.id)).toEqual([webSp]);
    const required = await expectCall(
      server,
      "GET",
      `${SPS}?appRoleAssignmentRequired=true&visibleToUsers=false`,
      token,
      { route: SPS },
    );
    expect(required.value.map((x: { id: string }) => x.id)).toEqual([webSp]);
    const [event] = await auditEvents(t, s.tenant.id, "Update service principal");
    expect(event!.modifiedProperties.map((p) => p.name).sort()).toEqual([
      "AccountEnabled",
      "AppRoleAssignmentRequired",
      "Notes",
      "VisibleToUsers",
    ]);
    await expectError(server, "PATCH", `${SPS}/${webSp}`, token, 400, "request.invalid", {});
    await expectError(server, "PATCH", `${SPS}/${webSp}`, token, 400, "request.invalid", {
      notes: "x".repeat(1025),
    });
    await expectError(server, "GET", `${SPS}?accountEnabled=maybe`, token, 400, "request.invalid");
    await expectError(server, "GET", `${SPS}/not-an-id`, token, 404, "service_principal.not_found");
    // A Global Reader reads, changes nothing.
    await createDirectory({ database: t.database }).roles.assign(
      s.tenant.id,
      s.users.plain.id,
      "global_reader",
      CLI_ACTOR,
    );
    const reader = await portalToken(t, s, s.users.plain);
    await expectCall(server, "GET", `${SPS}/${webSp}`, reader, { route: SP });
    await expectError(
      server,
      "PATCH",
      `${SPS}/${webSp}`,
      reader,
      403,
      "authorization.role_required",
      { accountEnabled: true },
    );
  });

  it("assigns users and groups and removes them", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "sp-assign");
    const token = await portalToken(t, s, s.users.appAdmin);
    const group = await createDirectory({ database: t.database }).groups.create(
      s.tenant.id,
      { displayName: "Payroll users" },
      CLI_ACTOR,
    );
    const webSp = await spOf(t, s, s.web.id);
    const assignedTo = `${SPS}/${webSp}/appRoleAssignedTo`;
    const route = `${SP}/appRoleAssignedTo`;
    const user = await expectCall(server, "POST", assignedTo, token, {
      body: { principalType: "User", principalId: s.user.id },
      status: 201,
      route,
    });
    expect(user).toMatchObject({
      principalType: "User",
      principalId: s.user.id,
      principalDisplayName: "Ada Lovelace",
      userPrincipalName: s.user.userPrincipalName,
      appRoleId: "00000000-0000-0000-0000-000000000000",
      appRoleValue: null,
    });
    const grp = await expectCall(server, "POST", assignedTo, token, {
      body: { principalType: "Group", principalId: group.id },
      status: 201,
      route,
    });
    expect(grp).toMatchObject({
      principalType: "Group",
      principalDisplayName: "Payroll users",
      userPrincipalName: null,
    });
    await expectError(server, "POST", assignedTo, token, 409, "app_role_assignment.duplicate", {
      principalType: "User",
      principalId: s.user.id,
    });
    await expectError(server, "POST", assignedTo, token, 404, "principal.not_found", {
      principalType: "Group",
      principalId: s.user.id,
    });
    await expectError(server, "POST", assignedTo, token, 400, "request.invalid", {
      principalType: "ServicePrincipal",
      principalId: webSp,
    });
    const listed = await expectCall(server, "GET", assignedTo, token, { route });
    expect(listed.value.map((a: { id: string }) => a.id)).toEqual([user.id, grp.id]);
    expect(await auditEvents(t, s.tenant.id, "Add app role assignment to group")).toHaveLength(1);

    await expectCall(server, "DELETE", `${assignedTo}/${user.id}`, token, { status: 204 });
    await expectError(
      server,
      "DELETE",
      `${assignedTo}/${user.id}`,
      token,
      404,
      "app_role_assignment.not_found",
    );
    expect(
      (await expectCall(server, "GET", assignedTo, token, { route })).value.map(
        (a: { id: string }) => a.id,
      ),
    ).toEqual([grp.id]);
    const [removed] = await auditEvents(t, s.tenant.id, "Remove app role assignment from user");
    expect(removed).toMatchObject({
      initiatedBy: { id: s.users.appAdmin.id },
      targetResources: [{ id: webSp }, { type: "User", id: s.user.id }],
    });
    // Assigning takes AppRoleAssignment.ReadWrite.All, not Application.ReadWrite.All.
    await expectError(
      server,
      "POST",
      assignedTo,
      await appOnlyToken(t, s, ["Application.ReadWrite.All"]),
      403,
      "authorization.insufficient_scope",
      {
        principalType: "User",
        principalId: s.user.id,
      },
    );
    const automation = await appOnlyToken(t, s, ["AppRoleAssignment.ReadWrite.All"]);
    await expectCall(server, "POST", assignedTo, automation, {
      body: { principalType: "User", principalId: s.user.id },
      status: 201,
      route,
    });
  });

  it("shows the permissions granted to an app, to whom, by whom and until when, and revokes one", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "sp-grants");
    const group = await createDirectory({ database: t.database }).groups.create(
      s.tenant.id,
      { displayName: "Readers" },
      CLI_ACTOR,
    );
    const until = new Date(Date.now() + 7 * 86_400_000);
    const grant = (input: Record<string, unknown>) =>
      grantDelegatedPermissions(
        t!.database.db,
        s.tenant.id,
        {
          clientApplicationId: s.spa.id,
          resourceApplicationId: MAIL_APPLICATION_ID,
          scopes: ["Mail.Send"],
          consentType: "AllPrincipals",
          ...input,
        },
        {
          type: "user",
          id: s.users.globalAdmin.id,
          userPrincipalName: s.users.globalAdmin.userPrincipalName,
        },
      );
    const toUser = await grant({
      consentType: "Principal",
      principalId: s.user.id,
      expiresAt: until,
    });
    const toGroup = await grant({ consentType: "Groups", groupIds: [group.id] });
    const token = await portalToken(t, s, s.users.appAdmin);
    const spaSp = await spOf(t, s, s.spa.id);

    const listed = await expectCall(
      server,
      "GET",
      `${SPS}/${spaSp}/oauth2PermissionGrants`,
      token,
      { route: `${SP}/oauth2PermissionGrants` },
    );
    const byType = Object.fromEntries(
      listed.value.map((g: { consentType: string }) => [g.consentType, g]),
    );
    expect(Object.keys(byType).sort()).toEqual(["AllPrincipals", "Groups", "Principal"]);
    expect(byType.AllPrincipals).toMatchObject({
      clientId: spaSp,
      resourceAppId: "00000003-0000-0000-c000-00000000a55e",
      principal: null,
      groups: [],
      expiryDateTime: null,
      grantedBy: { type: "system", name: "assent-cli" },
    });
    expect(byType.Principal).toMatchObject({
      id: toUser.grant.id,
      scope: "Mail.Send",
      principal: {
        id: s.user.id,
        userPrincipalName: s.user.userPrincipalName,
        displayName: "Ada Lovelace",
      },
      expiryDateTime: until.toISOString(),
      grantedBy: { type: "user", id: s.users.globalAdmin.id },
    });
    expect(byType.Groups).toMatchObject({
      id: toGroup.grant.id,
      groups: [{ id: group.id, displayName: "Readers" }],
    });

    const forUser = await expectCall(server, "GET", `${GRANTS}?principalId=${s.user.id}`, token, {
      route: GRANTS,
    });
    expect(forUser.value.map((g: { id: string }) => g.id)).toEqual([toUser.grant.id]);
    const groupsOnly = await expectCall(server, "GET", `${GRANTS}?consentType=Groups`, token, {
      route: GRANTS,
    });
    expect(groupsOnly.value.map((g: { id: string }) => g.id)).toEqual([toGroup.grant.id]);
    expect(
      await expectCall(server, "GET", `${GRANTS}/${toUser.grant.id}`, token, {
        route: `${GRANTS}/{id}`,
      }),
    ).toEqual(byType.Principal);

    // A Global Reader sees them, cannot revoke.
    await createDirectory({ database: t.database }).roles.assign(
      s.tenant.id,
      s.users.plain.id,
      "global_reader",
      CLI_ACTOR,
    );
    const reader = await portalToken(t, s, s.users.plain);
    await expectCall(server, "GET", GRANTS, reader);
    await expectError(
      server,
      "DELETE",
      `${GRANTS}/${toUser.grant.id}`,
      reader,
      403,
      "authorization.role_required",
    );

    await expectCall(server, "DELETE", `${GRANTS}/${toUser.grant.id}`, token, { status: 204 });
    await expectError(server, "GET", `${GRANTS}/${toUser.grant.id}`, token, 404, "grant.not_found");
    await expectError(
      server,
      "DELETE",
      `${GRANTS}/${toUser.grant.id}`,
      token,
      404,
      "grant.not_found",
    );
    const after = await expectCall(server, "GET", `${SPS}/${spaSp}/oauth2PermissionGrants`, token, {
      route: `${SP}/oauth2PermissionGrants`,
    });
    expect(after.value.map((g: { consentType: string }) => g.consentType).sort()).toEqual([
      "AllPrincipals",
      "Groups",
    ]);
    const [revoked] = await auditEvents(t, s.tenant.id, "Remove delegated permission grant");
    expect(revoked).toMatchObject({ initiatedBy: { type: "user", id: s.users.appAdmin.id } });
  });

  it("lists the application permissions an app holds", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "sp-held");
    await appOnlyToken(t, s, ["Directory.Read.All", "Policy.Read.All"]);
    const token = await portalToken(t, s, s.users.globalAdmin);
    const automation = await expectCall(server, "GET", `${SPS}?search=automation`, token, {
      route: SPS,
    });
    expect(automation.value).toHaveLength(1);
    const held = await expectCall(
      server,
      "GET",
      `${SPS}/${automation.value[0].id}/appRoleAssignments`,
      token,
      { route: `${SP}/appRoleAssignments` },
    );
    expect(held.value.map((h: { appRoleValue: string }) => h.appRoleValue)).toEqual([
      "Directory.Read.All",
      "Policy.Read.All",
    ]);
    expect(held.value[0]).toMatchObject({
      resourceDisplayName: "Assent Admin API",
      resourceAppId: "00000003-0000-0000-c000-0000000ad000",
    });
  });

  it("keeps tenants apart: tenant B's administrator cannot see or change tenant A's enterprise apps", async (ctx) => {
    if (!t) return ctx.skip();
    const a = await seedAdminTenant(t, server, "sp-iso-a");
    const b = await seedAdminTenant(t, server, "sp-iso-b");
    const tokenA = await portalToken(t, a, a.users.globalAdmin);
    const tokenB = await portalToken(t, b, b.users.globalAdmin);
    const webA = await spOf(t, a, a.web.id);
    const assignment = await expectCall(
      server,
      "POST",
      `${SPS}/${webA}/appRoleAssignedTo`,
      tokenA,
      {
        body: { principalType: "User", principalId: a.user.id },
        status: 201,
        route: `${SP}/appRoleAssignedTo`,
      },
    );
    const listB = await expectCall(server, "GET", SPS, tokenB);
    expect(listB.value.map((x: { id: string }) => x.id)).not.toContain(webA);
    await expectError(server, "GET", `${SPS}/${webA}`, tokenB, 404, "service_principal.not_found");
    await expectError(
      server,
      "PATCH",
      `${SPS}/${webA}`,
      tokenB,
      404,
      "service_principal.not_found",
      { accountEnabled: false },
    );
    await expectError(
      server,
      "GET",
      `${SPS}/${webA}/appRoleAssignedTo`,
      tokenB,
      404,
      "service_principal.not_found",
    );
    await expectError(
      server,
      "POST",
      `${SPS}/${webA}/appRoleAssignedTo`,
      tokenB,
      404,
      "service_principal.not_found",
      {
        principalType: "User",
        principalId: b.user.id,
      },
    );
    await expectError(
      server,
      "DELETE",
      `${SPS}/${webA}/appRoleAssignedTo/${assignment.id}`,
      tokenB,
      404,
      "service_principal.not_found",
    );
    // B's own app cannot be given A's user either.
    const webB = await spOf(t, b, b.web.id);
    await expectError(
      server,
      "POST",
      `${SPS}/${webB}/appRoleAssignedTo`,
      tokenB,
      404,
      "principal.not_found",
      {
        principalType: "User",
        principalId: a.user.id,
      },
    );
    await expectError(
      server,
      "GET",
      `${SPS}/${webA}/oauth2PermissionGrants`,
      tokenB,
      404,
      "service_principal.not_found",
    );
    const grantsA = await expectCall(server, "GET", GRANTS, tokenA);
    const grantsB = await expectCall(server, "GET", GRANTS, tokenB);
    const idsB = grantsB.value.map((g: { id: string }) => g.id);
    for (const g of grantsA.value) {
      expect(idsB).not.toContain(g.id);
      await expectError(server, "GET", `${GRANTS}/${g.id}`, tokenB, 404, "grant.not_found");
      await expectError(server, "DELETE", `${GRANTS}/${g.id}`, tokenB, 404, "grant.not_found");
    }
    expect((await api(server, "GET", GRANTS, tokenA)).body.value).toHaveLength(
      grantsA.value.length,
    );
    const sp = await expectCall(server, "GET", `${SPS}/${webA}`, tokenA, { route: SP });
    expect(sp.accountEnabled).toBe(true);
  });
});
