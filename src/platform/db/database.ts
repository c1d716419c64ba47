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

// Statements that begin with this comment run on PostgreSQL as named prepared statements, whose
// plan the server keeps per connection (the name is the rest of the comment). For the few hot
// statements whose planning costs more than their run; elsewhere (PGlite) a plain comment.
const PREPARED = /^\/\* prepared:([a-z_]+) \*\//;

/**
 * A pg client that runs `prepared:` statements (above) by name. pg prepares a name once per
 * connection and then only binds and executes it.
 */
class PreparingClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query has many overloads; this forwards them all.
  override query(config: any, values?: any, callback?: any): any {
    const name = typeof config === "string" ? PREPARED.exec(config)?.[1] : undefined;
    if (name && Array.isArray(values))
      return super.query({ name, text: config, values }, callback as undefined);
    return super.query(config, values, callback);
  }
}

const kinds = new WeakMap<object, "pglite" | "postgres">();

/**
 * Which database a Kysely handle opened by `openDatabase` talks to; undefined for any other
 * handle (a transaction's, say), where callers choose what works on both.
 */
export function databaseKindOf(db: object): "pglite" | "postgres" | undefined {
  return kinds.get(db);
}

/**
 * A statement tagged to run as a named prepared statement on PostgreSQL (see PREPARED): its
 * plan is made once per connection. `name` must be unique to the statement's text.
 */
export function preparedTag(name: string): string {
  if (!/^[a-z_]+$/.test(name)) throw new Error(`invalid prepared statement name "${name}"`);
  return `/* prepared:${name} */`;
}

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
      Client: PreparingClient,
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
  kinds.set(db, target.kind);
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
