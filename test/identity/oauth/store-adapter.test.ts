import { errors } from "oidc-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../../src/identity/activity/audit-log.ts";
import { createDirectory } from "../../../src/identity/directory/index.ts";
import { createStoreAdapter } from "../../../src/identity/oauth/adapter.ts";
import { purgeExpiredArtifacts } from "../../../src/identity/oauth/index.ts";
import { openTestDatabase, type TestDatabase } from "../../support/databases.ts";

const noClients = async () => undefined;

describe.each(["pglite", "postgres"] as const)("oidc-provider storage adapter on %s", (kind) => {
  let t: TestDatabase | undefined;
  let tenantA: string;
  let tenantB: string;
  beforeAll(async () => {
    t = await openTestDatabase(kind);
    if (!t) return;
    const directory = createDirectory({ database: t.database });
    tenantA = (await directory.tenants.create({ slug: "store-a", displayName: "A" }, CLI_ACTOR)).id;
    tenantB = (await directory.tenants.create({ slug: "store-b", displayName: "B" }, CLI_ACTOR)).id;
  });
  afterAll(() => t?.close());

  it("stores, finds by id and uid, and keeps tenants apart", async (ctx) => {
    if (!t) return ctx.skip();
    const a = createStoreAdapter(t.database.db, tenantA, noClients);
    const b = createStoreAdapter(t.database.db, tenantB, noClients);
    await a("Session").upsert("sess-1", { jti: "sess-1", uid: "uid-1", accountId: "u" }, 60);
    expect(await a("Session").find("sess-1")).toMatchObject({ accountId: "u" });
    expect(await a("Session").findByUid("uid-1")).toMatchObject({ jti: "sess-1" });
    expect(await b("Session").find("sess-1")).toBeUndefined();
    // Another tenant cannot overwrite the row by writing the same id.
    await b("Session").upsert("sess-1", { jti: "sess-1", uid: "uid-1", accountId: "evil" }, 60);
    expect(await a("Session").find("sess-1")).toMatchObject({ accountId: "u" });
  });

  it("ignores expired rows and purges them", async (ctx) => {
    if (!t) return ctx.skip();
    const a = createStoreAdapter(t.database.db, tenantA, noClients);
    await a("AccessToken").upsert("old", { jti: "old" }, 60);
    await t.database.db
      .updateTable("identity.oidc_store")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("id", "=", "old")
      .execute();
    expect(await a("AccessToken").find("old")).toBeUndefined();
    expect(await purgeExpiredArtifacts(t.database.db)).toBeGreaterThanOrEqual(1);
    const left = await t.database.db
      .selectFrom("identity.oidc_store")
      .select("id")
      .where("id", "=", "old")
      .execute();
    expect(left).toEqual([]);
  });

  it("consumes once under concurrency; the losers revoke the grant", async (ctx) => {
    if (!t) return ctx.skip();
    const a = createStoreAdapter(t.database.db, tenantA, noClients);
    await a("Grant").upsert("grant-1", { jti: "grant-1" }, 600);
    await a("AuthorizationCode").upsert("code-1", { jti: "code-1", grantId: "grant-1" }, 60);
    await a("AccessToken").upsert("at-1", { jti: "at-1", grantId: "grant-1" }, 600);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => a("AuthorizationCode").consume("code-1")),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    for (const o of outcomes.filter((o) => o.status === "rejected"))
      expect((o as PromiseRejectedResult).reason).toBeInstanceOf(errors.InvalidGrant);
    expect(await a("Grant").find("grant-1")).toBeUndefined();
    expect(await a("AccessToken").find("at-1")).toBeUndefined();
  });

  it("revokes one model's artifacts of a grant and destroys single rows", async (ctx) => {
    if (!t) return ctx.skip();
    const a = createStoreAdapter(t.database.db, tenantA, noClients);
    await a("RefreshToken").upsert("rt-9", { jti: "rt-9", grantId: "grant-9" }, 600);
    await a("AccessToken").upsert("at-9", { jti: "at-9", grantId: "grant-9" }, 600);
    await a("RefreshToken").revokeByGrantId("grant-9");
    expect(await a("RefreshToken").find("rt-9")).toBeUndefined();
    expect(await a("AccessToken").find("at-9")).toBeDefined();
    await a("AccessToken").destroy("at-9");
    expect(await a("AccessToken").find("at-9")).toBeUndefined();
  });
});
