import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect, sql, type Transaction } from "kysely";
import pg from "pg";
import { lockDataDir, unusableDataDirError } from "./data-dir-lock.ts";
import { PGlitePool } from "./pglite-pool.ts";

export type DatabaseTarget =
  | { kind: "pglite"; dataDir: string | undefined }
  | { kind: "postgres"; url: string; poolMax?: number };

/** A Kysely handle over PostgreSQL (pooled) or embedded PGlite, with the helpers every service uses. */
export interface Database<DB> {
  readonly db: Kysely<DB>;
  readonly kind: "pglite" | "postgres";
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T>;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

// int8 (count(*), bigserial) and numeric as JS numbers, as PGlite returns them, so both
// dialects hand the same shapes to the code above. Values here stay far below 2^53.
const pgTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === 20 || oid === 1700) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

/**
 * Opens the database. With `dataDir: undefined` PGlite runs in memory (tests).
 *
 * @example
 * const database = await openDatabase<IdentityDB>({ kind: "postgres", url: process.env.DATABASE_URL! });
 */
export async function openDatabase<DB>(target: DatabaseTarget): Promise<Database<DB>> {
  let pool: pg.Pool | PGlitePool;
  let unlock = () => {};
  if (target.kind === "pglite") {
    if (target.dataDir) unlock = lockDataDir(target.dataDir);
    try {
      pool = new PGlitePool(await PGlite.create(target.dataDir));
    } catch (error) {
      unlock();
      throw (target.dataDir && unusableDataDirError(target.dataDir, error)) || error;
    }
  } else {
    pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolMax ?? 10,
      types: pgTypes,
      // A connection that cannot be had within this time fails the request instead of queueing forever.
      connectionTimeoutMillis: 10_000,
    });
    // A connection lost while idle in the pool (database restart) must not crash the process;
    // the pool discards it and the next query opens a new one.
    pool.on("error", () => {});
    // Nor one lost while checked out between two queries of a transaction: pg emits that on the
    // client, where an unhandled "error" event would end the process. The query in flight fails
    // with the error instead, and the caller answers with a clean failure.
    pool.on("connect", (client) => {
      client.on("error", () => {});
    });
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as pg.Pool }) });
  let closed = false;
  return {
    db,
    kind: target.kind,
    transaction: (fn) => db.transaction().execute(fn),
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.destroy();
      } finally {
        unlock();
      }
    },
  };
}
