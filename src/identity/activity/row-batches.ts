import { type Expression, type Kysely, sql } from "kysely";
import type { IdentityDB } from "../db.ts";

/**
 * Rows of `query` in batches through a PostgreSQL server-side cursor (DECLARE … FETCH) in one
 * read-only, repeatable-read transaction: a consistent snapshot, read at the pace the consumer
 * pulls. Strictly pull-based: a batch is fetched only when the consumer asks for the next one,
 * so at most one batch is in memory however many rows match. Stopping early (the consumer calls
 * `return()`, as a destroyed stream does) rolls the transaction back and frees the connection.
 *
 * (Not pg-cursor: Kysely owns the pool and does not hand out its raw pg client; DECLARE is the
 * same server-side mechanism in plain SQL, through the pool, with the query built by Kysely.)
 */
export async function* cursorBatches<R>(
  db: Kysely<IdentityDB>,
  query: Expression<unknown>,
  batchSize: number,
): AsyncGenerator<R[]> {
  const trx = await db
    .startTransaction()
    .setIsolationLevel("repeatable read")
    .setAccessMode("read only")
    .execute();
  let finished = false;
  try {
    await sql`declare assent_export no scroll cursor for ${query}`.execute(trx);
    for (;;) {
      const { rows } = await sql<R>`fetch forward ${sql.lit(batchSize)} from assent_export`.execute(
        trx,
      );
      if (rows.length > 0) yield rows;
      if (rows.length < batchSize) break;
    }
    finished = true;
  } finally {
    // Read only: commit and rollback are the same; rollback also ends an aborted transaction.
    // A failing rollback (connection gone) must not hide the error that led here.
    if (finished) await trx.commit().execute();
    else
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
  }
}

/**
 * Rows in batches by keyset: each batch is one short query starting after the last row of the
 * one before, run when the consumer asks for it. Used on PGlite, whose single session must not
 * be held by a long export.
 */
export async function* keysetBatches<R, K>(
  fetchPage: (after: K | undefined, limit: number) => Promise<R[]>,
  keyOf: (row: R) => K,
  batchSize: number,
): AsyncGenerator<R[]> {
  let after: K | undefined;
  for (;;) {
    const rows = await fetchPage(after, batchSize);
    if (rows.length > 0) yield rows;
    if (rows.length < batchSize) return;
    after = keyOf(rows[rows.length - 1]!);
  }
}
