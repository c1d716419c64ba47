import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "../../../test/support/databases.ts";
import { CLI_ACTOR } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import {
  type Application,
  createApplication,
  exposeScope,
  findApplicationByAppId,
  MAIL_APPLICATION_ID,
  MAIL_RESOURCE,
  requirePermission,
  resolveAppOnlyScope,
  resolveScopes,
  type ScopeResolution,
} from "./index.ts";

async function newTenant(db: Kysely<IdentityDB>, slug: string): Promise<string> {
  const row = await db
    .insertInto("identity.tenants")
    .values({ slug, display_name: slug })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

const MAIL = {
  applicationId: MAIL_APPLICATION_ID,
  appId: MAIL_RESOURCE.appId,
  identifierUri: "api://assent-mail",
  displayName: "Assent Mail",
};

function ok(r: ScopeResolution) {
  if (!r.ok) throw new Error(`expected success, got ${r.error}: ${r.message}`);
  return r;
}

describe.each(["pglite", "postgres"] as const)("scope resolution on %s", (kind) => {
  let t: TestDatabase | undefined;
  let db: Kysely<IdentityDB>;
  let tenantId: string;
  let otherTenantId: string;
  let client: Application;
  let bareClient: Application;
  let api: Application;

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (!t) return;
    db = t.database.db;
    tenantId = await newTenant(db, "scopes");
    otherTenantId = await newTenant(db, "scopes-other");
    const mail = (await findApplicationByAppId(db, MAIL_RESOURCE.appId))!;
    client = await createApplication(db, tenantId, { displayName: "Client" }, CLI_ACTOR);
    bareClient = await createApplication(db, tenantId, { displayName: "Bare" }, CLI_ACTOR);
    // A single-tenant API of this tenant, with one enabled and one disabled scope.
    api = await createApplication(db, tenantId, { displayName: "Files API" }, CLI_ACTOR);
    await exposeScope(
      db,
      tenantId,
      api.id,
      { value: "Files.Read", adminConsentDescription: "Read files." },
      CLI_ACTOR,
    );
    await exposeScope(
      db,
      tenantId,
      api.id,
      { value: "Files.Old", adminConsentDescription: "Old." },
      CLI_ACTOR,
    );
    await db
      .updateTable("identity.application_scopes")
      .set({ enabled: false })
      .where("application_id", "=", api.id)
      .where("value", "=", "Files.Old")
      .execute();
    for (const [resource, value, type] of [
      [mail, "Mail.Read", "Scope"],
      [mail, "Mail.Send", "Scope"],
      [mail, "offline_access", "Scope"],
      [mail, "Mail.Read.All", "Role"],
      [api, "Files.Read", "Scope"],
    ] as const)
      await requirePermission(db, tenantId, client.id, { resource, value, type }, CLI_ACTOR);
  });
  afterAll(() => t?.close());

  const resolve = (requested: string[], clientApp?: Application, tenant?: string) =>
    resolveScopes(db, {
      clientApplicationId: (clientApp ?? client).id,
      requested,
      ...(tenant ? { tenantId: tenant } : {}),
    });

  it("reads bare values as Assent Mail's and separates the OIDC scopes", async (ctx) => {
    if (!t) return ctx.skip();
    expect(ok(await resolve(["openid", "profile", "Mail.Read", "offline_access"]))).toEqual({
      ok: true,
      resource: MAIL,
      oidcScopes: ["openid", "profile", "offline_access"],
      resourceScopes: ["Mail.Read"],
      isDefault: false,
    });
    // Permission values match case-insensitively, as in Entra, and come back canonical.
    expect(ok(await resolve(["mail.read", "MAIL.SEND"])).resourceScopes).toEqual([
      "Mail.Read",
      "Mail.Send",
    ]);
  });

  it("reads scopes qualified by Application ID URI and by app id", async (ctx) => {
    if (!t) return ctx.skip();
    const r = ok(
      await resolve([
        "openid",
        "api://assent-mail/Mail.Send",
        `${MAIL_RESOURCE.appId}/Mail.Read`,
        "User.Read",
      ]),
    );
    expect(r.resource).toEqual(MAIL);
    expect(r.resourceScopes).toEqual(["Mail.Send", "Mail.Read", "User.Read"]);
    const own = ok(await resolve([`api://${api.appId}/Files.Read`, `${api.appId}/Files.Read`]));
    expect(own.resource).toEqual({
      applicationId: api.id,
      appId: api.appId,
      identifierUri: `api://${api.appId}`,
      displayName: "Files API",
    });
    expect(own.resourceScopes).toEqual(["Files.Read"]);
  });

  it("expands {resource}/.default to the delegated permissions the client requires there", async (ctx) => {
    if (!t) return ctx.skip();
    const r = ok(await resolve(["openid", "offline_access", "api://assent-mail/.default"]));
    // Required OIDC scopes and application permissions (Mail.Read.All) are not delegated resource scopes.
    expect(r).toEqual({
      ok: true,
      resource: MAIL,
      oidcScopes: ["openid", "offline_access"],
      resourceScopes: ["Mail.Read", "Mail.Send"],
      isDefault: true,
    });
    expect(ok(await resolve([`${MAIL_RESOURCE.appId}/.default`])).resourceScopes).toEqual([
      "Mail.Read",
      "Mail.Send",
    ]);
    expect(ok(await resolve([`api://${api.appId}/.default`])).resourceScopes).toEqual([
      "Files.Read",
    ]);
    // Nothing required: an empty list, still a .default request.
    expect(ok(await resolve(["api://assent-mail/.default"], bareClient))).toMatchObject({
      resourceScopes: [],
      isDefault: true,
    });
    const mixed = await resolve(["api://assent-mail/.default", "Mail.Read"]);
    expect(mixed).toMatchObject({ ok: false, error: "invalid_scope", entraCode: 70011 });
  });

  it("resolves OIDC-only requests to Assent Mail with no resource scopes", async (ctx) => {
    if (!t) return ctx.skip();
    expect(ok(await resolve(["openid", "email"]))).toEqual({
      ok: true,
      resource: MAIL,
      oidcScopes: ["openid", "email"],
      resourceScopes: [],
      isDefault: false,
    });
  });

  it("refuses scopes of two resources in one request (AADSTS28000)", async (ctx) => {
    if (!t) return ctx.skip();
    const r = await resolve(["openid", "Mail.Read", `api://${api.appId}/Files.Read`]);
    expect(r).toMatchObject({ ok: false, error: "multiple_resources", entraCode: 28000 });
    if (!r.ok) expect(r.message).toContain("api://assent-mail");
    expect(
      await resolve(["api://assent-mail/.default", `api://${api.appId}/.default`]),
    ).toMatchObject({ ok: false, error: "multiple_resources" });
  });

  it("names the unknown or disabled scope, and the unknown resource", async (ctx) => {
    if (!t) return ctx.skip();
    const unknown = await resolve(["openid", "Mail.Fly"]);
    expect(unknown).toMatchObject({ ok: false, error: "unknown_scope", entraCode: 650053 });
    if (!unknown.ok) expect(unknown.message).toMatch(/"Mail\.Fly" does not exist.*Assent Mail/);
    const disabled = await resolve([`api://${api.appId}/Files.Old`]);
    expect(disabled).toMatchObject({ ok: false, error: "unknown_scope" });
    if (!disabled.ok) expect(disabled.message).toMatch(/"Files\.Old" is disabled/);
    const dotted = await resolve([".hidden"]);
    expect(dotted).toMatchObject({ ok: false, error: "unknown_scope" });
    for (const scope of [
      "api://nowhere/Read",
      "6a1d2c3e-0000-4000-8000-000000000000/Read",
      "https://graph.microsoft.com/User.Read",
    ]) {
      const r = await resolve([scope]);
      expect(r, scope).toMatchObject({ ok: false, error: "unknown_resource", entraCode: 500011 });
    }
  });

  it("refuses malformed requests as invalid_scope", async (ctx) => {
    if (!t) return ctx.skip();
    for (const requested of [
      [],
      [" "],
      ["api://assent-mail"],
      ["api://assent-mail/openid"],
      ["/Mail.Read"],
    ])
      expect(await resolve(requested), JSON.stringify(requested)).toMatchObject({
        ok: false,
        error: "invalid_scope",
      });
  });

  it("hides another tenant's single-tenant API when the tenant is given", async (ctx) => {
    if (!t) return ctx.skip();
    const scope = [`api://${api.appId}/Files.Read`];
    expect((await resolve(scope, client, tenantId)).ok).toBe(true);
    expect(await resolve(scope, client, otherTenantId)).toMatchObject({
      ok: false,
      error: "unknown_resource",
    });
    // Assent Mail is multi-tenant: visible from every tenant.
    expect((await resolve(["Mail.Read"], client, otherTenantId)).ok).toBe(true);
  });

  it("accepts exactly one {resource}/.default for client credentials (AADSTS1002012)", async (ctx) => {
    if (!t) return ctx.skip();
    for (const scope of ["api://assent-mail/.default", `${MAIL_RESOURCE.appId}/.default`])
      expect(ok(await resolveAppOnlyScope(db, [scope]))).toEqual({
        ok: true,
        resource: MAIL,
        oidcScopes: [],
        resourceScopes: [],
        isDefault: true,
      });
    for (const requested of [
      [],
      ["Mail.Read"],
      ["api://assent-mail/Mail.Read"],
      ["openid"],
      [".default"],
      ["/.default"],
      ["api://assent-mail/.default", "openid"],
    ]) {
      const r = await resolveAppOnlyScope(db, requested);
      expect(r, JSON.stringify(requested)).toMatchObject({
        ok: false,
        error: "invalid_scope",
        entraCode: 1002012,
      });
    }
    expect(await resolveAppOnlyScope(db, ["api://nowhere/.default"])).toMatchObject({
      ok: false,
      error: "unknown_resource",
    });
    expect(
      await resolveAppOnlyScope(db, ["api://assent-mail/.default", `api://${api.appId}/.default`]),
    ).toMatchObject({ ok: false, error: "multiple_resources" });
    expect(
      await resolveAppOnlyScope(db, [`api://${api.appId}/.default`], { tenantId: otherTenantId }),
    ).toMatchObject({ ok: false, error: "unknown_resource" });
  });
});
