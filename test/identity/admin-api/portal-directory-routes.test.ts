import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/index.ts";
import { createDirectory } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { auditEvents, expectCall, expectError, portalToken } from "./admin-http.ts";
import { type IdentityServer, seedAdminTenant, startIdentity } from "./support.ts";

/**
 * What the portal's Directory and App registrations pages added to the admin API: the
 * verified domains the New user form offers, and editing an exposed scope's consent texts and
 * who may consent (beyond enabling and disabling it), with its audit event.
 */
describe.each(["pglite", "postgres"] as const)(
  "admin API: portal directory routes on %s",
  (kind) => {
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

    it("lists the organization's verified domains, sorted, to directory readers only", async (ctx) => {
      if (!t) return ctx.skip();
      const s = await seedAdminTenant(t, server, "dom-list");
      const token = await portalToken(t, s, s.users.globalAdmin);
      expect(await expectCall(server, "GET", "/api/v1/domains", token)).toEqual({ value: [] });
      const directory = createDirectory({ database: t.database });
      await directory.tenants.addDomain(s.tenant.id, "Zeta.example", CLI_ACTOR);
      await directory.tenants.addDomain(s.tenant.id, "alpha.example", CLI_ACTOR);
      const listed = await expectCall<{ value: Array<{ domain: string }> }>(
        server,
        "GET",
        "/api/v1/domains",
        token,
      );
      expect(listed.value.map((d) => d.domain)).toEqual(["alpha.example", "zeta.example"]);
      // Another tenant's domains are not listed.
      const other = await seedAdminTenant(t, server, "dom-other");
      const otherToken = await portalToken(t, other, other.users.globalAdmin);
      expect(await expectCall(server, "GET", "/api/v1/domains", otherToken)).toEqual({ value: [] });
      // Reports Reader sees the logs only.
      await expectError(
        server,
        "GET",
        "/api/v1/domains",
        await portalToken(t, s, s.users.reader),
        403,
        "authorization.role_required",
      );
    });

    it("edits an exposed scope's consent texts and type, keeps its value, and audits the change", async (ctx) => {
      if (!t) return ctx.skip();
      const s = await seedAdminTenant(t, server, "scope-edit");
      const token = await portalToken(t, s, s.users.appAdmin);
      const app = await expectCall(server, "POST", "/api/v1/applications", token, {
        body: { displayName: "Reports API" },
        status: 201,
      });
      const scopes = `/api/v1/applications/${app.id}/oauth2PermissionScopes`;
      const scope = await expectCall(server, "POST", scopes, token, {
        route: "/api/v1/applications/{id}/oauth2PermissionScopes",
        body: { value: "Reports.Read", adminConsentDescription: "Read reports." },
        status: 201,
      });
      expect(scope).toMatchObject({ type: "Admin", isEnabled: true });
      const route = "/api/v1/applications/{id}/oauth2PermissionScopes/{childId}";
      const edited = await expectCall(server, "PATCH", `${scopes}/${scope.id}`, token, {
        route,
        body: {
          adminConsentDescription: "Read every report of the organization.",
          userConsentDisplayName: "Read your reports",
          userConsentDescription: "Read the reports you can see.",
          type: "User",
        },
      });
      expect(edited).toEqual({
        ...scope,
        adminConsentDescription: "Read every report of the organization.",
        userConsentDisplayName: "Read your reports",
        userConsentDescription: "Read the reports you can see.",
        type: "User",
      });
      const listed = await expectCall(server, "GET", scopes, token, {
        route: "/api/v1/applications/{id}/oauth2PermissionScopes",
      });
      expect(listed.value).toEqual([edited]);
      const [event] = await auditEvents(t, s.tenant.id, "Update application");
      expect(event?.modifiedProperties).toEqual([
        { name: "Oauth2PermissionScopes", oldValue: scope, newValue: edited },
      ]);
      // null clears a user consent text; isEnabled alone still only toggles.
      const cleared = await expectCall(server, "PATCH", `${scopes}/${scope.id}`, token, {
        route,
        body: { userConsentDisplayName: null, isEnabled: false },
      });
      expect(cleared).toMatchObject({ userConsentDisplayName: null, isEnabled: false });
      // The value cannot change, and an unknown scope is a 404 in words.
      await expectError(server, "PATCH", `${scopes}/${scope.id}`, token, 400, "request.invalid", {
        value: "Reports.ReadAll",
      });
      const missing = await expectError(
        server,
        "PATCH",
        `${scopes}/00000000-0000-4000-8000-000000000000`,
        token,
        404,
        "application.scope_not_found",
        { adminConsentDescription: "x" },
      );
      expect(missing).toContain("no delegated permission");
      // Global Reader reads, but cannot edit.
      const reader = await createDirectory({ database: t.database }).users.create(
        s.tenant.id,
        { userPrincipalName: "gil@scope-edit.example", displayName: "gil" },
        CLI_ACTOR,
      );
      await createDirectory({ database: t.database }).roles.assign(
        s.tenant.id,
        reader.id,
        "global_reader",
        CLI_ACTOR,
      );
      await expectError(
        server,
        "PATCH",
        `${scopes}/${scope.id}`,
        await portalToken(t, s, reader),
        403,
        "authorization.role_required",
        { type: "Admin" },
      );
    });
  },
);
