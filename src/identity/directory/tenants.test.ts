import type { Kysely } from "kysely";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "../../../test/support/databases.ts";
import { CLI_ACTOR, recordAudit } from "../activity/audit-log.ts";
import type { IdentityDB } from "../db.ts";
import { createDirectory, getTenant, listTenants, resolveTenant, type Tenant } from "./index.ts";

async function activities(db: Kysely<IdentityDB>, tenantId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("identity.audit_events")
    .select("activity")
    .where("tenant_id", "=", tenantId)
    .orderBy("seq")
    .execute();
  return rows.map((r) => r.activity);
}

async function countTenants(db: Kysely<IdentityDB>, slug: string): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int n from identity.tenants where slug = ${slug}`.execute(db);
  return r.rows[0]?.n ?? -1;
}

describe.each(["pglite", "postgres"] as const)("directory tenants on %s", (kind) => {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(() => t?.close());

  it("creates a tenant, lists it, and resolves it by id, slug and verified domain in any case", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const directory = createDirectory({ database: t.database });
    const tenant = await directory.tenants.create(
      { slug: "contoso", displayName: "  Contoso Ltd " },
      CLI_ACTOR,
    );
    expect(tenant).toMatchObject({ slug: "contoso", displayName: "Contoso Ltd", enabled: true });
    expect((await listTenants(db)).map((x) => x.slug)).toContain("contoso");
    expect(await getTenant(db, tenant.id)).toEqual(tenant);

    const added = await directory.tenants.addDomain(tenant.id, "Contoso.COM.", CLI_ACTOR);
    expect(added).toMatchObject({ domain: "contoso.com", tenantId: tenant.id });

    for (const ref of [
      tenant.id,
      tenant.id.toUpperCase(),
      "contoso",
      "CONTOSO",
      " contoso ",
      "contoso.com",
      "CONTOSO.Com",
    ])
      expect((await resolveTenant(db, ref))?.id, ref).toBe(tenant.id);
    expect((await directory.tenants.listDomains(tenant.id)).map((d) => d.domain)).toEqual([
      "contoso.com",
    ]);
    expect(await activities(db, tenant.id)).toEqual(["Add tenant", "Add verified domain"]);
  });

  it("resolves malformed or unknown references to undefined without throwing", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    for (const ref of [
      "",
      "   ",
      "no such tenant!",
      "x".repeat(500),
      "00000000-0000-0000-0000-000000000000",
      "12345678-1234-1234-1234-12345678901",
      "'; drop table identity.tenants; --",
      "unknown.example",
      "a..b",
      "nope",
    ])
      expect(await resolveTenant(db, ref), ref).toBeUndefined();
    expect(await getTenant(db, "not-a-uuid")).toBeUndefined();
  });

  it("refuses a duplicate slug and writes nothing more", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const directory = createDirectory({ database: t.database });
    const first = await directory.tenants.create(
      { slug: "fabrikam", displayName: "Fabrikam" },
      CLI_ACTOR,
    );
    await expect(
      directory.tenants.create({ slug: "fabrikam", displayName: "Other" }, CLI_ACTOR),
    ).rejects.toMatchObject({ status: 409, code: "tenant.duplicate_slug" });
    expect(await countTenants(db, "fabrikam")).toBe(1);
    expect(await activities(db, first.id)).toEqual(["Add tenant"]);
  });

  it("refuses malformed, reserved and uuid-shaped slugs and empty names", async (ctx) => {
    if (!t) return ctx.skip();
    const directory = createDirectory({ database: t.database });
    for (const slug of [
      "x",
      "-abc",
      "Contoso",
      "con toso",
      "a".repeat(64),
      "common",
      "healthz",
      "00000000-0000-0000-0000-000000000001",
    ])
      await expect(
        directory.tenants.create({ slug, displayName: "X" }, CLI_ACTOR),
        slug,
      ).rejects.toMatchObject({ status: 400, code: "tenant.invalid_slug" });
    await expect(
      directory.tenants.create({ slug: "nameless", displayName: "  " }, CLI_ACTOR),
    ).rejects.toMatchObject({ status: 400, code: "tenant.invalid_name" });
    expect(await countTenants(t.database.db, "nameless")).toBe(0);
  });

  it("gives a domain to one tenant only, and says so when another tenant holds it", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const directory = createDirectory({ database: t.database });
    const a = await directory.tenants.create({ slug: "domain-a", displayName: "A" }, CLI_ACTOR);
    const b = await directory.tenants.create({ slug: "domain-b", displayName: "B" }, CLI_ACTOR);
    await directory.tenants.addDomain(a.id, "shared.example", CLI_ACTOR);
    const refused = directory.tenants.addDomain(b.id, "SHARED.example", CLI_ACTOR);
    await expect(refused).rejects.toMatchObject({
      status: 409,
      code: "domain.owned_by_another_tenant",
    });
    await expect(refused).rejects.toThrow(/belongs to another tenant/);
    await expect(
      directory.tenants.addDomain(a.id, "shared.example", CLI_ACTOR),
    ).rejects.toMatchObject({
      status: 409,
      code: "domain.already_verified",
    });
    expect((await resolveTenant(db, "shared.example"))?.id).toBe(a.id);
    expect(await directory.tenants.listDomains(b.id)).toEqual([]);
    expect(await activities(db, b.id)).toEqual(["Add tenant"]);
    expect(await activities(db, a.id)).toEqual(["Add tenant", "Add verified domain"]);
  });

  it("refuses names that are not DNS domains", async (ctx) => {
    if (!t) return ctx.skip();
    const directory = createDirectory({ database: t.database });
    const tenant = await directory.tenants.create(
      { slug: "domain-c", displayName: "C" },
      CLI_ACTOR,
    );
    for (const domain of [
      "localhost",
      "1.2.3.4",
      "-a.example",
      "a_b.example",
      "exa mple.com",
      "a..example",
      `${"a".repeat(64)}.example`,
      "",
    ])
      await expect(
        directory.tenants.addDomain(tenant.id, domain, CLI_ACTOR),
        domain,
      ).rejects.toMatchObject({
        status: 400,
        code: "domain.invalid",
      });
    await expect(
      directory.tenants.addDomain("no-such-tenant", "fine.example", CLI_ACTOR),
    ).rejects.toMatchObject({ status: 404, code: "tenant.not_found" });
    expect(await directory.tenants.listDomains(tenant.id)).toEqual([]);
  });

  it("runs tenant-creation hooks in the same transaction, and rolls back when one fails", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const seen: Tenant[] = [];
    const withHook = createDirectory({
      database: t.database,
      onTenantCreated: [
        async (trx, tenant) => {
          seen.push(tenant);
          // The hook sees the uncommitted tenant through the transaction it is given.
          expect(await getTenant(trx, tenant.id)).toEqual(tenant);
          await recordAudit(trx, {
            tenantId: tenant.id,
            activity: "Add signing key",
            category: "KeyManagement",
            actor: CLI_ACTOR,
          });
        },
      ],
    });
    const hooked = await withHook.tenants.create(
      { slug: "hooked", displayName: "Hooked" },
      CLI_ACTOR,
    );
    expect(seen.map((x) => x.id)).toEqual([hooked.id]);
    expect(await activities(db, hooked.id)).toEqual(["Add tenant", "Add signing key"]);

    const failing = createDirectory({
      database: t.database,
      onTenantCreated: [
        async () => {
          throw new Error("key generation failed");
        },
      ],
    });
    await expect(
      failing.tenants.create({ slug: "rolled-back", displayName: "Gone" }, CLI_ACTOR),
    ).rejects.toThrow("key generation failed");
    expect(await countTenants(db, "rolled-back")).toBe(0);
    expect(await resolveTenant(db, "rolled-back")).toBeUndefined();
  });

  it("joins a transaction the caller holds: the caller's rollback undoes the directory change", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    await expect(
      t.database.transaction(async (trx) => {
        const inner = createDirectory({ database: { db: trx } });
        const tenant = await inner.tenants.create(
          { slug: "in-outer", displayName: "Outer" },
          CLI_ACTOR,
        );
        await inner.tenants.addDomain(tenant.id, "outer.example", CLI_ACTOR);
        throw new Error("caller fails later");
      }),
    ).rejects.toThrow("caller fails later");
    expect(await countTenants(db, "in-outer")).toBe(0);
    expect(await resolveTenant(db, "outer.example")).toBeUndefined();
  });
});
