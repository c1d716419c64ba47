import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/index.ts";
import { assignAppRole, ensureServicePrincipal } from "../../../src/identity/apps/index.ts";
import { createDirectory } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { basic, postToken } from "../oauth/support/protocol.ts";
import { api, auditEvents, expectCall, expectError, portalToken } from "./admin-http.ts";
import { appOnlyToken, type IdentityServer, seedAdminTenant, startIdentity } from "./support.ts";

const APPS = "/api/v1/applications";
const APP = `${APPS}/{id}`;

describe.each(["pglite", "postgres"] as const)("admin API: app registrations on %s", (kind) => {
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

  it("registers, lists, finds and updates applications", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "apps-crud");
    const token = await portalToken(t, s, s.users.appAdmin);
    const app = await expectCall(server, "POST", APPS, token, {
      body: {
        displayName: "Contoso Payroll",
        signInAudience: "AzureADMultipleOrgs",
        redirectUris: ["https://payroll.example/callback"],
      },
      status: 201,
    });
    expect(app).toMatchObject({
      displayName: "Contoso Payroll",
      signInAudience: "AzureADMultipleOrgs",
      isPublicClient: false,
      redirectUris: ["https://payroll.example/callback"],
      identifierUris: [`api://${app.appId}`],
      publisherVerified: false,
    });
    // Registering also creates the enterprise app in the tenant.
    const sps = await expectCall(
      server,
      "GET",
      `/api/v1/servicePrincipals?search=${app.appId}`,
      token,
      {
        route: "/api/v1/servicePrincipals",
      },
    );
    expect(sps.value).toMatchObject([{ applicationId: app.id, applicationType: "own" }]);

    const listed = await expectCall(server, "GET", APPS, token);
    expect(listed.value.map((a: { displayName: string }) => a.displayName)).toEqual(
      expect.arrayContaining(["Contoso Payroll", "Contoso SPA", "Contoso Web"]),
    );
    const searched = await expectCall(server, "GET", `${APPS}?search=payroll`, token, {
      route: APPS,
    });
    expect(searched.value.map((a: { id: string }) => a.id)).toEqual([app.id]);
    expect(await expectCall(server, "GET", `${APPS}/${app.id}`, token, { route: APP })).toEqual(
      app,
    );

    const updated = await expectCall(server, "PATCH", `${APPS}/${app.id}`, token, {
      body: {
        displayName: "Contoso Payroll 2",
        homepageUrl: "https://payroll.example/",
        logoUrl: "https://payroll.example/logo.png",
        termsUrl: "https://payroll.example/terms",
        privacyUrl: "http://payroll.example/privacy",
        publisherDisplayName: "Contoso",
      },
      route: APP,
    });
    expect(updated).toMatchObject({
      displayName: "Contoso Payroll 2",
      homepageUrl: "https://payroll.example/",
      logoUrl: "https://payroll.example/logo.png",
      publisherDisplayName: "Contoso",
      publisherVerified: false,
    });
    const [event] = await auditEvents(t, s.tenant.id, "Update application");
    expect(event!.initiatedBy).toMatchObject({ type: "user", id: s.users.appAdmin.id });
    expect(event!.modifiedProperties).toEqual(
      expect.arrayContaining([
        { name: "DisplayName", oldValue: "Contoso Payroll", newValue: "Contoso Payroll 2" },
        { name: "LogoUrl", oldValue: null, newValue: "https://payroll.example/logo.png" },
      ]),
    );
    const cleared = await expectCall(server, "PATCH", `${APPS}/${app.id}`, token, {
      body: { logoUrl: null, termsUrl: "" },
      route: APP,
    });
    expect(cleared).toMatchObject({
      logoUrl: null,
      termsUrl: null,
      homepageUrl: "https://payroll.example/",
    });

    // Bad input, said in words.
    expect(
      await expectError(
        server,
        "PATCH",
        `${APPS}/${app.id}`,
        token,
        400,
        "application.invalid_url",
        {
          logoUrl: "http://payroll.example/logo.png",
        },
      ),
    ).toMatch(/logoUrl must be an absolute https URL/);
    await expectError(server, "PATCH", `${APPS}/${app.id}`, token, 400, "application.invalid_url", {
      homepageUrl: "javascript:alert(1)",
    });
    await expectError(server, "PATCH", `${APPS}/${app.id}`, token, 400, "request.invalid", {
      publisherVerified: true,
    });
    await expectError(server, "POST", APPS, token, 400, "application.invalid_redirect_uri", {
      displayName: "Bad",
      redirectUris: ["http://evil.example/cb"],
    });
    await expectError(server, "POST", APPS, token, 400, "request.invalid", { displayName: "" });
    await expectError(
      server,
      "GET",
      `${APPS}/00000000-0000-4000-8000-000000000000`,
      token,
      404,
      "application.not_found",
    );
  });

  it("adds and removes redirect URIs and client secrets; a removed secret stops working", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "apps-secrets");
    const token = await portalToken(t, s, s.users.globalAdmin);
    const app = await expectCall(server, "POST", APPS, token, {
      body: { displayName: "Daemon", redirectUris: [s.redirectUri] },
      status: 201,
    });
    const uris = `${APPS}/${app.id}/redirectUris`;
    const withUri = await expectCall(server, "POST", uris, token, {
      body: { uri: "https://daemon.example/cb" },
      status: 201,
      route: `${APPS}/{id}/redirectUris`,
    });
    expect(withUri.redirectUris).toEqual([s.redirectUri, "https://daemon.example/cb"]);
    await expectError(server, "POST", uris, token, 409, "application.duplicate_redirect_uri", {
      uri: "https://daemon.example/cb",
    });
    const removed = await expectCall(
      server,
      "DELETE",
      `${uris}?uri=${encodeURIComponent("https://daemon.example/cb")}`,
      token,
      {
        route: `${APPS}/{id}/redirectUris`,
      },
    );
    expect(removed.redirectUris).toEqual([s.redirectUri]);
    await expectError(
      server,
      "DELETE",
      `${uris}?uri=${encodeURIComponent("https://daemon.example/cb")}`,
      token,
      404,
      "application.redirect_uri_not_found",
    );
    const [uriEvent] = await auditEvents(t, s.tenant.id, "Update application");
    expect(uriEvent!.modifiedProperties).toEqual([
      {
        name: "RedirectUris",
        oldValue: [s.redirectUri, "https://daemon.example/cb"],
        newValue: [s.redirectUri],
      },
    ]);

    const secrets = `${APPS}/${app.id}/passwordCredentials`;
    const added = await expectCall(server, "POST", secrets, token, {
      body: { displayName: "CI", expiresInDays: 30 },
      status: 201,
      route: `${APPS}/{id}/passwordCredentials`,
    });
    expect(added.secretText.startsWith(added.hint)).toBe(true);
    const listed = await api(server, "GET", secrets, token);
    expect(listed.body.value).toEqual([
      {
        keyId: added.keyId,
        displayName: "CI",
        hint: added.hint,
        startDateTime: added.startDateTime,
        endDateTime: added.endDateTime,
      },
    ]);
    expect(listed.text).not.toContain(added.secretText);
    await expectError(server, "POST", secrets, token, 400, "request.invalid", {
      expiresInDays: 9999,
    });

    // The secret is real: it gets a token, until it is removed.
    const credentials = basic(app.appId, added.secretText);
    const before = await postToken(
      s,
      { grant_type: "client_credentials", scope: "api://assent-mail/.default" },
      credentials,
    );
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    await expectCall(server, "DELETE", `${secrets}/${added.keyId}`, token, { status: 204 });
    const after = await postToken(
      s,
      { grant_type: "client_credentials", scope: "api://assent-mail/.default" },
      credentials,
    );
    expect(after.status).toBe(401);
    await expectError(
      server,
      "DELETE",
      `${secrets}/${added.keyId}`,
      token,
      404,
      "application.secret_not_found",
    );
    const secretEvents = await auditEvents(
      t,
      s.tenant.id,
      "Update application – Certificates and secrets management",
    );
    expect(secretEvents[0]!.modifiedProperties[0]).toMatchObject({
      name: "KeyDescription",
      oldValue: { keyId: added.keyId },
      newValue: null,
    });
  });

  it("manages required permissions, exposed scopes and app roles", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "apps-perms");
    const token = await portalToken(t, s, s.users.appAdmin);
    const app = await expectCall(server, "POST", APPS, token, {
      body: { displayName: "Reports API" },
      status: 201,
    });
    const base = `${APPS}/${app.id}`;

    const required = `${base}/requiredResourceAccess`;
    const mailRead = await expectCall(server, "POST", required, token, {
      body: { resource: "api://assent-mail", value: "mail.read" },
      status: 201,
      route: `${APP}/requiredResourceAccess`,
    });
    expect(mailRead).toMatchObject({
      resourceDisplayName: "Assent Mail",
      resourceUri: "api://assent-mail",
      value: "Mail.Read",
      type: "Scope",
    });
    await expectCall(server, "POST", required, token, {
      body: { resource: "api://assent-mail", value: "Mail.Read.All", type: "Role" },
      status: 201,
      route: `${APP}/requiredResourceAccess`,
    });
    await expectError(server, "POST", required, token, 404, "application.unknown_scope", {
      resource: "api://assent-mail",
      value: "Mail.Delete",
    });
    await expectError(server, "POST", required, token, 404, "application.not_found", {
      resource: "api://nowhere",
      value: "x",
    });
    const list = await expectCall(server, "GET", required, token, {
      route: `${APP}/requiredResourceAccess`,
    });
    expect(list.value.map((p: { value: string }) => p.value).sort()).toEqual([
      "Mail.Read",
      "Mail.Read.All",
    ]);
    await expectCall(server, "DELETE", `${required}/${mailRead.id}`, token, { status: 204 });
    expect(
      (await api(server, "GET", required, token)).body.value.map((p: { value: string }) => p.value),
    ).toEqual(["Mail.Read.All"]);
    await expectError(
      server,
      "DELETE",
      `${required}/${mailRead.id}`,
      token,
      404,
      "application.required_permission_not_found",
    );

    const scopes = `${base}/oauth2PermissionScopes`;
    const scope = await expectCall(server, "POST", scopes, token, {
      body: { value: "Reports.Read", adminConsentDescription: "Read reports", type: "User" },
      status: 201,
      route: `${APP}/oauth2PermissionScopes`,
    });
    expect(scope).toMatchObject({
      value: "Reports.Read",
      type: "User",
      isEnabled: true,
      adminConsentDisplayName: "Reports.Read",
    });
    await expectError(server, "POST", scopes, token, 409, "application.duplicate_scope", {
      value: "Reports.Read",
      adminConsentDescription: "Again",
    });
    await expectError(server, "POST", scopes, token, 400, "application.invalid_scope_value", {
      value: "openid",
      adminConsentDescription: "Nope",
    });
    // Disable first, then delete (Entra's rule).
    expect(
      await expectError(
        server,
        "DELETE",
        `${scopes}/${scope.id}`,
        token,
        409,
        "application.scope_enabled",
      ),
    ).toMatch(/disable it first/);
    const disabled = await expectCall(server, "PATCH", `${scopes}/${scope.id}`, token, {
      body: { isEnabled: false },
      route: `${APP}/oauth2PermissionScopes/{childId}`,
    });
    expect(disabled.isEnabled).toBe(false);
    await expectCall(server, "DELETE", `${scopes}/${scope.id}`, token, { status: 204 });
    expect((await api(server, "GET", scopes, token)).body.value).toEqual([]);
    await expectError(
      server,
      "PATCH",
      `${scopes}/${scope.id}`,
      token,
      404,
      "application.scope_not_found",
      { isEnabled: true },
    );

    const roles = `${base}/appRoles`;
    const role = await expectCall(server, "POST", roles, token, {
      body: {
        value: "Reports.Admin",
        displayName: "Report admins",
        description: "Manage reports",
        allowedMemberTypes: ["User"],
      },
      status: 201,
      route: `${APP}/appRoles`,
    });
    await expectError(server, "POST", roles, token, 400, "request.invalid", {
      value: "X",
      displayName: "X",
      description: "X",
      allowedMemberTypes: ["Robot"],
    });
    // A role with assignments can be disabled and deleted; its assignments stay inert.
    const sp = await ensureServicePrincipal(t.database.db, s.tenant.id, app.id);
    await assignAppRole(
      t.database.db,
      s.tenant.id,
      {
        resourceApplicationId: app.id,
        principalType: "User",
        principalId: s.user.id,
        appRoleId: role.id,
      },
      CLI_ACTOR,
    );
    await expectError(
      server,
      "DELETE",
      `${roles}/${role.id}`,
      token,
      409,
      "application.role_enabled",
    );
    await expectCall(server, "PATCH", `${roles}/${role.id}`, token, {
      body: { isEnabled: false },
      route: `${APP}/appRoles/{childId}`,
    });
    await expectCall(server, "DELETE", `${roles}/${role.id}`, token, { status: 204 });
    const assigned = await expectCall(
      server,
      "GET",
      `/api/v1/servicePrincipals/${sp.id}/appRoleAssignedTo`,
      token,
      {
        route: "/api/v1/servicePrincipals/{id}/appRoleAssignedTo",
      },
    );
    expect(assigned.value).toMatchObject([
      { principalId: s.user.id, appRoleId: role.id, appRoleValue: null },
    ]);
    const changes = (await auditEvents(t, s.tenant.id, "Update application")).flatMap((e) =>
      e.modifiedProperties.map((p) => p.name),
    );
    expect(changes).toEqual(
      expect.arrayContaining(["RequiredResourceAccess", "Oauth2PermissionScopes", "AppRoles"]),
    );
  });

  it("lets a Global Reader read and an app-only caller write only with Application.ReadWrite.All", async (ctx) => {
    if (!t) return ctx.skip();
    const s = await seedAdminTenant(t, server, "apps-rbac");
    await createDirectory({ database: t.database }).roles.assign(
      s.tenant.id,
      s.users.plain.id,
      "global_reader",
      CLI_ACTOR,
    );
    const reader = await portalToken(t, s, s.users.plain);
    await expectCall(server, "GET", APPS, reader);
    await expectCall(server, "GET", `${APPS}/${s.web.id}/passwordCredentials`, reader, {
      route: `${APP}/passwordCredentials`,
    });
    await expectError(server, "POST", APPS, reader, 403, "authorization.role_required", {
      displayName: "X",
    });
    await expectError(
      server,
      "POST",
      `${APPS}/${s.web.id}/passwordCredentials`,
      reader,
      403,
      "authorization.role_required",
      {},
    );
    await expectError(
      server,
      "GET",
      APPS,
      await portalToken(t, s, s.users.reader),
      403,
      "authorization.role_required",
    );
    await expectError(
      server,
      "POST",
      APPS,
      await appOnlyToken(t, s, ["Directory.ReadWrite.All"]),
      403,
      "authorization.insufficient_scope",
      {
        displayName: "X",
      },
    );
    const automation = await appOnlyToken(t, s, ["Application.ReadWrite.All"]);
    const made = await expectCall(server, "POST", APPS, automation, {
      body: { displayName: "By automation" },
      status: 201,
    });
    const [event] = await auditEvents(t, s.tenant.id, "Add application");
    expect(event).toMatchObject({
      initiatedBy: { type: "application" },
      targetResources: [{ id: made.id }],
    });
  });

  it("keeps tenants apart: tenant B's administrator cannot read or change tenant A's registrations", async (ctx) => {
    if (!t) return ctx.skip();
    const a = await seedAdminTenant(t, server, "apps-iso-a");
    const b = await seedAdminTenant(t, server, "apps-iso-b");
    const tokenB = await portalToken(t, b, b.users.globalAdmin);
    const appA = `${APPS}/${a.web.id}`;
    const listB = await expectCall(server, "GET", APPS, tokenB);
    expect(listB.value.map((x: { id: string }) => x.id)).not.toContain(a.web.id);
    await expectError(server, "GET", appA, tokenB, 404, "application.not_found");
    await expectError(server, "PATCH", appA, tokenB, 404, "application.not_found", {
      displayName: "Mine",
    });
    await expectError(
      server,
      "POST",
      `${appA}/redirectUris`,
      tokenB,
      404,
      "application.not_found",
      { uri: "https://b.example/cb" },
    );
    await expectError(
      server,
      "GET",
      `${appA}/passwordCredentials`,
      tokenB,
      404,
      "application.not_found",
    );
    await expectError(
      server,
      "POST",
      `${appA}/passwordCredentials`,
      tokenB,
      404,
      "application.not_found",
      {},
    );
    await expectError(
      server,
      "GET",
      `${appA}/requiredResourceAccess`,
      tokenB,
      404,
      "application.not_found",
    );
    await expectError(
      server,
      "POST",
      `${appA}/oauth2PermissionScopes`,
      tokenB,
      404,
      "application.not_found",
      {
        value: "Steal",
        adminConsentDescription: "x",
      },
    );
    // Not even through the admin API's own resource, which another tenant (the system) publishes.
    await expectError(
      server,
      "GET",
      `${APPS}/3d8ec3de-42e3-42b4-a63d-04d0f7da1081`,
      tokenB,
      404,
      "application.not_found",
    );
    const tokenA = await portalToken(t, a, a.users.globalAdmin);
    expect((await expectCall(server, "GET", appA, tokenA, { route: APP })).displayName).toBe(
      "Contoso Web",
    );
  });
});
