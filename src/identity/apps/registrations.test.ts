import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "../../../test/support/databases.ts";
import { CLI_ACTOR } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import {
  addClientSecret,
  addRedirectUri,
  checkClientSecret,
  createApplication,
  exposeAppRole,
  exposeScope,
  findApplicationByAppId,
  findServicePrincipal,
  listAppRoles,
  listClientSecrets,
  listExposedScopes,
  listRequiredPermissions,
  MAIL_APPLICATION_ID,
  MAIL_RESOURCE,
  MAIL_ROLE_IDS,
  MAIL_SCOPE_IDS,
  requirePermission,
  setPublisherDisplayName,
  verifyPublisher,
} from "./index.ts";

async function newTenant(db: Kysely<IdentityDB>, slug: string): Promise<string> {
  const row = await db
    .insertInto("identity.tenants")
    .values({ slug, display_name: slug })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function activities(db: Kysely<IdentityDB>, tenantId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("identity.audit_events")
    .select("activity")
    .where("tenant_id", "=", tenantId)
    .orderBy("seq")
    .execute();
  return rows.map((r) => r.activity);
}

async function mail(db: Kysely<IdentityDB>) {
  const app = await findApplicationByAppId(db, MAIL_RESOURCE.appId);
  if (!app) throw new Error("Assent Mail missing");
  return app;
}

describe.each(["pglite", "postgres"] as const)("app registrations on %s", (kind) => {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(() => t?.close());

  it("ships the system tenant and Assent Mail with its delegated scopes and app role", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const system = await db
      .selectFrom("identity.tenants")
      .selectAll()
      .where("slug", "=", "assent-system")
      .executeTakeFirstOrThrow();
    expect(system.is_system).toBe(true);
    const app = await mail(db);
    expect(app).toMatchObject({
      id: MAIL_APPLICATION_ID,
      tenantId: system.id,
      displayName: "Assent Mail",
      signInAudience: "AzureADMultipleOrgs",
      publisherDisplayName: "Assent",
      publisherVerified: true,
      identifierUris: ["api://assent-mail"],
      isPublicClient: false,
    });
    const scopes = await listExposedScopes(db, app.id);
    expect(Object.fromEntries(scopes.map((s) => [s.value, s.id]))).toEqual(MAIL_SCOPE_IDS);
    for (const scope of scopes) {
      expect(scope).toMatchObject({ adminConsentRequired: false, enabled: true });
      expect(scope.adminConsentDisplayName.length).toBeGreaterThan(3);
      expect(scope.userConsentDescription?.length).toBeGreaterThan(10);
    }
    expect(scopes.find((s) => s.value === "User.Read")?.adminConsentDisplayName).toBe(
      "Sign in and read user profile",
    );
    expect(await listAppRoles(db, app.id)).toEqual([
      {
        id: MAIL_ROLE_IDS["Mail.Read.All"],
        applicationId: app.id,
        value: "Mail.Read.All",
        displayName: "Read mail in all mailboxes",
        description: expect.any(String),
        allowedMemberTypes: ["Application"],
        enabled: true,
      },
    ]);
  });

  it("finds applications by client id and answers undefined for malformed or unknown ids", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    expect(await findApplicationByAppId(db, "not-a-uuid")).toBeUndefined();
    expect(await findApplicationByAppId(db, "'; drop table x; --")).toBeUndefined();
    expect(
      await findApplicationByAppId(db, "6a1d2c3e-0000-4000-8000-000000000000"),
    ).toBeUndefined();
    expect((await findApplicationByAppId(db, MAIL_RESOURCE.appId.toUpperCase()))?.id).toBe(
      MAIL_APPLICATION_ID,
    );
  });

  it("registers an application with its service principal, api://{appId} and audit events", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const tenantId = await newTenant(db, "reg-create");
    const app = await createApplication(
      db,
      tenantId,
      {
        displayName: "  Contoso CRM ",
        signInAudience: "AzureADMultipleOrgs",
        redirectUris: ["https://crm.contoso.com/cb", "http://localhost:3000/cb"],
      },
      CLI_ACTOR,
    );
    expect(app).toMatchObject({
      tenantId,
      displayName: "Contoso CRM",
      signInAudience: "AzureADMultipleOrgs",
      isPublicClient: false,
      redirectUris: ["https://crm.contoso.com/cb", "http://localhost:3000/cb"],
      identifierUris: [`api://${app.appId}`],
      publisherVerified: false,
    });
    expect(await findApplicationByAppId(db, app.appId)).toEqual(app);
    expect(await findServicePrincipal(db, tenantId, app.id)).toMatchObject({
      appId: app.appId,
      accountEnabled: true,
    });
    expect(await activities(db, tenantId)).toEqual(["Add application", "Add service principal"]);
  });

  it("refuses a bad redirect URI at creation and writes nothing", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const tenantId = await newTenant(db, "reg-bad-uri");
    await expect(
      createApplication(
        db,
        tenantId,
        {
          displayName: "Bad",
          redirectUris: ["https://ok.example.com/cb", "http://evil.example/cb"],
        },
        CLI_ACTOR,
      ),
    ).rejects.toMatchObject({ status: 400, code: "application.invalid_redirect_uri" });
    const count = await db
      .selectFrom("identity.applications")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("tenant_id", "=", tenantId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
    expect(await activities(db, tenantId)).toEqual([]);
  });

  it("adds redirect URIs exactly as given: https, or http on loopback only; no fragment, no duplicate", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const tenantId = await newTenant(db, "reg-redirect");
    const app = await createApplication(db, tenantId, { displayName: "Web" }, CLI_ACTOR);
    const exact = "https://App.Example.com/Auth/Callback?x=1";
    await addRedirectUri(db, tenantId, app.id, exact, CLI_ACTOR);
    const after = await addRedirectUri(db, tenantId, app.id, "http://[::1]:8400/cb", CLI_ACTOR);
    expect(after.redirectUris).toEqual([exact, "http://[::1]:8400/cb"]);
    for (const [uri, code] of [
      ["http://app.example.com/cb", "application.invalid_redirect_uri"],
      ["https://app.example.com/cb#x", "application.invalid_redirect_uri"],
      ["/relative/cb", "application.invalid_redirect_uri"],
      [exact, "application.duplicate_redirect_uri"],
    ] as const)
      await expect(addRedirectUri(db, tenantId, app.id, uri, CLI_ACTOR)).rejects.toMatchObject({
        code,
      });
    // Another tenant cannot change it.
    const other = await newTenant(db, "reg-redirect-other");
    await expect(
      addRedirectUri(db, other, app.id, "https://x.example.com/cb", CLI_ACTOR),
    ).rejects.toMatchObject({ status: 404, code: "application.not_found" });
    expect((await findApplicationByAppId(db, app.appId))?.redirectUris).toEqual([
      exact,
      "http://[::1]:8400/cb",
    ]);
    expect(await activities(db, tenantId)).toEqual([
      "Add application",
      "Add service principal",
      "Update application",
      "Update application",
    ]);
  });

  it("shows a client secret once, stores only its hash, and checks valid, invalid and expired", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const tenantId = await newTenant(db, "reg-secret");
    const app = await createApplication(db, tenantId, { displayName: "Daemon" }, CLI_ACTOR);
    const before = Date.now();
    const first = await addClientSecret(db, tenantId, app.id, { displayName: "CI" }, CLI_ACTOR);
    const second = await addClientSecret(db, tenantId, app.id, { expiresInDays: 30 }, CLI_ACTOR);
    expect(first.secret.length).toBeGreaterThanOrEqual(40);
    expect(first.hint).toBe(first.secret.slice(0, 3));
    const days = (first.expiresAt.getTime() - before) / 86_400_000;
    expect(days).toBeGreaterThan(179.99);
    expect(days).toBeLessThan(180.01);

    // The plaintext is nowhere in storage: not in the secret rows, not in the audit trail.
    const rows = await sql<{ row: string }>`
      select to_jsonb(s)::text as row from identity.application_secrets s
      where application_id = ${app.id}`.execute(db);
    expect(rows.rows).toHaveLength(2);
    const audit = await sql<{ row: string }>`
      select to_jsonb(a)::text as row from identity.audit_events a where tenant_id = ${tenantId}`.execute(
      db,
    );
    for (const { row } of [...rows.rows, ...audit.rows]) {
      expect(row).not.toContain(first.secret);
      expect(row).not.toContain(second.secret);
      expect(row).not.toContain(first.secret.slice(3));
    }

    const listed = await listClientSecrets(db, tenantId, app.id);
    expect(listed.map((s) => s.hint)).toEqual([first.hint, second.hint]);
    expect(JSON.stringify(listed)).not.toContain(first.secret);
    expect(listed[0]).not.toHaveProperty("secret");
    expect(listed[0]).not.toHaveProperty("secretHash");

    // Several secrets are valid at once.
    expect(await checkClientSecret(db, app.id, first.secret)).toBe("valid");
    expect(await checkClientSecret(db, app.id, second.secret)).toBe("valid");
    expect(await checkClientSecret(db, app.id, `${first.secret}x`)).toBe("invalid");
    expect(await checkClientSecret(db, app.id, "")).toBe("invalid");
    expect(await checkClientSecret(db, "not-a-uuid", first.secret)).toBe("invalid");
    expect(await checkClientSecret(db, MAIL_APPLICATION_ID, first.secret)).toBe("invalid");
    const in60Days = new Date(Date.now() + 60 * 86_400_000);
    expect(await checkClientSecret(db, app.id, second.secret, in60Days)).toBe("expired");
    expect(await checkClientSecret(db, app.id, first.secret, in60Days)).toBe("valid");
    expect(await checkClientSecret(db, app.id, "wrong", in60Days)).toBe("invalid");

    for (const expiresInDays of [0, 731, 1.5])
      await expect(
        addClientSecret(db, tenantId, app.id, { expiresInDays }, CLI_ACTOR),
      ).rejects.toMatchObject({ code: "application.invalid_secret_lifetime" });
    expect(await activities(db, tenantId)).toEqual([
      "Add application",
      "Add service principal",
      "Update application – Certificates and secrets management",
      "Update application – Certificates and secrets management",
    ]);
  });

  it("exposes scopes and app roles and records required permissions on Mail and on its own API", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const tenantId = await newTenant(db, "reg-perms");
    const api = await createApplication(db, tenantId, { displayName: "Files API" }, CLI_ACTOR);
    const read = await exposeScope(
      db,
      tenantId,
      api.id,
      { value: "Files.Read", adminConsentDescription: "Read the user's files." },
      CLI_ACTOR,
    );
    expect(read).toMatchObject({
      value: "Files.Read",
      adminConsentDisplayName: "Files.Read",
      userConsentDescription: "Read the user's files.",
      adminConsentRequired: true,
    });
    await expect(
      exposeScope(
        db,
        tenantId,
        api.id,
        { value: "Files.Read", adminConsentDescription: "x" },
        CLI_ACTOR,
      ),
    ).rejects.toMatchObject({ status: 409, code: "application.duplicate_scope" });
    for (const value of ["openid", "has space", ".hidden", "a/b", ""])
      await expect(
        exposeScope(db, tenantId, api.id, { value, adminConsentDescription: "x" }, CLI_ACTOR),
      ).rejects.toMatchObject({ status: 400, code: "application.invalid_scope_value" });
    await exposeAppRole(
      db,
      tenantId,
      api.id,
      {
        value: "Files.Admin",
        displayName: "Administer files",
        description: "People who administer files.",
        allowedMemberTypes: ["User"],
      },
      CLI_ACTOR,
    );

    const client = await createApplication(db, tenantId, { displayName: "Client" }, CLI_ACTOR);
    const mailApp = await mail(db);
    const added = await requirePermission(
      db,
      tenantId,
      client.id,
      { resource: mailApp, value: "mail.read", type: "Scope" },
      CLI_ACTOR,
    );
    expect(added).toMatchObject({
      value: "Mail.Read",
      added: true,
      permissionId: MAIL_SCOPE_IDS["Mail.Read"],
    });
    expect(
      await requirePermission(
        db,
        tenantId,
        client.id,
        { resource: mailApp, value: "Mail.Read", type: "Scope" },
        CLI_ACTOR,
      ),
    ).toMatchObject({ added: false });
    await requirePermission(
      db,
      tenantId,
      client.id,
      { resource: mailApp, value: "Mail.Read.All", type: "Role" },
      CLI_ACTOR,
    );
    await requirePermission(
      db,
      tenantId,
      client.id,
      { resource: api, value: "Files.Read", type: "Scope" },
      CLI_ACTOR,
    );
    await expect(
      requirePermission(
        db,
        tenantId,
        client.id,
        { resource: mailApp, value: "Mail.Fly", type: "Scope" },
        CLI_ACTOR,
      ),
    ).rejects.toMatchObject({ status: 404, code: "application.unknown_scope" });
    // A role only users can hold is not an application permission.
    await expect(
      requirePermission(
        db,
        tenantId,
        client.id,
        { resource: api, value: "Files.Admin", type: "Role" },
        CLI_ACTOR,
      ),
    ).rejects.toMatchObject({ status: 404, code: "application.unknown_role" });
    const required = await listRequiredPermissions(db, client.id);
    expect(
      required
        .map((r) => `${r.resourceApplicationId === api.id ? "api" : "mail"}:${r.type}:${r.value}`)
        .sort(),
    ).toEqual(["api:Scope:Files.Read", "mail:Role:Mail.Read.All", "mail:Scope:Mail.Read"]);
  });

  it("verifies a publisher, and drops the badge when the publisher name changes", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const tenantId = await newTenant(db, "reg-publisher");
    const app = await createApplication(db, tenantId, { displayName: "Fabrikam Mail" }, CLI_ACTOR);
    const named = await setPublisherDisplayName(db, tenantId, app.id, "Fabrikam", CLI_ACTOR);
    expect(named).toMatchObject({ publisherDisplayName: "Fabrikam", publisherVerified: false });
    const verified = await verifyPublisher(db, tenantId, app.id, "Fabrikam Inc.", CLI_ACTOR);
    expect(verified).toMatchObject({
      publisherDisplayName: "Fabrikam Inc.",
      publisherVerified: true,
    });
    const same = await setPublisherDisplayName(db, tenantId, app.id, "Fabrikam Inc.", CLI_ACTOR);
    expect(same.publisherVerified).toBe(true);
    const renamed = await setPublisherDisplayName(db, tenantId, app.id, "Microsoft", CLI_ACTOR);
    expect(renamed).toMatchObject({ publisherDisplayName: "Microsoft", publisherVerified: false });
    await expect(verifyPublisher(db, tenantId, app.id, "  ", CLI_ACTOR)).rejects.toMatchObject({
      code: "application.invalid_publisher",
    });
  });
});
