import { randomBytes } from "node:crypto";
import pg from "pg";
import type { IdentityDB } from "../../src/identity/db.ts";
import { type Database, type DatabaseTarget, openDatabase } from "../../src/platform/db/index.ts";
import { migrateAll } from "../../src/server/migrations.ts";

/**
 * Every storage test runs on both dialects: embedded PGlite (in memory) and PostgreSQL.
 *
 * PostgreSQL comes from TEST_DATABASE_URL, else DATABASE_URL, else the local default
 * `postgres://postgres@127.0.0.1:5432/test`. Each test file gets a fresh database of its own,
 * dropped afterwards. When PostgreSQL is unreachable the PostgreSQL variants FAIL if
 * `CI` or `ASSENT_REQUIRE_POSTGRES` is set, and are skipped with a warning otherwise.
 */
export const POSTGRES_ADMIN_URL =
  process.env.TEST_DATABASE_URL ??
  process.env.DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";

const requirePostgres = Boolean(process.env.CI || process.env.ASSENT_REQUIRE_POSTGRES);

let reachable: Promise<boolean> | undefined;
export function postgresReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new pg.Client({
      connectionString: POSTGRES_ADMIN_URL,
      connectionTimeoutMillis: 3000,
    });
    try {
      await client.connect();
      await client.query("select 1");
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reachable;
}

export interface TestDatabaseKind {
  name: "pglite" | "postgres";
}

export const DATABASE_KINDS: TestDatabaseKind[] = [{ name: "pglite" }, { name: "postgres" }];

/** Creates an empty PostgreSQL database and returns its URL plus a function that drops it. */
export async function createScratchPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `assent_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface TestDatabase {
  database: Database<IdentityDB>;
  target: DatabaseTarget;
  close(): Promise<void>;
}

/**
 * Opens a fresh, migrated database of the given kind. Returns undefined (skip) only when
 * PostgreSQL is unreachable outside CI; in CI that throws.
 */
export async function openTestDatabase(
  kind: TestDatabaseKind["name"],
  options: { migrate?: boolean } = {},
): Promise<TestDatabase | undefined> {
  let target: DatabaseTarget;
  let drop = async () => {};
  if (kind === "postgres") {
    if (!(await postgresReachable())) {
      if (requirePostgres)
        throw new Error(`PostgreSQL is required (CI) but unreachable at ${POSTGRES_ADMIN_URL}`);
      console.warn(
        `PostgreSQL unreachable at ${POSTGRES_ADMIN_URL}: skipping the PostgreSQL variant`,
      );
      return undefined;
    }
    const scratch = await createScratchPostgres();
    target = { kind: "postgres", url: scratch.url, poolMax: 10 };
    drop = scratch.drop;
  } else {
    target = { kind: "pglite", dataDir: undefined };
  }
  const database = await openDatabase<IdentityDB>(target);
  if (options.migrate !== false) await migrateAll(database.db);
  return {
    database,
    target,
    async close() {
      await database.close();
      await drop();
    },
  };
}
