import { importJWK, SignJWT } from "jose";
import { expect } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import { toSignInRow } from "../../../src/identity/activity/sign-in-event.ts";
import { insertSignInRows } from "../../../src/identity/activity/sign-in-queries.ts";
import { ensureServicePrincipal, MAIL_APPLICATION_ID } from "../../../src/identity/apps/index.ts";
import {
  submitConsentRequest,
  updateAdminConsentRequestPolicy,
} from "../../../src/identity/consent-requests/index.ts";
import { loadSigningJwks } from "../../../src/identity/keys/index.ts";
import { api, portalToken } from "../../identity/admin-api/admin-http.ts";
import {
  type AdminTenant,
  type IdentityServer,
  seedAdminTenant,
} from "../../identity/admin-api/support.ts";
import type { TestDatabase } from "../../support/databases.ts";

/**
 * One object of every kind the admin API serves, in one tenant, created through the admin API
 * itself (and, where the API has no create operation, through the service it fronts). Every
 * display name and free text carries `marker`, so an answer that leaks any of them is found by
 * a substring search.
 */
export interface IsolationTenant {
  s: AdminTenant;
  /** A Global Administrator's token holding every Admin API scope. */
  token: string;
  marker: string;
  /** The app registration's client id (appId). */
  appId: string;
  /**
   * Object ids by the path segment that names their collection in the admin API, or by the
   * path parameter's name for keys that are not object ids.
   */
  ids: Record<string, string>;
  /** Every id above plus app ids and secrets' hints: none may appear in another tenant's answers. */
  secrets: string[];
}

async function created(
  server: IdentityServer,
  token: string,
  path: string,
  body: unknown,
  method: "POST" | "PUT" = "POST",
) {
  const r = await api(server, method, path, token, body);
  expect(r.status, `${method} ${path}: ${r.text}`).toBeLessThan(300);
  return r.body;
}

export async function seedIsolationTenant(
  t: TestDatabase,
  server: IdentityServer,
  slug: string,
  marker: string,
): Promise<IsolationTenant> {
  const s = await seedAdminTenant(t, server, slug);
  const token = await portalToken(t, s, s.users.globalAdmin);
  const { db } = t.database;
  const user = await created(server, token, "/api/v1/users", {
    userPrincipalName: `victor@${slug}.example`,
    displayName: `${marker} Victor`,
  });
  const group = await created(server, token, "/api/v1/groups", {
    displayName: `${marker} Group`,
    description: `${marker} description`,
  });
  await api(server, "POST", `/api/v1/groups/${group.id}/members`, token, { userId: user.id });
  const app = await created(server, token, "/api/v1/applications", {
    displayName: `${marker} App`,
    redirectUris: ["https://app.example/callback"],
  });
  const A = `/api/v1/applications/${app.id}`;
  const secret = await created(server, token, `${A}/passwordCredentials`, {
    displayName: `${marker} secret`,
  });
  const scope = await created(server, token, `${A}/oauth2PermissionScopes`, {
    value: `${slug}.Read`,
    adminConsentDescription: `${marker} scope`,
    type: "User",
  });
  const rra = await created(server, token, `${A}/requiredResourceAccess`, {
    // The app's own scope: its id (a permission id) is then this tenant's alone.
    resource: app.appId,
    value: `${slug}.Read`,
  });
  const role = await created(server, token, `${A}/appRoles`, {
    value: `${slug}.Role`,
    displayName: `${marker} role`,
    description: `${marker} role`,
    allowedMemberTypes: ["User"],
  });
  const sp = await ensureServicePrincipal(db, s.tenant.id, app.id);
  const assignment = await created(
    server,
    token,
    `/api/v1/servicePrincipals/${sp.id}/appRoleAssignedTo`,
    { principalType: "User", principalId: user.id, appRoleId: role.id },
  );
  const roleAssignment = await created(
    server,
    token,
    "/api/v1/roleManagement/directory/roleAssignments",
    { principalId: user.id, roleDefinitionId: "global_reader" },
  );
  const grantPolicy = await created(server, token, "/api/v1/policies/permissionGrantPolicies", {
    id: `${slug}-policy`,
    displayName: `${marker} policy`,
    includes: [{}],
  });
  await created(server, token, "/api/v1/policies/permissionClassifications", {
    resource: app.appId,
    permissionName: `${slug}.Read`,
    classification: "high",
  });
  const webhook = await created(server, token, "/api/v1/webhookEndpoints", {
    url: `https://hooks.${slug}.example/assent`,
    eventTypes: ["consent_request.created"],
    description: `${marker} SIEM`,
  });
  await updateAdminConsentRequestPolicy(
    db,
    s.tenant.id,
    { isEnabled: true, reviewers: [{ type: "user", id: s.users.globalAdmin.id }] },
    CLI_ACTOR,
  );
  const { requestId } = await submitConsentRequest(db, {
    tenantId: s.tenant.id,
    clientApplicationId: app.id,
    userId: s.user.id,
    justification: `${marker} justification`,
    requested: [{ resourceApplicationId: MAIL_APPLICATION_ID, scopes: ["Mail.Read"] }],
  });
  await insertSignInRows(db, [
    toSignInRow(
      {
        tenantId: s.tenant.id,
        requestId: crypto.randomUUID(),
        eventType: "interactiveUser",
        status: "failure",
        errorCode: 50126,
        failureReason: `${marker} sign-in`,
        user: { id: user.id, userPrincipalName: user.userPrincipalName },
        app: { appId: app.appId, displayName: `${marker} App` },
        ipAddress: "203.0.113.9",
      },
      new Date(),
    ),
  ]);
  // The delivery log is written by the background worker; one attempt row stands for it here.
  const delivery = await db
    .insertInto("identity.webhook_deliveries")
    .values({
      tenant_id: s.tenant.id,
      endpoint_id: webhook.id,
      event_id: crypto.randomUUID(),
      event_type: "consent_request.created",
      job_id: null,
      attempt: 1,
      url: `https://hooks.${slug}.example/assent`,
      status_code: 500,
      response_excerpt: `${marker} receiver error`,
      duration_ms: 5,
      error: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const signIns = await api(server, "GET", "/api/v1/auditLogs/signIns", token);
  const audits = await api(server, "GET", "/api/v1/auditLogs/directoryAudits?top=1", token);
  const grants = await api(server, "GET", "/api/v1/oauth2PermissionGrants", token);
  const ids: Record<string, string> = {
    users: user.id,
    members: user.id,
    groups: group.id,
    applications: app.id,
    passwordCredentials: secret.keyId,
    requiredResourceAccess: rra.id,
    oauth2PermissionScopes: scope.id,
    appRoles: role.id,
    servicePrincipals: sp.id,
    appRoleAssignedTo: assignment.id,
    roleAssignments: roleAssignment.id,
    permissionGrantPolicies: grantPolicy.id,
    webhookEndpoints: webhook.id,
    deliveries: delivery.id,
    // Classifications are keyed by the resource's app id and the permission's name.
    resourceAppId: app.appId,
    permissionName: `${slug}.Read`,
    consentRequests: requestId,
    oauth2PermissionGrants: grants.body.value[0].id,
    signIns: signIns.body.value[0].id,
    directoryAudits: audits.body.value[0].id,
  };
  for (const [kind, id] of Object.entries(ids)) expect(id, kind).toBeTruthy();
  return {
    s,
    token,
    marker,
    appId: app.appId,
    ids,
    secrets: [...new Set([...Object.values(ids), app.appId, s.tenant.id, s.user.id])],
  };
}

/**
 * An admin API access token signed with `signer`'s own signing key, with any claim overridden:
 * the forgeries a tenant's administrator (who can mint nothing else) could try.
 */
export async function forgedToken(
  t: TestDatabase,
  signer: IsolationTenant,
  claims: Record<string, unknown>,
): Promise<string> {
  const { keys } = await loadSigningJwks(
    t.database.db,
    signer.s.server.keyRing,
    signer.s.tenant.id,
  );
  const jwk = keys.find((k) => k.alg === "RS256");
  if (!jwk?.kid) throw new Error("the tenant has no RS256 signing key");
  const user = signer.s.users.globalAdmin;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    tid: signer.s.tenant.id,
    oid: user.id,
    azp: signer.s.spa.appId,
    ver: "2.0",
    scp: "Directory.Read.All",
    iss: signer.s.issuer,
    aud: "api://assent-admin",
    sub: user.id,
    iat: now,
    exp: now + 600,
    jti: crypto.randomUUID(),
    ...claims,
  })
    .setProtectedHeader({ alg: "RS256", kid: jwk.kid, typ: "at+jwt" })
    .sign(await importJWK(jwk, "RS256"));
}
