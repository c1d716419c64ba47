import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/index.ts";
import { getConsentSettings } from "../../../src/identity/consent/index.ts";
import { createDirectory } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { auditEvents, expectCall, expectError, portalToken } from "./admin-http.ts";
import { appOnlyToken, type IdentityServer, seedAdminTenant, startIdentity } from "./support.ts";

const AUTHZ = "/api/v1/policies/authorizationPolicy";
const CLASSIFICATIONS = "/api/v1/policies/permissionClassifications";
const GRANT_POLICIES = "/api/v1/policies/permissionGrantPolicies";

describe.each(["pglite", "postgres"] as const)("admin API: consent policies on %s", (kind) => {
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

  it("reads and changes the user consent setting (the three options)", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "pol-authz");
    const token = await portalToken(t, s, s.users.globalAdmin);
    expect(await expectCall(server, "GET", AUTHZ, token)).toEqual({
      id: "authorizationPolicy",
      userConsent: "verified_publishers_low_impact",
      permissionGrantPoliciesAssigned: ["managePermissionGrantsForSelf.assent-user-default-low"],
    });
    const off = await expectCall(server, "PATCH", AUTHZ, token, {
      body: { userConsent: "disabled" },
    });
    expect(off).toMatchObject({ userConsent: "disabled", permissionGrantPoliciesAssigned: [] });
    expect((await getConsentSettings(t.database.db, s.tenant.id)).userConsent).toBe("disabled");
    const all = await expectCall(server, "PATCH", AUTHZ, token, {
      body: { userConsent: "all_apps" },
    });
    expect(all.permissionGrantPoliciesAssigned).toEqual([
      "managePermissionGrantsForSelf.assent-user-default-legacy",
    ]);
    const events = await auditEvents(t, s.tenant.id, "Update authorization policy");
    expect(events[0]!.modifiedProperties[0]).toEqual({
      name: "UserConsentSetting",
      oldValue: "disabled",
      newValue: "all_apps",
    });
    expect(events[0]!.initiatedBy).toMatchObject({ type: "user", id: s.users.globalAdmin.id });
    await expectError(server, "PATCH", AUTHZ, token, 400, "request.invalid", {
      userConsent: "whatever",
    });
    // The admin consent workflow toggle is not this operation's (consent request policy).
    await expectError(server, "PATCH", AUTHZ, token, 400, "request.invalid", {
      adminConsentWorkflowEnabled: true,
    });
  });

  it("lets only Privileged Role and Global Administrators change consent policies", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "pol-rbac");
    await createDirectory({ database: t.database }).roles.assign(
      s.tenant.id,
      s.users.plain.id,
      "privileged_role_administrator",
      CLI_ACTOR,
    );
    const appAdmin = await portalToken(t, s, s.users.appAdmin);
    await expectCall(server, "GET", AUTHZ, appAdmin);
    await expectError(server, "PATCH", AUTHZ, appAdmin, 403, "authorization.role_required", {
      userConsent: "disabled",
    });
    await expectError(
      server,
      "GET",
      AUTHZ,
      await portalToken(t, s, s.users.reader),
      403,
      "authorization.role_required",
    );
    const pra = await portalToken(t, s, s.users.plain);
    await expectCall(server, "PATCH", AUTHZ, pra, { body: { userConsent: "disabled" } });
    await expectError(
      server,
      "PATCH",
      AUTHZ,
      await appOnlyToken(t, s, ["Policy.Read.All"]),
      403,
      "authorization.insufficient_scope",
      {
        userConsent: "all_apps",
      },
    );
    const automation = await appOnlyToken(t, s, ["Policy.ReadWrite.Authorization"]);
    expect(
      (await expectCall(server, "PATCH", AUTHZ, automation, { body: { userConsent: "all_apps" } }))
        .userConsent,
    ).toBe("all_apps");
  });

  it("lists built-in and tenant permission classifications and adds one", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "pol-class");
    const token = await portalToken(t, s, s.users.globalAdmin);
    const before = await expectCall(server, "GET", CLASSIFICATIONS, token);
    expect(before.value.map((c: { permissionName: string }) => c.permissionName)).toEqual(
      expect.arrayContaining(["openid", "profile", "email", "offline_access", "User.Read"]),
    );
    expect(
      before.value.every(
        (c: { source: string; classification: string }) =>
          c.source === "default" && c.classification === "low",
      ),
    ).toBe(true);
    const made = await expectCall(server, "POST", CLASSIFICATIONS, token, {
      body: {
        resource: "api://assent-mail",
        permissionName: "mail.readbasic",
        classification: "low",
      },
      status: 201,
    });
    expect(made).toEqual({
      resourceAppId: "00000003-0000-0000-c000-00000000a55e",
      resourceDisplayName: "Assent Mail",
      permissionName: "Mail.ReadBasic",
      classification: "low",
      source: "tenant",
    });
    // Reclassifying a default overrides it.
    await expectCall(server, "POST", CLASSIFICATIONS, token, {
      body: {
        resource: "00000003-0000-0000-c000-00000000a55e",
        permissionName: "User.Read",
        classification: "medium",
      },
      status: 201,
    });
    const after = await expectCall(server, "GET", CLASSIFICATIONS, token);
    const userRead = after.value.filter(
      (c: { permissionName: string }) => c.permissionName === "User.Read",
    );
    expect(userRead).toEqual([
      expect.objectContaining({ classification: "medium", source: "tenant" }),
    ]);
    expect(after.value).toContainEqual(made);
    expect(
      await auditEvents(t, s.tenant.id, "Add delegated permission classification"),
    ).toHaveLength(2);
    await expectError(server, "POST", CLASSIFICATIONS, token, 404, "permission.not_found", {
      resource: "api://assent-mail",
      permissionName: "Mail.Delete",
      classification: "low",
    });
    await expectError(server, "POST", CLASSIFICATIONS, token, 404, "application.not_found", {
      resource: "api://nowhere",
      permissionName: "x",
      classification: "low",
    });
    await expectError(server, "POST", CLASSIFICATIONS, token, 400, "request.invalid", {
      resource: "api://assent-mail",
      permissionName: "Mail.Read",
      classification: "tiny",
    });
    // The admin API's own permissions need admin consent: they cannot be classified.
    await expectError(
      server,
      "POST",
      CLASSIFICATIONS,
      token,
      400,
      "permission_classification.admin_only",
      {
        resource: "api://assent-admin",
        permissionName: "Directory.Read.All",
        classification: "low",
      },
    );
  });

  it("creates permission grant policies and assigns them to users", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "pol-grant");
    const token = await portalToken(t, s, s.users.globalAdmin);
    expect((await expectCall(server, "GET", GRANT_POLICIES, token)).value).toEqual([]);
    const made = await expectCall(server, "POST", GRANT_POLICIES, token, {
      body: {
        id: "crm-mail",
        displayName: "CRM may read mail",
        includes: [{ clientApplicationIds: [s.web.appId], permissions: ["Mail.Read"] }],
      },
      status: 201,
    });
    expect(made).toMatchObject({
      id: "crm-mail",
      description: null,
      assignedToUsers: false,
      excludes: [],
      includes: [
        {
          clientApplicationIds: [s.web.appId],
          permissions: ["Mail.Read"],
          permissionType: "delegated",
          resourceApplication: "any",
        },
      ],
    });
    await expectError(
      server,
      "POST",
      GRANT_POLICIES,
      token,
      409,
      "permission_grant_policy.duplicate_id",
      {
        id: "crm-mail",
        displayName: "Again",
        includes: [{}],
      },
    );
    await expectError(
      server,
      "POST",
      GRANT_POLICIES,
      token,
      400,
      "permission_grant_policy.invalid",
      {
        id: "assent-mine",
        displayName: "Reserved",
        includes: [{}],
      },
    );
    await expectError(server, "POST", GRANT_POLICIES, token, 400, "request.invalid", {
      id: "x",
      displayName: "X",
      includes: [{ bogus: true }],
    });
    const assigned = await expectCall(server, "PATCH", `${GRANT_POLICIES}/crm-mail`, token, {
      body: { assignedToUsers: true },
      route: `${GRANT_POLICIES}/{id}`,
    });
    expect(assigned.assignedToUsers).toBe(true);
    const authz = await expectCall(server, "GET", AUTHZ, token);
    expect(authz.permissionGrantPoliciesAssigned).toContain(
      "managePermissionGrantsForSelf.crm-mail",
    );
    await expectError(
      server,
      "PATCH",
      `${GRANT_POLICIES}/nope`,
      token,
      404,
      "permission_grant_policy.not_found",
      {
        assignedToUsers: true,
      },
    );
    expect(await auditEvents(t, s.tenant.id, "Add permission grant policy")).toHaveLength(1);
  });

  it("keeps tenants apart: tenant B's administrator neither sees nor changes tenant A's policies", async (ctx) => {
    if (!t) return ctx.skip();
    const a = await seedAdminTenant(t, server, "pol-iso-a");
    const b = await seedAdminTenant(t, server, "pol-iso-b");
    const tokenA = await portalToken(t, a, a.users.globalAdmin);
    const tokenB = await portalToken(t, b, b.users.globalAdmin);
    await expectCall(server, "PATCH", AUTHZ, tokenA, { body: { userConsent: "disabled" } });
    await expectCall(server, "POST", CLASSIFICATIONS, tokenA, {
      body: { resource: "api://assent-mail", permissionName: "Mail.Read", classification: "low" },
      status: 201,
    });
    await expectCall(server, "POST", GRANT_POLICIES, tokenA, {
      body: { id: "a-only", displayName: "A", includes: [{}] },
      status: 201,
    });
    expect((await expectCall(server, "GET", AUTHZ, tokenB)).userConsent).toBe(
      "verified_publishers_low_impact",
    );
    const classesB = await expectCall(server, "GET", CLASSIFICATIONS, tokenB);
    expect(classesB.value.some((c: { source: string }) => c.source === "tenant")).toBe(false);
    expect((await expectCall(server, "GET", GRANT_POLICIES, tokenB)).value).toEqual([]);
    await expectError(
      server,
      "PATCH",
      `${GRANT_POLICIES}/a-only`,
      tokenB,
      404,
      "permission_grant_policy.not_found",
      {
        assignedToUsers: true,
      },
    );
    // A tenant's single-tenant app is no resource for another tenant to classify.
    await expectError(server, "POST", CLASSIFICATIONS, tokenB, 404, "application.not_found", {
      resource: `api://${a.web.appId}`,
      permissionName: "x",
      classification: "low",
    });
    expect((await expectCall(server, "GET", AUTHZ, tokenA)).userConsent).toBe("disabled");
    expect((await expectCall(server, "GET", GRANT_POLICIES, tokenA)).value[0].assignedToUsers).toBe(
      false,
    );
  });
});
