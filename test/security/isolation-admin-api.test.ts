import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_API_ROUTES, type AdminRoute } from "../../src/identity/admin-api/index.ts";
import { api } from "../identity/admin-api/admin-http.ts";
import { type IdentityServer, startIdentity } from "../identity/admin-api/support.ts";
import { basic, postToken } from "../identity/oauth/support/protocol.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import {
  forgedToken,
  type IsolationTenant,
  seedIsolationTenant,
} from "./support/isolation-world.ts";

/**
 * Tenant isolation of the admin API, for EVERY route of the route table: tenant A's Global
 * Administrator (every scope) calls each route with tenant B's object ids in the path, and with
 * B's ids in bodies and filters where a route takes them. Nothing of B may come back, nothing
 * of B may change, and list routes must hold none of B's rows. A route added to the table is
 * covered without editing this file: its path parameters are resolved from the collection
 * segment before them (or from the parameter's own name, for keys that are not object ids),
 * and a parameter that cannot be resolved fails the test (add its
 * collection to `seedIsolationTenant`).
 */

type Method = AdminRoute["method"];
type Source = "B" | "A-parent";

interface Case {
  route: AdminRoute;
  label: string;
  path: string;
  body?: unknown;
  /** "refused": must answer 4xx; "own": acts on A's tenant and may succeed. */
  expect: "refused" | "own";
}

/** The collection a path parameter belongs to: the segment before it. */
function collectionOf(path: string, param: string): string {
  const segments = path.split("/");
  const at = segments.indexOf(`{${param}}`);
  const before = segments[at - 1];
  if (!before) throw new Error(`${path}: no collection before {${param}}`);
  return before;
}

function resolvePath(route: AdminRoute, a: IsolationTenant, b: IsolationTenant, source: Source) {
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  let path: string = route.path;
  params.forEach((param, index) => {
    const collection = collectionOf(route.path, param);
    // "A-parent": the first (parent) object is A's own, the child B's.
    const owner = source === "A-parent" && index === 0 ? a : b;
    const id = owner.ids[param] ?? owner.ids[collection];
    if (!id)
      throw new Error(
        `${route.method} ${route.path}: no seeded object for {${param}} (collection "${collection}"); add one to seedIsolationTenant`,
      );
    path = path.replace(`{${param}}`, encodeURIComponent(id));
  });
  return { path, params };
}

/** Bodies that are valid for the route's schema, pointing at B's objects wherever they can. */
function bodyFor(method: Method, path: string, b: IsolationTenant): unknown {
  const key = `${method} ${path}`;
  const bodies: Record<string, unknown> = {
    "PUT /api/v1/policies/adminConsentRequestPolicy": {
      reviewers: [
        { type: "user", id: b.ids.users },
        { type: "group", id: b.ids.groups },
      ],
    },
    "POST /api/v1/consentRequests/{id}/approve": {},
    "POST /api/v1/consentRequests/{id}/deny": { reason: "no" },
    "POST /api/v1/consentRequests/{id}/block": { reason: "no" },
    "POST /api/v1/servicePrincipals/{id}/unblock": {},
    "POST /api/v1/webhookEndpoints": {
      url: "https://hooks.alpha.example/x",
      eventTypes: ["consent_request.created"],
    },
    "POST /api/v1/users": {
      userPrincipalName: `new-${crypto.randomUUID().slice(0, 8)}@alpha.example`,
      displayName: "New",
    },
    "PATCH /api/v1/users/{id}": { displayName: "Taken over", accountEnabled: false },
    "POST /api/v1/users/{id}/password": { password: "A brand new passphrase for mallory 42!" },
    "POST /api/v1/groups": { displayName: "Alpha group" },
    "PATCH /api/v1/groups/{id}": { displayName: "Taken over" },
    "POST /api/v1/groups/{id}/members": { userId: b.ids.users },
    "POST /api/v1/roleManagement/directory/roleAssignments": {
      principalId: b.ids.users,
      roleDefinitionId: "global_administrator",
    },
    "POST /api/v1/applications": { displayName: "Alpha app" },
    "PATCH /api/v1/applications/{id}": { displayName: "Taken over" },
    "POST /api/v1/applications/{id}/redirectUris": { uri: "https://evil.example/cb" },
    "POST /api/v1/applications/{id}/passwordCredentials": { displayName: "stolen" },
    "POST /api/v1/applications/{id}/requiredResourceAccess": {
      resource: b.appId,
      value: "bravo.Read",
    },
    "POST /api/v1/applications/{id}/oauth2PermissionScopes": {
      value: "Evil.Read",
      adminConsentDescription: "evil",
    },
    "PATCH /api/v1/applications/{id}/oauth2PermissionScopes/{childId}": { isEnabled: false },
    "POST /api/v1/applications/{id}/appRoles": {
      value: "Evil.Role",
      displayName: "evil",
      description: "evil",
      allowedMemberTypes: ["User"],
    },
    "PATCH /api/v1/applications/{id}/appRoles/{childId}": {
      value: "Evil.Role",
      displayName: "Taken over",
      allowedMemberTypes: ["Application"],
      isEnabled: false,
    },
    "PATCH /api/v1/servicePrincipals/{id}": { accountEnabled: false },
    "POST /api/v1/servicePrincipals/{id}/appRoleAssignedTo": {
      principalType: "User",
      principalId: b.ids.users,
    },
    "PATCH /api/v1/policies/authorizationPolicy": { userConsent: "disabled" },
    "POST /api/v1/policies/permissionClassifications": {
      resource: "api://assent-mail",
      permissionName: "Mail.Read",
      classification: "low",
    },
    "POST /api/v1/policies/permissionGrantPolicies": {
      id: "alpha-new-policy",
      displayName: "Alpha policy",
      includes: [{}],
    },
    "PATCH /api/v1/policies/permissionGrantPolicies/{id}": { assignedToUsers: true },
  };
  if (key in bodies) return bodies[key];
  // A route added later without an entry here: an empty object still exercises it.
  return method === "GET" || method === "DELETE" ? undefined : {};
}

/** Extra query strings that name B's objects in filters, for list routes that take them. */
function filtersFor(path: string, b: IsolationTenant): string[] {
  const byPath: Record<string, string[]> = {
    "/api/v1/roleManagement/directory/roleAssignments": [`principalId=${b.ids.users}`],
    "/api/v1/oauth2PermissionGrants": [
      `clientId=${b.ids.servicePrincipals}`,
      `principalId=${b.ids.users}`,
    ],
    "/api/v1/consentRequests": [`app=${b.ids.applications}`],
    "/api/v1/auditLogs/directoryAudits": [`targetId=${b.ids.users}`, `actor=${b.ids.users}`],
    "/api/v1/auditLogs/signIns": [`user=${b.ids.users}`, "ipAddress=203.0.113.9"],
    "/api/v1/users": [`search=${encodeURIComponent(b.marker)}`],
    "/api/v1/groups": [`search=${encodeURIComponent(b.marker)}`],
    "/api/v1/applications": [`search=${encodeURIComponent(b.marker)}`],
    "/api/v1/servicePrincipals": [`search=${encodeURIComponent(b.marker)}`],
  };
  return byPath[path] ?? [];
}

function casesFor(route: AdminRoute, a: IsolationTenant, b: IsolationTenant): Case[] {
  const body = bodyFor(route.method, route.path, b);
  const { path, params } = resolvePath(route, a, b, "B");
  if (params.length === 0) {
    const plain: Case = { route, label: "own tenant", path, body, expect: "own" };
    const filtered = filtersFor(route.path, b).map(
      (query): Case => ({
        route,
        label: `filter ${query}`,
        path: `${path}?${query}`,
        expect: "own",
      }),
    );
    return [plain, ...filtered];
  }
  const cases: Case[] = [{ route, label: "B's ids", path, body, expect: "refused" }];
  if (
    params.length > 1 ||
    route.path.endsWith("/members") ||
    route.path.endsWith("/appRoleAssignedTo")
  ) {
    const mixed = resolvePath(route, a, b, "A-parent");
    // A's own parent with B's child (or B's user/group in the body): still nothing of B's.
    cases.push({
      route,
      label: "A's parent, B's child",
      path: mixed.path,
      body,
      expect: params.length > 1 ? "refused" : route.method === "GET" ? "own" : "refused",
    });
  }
  return cases;
}

/** B's state as B's own administrator sees it through every GET route. */
async function snapshotOf(server: IdentityServer, a: IsolationTenant, b: IsolationTenant) {
  const out: Record<string, string> = {};
  for (const route of ADMIN_API_ROUTES) {
    if (route.method !== "GET") continue;
    const { path } = resolvePath(route, a, b, "B");
    const r = await api(server, "GET", path, b.token);
    // Reports over "the last N days" carry their window's start: the only time-relative field.
    const text = r.text.replace(/"(from|to)":"[^"]+"/g, '"$1":"…"');
    out[route.path] = `${r.status} ${text}`;
  }
  return out;
}

describe.each(["pglite", "postgres"] as const)("admin API tenant isolation on %s", (kind) => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  let a: IsolationTenant;
  let b: IsolationTenant;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (!t) return;
    server = await startIdentity(t);
    a = await seedIsolationTenant(t, server, "alpha", "Alpha-Marker");
    b = await seedIsolationTenant(t, server, "bravo", "Bravo-Secret-Marker");
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it("the OpenAPI document lists exactly the route table's operations", async (ctx) => {
    if (!t) return ctx.skip();
    const doc = await api(server, "GET", "/api/openapi.json");
    expect(doc.status).toBe(200);
    const documented = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((op) => /^(GET|POST|PUT|PATCH|DELETE) /.test(op))
      .sort();
    expect(documented).toEqual(ADMIN_API_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it("refuses every route with tenant B's ids, leaks none of B's rows, and changes nothing of B's", async (ctx) => {
    if (!t) return ctx.skip();
    const before = await snapshotOf(server, a, b);
    const exercised = new Set<string>();
    const failures: string[] = [];
    for (const route of ADMIN_API_ROUTES) {
      for (const c of casesFor(route, a, b)) {
        const r = await api(server, route.method, c.path, a.token, c.body);
        exercised.add(`${route.method} ${route.path}`);
        const where = `${route.method} ${c.path} (${c.label}) -> ${r.status}`;
        if (r.status >= 500) failures.push(`${where}: server error ${r.text.slice(0, 200)}`);
        if (c.expect === "refused" && (r.status < 400 || r.status >= 500))
          failures.push(`${where}: expected 4xx, got ${r.text.slice(0, 200)}`);
        if (r.text.includes(b.marker)) failures.push(`${where}: leaks B's marker`);
        // The ids sent may be echoed in an error message; any other id of B's is a leak.
        const sent = `${c.path} ${JSON.stringify(c.body ?? "")}`;
        for (const secret of b.secrets)
          if (!sent.includes(secret) && r.text.includes(secret))
            failures.push(`${where}: leaks B's ${secret}`);
      }
    }
    expect(failures).toEqual([]);
    // Every route of the table was called at least once.
    expect([...exercised].sort()).toEqual(
      ADMIN_API_ROUTES.map((r) => `${r.method} ${r.path}`).sort(),
    );
    expect(await snapshotOf(server, a, b)).toEqual(before);
  }, 300_000);

  it("refuses a token of tenant A that names tenant B (tid or issuer)", async (ctx) => {
    if (!t) return ctx.skip();
    const attempts = {
      // Signed with A's key, claiming B's tenant.
      "tid of B": await forgedToken(t, a, { tid: b.s.tenant.id }),
      // Signed with A's key, claiming B's issuer and tenant: B's keys do not verify it.
      "issuer and tid of B": await forgedToken(t, a, { tid: b.s.tenant.id, iss: b.s.issuer }),
      // A's user, in B's tenant (B's key was not used: A's signs it).
      "A's user as B": await forgedToken(t, a, {
        tid: b.s.tenant.id,
        iss: b.s.issuer,
        oid: b.ids.users,
      }),
    };
    for (const [what, token] of Object.entries(attempts)) {
      const r = await api(server, "GET", "/api/v1/users", token);
      expect(r.status, `${what}: ${r.text}`).toBe(401);
      expect(r.text).not.toContain(b.marker);
    }
    // A's genuine token lists A only.
    const own = await api(server, "GET", "/api/v1/users", await forgedToken(t, a, {}));
    expect(own.status, own.text).toBe(200);
    expect(own.text).toContain(a.marker);
    expect(own.text).not.toContain(b.marker);
    // A's confidential client at B's token endpoint: unknown client there.
    const cross = await postToken(
      b.s,
      { grant_type: "client_credentials", scope: "api://assent-mail/.default" },
      basic(a.s.web.appId, a.s.webSecret),
    );
    expect(cross.status).toBe(401);
    expect(cross.body.error).toBe("invalid_client");
    // A's access token at B's userinfo endpoint is refused.
    const tokenA = await postToken(
      a.s,
      { grant_type: "client_credentials", scope: "api://assent-mail/.default" },
      basic(a.s.web.appId, a.s.webSecret),
    );
    expect(tokenA.status).toBe(200);
    const userinfo = await fetch(`${server.baseUrl}/${b.s.tenant.id}/oauth2/v2.0/userinfo`, {
      headers: { authorization: `Bearer ${tokenA.body.access_token}` },
    });
    expect(userinfo.status).toBeGreaterThanOrEqual(400);
    expect(userinfo.status).toBeLessThan(500);
  });
});
