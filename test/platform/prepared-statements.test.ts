import { CompiledQuery, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectTenantWithVersions } from "../../src/identity/oauth/provider/cache-versions.ts";
import { databaseKindOf, preparedTag } from "../../src/platform/db/index.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";

describe.each(["pglite", "postgres"] as const)("prepared statements on %s", (kind) => {
  let handle: TestDatabase | undefined;

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("knows which database a handle talks to, and not a transaction's", async () => {
    if (!handle) return;
    const { db } = handle.database;
    expect(databaseKindOf(db)).toBe(kind);
    await db.transaction().execute(async (trx) => {
      expect(databaseKindOf(trx)).toBeUndefined();
    });
  });

  it("runs a tagged statement with its parameters, by name on PostgreSQL", async () => {
    if (!handle) return;
    const { db } = handle.database;
    const text = `${preparedTag("assent_test_add")} select $1::int + $2::int as sum`;
    for (const [a, b] of [
      [1, 2],
      [40, 2],
    ] as const) {
      const result = await db.executeQuery<{ sum: number }>(CompiledQuery.raw(text, [a, b]));
      expect(result.rows[0]?.sum).toBe(a + b);
    }
    if (kind !== "postgres") return;
    // The statement is prepared on the connection that ran it: with one connection, this one.
    await db.connection().execute(async (connection) => {
      await connection.executeQuery(CompiledQuery.raw(text, [3, 4]));
      const prepared = await sql<{ name: string }>`
        select name from pg_prepared_statements`.execute(connection);
      expect(prepared.rows.map((r) => r.name)).toContain("assent_test_add");
    });
  });

  it("refuses a name that could not be a tag", () => {
    expect(() => preparedTag("x */ drop table")).toThrow(/invalid prepared statement name/);
  });

  it("reads a tenant with its cache versions whichever way the statement runs", async () => {
    if (!handle) return;
    const { db } = handle.database;
    const created = await sql<{ id: string }>`
      insert into identity.tenants (slug, display_name) values ('prep', 'Prepared')
      returning id`.execute(db);
    const id = created.rows[0]?.id as string;
    const viaHandle = await selectTenantWithVersions(db, { slug: "prep" });
    // A transaction's handle has no known kind: the function form answers the same.
    const viaTransaction = await db
      .transaction()
      .execute((trx) => selectTenantWithVersions(trx, { id }));
    expect(viaHandle?.id).toBe(id);
    expect(viaTransaction).toEqual(viaHandle);
    expect(await selectTenantWithVersions(db, { domain: "nowhere.example" })).toBeUndefined();
  });
});
