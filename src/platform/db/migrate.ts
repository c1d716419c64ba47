import { type Kysely, sql } from "kysely";

/** One forward-only migration. Never edit one after it has landed: add the next number. */
export interface Migration {
  /** `0001-directory`: the number orders, the name explains. */
  readonly name: string;
  up(db: Kysely<any>): Promise<void>;
}

export interface MigrationSet {
  /** The PostgreSQL schema the set owns (`identity`, `connect`, `mail`). */
  readonly schema: string;
  readonly migrations: readonly Migration[];
}

const NAME = /^\d{4}-[a-z0-9-]+$/;

/**
 * Applies the pending migrations of a set, in order, in ONE transaction that first takes a
 * transaction-scoped advisory lock on the schema. Two nodes starting together serialise on the
 * lock; the second finds everything applied and does nothing. A failing migration rolls back
 * the whole run, so the schema is never left half-migrated.
 *
 * @returns the names applied by this run.
 */
export async function migrate(db: Kysely<any>, set: MigrationSet): Promise<string[]> {
  const names = set.migrations.map((m) => m.name);
  for (const name of names) {
    if (!NAME.test(name))
      throw new Error(`migration name "${name}" must look like 0001-what-it-does`);
  }
  if ([...names].sort().join() !== names.join() || new Set(names).size !== names.length) {
    throw new Error(`migrations of ${set.schema} must be listed once each in ascending order`);
  }
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`assent.migrate.${set.schema}`}))`.execute(
      trx,
    );
    await sql`create schema if not exists ${sql.id(set.schema)}`.execute(trx);
    await sql`create table if not exists ${sql.id(set.schema, "schema_migration")} (
      name text primary key,
      applied_at timestamptz not null default now()
    )`.execute(trx);
    const applied = await sql<{
      name: string;
    }>`select name from ${sql.id(set.schema, "schema_migration")}`.execute(trx);
    const done = new Set(applied.rows.map((r) => r.name));
    const unknown = [...done].filter((n) => !names.includes(n));
    if (unknown.length > 0) {
      throw new Error(
        `the ${set.schema} schema has migrations this version does not know (${unknown.join(", ")}): it was migrated by a newer Assent`,
      );
    }
    const ran: string[] = [];
    for (const migration of set.migrations) {
      if (done.has(migration.name)) continue;
      await migration.up(trx);
      await sql`insert into ${sql.id(set.schema, "schema_migration")} (name) values (${migration.name})`.execute(
        trx,
      );
      ran.push(migration.name);
    }
    return ran;
  });
}
