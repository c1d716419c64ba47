import { decodeJwt } from "jose";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/index.ts";
import { assignAppRole, ensureServicePrincipal } from "../../../src/identity/apps/index.ts";
import type { IdentityDB } from "../../../src/identity/db.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { basic, postToken } from "../oauth/support/protocol.ts";
import { api, auditEvents, expectCall, expectError, portalToken } from "./admin-http.ts";
import {
  type AdminTenant,
  type IdentityServer,
  seedAdminTenant,
  startIdentity,
} from "./support.ts";

/**
 * Editing an app role after creation (PATCH /applications/{id}/appRoles/{childId}): its value,
 * texts, allowed member types and state, with Entra's rules (unique value, disable before
 * delete, assignments keep the role by id) and an audit event per change. And the exposed
 * scope PATCH, whose data access moved into the apps module: audit shapes and cache versions.
 */

const ROLES = "/api/v1/applications/{id}/appRoles";
const ROLE = `${ROLES}/{childId}`;
const SCOPES = "/api/v1/applications/{id}/oauth2PermissionScopes";
const SCOPE = `${SCOPES}/{childId}`;
const MISSING = "00000000-0000-4000-8000-000000000000";

interface Role {
  id: string;
  value: string;
  displayName: string;
  description: string;
  allowedMemberTypes: Array<"User" | "Application">;
  isEnabled: boolean;
}

async function tenantCacheVersion(db: Kysely<IdentityDB>, tenantId: string): Promise<number> {
  const result = await sql<{ version: number }>`
    select version from identity.oauth_cache_versions where scope = ${`tenant:${tenantId}`}`.execute(
    db,
  );
  return Number(result.rows[0]?.version ?? 0);
}

/** The `roles` of an app-only token the tenant's confidential client gets for the resource. */
async function appOnlyRoles(s: AdminTenant, resourceAppId: string): Promise<unknown> {
  const response = await postToken(
    s,
    { grant_type: "client_credentials", scope: `${resourceAppId}/.default` },
    basic(s.web.appId, s.webSecret),
  );
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return decodeJwt(response.body.access_token as string).roles;
}

describe.each(["pglite", "postgres"] as const)("admin API: editing app roles on %s", (kind) => {
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

  /** A tenant, an Application Administrator's token, and a new app registration. */
  async function setUp(slug: string) {
    if (!t) throw new Error("no database");
    const s = await seedAdminTenant(t, server, slug);
    const token = await portalToken(t, s, s.users.appAdmin);
    const app = await expectCall(server, "POST", "/api/v1/applications", token, {
      body: { displayName: "Reports API" },
      status: 201,
    });
    const roles = `/api/v1/applications/${app.id}/appRoles`;
    const create = (body: Omit<Role, "id" | "isEnabled">) =>
      expectCall<Role>(server, "POST", roles, token, { body, status: 201, route: ROLES });
    return { s, token, app, roles, create };
  }

  it("edits a role's value, texts and member types; keeps its id and assignments; audits old and new", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const { s, token, app, roles, create } = await setUp("role-edit");
    const role = await create({
      value: "Reports.Read.All",
      displayName: "Read all reports",
      description: "Read every report.",
      allowedMemberTypes: ["Application"],
    });
    // The tenant's confidential client holds the role (an application permission).
    const clientSp = await ensureServicePrincipal(db, s.tenant.id, s.web.id);
    const resourceSp = await ensureServicePrincipal(db, s.tenant.id, app.id);
    await assignAppRole(
      db,
      s.tenant.id,
      {
        resourceApplicationId: app.id,
        principalType: "ServicePrincipal",
        principalId: clientSp.id,
        appRoleId: role.id,
      },
      CLI_ACTOR,
    );
    expect(await appOnlyRoles(s, app.appId)).toEqual(["Reports.Read.All"]);
    const versionBefore = await tenantCacheVersion(db, s.tenant.id);

    const edited = await expectCall<Role>(server, "PATCH", `${roles}/${role.id}`, token, {
      route: ROLE,
      body: {
        value: " Reports.ReadAll ",
        displayName: "Read all the reports",
        description: "Read every report of the organization.",
        allowedMemberTypes: ["Application", "User"],
      },
    });
    expect(edited).toEqual({
      id: role.id,
      value: "Reports.ReadAll",
      displayName: "Read all the reports",
      description: "Read every report of the organization.",
      allowedMemberTypes: ["Application", "User"],
      isEnabled: true,
    });
    const listed = await expectCall(server, "GET", roles, token, { route: ROLES });
    expect(listed.value).toEqual([edited]);
    const [event] = await auditEvents(t, s.tenant.id, "Update application");
    expect(event?.modifiedProperties).toEqual([
      { name: "AppRoles", oldValue: role, newValue: edited },
    ]);
    expect(event?.targetResources).toMatchObject([{ id: app.id, type: "Application" }]);

    // The trigger bumped the tenant's cache version, so the next token carries the new value;
    // the assignment names the role by id and still holds.
    expect(await tenantCacheVersion(db, s.tenant.id)).toBeGreaterThan(versionBefore);
    expect(await appOnlyRoles(s, app.appId)).toEqual(["Reports.ReadAll"]);
    const held = await expectCall<{ value: Array<{ resourceId: string }> }>(
      server,
      "GET",
      `/api/v1/servicePrincipals/${clientSp.id}/appRoleAssignments`,
      token,
      { route: "/api/v1/servicePrincipals/{id}/appRoleAssignments" },
    );
    expect(held.value.filter((h) => h.resourceId === resourceSp.id)).toMatchObject([
      { appRoleId: role.id, appRoleValue: "Reports.ReadAll" },
    ]);

    // A patch that changes nothing (the same member types in another order) writes nothing.
    const count = (await auditEvents(t, s.tenant.id, "Update application")).length;
    expect(
      await expectCall(server, "PATCH", `${roles}/${role.id}`, token, {
        route: ROLE,
        body: { value: "Reports.ReadAll", allowedMemberTypes: ["User", "Application"] },
      }),
    ).toEqual(edited);
    expect(await auditEvents(t, s.tenant.id, "Update application")).toHaveLength(count);

    // Texts and state together: one event with both.
    const disabled = await expectCall<Role>(server, "PATCH", `${roles}/${role.id}`, token, {
      route: ROLE,
      body: { displayName: "Read reports (retired)", isEnabled: false },
    });
    expect(disabled).toEqual({
      ...edited,
      displayName: "Read reports (retired)",
      isEnabled: false,
    });
    const [last] = await auditEvents(t, s.tenant.id, "Update application");
    expect(last?.modifiedProperties).toEqual([
      { name: "AppRoles", oldValue: edited, newValue: disabled },
    ]);
    // A disabled role is left out of tokens; its assignment stays.
    expect(await appOnlyRoles(s, app.appId)).toBeUndefined();
  });

  it("answers bad edits with a 4xx in words: duplicate value, unknown role, enabled role, bad input", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const { s, token, app, roles, create } = await setUp("role-edit-bad");
    const admin = await create({
      value: "Reports.Admin",
      displayName: "Report admins",
      description: "Manage reports.",
      allowedMemberTypes: ["User"],
    });
    const reader = await create({
      value: "Reports.Reader",
      displayName: "Report readers",
      description: "Read reports.",
      allowedMemberTypes: ["User", "Application"],
    });
    const path = `${roles}/${reader.id}`;

    const duplicate = await expectError(
      server,
      "PATCH",
      path,
      token,
      409,
      "application.duplicate_role",
      { value: "Reports.Admin", displayName: "Renamed" },
    );
    expect(duplicate).toContain('already has an app role "Reports.Admin"');
    // Nothing of the refused edit was written.
    expect((await api(server, "GET", roles, token)).body.value).toEqual([admin, reader]);

    for (const id of [MISSING, "not-a-guid"]) {
      const missing = await expectError(
        server,
        "PATCH",
        `${roles}/${id}`,
        token,
        404,
        "application.role_not_found",
        { displayName: "x" },
      );
      expect(missing).toContain(`has no app role with id "${id}"`);
    }
    await expectError(
      server,
      "PATCH",
      `/api/v1/applications/${MISSING}/appRoles/${reader.id}`,
      token,
      404,
      "application.not_found",
      { displayName: "x" },
    );

    const enabled = await expectError(
      server,
      "DELETE",
      path,
      token,
      409,
      "application.role_enabled",
    );
    expect(enabled).toMatch(/disable it first/);

    const invalidValue = await expectError(
      server,
      "PATCH",
      path,
      token,
      400,
      "application.invalid_role_value",
      { value: "Reports Read" },
    );
    expect(invalidValue).toContain("not a valid permission value");
    expect(
      await expectError(server, "PATCH", path, token, 400, "application.invalid_role", {
        displayName: "   ",
      }),
    ).toContain("display name must be 1 to 1024 characters");
    // Values a token's `roles` cannot carry, and text PostgreSQL cannot store: 400, never 500.
    for (const value of [
      "a\u0000b",
      "\ud800",
      "x".repeat(121),
      "Reports/Read",
      ".default",
      'a"b',
    ]) {
      const r = await api(server, "PATCH", path, token, { value });
      expect(r.status, `${JSON.stringify(value)}: ${r.text}`).toBe(400);
      expect(r.body.error.message).toBeTruthy();
    }
    for (const body of [
      {},
      { allowedMemberTypes: [] },
      { allowedMemberTypes: ["Robot"] },
      { displayName: "" },
      { id: MISSING },
      { isEnabled: "no" },
    ])
      await expectError(server, "PATCH", path, token, 400, "request.invalid", body);

    // Taking "Application" away while a service principal holds the role would drop it from
    // that app's tokens: refused until the assignment goes. "User" is unused, so it may go.
    const clientSp = await ensureServicePrincipal(db, s.tenant.id, s.web.id);
    await assignAppRole(
      db,
      s.tenant.id,
      {
        resourceApplicationId: app.id,
        principalType: "ServicePrincipal",
        principalId: clientSp.id,
        appRoleId: reader.id,
      },
      CLI_ACTOR,
    );
    const inUse = await expectError(server, "PATCH", path, token, 409, "application.role_in_use", {
      allowedMemberTypes: ["User"],
    });
    expect(inUse).toContain('"Application" cannot be removed');
    expect(
      await expectCall(server, "PATCH", path, token, {
        route: ROLE,
        body: { allowedMemberTypes: ["Application"] },
      }),
    ).toMatchObject({ allowedMemberTypes: ["Application"] });
    // And a user's assignment keeps "User" on the admin role.
    await assignAppRole(
      db,
      s.tenant.id,
      {
        resourceApplicationId: app.id,
        principalType: "User",
        principalId: s.user.id,
        appRoleId: admin.id,
      },
      CLI_ACTOR,
    );
    expect(
      await expectError(
        server,
        "PATCH",
        `${roles}/${admin.id}`,
        token,
        409,
        "application.role_in_use",
        { allowedMemberTypes: ["Application"] },
      ),
    ).toContain("assigned to users or groups");

    // Global Reader reads, but cannot edit.
    await expectError(
      server,
      "PATCH",
      path,
      await portalToken(t, s, s.users.reader),
      403,
      "authorization.role_required",
      { displayName: "x" },
    );
  });

  it("documents the edit in /api/openapi.json: the fields, and the errors it answers with", async (ctx) => {
    if (!t) return ctx.skip();
    const doc = await api(server, "GET", "/api/openapi.json");
    expect(doc.status).toBe(200);
    const op = doc.body.paths[ROLE].patch;
    expect(op.operationId).toBe("updateAppRole");
    expect(
      Object.keys(op.requestBody.content["application/json"].schema.properties).sort(),
    ).toEqual(["allowedMemberTypes", "description", "displayName", "isEnabled", "value"]);
    expect(op.responses["404"].description).toContain("application.role_not_found");
    expect(op.responses["409"].description).toContain("application.duplicate_role");
    expect(op.responses["409"].description).toContain("application.role_in_use");
  });

  it("keeps the exposed scope PATCH's audit events and cache version bumps after the move", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const { s, token, app } = await setUp("scope-move");
    const scopes = `/api/v1/applications/${app.id}/oauth2PermissionScopes`;
    const scope = await expectCall(server, "POST", scopes, token, {
      route: SCOPES,
      body: { value: "Reports.Read", adminConsentDescription: "Read reports." },
      status: 201,
    });
    const path = `${scopes}/${scope.id}`;

    // isEnabled alone toggles: the short audit value, and nothing when it is already so.
    let version = await tenantCacheVersion(db, s.tenant.id);
    await expectCall(server, "PATCH", path, token, { route: SCOPE, body: { isEnabled: false } });
    expect(await tenantCacheVersion(db, s.tenant.id)).toBeGreaterThan(version);
    const [toggled] = await auditEvents(t, s.tenant.id, "Update application");
    expect(toggled?.modifiedProperties).toEqual([
      {
        name: "Oauth2PermissionScopes",
        oldValue: { id: scope.id, value: "Reports.Read", isEnabled: true },
        newValue: { id: scope.id, value: "Reports.Read", isEnabled: false },
      },
    ]);
    const count = (await auditEvents(t, s.tenant.id, "Update application")).length;
    await expectCall(server, "PATCH", path, token, { route: SCOPE, body: { isEnabled: false } });
    expect(await auditEvents(t, s.tenant.id, "Update application")).toHaveLength(count);

    // Texts with state: the full scope, old and new, and a version bump.
    version = await tenantCacheVersion(db, s.tenant.id);
    const edited = await expectCall(server, "PATCH", path, token, {
      route: SCOPE,
      body: {
        adminConsentDisplayName: "Read reports",
        isEnabled: true,
        userConsentDescription: "",
      },
    });
    expect(edited).toEqual({
      ...scope,
      adminConsentDisplayName: "Read reports",
      userConsentDescription: null,
      isEnabled: true,
    });
    expect(await tenantCacheVersion(db, s.tenant.id)).toBeGreaterThan(version);
    const [full] = await auditEvents(t, s.tenant.id, "Update application");
    expect(full?.modifiedProperties).toEqual([
      {
        name: "Oauth2PermissionScopes",
        oldValue: { ...scope, isEnabled: false },
        newValue: edited,
      },
    ]);
    await expectError(
      server,
      "PATCH",
      `${scopes}/not-a-guid`,
      token,
      404,
      "application.scope_not_found",
      { type: "User" },
    );
  });
});
