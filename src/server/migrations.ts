import type { Kysely } from "kysely";
import { connectMigrations } from "../../migrations/connect/index.ts";
import { identityMigrations } from "../../migrations/identity/index.ts";
import { mailMigrations } from "../../migrations/mail/index.ts";
import { migrate } from "../platform/db/index.ts";

/** Every service's schema, in dependency order. */
export const migrationSets = [identityMigrations, mailMigrations, connectMigrations];

/** Applies every schema's pending migrations; returns `schema/name` of each one applied. */
export async function migrateAll(db: Kysely<any>): Promise<string[]> {
  const applied: string[] = [];
  for (const set of migrationSets) {
    for (const name of await migrate(db, set)) applied.push(`${set.schema}/${name}`);
  }
  return applied;
}
