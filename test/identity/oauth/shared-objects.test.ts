import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import { createDirectory, type Directory } from "../../../src/identity/directory/index.ts";
import {
  selectCacheVersions,
  versionsReadWith,
} from "../../../src/identity/oauth/provider/cache-versions.ts";
import { TenantCatalog } from "../../../src/identity/oauth/provider/catalog.ts";
import { lookupTenant } from "../../../src/identity/oauth/tenant-lookup.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";

/**
 * Concurrent protocol requests share one tenant read (lookupTenant coalesces them) and one
 * catalog per tenant: a request that changed a shared object would change it for the others,
 * so shared objects are frozen, dates included, and an attempt throws instead of leaking.
 */
describe.each(["pglite", "postgres"] as const)("objects shared between requests on %s", (kind) => {
  let t: TestDatabase | undefined;
  let directory: Directory;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (t) directory = createDirectory({ database: t.database });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("gives coalesced requests one frozen tenant that no request can change", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const created = await directory.tenants.create(
      { slug: "shared", displayName: "Shared Ltd" },
      CLI_ACTOR,
    );
    // Parsed in the same event-loop turn: one read serves both.
    const [first, second] = await Promise.all([
      lookupTenant(db, "shared"),
      lookupTenant(db, "shared"),
    ]);
    expect(first).toBeDefined();
    expect(second).toBe(first);
    const tenant = first!;
    const updatedAt = tenant.updatedAt.getTime();

    expect(() => {
      (tenant as { displayName: string }).displayName = "Hijacked";
    }).toThrow(TypeError);
    expect(() => {
      (tenant as { enabled: boolean }).enabled = false;
    }).toThrow(TypeError);
    expect(() => tenant.updatedAt.setTime(0)).toThrow(TypeError);
    expect(() => tenant.createdAt.setFullYear(1999)).toThrow(TypeError);
    expect(() => {
      (tenant as unknown as Record<string, unknown>).extra = 1;
    }).toThrow(TypeError);

    // The cache versions read with the tenant travel with it, frozen as well.
    const versions = versionsReadWith(tenant);
    expect(versions).toMatchObject({ tenant: expect.any(Number), grants: expect.any(Number) });
    expect(() => {
      (versions as { users: number }).users = -1;
    }).toThrow(TypeError);
    expect(versionsReadWith({ ...tenant })).toBeUndefined();

    expect(second).toMatchObject({ id: created.id, displayName: "Shared Ltd", enabled: true });
    expect(second!.updatedAt.getTime()).toBe(updatedAt);
    expect(second!.updatedAt).toBeInstanceOf(Date);
    expect(second!.updatedAt.toISOString()).toBe(new Date(updatedAt).toISOString());
  });

  it("freezes what the catalog shares: users, clients and consent inputs", async (ctx) => {
    if (!t) return ctx.skip();
    const { db } = t.database;
    const tenant = await directory.tenants.create(
      { slug: "shared-catalog", displayName: "Shared Catalog" },
      CLI_ACTOR,
    );
    const user = await directory.users.create(
      tenant.id,
      { userPrincipalName: "ada@shared.example", displayName: "Ada Lovelace" },
      CLI_ACTOR,
    );
    const catalog = new TenantCatalog(
      db,
      tenant.id,
      await selectCacheVersions(db, tenant.id),
      () => "placeholder",
    );
    const cached = await catalog.users.user(user.id);
    expect(cached).toBeDefined();
    expect(() => {
      (cached as { enabled: boolean }).enabled = false;
    }).toThrow(TypeError);
    expect(() => cached!.createdAt.setTime(0)).toThrow(TypeError);
    const again = await catalog.users.user(user.id);
    expect(again).toBe(cached);
    expect(again).toMatchObject({ enabled: true, createdAt: user.createdAt });

    const membership = await catalog.users.inputs.get("membership", user.id, async () => ({
      roles: [] as string[],
      groupIds: ["g"],
    }));
    expect(() => membership.groupIds.push("another")).toThrow(TypeError);
  });
});
