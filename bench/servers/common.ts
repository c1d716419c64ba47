import { randomUUID } from "node:crypto";
import type { IdentityDB } from "../../src/identity/db.ts";
import { type Database, openDatabase } from "../../src/platform/db/index.ts";
import { migrateAll } from "../../src/server/migrations.ts";
import { QueryCounter } from "../lib/query-counter.ts";

/**
 * Both systems under test open the same kind of database the same way: PostgreSQL from
 * BENCH_DATABASE_URL (a fresh database the harness made), else in-memory PGlite.
 */
export async function openBenchDatabase(): Promise<Database<IdentityDB>> {
  const url = process.env.BENCH_DATABASE_URL;
  const database = await openDatabase<IdentityDB>(
    url ? { kind: "postgres", url, poolMax: 10 } : { kind: "pglite", dataDir: undefined },
  );
  await migrateAll(database.db);
  const queryLog = process.env.BENCH_QUERY_LOG;
  if (!queryLog) return database;
  // Round-trip counting (bench/queries.ts): every statement through this handle is counted.
  const counter = new QueryCounter();
  process.on("SIGUSR2", () => counter.dump(queryLog));
  return { ...database, db: database.db.withPlugin(counter) };
}

export function ready(descriptor: Record<string, unknown>): void {
  process.stdout.write(`READY ${JSON.stringify(descriptor)}\n`);
}

export function onStop(stop: () => Promise<void>): void {
  const handler = () => {
    stop().finally(() => process.exit(0));
  };
  process.once("SIGTERM", handler);
  process.once("SIGINT", handler);
}

export const BENCH_REDIRECT_URI = "http://127.0.0.1:9/callback";
export const newId = () => randomUUID();
