import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { registerApiDocs, renderApiDocs } from "../../../src/identity/admin-api/docs-page.tsx";
import {
  ADMIN_API_ROUTES,
  buildOpenApiDocument,
  defineRoute,
} from "../../../src/identity/admin-api/index.ts";
import { isAdminPermission } from "../../../src/identity/apps/index.ts";
import { isDirectoryRole } from "../../../src/identity/directory/index.ts";
import { createHttpServer } from "../../../src/platform/http/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import { apiGet, type IdentityServer, startIdentity } from "./support.ts";

const SERVER_URL = "https://id.example";
const document = buildOpenApiDocument(ADMIN_API_ROUTES, { serverUrl: SERVER_URL }) as any;

/** The operations issue 7's portal needs, by area: each must be in the document. */
const PORTAL_OPERATIONS = [
  "GET /api/v1/users",
  "POST /api/v1/users",
  "PATCH /api/v1/users/{id}",
  "POST /api/v1/users/{id}/password",
  "DELETE /api/v1/users/{id}",
  "GET /api/v1/groups",
  "POST /api/v1/groups/{id}/members",
  "DELETE /api/v1/groups/{id}/members/{userId}",
  "GET /api/v1/roleManagement/directory/roleDefinitions",
  "POST /api/v1/roleManagement/directory/roleAssignments",
  "DELETE /api/v1/roleManagement/directory/roleAssignments/{id}",
  "POST /api/v1/applications",
  "POST /api/v1/applications/{id}/redirectUris",
  "DELETE /api/v1/applications/{id}/redirectUris",
  "POST /api/v1/applications/{id}/passwordCredentials",
  "DELETE /api/v1/applications/{id}/passwordCredentials/{keyId}",
  "POST /api/v1/applications/{id}/requiredResourceAccess",
  "POST /api/v1/applications/{id}/oauth2PermissionScopes",
  "POST /api/v1/applications/{id}/appRoles",
  "GET /api/v1/servicePrincipals",
  "PATCH /api/v1/servicePrincipals/{id}",
  "POST /api/v1/servicePrincipals/{id}/appRoleAssignedTo",
  "DELETE /api/v1/servicePrincipals/{id}/appRoleAssignedTo/{assignmentId}",
  "GET /api/v1/servicePrincipals/{id}/oauth2PermissionGrants",
  "DELETE /api/v1/oauth2PermissionGrants/{id}",
  "PATCH /api/v1/policies/authorizationPolicy",
  "POST /api/v1/policies/permissionClassifications",
  "POST /api/v1/policies/permissionGrantPolicies",
  "GET /api/v1/auditLogs/signIns",
  "GET /api/v1/auditLogs/directoryAudits",
];

describe("admin API OpenAPI document", () => {
  it("lists every route once, with a unique operationId, its path parameters and permission", () => {
    const operations = Object.entries(
      document.paths as Record<string, Record<string, any>>,
    ).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations).toHaveLength(ADMIN_API_ROUTES.length);
    for (const route of ADMIN_API_ROUTES) {
      const op = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op.operationId).toBe(route.operationId);
      const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(
        op.parameters
          .filter((p: { in: string }) => p.in === "path")
          .map((p: { name: string }) => p.name),
      ).toEqual(pathParams);
      expect(route.permission.anyOf.length).toBeGreaterThan(0);
      expect(route.permission.anyOf.every(isAdminPermission)).toBe(true);
      const roles = route.permission.directoryRoles;
      if (roles !== "checked_by_route") expect(roles.every(isDirectoryRole)).toBe(true);
      expect(op.description).toContain("Permission:");
      const status = String(route.status ?? 200);
      expect(Object.keys(op.responses)).toContain(status);
      // 204 No Content has no body; everything else has one.
      if (status === "204") expect(op.responses[status].content).toBeUndefined();
      else expect(op.responses[status].content).toBeDefined();
    }
    const ids = ADMIN_API_ROUTES.map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const keys = ADMIN_API_ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(expect.arrayContaining(PORTAL_OPERATIONS));
    // Readers never write: no change to the directory, apps or policies admits a Global Reader.
    const areas = new Set([
      "Users",
      "Groups",
      "Directory roles",
      "Applications",
      "Enterprise applications",
      "Permission grants",
      "Consent policies",
    ]);
    for (const route of ADMIN_API_ROUTES.filter(
      (r) => r.method !== "GET" && r.tags.some((tag) => areas.has(tag)),
    ))
      expect(route.permission.directoryRoles, route.operationId).not.toContain("global_reader");
  });

  it("resolves every reference and lists every tag", () => {
    const text = JSON.stringify(document);
    const refs = [...text.matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(document.components.schemas[ref.split("/").pop()!], ref).toBeDefined();
    }
    const tags = document.tags.map((t: { name: string }) => t.name);
    expect(tags).toEqual(
      expect.arrayContaining([
        "Users",
        "Groups",
        "Directory roles",
        "Applications",
        "Enterprise applications",
        "Permission grants",
        "Consent policies",
      ]),
    );
    expect(new Set(ADMIN_API_ROUTES.flatMap((r) => r.tags))).toEqual(new Set(tags));
  });
});

describe("admin API docs page", () => {
  it("is served at /api/docs as HTML without scripts, with every operation grouped by tag", async () => {
    const app = createHttpServer({ service: "identity", logger: pino({ level: "silent" }) });
    registerApiDocs(app, document);
    await app.ready();
    try {
      const r = await app.inject({ method: "GET", url: "/api/docs" });
      expect(r.statusCode).toBe(200);
      expect(r.headers["content-type"]).toContain("text/html");
      expect(r.headers["content-security-policy"]).toContain("script-src 'self'");
      const html = r.body;
      expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
      expect(html).not.toContain("<script");
      expect(html).not.toMatch(/(src|href)="https?:/);
      for (const route of ADMIN_API_ROUTES) {
        expect(html).toContain(`id="${route.operationId}"`);
        expect(html).toContain(`<span class="path">${route.path}</span>`);
      }
      for (const tag of document.tags)
        expect(html).toContain(`<h2 id="tag-${encodeURIComponent(tag.name)}">`);
      for (const name of Object.keys(document.components.schemas))
        expect(html).toContain(`id="schema-${name}"`);
      expect(html).toContain('href="/api/openapi.json"');
      expect(html).toContain('href="#schema-User"');
    } finally {
      await app.close();
    }
  });

  it("escapes what the document says", () => {
    const hostile = defineRoute({
      method: "GET",
      path: "/api/v1/hostile",
      operationId: "hostile",
      summary: '<img src=x onerror="alert(1)">',
      description: "`</code><script>alert(2)</script>`",
      tags: ["<b>tag</b>"],
      permission: { anyOf: ["Directory.Read.All"], directoryRoles: ["global_administrator"] },
      response: z.object({ value: z.string().describe("<i>x</i>") }),
      handler: async () => ({ value: "" }),
    });
    const html = renderApiDocs(buildOpenApiDocument([hostile], { serverUrl: SERVER_URL }));
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<b>tag");
    expect(html).toContain("&lt;img src=x");
  });
});

describe.each(["pglite", "postgres"] as const)("admin API document served on %s", (kind) => {
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

  it("serves /api/openapi.json with every route of the API", async (ctx) => {
    if (!t) return ctx.skip();
    const r = await apiGet(server, "/api/openapi.json");
    expect(r.status).toBe(200);
    for (const route of ADMIN_API_ROUTES)
      expect(
        r.body.paths[route.path]?.[route.method.toLowerCase()]?.operationId,
        route.operationId,
      ).toBe(route.operationId);
  });
});
