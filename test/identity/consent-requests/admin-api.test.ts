import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import {
  type Application,
  createApplication,
  findApplicationById,
  MAIL_APPLICATION_ID,
  MAIL_RESOURCE,
} from "../../../src/identity/apps/index.ts";
import { evaluateConsent, updateConsentSettings } from "../../../src/identity/consent/index.ts";
import { submitConsentRequest } from "../../../src/identity/consent-requests/index.ts";
import { createDirectory, type Group, type User } from "../../../src/identity/directory/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";
import {
  type AdminTenant,
  apiGet,
  appOnlyToken,
  delegatedToken,
  expectDeclared,
  type IdentityServer,
  seedAdminTenant,
  startIdentity,
} from "../admin-api/support.ts";

const SCP = "ConsentRequest.ReadWrite.All Policy.ReadWrite.PermissionGrant";
const POLICY = "/api/v1/policies/adminConsentRequestPolicy";
const REQUESTS = "/api/v1/consentRequests";

interface World {
  s: AdminTenant;
  app: Application;
  sales: Group;
  token: (user: User) => Promise<string>;
}

async function send(
  server: IdentityServer,
  method: string,
  path: string,
  token: string,
  body?: unknown,
) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

describe.each(["pglite", "postgres"] as const)("admin consent request API on %s", (kind) => {
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

  /** A tenant where users may not consent: Ada in Sales; reviewers: Application Administrators and Rita. */
  async function world(slug: string): Promise<World> {
    const s = await seedAdminTenant(t!, server, slug);
    const directory = createDirectory({ database: t!.database });
    const publisher = await directory.tenants.create(
      { slug: `${slug}-pub`, displayName: "Fabrikam" },
      CLI_ACTOR,
    );
    const app = await createApplication(
      t!.database.db,
      publisher.id,
      {
        displayName: "Fabrikam Mail Sync",
        isPublicClient: true,
        signInAudience: "AzureADMultipleOrgs",
        redirectUris: ["http://127.0.0.1:9/callback"],
      },
      CLI_ACTOR,
    );
    const sales = await directory.groups.create(s.tenant.id, { displayName: "Sales" }, CLI_ACTOR);
    await directory.groups.addMember(s.tenant.id, sales.id, s.user.id, CLI_ACTOR);
    await updateConsentSettings(
      t!.database.db,
      s.tenant.id,
      { userConsent: "disabled" },
      CLI_ACTOR,
    );
    return { s, app, sales, token: (user) => delegatedToken(t!, s, user, { scp: SCP }) };
  }

  const ask = (w: World, user: User, scopes = ["Mail.Read"]) =>
    submitConsentRequest(t!.database.db, {
      tenantId: w.s.tenant.id,
      clientApplicationId: w.app.id,
      userId: user.id,
      justification: `${user.displayName} needs mail sync`,
      requested: [{ resourceApplicationId: MAIL_APPLICATION_ID, scopes }],
    });

  async function enable(w: World) {
    const admin = await w.token(w.s.users.globalAdmin);
    const put = await send(server, "PUT", POLICY, admin, {
      isEnabled: true,
      reviewers: [
        { type: "role", id: "application_administrator" },
        { type: "user", id: w.s.users.reader.id },
      ],
      requestDurationInDays: 14,
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    return put;
  }

  it("reads and writes the policy; validates reviewers; app-only tokens need the permission", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await world("api-policy");
    const put = await enable(w);
    expectDeclared("PUT", POLICY, put.body);
    expect(put.body).toMatchObject({
      isEnabled: true,
      requestDurationInDays: 14,
      notifyReviewers: true,
    });
    const app = await appOnlyToken(t, w.s, ["ConsentRequest.ReadWrite.All"]);
    const got = await apiGet(server, POLICY, app);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(put.body);
    const bad = await send(server, "PUT", POLICY, await w.token(w.s.users.globalAdmin), {
      reviewers: [{ type: "group", id: w.s.tenant.id }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("consent_request_policy.unknown_group");
    const tooLong = await send(server, "PUT", POLICY, await w.token(w.s.users.globalAdmin), {
      requestDurationInDays: 45,
    });
    expect(tooLong.status).toBe(400);
    // A Reports Reader may not change it.
    const reader = await send(server, "PUT", POLICY, await w.token(w.s.users.reader), {
      notifyReviewers: false,
    });
    expect(reader.status).toBe(403);
    const audit = await apiGet(
      server,
      `/api/v1/auditLogs/directoryAudits?activity=${encodeURIComponent("Update admin consent request policy")}`,
      await delegatedToken(t, w.s, w.s.users.globalAdmin, { scp: "AuditLog.Read.All" }),
    );
    expect(audit.body.value[0].initiatedBy).toMatchObject({
      type: "user",
      id: w.s.users.globalAdmin.id,
    });
  });

  it("lists, shows and approves for one group over HTTP: a Groups grant; others still need approval", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await world("api-approve");
    await enable(w);
    const { requestId } = await ask(w, w.s.user, ["Mail.Read", "Mail.Send"]);
    await ask(w, w.s.users.plain);
    const alan = await w.token(w.s.users.appAdmin);
    const mine = await apiGet(server, `${REQUESTS}?filter=my_pending`, alan);
    expect(mine.status).toBe(200);
    expectDeclared("GET", REQUESTS, mine.body);
    expect(mine.body.value.map((r: { id: string }) => r.id)).toEqual([requestId]);
    expect(mine.body.value[0]).toMatchObject({ requesterCount: 2, status: "pending" });
    // A Global Administrator who is not a reviewer has nothing pending and may not decide.
    const grace = await w.token(w.s.users.globalAdmin);
    expect((await apiGet(server, `${REQUESTS}?filter=my_pending`, grace)).body.value).toEqual([]);
    const refused = await send(server, "POST", `${REQUESTS}/${requestId}/approve`, grace, {});
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("consent_request.not_reviewer");
    expect(refused.body.error.message).toMatch(/not a reviewer/);
    // Rita is a reviewer without a role that may grant: she is told why before she tries.
    const rita = await w.token(w.s.users.reader);
    const detail = await apiGet(server, `${REQUESTS}/${requestId}`, rita);
    expect(detail.status).toBe(200);
    expectDeclared("GET", `${REQUESTS}/{id}`, detail.body);
    expect(detail.body.viewer).toMatchObject({
      isReviewer: true,
      canApprove: false,
      canDeny: true,
    });
    expect(detail.body.requesters).toHaveLength(2);
    expect(detail.body.scopeDiff[0]).toMatchObject({
      new: ["Mail.Read", "Mail.Send"],
      alreadyGranted: [],
    });
    expect(
      (await send(server, "POST", `${REQUESTS}/${requestId}/approve`, rita, {})).body.error.code,
    ).toBe("consent_request.cannot_approve");

    const approved = await send(server, "POST", `${REQUESTS}/${requestId}/approve`, alan, {
      scopes: [{ resourceAppId: MAIL_RESOURCE.appId, scopes: ["Mail.Read"] }],
      audience: { type: "groups", ids: [w.sales.id] },
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expectDeclared("POST", `${REQUESTS}/{id}/approve`, approved.body);
    expect(approved.body.grants).toEqual([
      expect.objectContaining({
        consentType: "Groups",
        groupIds: [w.sales.id],
        scopes: ["Mail.Read"],
      }),
    ]);
    expect(approved.body.request).toMatchObject({
      status: "approved",
      decidedBy: { type: "user", id: w.s.users.appAdmin.id },
      approval: { audience: { type: "groups", ids: [w.sales.id] } },
    });
    const application = (await findApplicationById(t.database.db, w.app.id))!;
    const decide = async (user: User) =>
      (
        await evaluateConsent(t!.database.db, {
          tenantId: w.s.tenant.id,
          application,
          userId: user.id,
          oidcScopes: [],
          resource: { identifierUri: MAIL_RESOURCE.identifierUri, scopes: ["Mail.Read"] },
        })
      ).decision.kind;
    expect(await decide(w.s.user)).toBe("granted");
    expect(await decide(w.s.users.plain)).toBe("approval_required");
    // Too late for a second decision: 409 naming who decided.
    const again = await send(server, "POST", `${REQUESTS}/${requestId}/deny`, rita, {
      reason: "No",
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("consent_request.already_decided");
    expect(again.body.error.message).toContain(
      `approved by ${w.s.users.appAdmin.userPrincipalName}`,
    );
  });

  it("denies with a reason, blocks and unblocks through the API (an app-only caller too)", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await world("api-deny");
    await enable(w);
    const rita = await w.token(w.s.users.reader);
    const first = await ask(w, w.s.user);
    const empty = await send(server, "POST", `${REQUESTS}/${first.requestId}/deny`, rita, {
      reason: " ",
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe("consent_request.reason_required");
    const denied = await send(server, "POST", `${REQUESTS}/${first.requestId}/deny`, rita, {
      reason: "We use Contoso Sync.",
    });
    expect(denied.status).toBe(200);
    expect(denied.body).toMatchObject({ status: "denied", reason: "We use Contoso Sync." });

    const second = await ask(w, w.s.users.plain);
    expect(second.requestId).not.toBe(first.requestId);
    const automation = await appOnlyToken(t, w.s, ["ConsentRequest.ReadWrite.All"]);
    const blocked = await send(
      server,
      "POST",
      `${REQUESTS}/${second.requestId}/block`,
      automation,
      {
        reason: "Flagged by security.",
      },
    );
    expect(blocked.status, JSON.stringify(blocked.body)).toBe(200);
    expect(blocked.body).toMatchObject({ status: "blocked", decidedBy: { type: "application" } });
    const spId = blocked.body.servicePrincipal.id;
    await expect(ask(w, w.s.user)).rejects.toMatchObject({ code: "consent_request.app_blocked" });
    // Pat has no directory role and is no reviewer: the workflow refuses.
    const pat = await send(
      server,
      "POST",
      `/api/v1/servicePrincipals/${spId}/unblock`,
      await w.token(w.s.users.plain),
      {},
    );
    expect(pat.status).toBe(403);
    const unblocked = await send(
      server,
      "POST",
      `/api/v1/servicePrincipals/${spId}/unblock`,
      rita,
      {},
    );
    expect(unblocked.status).toBe(200);
    expect(unblocked.body).toEqual({ id: spId, applicationId: w.app.id, blocked: false });
    expect((await ask(w, w.s.user)).created).toBe(true);
    const list = await apiGet(server, `${REQUESTS}?status=blocked`, rita);
    expect(list.body.value.map((r: { id: string }) => r.id)).toEqual([second.requestId]);
  });

  it("lets a reviewer without any directory role review, and keeps everyone else out", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await world("api-roleless");
    await enable(w);
    const { requestId } = await ask(w, w.s.user);
    // Pat holds no role and is no reviewer: no list, no request, no decision.
    const pat = await w.token(w.s.users.plain);
    expect((await apiGet(server, `${REQUESTS}?filter=all`, pat)).status).toBe(403);
    expect((await apiGet(server, `${REQUESTS}/${requestId}`, pat)).status).toBe(403);
    expect((await apiGet(server, `${REQUESTS}?filter=my_pending`, pat)).body.value).toEqual([]);
    const refused = await send(server, "POST", `${REQUESTS}/${requestId}/deny`, pat, {
      reason: "No.",
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("consent_request.not_reviewer");
    // Made a reviewer by name, Pat sees the request at once and may deny it.
    const admin = await w.token(w.s.users.globalAdmin);
    const put = await send(server, "PUT", POLICY, admin, {
      reviewers: [{ type: "user", id: w.s.users.plain.id }],
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const mine = await apiGet(server, `${REQUESTS}?filter=my_pending`, pat);
    expect(mine.body.value.map((r: { id: string }) => r.id)).toEqual([requestId]);
    const denied = await send(server, "POST", `${REQUESTS}/${requestId}/deny`, pat, {
      reason: "Use the approved CRM instead.",
    });
    expect(denied.status, JSON.stringify(denied.body)).toBe(200);
    expect(denied.body).toMatchObject({ status: "denied" });
  });

  it("isolates tenants: another tenant's admin can neither see nor decide these requests", async (ctx) => {
    if (!t) return ctx.skip();
    const a = await world("api-iso-a");
    await enable(a);
    const { requestId } = await ask(a, a.s.user);
    const b = await world("api-iso-b");
    await enable(b);
    const bAdmin = await b.token(b.s.users.appAdmin);
    expect((await apiGet(server, REQUESTS, bAdmin)).body.value).toEqual([]);
    const get = await apiGet(server, `${REQUESTS}/${requestId}`, bAdmin);
    expect(get.status).toBe(404);
    expect(get.body.error.code).toBe("consent_request.not_found");
    for (const action of ["approve", "deny", "block"]) {
      const r = await send(server, "POST", `${REQUESTS}/${requestId}/${action}`, bAdmin, {
        reason: "mine now",
      });
      expect(r.status).toBe(404);
    }
    const bApp = await appOnlyToken(t, b.s, ["ConsentRequest.ReadWrite.All"]);
    expect((await send(server, "POST", `${REQUESTS}/${requestId}/approve`, bApp, {})).status).toBe(
      404,
    );
    // Still pending in tenant A.
    const mine = await apiGet(
      server,
      `${REQUESTS}/${requestId}`,
      await a.token(a.s.users.appAdmin),
    );
    expect(mine.body.status).toBe("pending");
  });

  it("manages webhook endpoints: the secret once, never listed; bad URLs refused", async (ctx) => {
    if (!t) return ctx.skip();
    const w = await world("api-hooks");
    const admin = await w.token(w.s.users.appAdmin);
    const created = await send(server, "POST", "/api/v1/webhookEndpoints", admin, {
      url: "http://127.0.0.1:9/hooks",
      eventTypes: ["consent_request.created", "consent_request.approved"],
      description: "SIEM",
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expectDeclared("POST", "/api/v1/webhookEndpoints", created.body);
    expect(created.body.secret).toMatch(/^whsec_/);
    const list = await apiGet(server, "/api/v1/webhookEndpoints", admin);
    expectDeclared("GET", "/api/v1/webhookEndpoints", list.body);
    expect(list.body.value).toEqual([
      expect.objectContaining({
        id: created.body.id,
        eventTypes: ["consent_request.created", "consent_request.approved"],
      }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain("whsec_");
    const deliveries = await apiGet(
      server,
      `/api/v1/webhookEndpoints/${created.body.id}/deliveries`,
      admin,
    );
    expect(deliveries.body).toEqual({ value: [] });
    for (const url of ["ftp://127.0.0.1/x", "http://169.254.169.254/latest"]) {
      const bad = await send(server, "POST", "/api/v1/webhookEndpoints", admin, {
        url,
        eventTypes: ["consent_request.created"],
      });
      expect(bad.status).toBe(400);
    }
    const unknownEvent = await send(server, "POST", "/api/v1/webhookEndpoints", admin, {
      url: "http://127.0.0.1:9/hooks",
      eventTypes: ["user.created"],
    });
    expect(unknownEvent.status).toBe(400);
    // Another tenant cannot delete it.
    const other = await world("api-hooks-b");
    const foreign = await send(
      server,
      "DELETE",
      `/api/v1/webhookEndpoints/${created.body.id}`,
      await other.token(other.s.users.appAdmin),
    );
    expect(foreign.status).toBe(404);
    expect(
      (await send(server, "DELETE", `/api/v1/webhookEndpoints/${created.body.id}`, admin)).status,
    ).toBe(200);
    expect(
      (await send(server, "DELETE", `/api/v1/webhookEndpoints/${created.body.id}`, admin)).status,
    ).toBe(404);
  });

  it("documents the workflow's operations in the OpenAPI document", async (ctx) => {
    if (!t) return ctx.skip();
    const r = await apiGet(server, "/api/openapi.json");
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining([
        POLICY,
        REQUESTS,
        `${REQUESTS}/{id}`,
        `${REQUESTS}/{id}/approve`,
        `${REQUESTS}/{id}/deny`,
        `${REQUESTS}/{id}/block`,
        "/api/v1/servicePrincipals/{id}/unblock",
        "/api/v1/webhookEndpoints",
        "/api/v1/webhookEndpoints/{id}",
        "/api/v1/webhookEndpoints/{id}/deliveries",
      ]),
    );
    expect(r.body.paths[REQUESTS].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining([
        "filter",
        "status",
        "app",
        "createdFrom",
        "createdTo",
        "sort",
        "top",
        "cursor",
      ]),
    );
    for (const ref of [...r.text.matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!))
      expect(r.body.components.schemas[ref.split("/").pop()!]).toBeDefined();
  });
});
