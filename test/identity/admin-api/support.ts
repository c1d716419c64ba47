import { importJWK, SignJWT } from "jose";
import { expect } from "vitest";
import type { z } from "zod";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import { ADMIN_API_ROUTES, type AdminRoute } from "../../../src/identity/admin-api/index.ts";
import {
  ADMIN_APPLICATION_ID,
  type AdminPermission,
  addClientSecret,
  assignAppRole,
  createApplication,
  ensureServicePrincipal,
} from "../../../src/identity/apps/index.ts";
import {
  createDirectory,
  type DirectoryRole,
  type User,
} from "../../../src/identity/directory/index.ts";
import { loadSigningJwks } from "../../../src/identity/keys/index.ts";
import type { TestDatabase } from "../../support/databases.ts";
import { type Seeded, seedTenant } from "../oauth/support/fixture.ts";
import { basic, postToken } from "../oauth/support/protocol.ts";

export { type IdentityServer, startIdentity } from "../oauth/support/fixture.ts";

import type { IdentityServer } from "../oauth/support/fixture.ts";

/**
 * Tokens for the admin API in tests.
 *
 * App-only tokens are REAL: a confidential app registration of the tenant is granted the
 * Admin API's application permission (an app role assignment to its service principal, what
 * admin consent to application permissions writes) and redeems client credentials at the
 * tenant's token endpoint with `scope=api://assent-admin/.default`.
 *
 * Delegated tokens are MINTED here, signed with the tenant's own active signing key (the key
 * oidc-provider signs with) in the exact shape token-claims.ts gives user access tokens
 * (iss, aud, typ at+jwt, tid, oid, sub, azp, scp, ver 2.0). Every Admin API scope requires admin
 * consent, and the admin consent flow (issue 5) is being built as this is written; once it
 * lands, a test can obtain the same token through the code flow. What the admin API does with
 * a delegated token — scope check, then the user's CURRENT directory roles read live — is
 * exercised either way.
 */

export interface AdminTenant extends Seeded {
  server: IdentityServer;
  /** Users with one directory role each (and `plain` with none). */
  users: Record<"globalAdmin" | "reader" | "appAdmin" | "plain", User>;
}

/**
 * A tenant (via the OAuth fixture) with users holding directory roles: Global Administrator,
 * Reports Reader, Application Administrator, and none.
 */
export async function seedAdminTenant(
  t: TestDatabase,
  server: IdentityServer,
  slug: string,
): Promise<AdminTenant> {
  const s = await seedTenant(t, server, slug);
  const directory = createDirectory({ database: t.database });
  const make = async (name: string, role?: DirectoryRole) => {
    const user = await directory.users.create(
      s.tenant.id,
      { userPrincipalName: `${name}@${slug}.example`, displayName: name },
      CLI_ACTOR,
    );
    if (role) await directory.roles.assign(s.tenant.id, user.id, role, CLI_ACTOR);
    return user;
  };
  return {
    ...s,
    server,
    users: {
      globalAdmin: await make("grace", "global_administrator"),
      reader: await make("rita", "reports_reader"),
      appAdmin: await make("alan", "application_administrator"),
      plain: await make("pat"),
    },
  };
}

/**
 * A real app-only token: a new confidential client of the tenant, granted `permissions` on the
 * Admin API, redeems client credentials for `api://assent-admin/.default`.
 */
export async function appOnlyToken(
  t: TestDatabase,
  s: Seeded,
  permissions: AdminPermission[] = ["AuditLog.Read.All"],
): Promise<string> {
  const { db } = t.database;
  const app = await createApplication(
    db,
    s.tenant.id,
    // A redirect URI, though client credentials never uses one: the provider's client metadata
    // currently requires one (see the report of issue 6).
    { displayName: `Automation ${permissions.join(" ")}`, redirectUris: [s.redirectUri] },
    CLI_ACTOR,
  );
  const { secret } = await addClientSecret(
    db,
    s.tenant.id,
    app.id,
    { displayName: "test" },
    CLI_ACTOR,
  );
  const sp = await ensureServicePrincipal(db, s.tenant.id, app.id);
  for (const roleValue of permissions)
    await assignAppRole(
      db,
      s.tenant.id,
      {
        resourceApplicationId: ADMIN_APPLICATION_ID,
        principalType: "ServicePrincipal",
        principalId: sp.id,
        roleValue,
      },
      CLI_ACTOR,
    );
  const response = await postToken(
    s,
    { grant_type: "client_credentials", scope: "api://assent-admin/.default" },
    basic(app.appId, secret),
  );
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.access_token as string;
}

/** A token for another resource (Assent Mail) from the tenant's own token endpoint. */
export async function mailToken(s: Seeded): Promise<string> {
  const response = await postToken(
    s,
    { grant_type: "client_credentials", scope: "api://assent-mail/.default" },
    basic(s.web.appId, s.webSecret),
  );
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.access_token as string;
}

export interface DelegatedTokenOptions {
  scp?: string;
  aud?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  issuer?: string;
}

/** A delegated access token for `user`, signed with the tenant's own signing key (see above). */
export async function delegatedToken(
  t: TestDatabase,
  s: AdminTenant,
  user: User,
  options: DelegatedTokenOptions = {},
): Promise<string> {
  const { keys } = await loadSigningJwks(t.database.db, s.server.keyRing, s.tenant.id);
  const jwk = keys.find((k) => k.alg === "RS256");
  if (!jwk?.kid) throw new Error("the tenant has no RS256 signing key");
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = options.expiresIn ?? 3600;
  return new SignJWT({
    tid: s.tenant.id,
    oid: user.id,
    azp: s.spa.appId,
    client_id: s.spa.appId,
    ver: "2.0",
    name: user.displayName,
    preferred_username: user.userPrincipalName,
    scp: options.scp ?? "AuditLog.Read.All",
  })
    .setProtectedHeader({ alg: "RS256", kid: jwk.kid, typ: "at+jwt" })
    .setIssuer(options.issuer ?? s.issuer)
    .setAudience(options.aud ?? "api://assent-admin")
    .setSubject(user.id)
    .setIssuedAt(now - (expiresIn < 0 ? 7200 : 0))
    .setExpirationTime(now + expiresIn)
    .setJti(crypto.randomUUID())
    .sign(await importJWK(jwk, "RS256"));
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** GET on the identity server with a bearer token; parses JSON answers. */
export async function apiGet<T = any>(
  server: IdentityServer,
  path: string,
  token?: string,
): Promise<ApiResponse<T>> {
  const response = await fetch(path.startsWith("http") ? path : `${server.baseUrl}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const text = await response.text();
  const json = (response.headers.get("content-type") ?? "").includes("application/json");
  return {
    status: response.status,
    headers: response.headers,
    body: (json ? JSON.parse(text) : text) as T,
    text,
  };
}

/** The declared response schema of an admin route (by method and OpenAPI path). */
export function responseSchemaOf(method: AdminRoute["method"], path: string): z.ZodType {
  const route = ADMIN_API_ROUTES.find((r) => r.method === method && r.path === path);
  if (!route) throw new Error(`no admin route ${method} ${path}`);
  return route.response;
}

/** Asserts that a JSON body is what the route declares (strictly: no undeclared fields). */
export function expectDeclared(method: AdminRoute["method"], path: string, body: unknown): void {
  const result = responseSchemaOf(method, path).safeParse(body);
  expect(result.error?.issues ?? []).toEqual([]);
  // Parsing strips undeclared fields: equal means there were none.
  expect(result.data).toEqual(body);
}
