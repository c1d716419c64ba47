import type { Kysely, Transaction } from "kysely";

/**
 * Runs `fn` in a transaction: a new one, or the caller's when `db` already is one, so a change
 * can join a larger unit of work (a decision, a seed, a hook) and commit or roll back with it.
 * On PGlite (one session), code inside must use `trx`, never the outer handle.
 *
 * @example
 * await inTransaction(db, async (trx) => { await insertUser(trx, user); await recordAudit(trx, event); });
 */
export function inTransaction<DB, T>(
  db: Kysely<DB>,
  fn: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return fn(db as Transaction<DB>);
  return db.transaction().execute(fn);
}
