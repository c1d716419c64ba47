import type { Kysely, Transaction } from "kysely";
import type { IdentityDB } from "../db.ts";

/**
 * Runs `fn` in a transaction: a new one, or the caller's when `db` already is one, so a
 * directory change can join a larger unit of work (a seed, a hook) and commit or roll back
 * with it. On PGlite, code inside must use `trx`, never the outer handle (one session).
 */
export function inTransaction<T>(
  db: Kysely<IdentityDB>,
  fn: (trx: Transaction<IdentityDB>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<IdentityDB>);
  return db.transaction().execute(fn);
}
