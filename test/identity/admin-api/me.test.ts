import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import { updateAdminConsentRequestPolicy } from "../../../src/identity/consent-requests/index.ts";
import { createDirectory } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { auditEvents, expectCall, expectError, portalToken } from "./admin-http.ts";
import {
  type AdminTenant,
  appOnlyToken,
  type IdentityServer,
  seedAdminTenant,
  startIdentity,
} from "./support.ts";

const ME = "/api/v1/me";

/**
 * GET /api/v1/me: the signed-in user's roles and capabilities, computed from the routes' own
 * permissions; and the classification DELETE the portal's Consent and permissions page uses.
 */
describe.each(["pglite", "postgres"] as const)("admin API: me on %s", (kind) => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  let s: AdminTenant;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (!t) return;
    server = await startIdentity(t);
    s = await seedAdminTenant(t, server, `me-${kind}`);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it("gives a Global Administrator every capability", async (ctx) => {
    if (!t) return ctx.skip();
    const me = await expectCall(server, "GET", ME, await portalToken(t, s, s.users.globalAdmin));
    expect(me).toMatchObject({
      kind: "user",
      id: s.users.globalAdmin.id,
      userPrincipalName: s.users.globalAdmin.userPrincipalName,
      directoryRoles: [{ id: "global_administrator", displayName: "Global Administrator" }],
      // No reviewers configured: Global Administrators review.
      isConsentRequestReviewer: true,
    });
    expect(me.capabilities).toEqual(
      expect.arrayContaining([
        "directory.write",
        "roles.write",
        "webhooks.write",
        "logs.read",
        "consentRequests.approve",
        "consentRequests.decide",
        "permissionClassifications.write",
      ]),
    );
    expect(me.requiredRoles["directory.write"]).toEqual(["Global Administrator"]);
  });

  it("gives a Reports Reader the logs only, and the logs routes agree", async (ctx) => {
    if (!t) return ctx.skip();
    const token = await portalToken(t, s, s.users.reader);
    const me = await expectCall(server, "GET", ME, token);
    expect(me.capabilities).toEqual(["logs.read"]);
    expect(me.isConsentRequestReviewer).toBe(false);
    await expectCall(server, "GET", "/api/v1/auditLogs/signIns?top=1", token, {
      route: "/api/v1/auditLogs/signIns",
    });
    await expectError(server, "GET", "/api/v1/users", token, 403, "authorization.role_required");
  });

  it("lets an Application Administrator write apps but not the directory", async (ctx) => {
    if (!t) return ctx.skip();
    const me = await expectCall(server, "GET", ME, await portalToken(t, s, s.users.appAdmin));
    expect(me.capabilities).toContain("applications.write");
    expect(me.capabilities).toContain("consentRequestPolicy.write");
    expect(me.capabilities).not.toContain("directory.write");
    expect(me.capabilities).not.toContain("consentPolicy.write");
    expect(me.capabilities).not.toContain("logs.read");
  });

  it("lets a reviewer without a granting role decide but not approve", async (ctx) => {
    if (!t) return ctx.skip();
    const directory = createDirectory({ database: t.database });
    const reader = await directory.users.create(
      s.tenant.id,
      { userPrincipalName: `gloria@me-${kind}.example`, displayName: "Gloria" },
      CLI_ACTOR,
    );
    await directory.roles.assign(s.tenant.id, reader.id, "global_reader", CLI_ACTOR);
    await updateAdminConsentRequestPolicy(
      t.database.db,
      s.tenant.id,
      { isEnabled: true, reviewers: [{ type: "user", id: s.users.plain.id }] },
      CLI_ACTOR,
    );
    const reviewer = await expectCall(server, "GET", ME, await portalToken(t, s, s.users.plain));
    expect(reviewer.directoryRoles).toEqual([]);
    expect(reviewer.isConsentRequestReviewer).toBe(true);
    expect(reviewer.capabilities).toEqual(["consentRequests.read", "consentRequests.decide"]);
    const globalReader = await expectCall(server, "GET", ME, await portalToken(t, s, reader));
    expect(globalReader.capabilities).toEqual([
      "directory.read",
      "policies.read",
      "webhooks.read",
      "logs.read",
      "consentRequests.read",
    ]);
  });

  it("answers an application with what its app roles allow", async (ctx) => {
    if (!t) return ctx.skip();
    const token = await appOnlyToken(t, s, ["AuditLog.Read.All"]);
    const me = await expectCall(server, "GET", ME, token);
    expect(me.kind).toBe("application");
    expect(me.capabilities).toEqual(["logs.read"]);
  });

  it("removes a tenant's permission classification, audited; built-ins say what to do", async (ctx) => {
    if (!t) return ctx.skip();
    const token = await portalToken(t, s, s.users.globalAdmin);
    const path = "/api/v1/policies/permissionClassifications";
    const made = await expectCall(server, "POST", path, token, {
      status: 201,
      body: {
        resource: "api://assent-mail",
        permissionName: "Mail.ReadBasic",
        classification: "low",
      },
    });
    const one = `${path}/${made.resourceAppId}/Mail.ReadBasic`;
    await expectError(
      server,
      "DELETE",
      one,
      await portalToken(t, s, s.users.reader),
      403,
      "authorization.role_required",
    );
    await expectCall(server, "DELETE", one, token, {
      status: 204,
      route: `${path}/{resourceAppId}/{permissionName}`,
    });
    const listed = await expectCall(server, "GET", path, token);
    expect(listed.value.map((c: { permissionName: string }) => c.permissionName)).not.toContain(
      "Mail.ReadBasic",
    );
    const [event] = await auditEvents(t, s.tenant.id, "Remove delegated permission classification");
    expect(event?.modifiedProperties).toContainEqual({
      name: "PermissionName",
      oldValue: "Mail.ReadBasic",
      newValue: null,
    });
    await expectError(server, "DELETE", one, token, 404, "permission_classification.not_found");
    await expectError(
      server,
      "DELETE",
      `${path}/${made.resourceAppId}/Mail%20ReadBasic`,
      token,
      400,
      "request.invalid",
    );
    await expectError(
      server,
      "DELETE",
      `${path}/${made.resourceAppId}/openid`,
      token,
      409,
      "permission_classification.built_in",
    );
  });
});
