import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { migrate, openDatabase } from "../../src/platform/db/index.ts";
import { migrateAll, migrationSets } from "../../src/server/migrations.ts";
import {
  createScratchPostgres,
  openTestDatabase,
  postgresReachable,
} from "../support/databases.ts";

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function tablesOf(db: Parameters<typeof migrateAll>[0], schema: string) {
  const r = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = ${schema} order by table_name`.execute(
    db,
  );
  return r.rows.map((x) => x.table_name);
}

describe.each(["pglite", "postgres"] as const)("migrations on %s", (kind) => {
  it("applies every migration once and records it; a second run applies nothing", async (ctx) => {
    const t = await openTestDatabase(kind, { migrate: false });
    if (!t) return ctx.skip();
    cleanups.push(t.close);
    const first = await migrateAll(t.database.db);
    const expected = migrationSets.flatMap((s) => s.migrations.map((m) => `${s.schema}/${m.name}`));
    expect(first).toEqual(expected);
    expect(await migrateAll(t.database.db)).toEqual([]);
    expect(await tablesOf(t.database.db, "identity")).toContain("users");
  });

  it("rolls back a failing migration whole, leaving no half-applied schema", async (ctx) => {
    const t = await openTestDatabase(kind, { migrate: false });
    if (!t) return ctx.skip();
    cleanups.push(t.close);
    const set = {
      schema: "broken",
      migrations: [
        {
          name: "0001-good",
          up: async (db: any) => void (await sql`create table broken.a (x int)`.execute(db)),
        },
        {
          name: "0002-bad",
          up: async (db: any) => void (await sql`create table broken.b (x nope)`.execute(db)),
        },
      ],
    };
    await expect(migrate(t.database.db, set)).rejects.toThrow();
    expect(await tablesOf(t.database.db, "broken")).toEqual([]);
  });

  it("refuses a database migrated by a newer version", async (ctx) => {
    const t = await openTestDatabase(kind, { migrate: false });
    if (!t) return ctx.skip();
    cleanups.push(t.close);
    const one = { schema: "ahead", migrations: [{ name: "0001-a", up: async () => {} }] };
    const two = {
      schema: "ahead",
      migrations: [...one.migrations, { name: "0002-b", up: async () => {} }],
    };
    await migrate(t.database.db, two);
    await expect(migrate(t.database.db, one)).rejects.toThrow(/newer Assent/);
  });
});

describe("concurrent migrations", () => {
  it("two nodes migrating one PostgreSQL at once leave one correct schema", async (ctx) => {
    if (!(await postgresReachable()) && !process.env.CI && !process.env.ASSENT_REQUIRE_POSTGRES)
      return ctx.skip();
    const scratch = await createScratchPostgres();
    cleanups.push(scratch.drop);
    const a = await openDatabase({ kind: "postgres", url: scratch.url });
    const b = await openDatabase({ kind: "postgres", url: scratch.url });
    try {
      const [ra, rb] = await Promise.all([migrateAll(a.db), migrateAll(b.db)]);
      const expected = migrationSets.flatMap((s) =>
        s.migrations.map((m) => `${s.schema}/${m.name}`),
      );
      // Exactly one node applied each migration; the other found it applied.
      expect([...ra, ...rb].sort()).toEqual([...expected].sort());
      const recorded = await sql<{
        n: number;
      }>`select count(*)::int n from identity.schema_migration`.execute(a.db);
      expect(recorded.rows[0]?.n).toBe(migrationSets[0]!.migrations.length);
      expect(await tablesOf(a.db, "identity")).toContain("users");
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("two concurrent runs on one embedded database serialise", async (ctx) => {
    const t = await openTestDatabase("pglite", { migrate: false });
    if (!t) return ctx.skip();
    cleanups.push(t.close);
    const [ra, rb] = await Promise.all([migrateAll(t.database.db), migrateAll(t.database.db)]);
    expect([...ra, ...rb].length).toBe(migrationSets.flatMap((s) => s.migrations).length);
  });
});
